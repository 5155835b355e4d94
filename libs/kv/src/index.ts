export * from './function-weights.js';
export * from './weight-store.js';
export * from './etcd-weight-store.js';
export * from './redis-weight-store.js';
