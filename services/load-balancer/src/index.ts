export * from './load-balancer.js';
export * from './function-routes.js';
export * from './config.js';
