export * from './config.js';
export * from './instruments.js';
export * from './node-info.js';
export * from './payload.js';
export * from './proc-parse.js';
export * from './cgroups.js';
export * from './redis-connection.js';
export * from './telemd.js';
