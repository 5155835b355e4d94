export * from './types.js';
export * from './pod-manifest.js';
export * from './image-allow-list.js';
export * from './kubernetes-orchestrator.js';
export * from './local-orchestrator.js';
