export * from './health-server.js';
export * from './run-service.js';
export * from './ensure-redis.js';
