export * from './sample-app.js';
export * from './config.js';
