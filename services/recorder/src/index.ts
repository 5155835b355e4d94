export * from './attribution.js';
export * from './batcher.js';
export * from './config.js';
export * from './recorder.js';
export * from './stores.js';
