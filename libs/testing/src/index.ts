export * from './redis.js';
export * from './wait-for.js';
export * from './redis-server.js';
