export * from './lb-optimizer.js';
export * from './weight-heuristic.js';
export * from './context-input.js';
export * from './thresholds.js';
export * from './config.js';
