export * from './redis.js';
export * from './wait-for.js';
export * from './redis-server.js';
export * from './mariadb.js';
export * from './etcd.js';
export * from './victoria-metrics.js';
