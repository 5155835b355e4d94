export * from './experiment.js';
export * from './experiment-queue.js';
export * from './experiment-control.js';
export * from './experiment-operations.js';
export * from './submission.js';
