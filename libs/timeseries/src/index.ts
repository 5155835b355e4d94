export * from './config.js';
export * from './line-protocol.js';
export * from './galileo-points.js';
export * from './influx-writer.js';
export * from './line-buffer.js';
