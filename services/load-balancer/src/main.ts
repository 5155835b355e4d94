import { hostname } from 'node:os';
import { loadConfigOrExit, redisOptions } from '@galileo/config';
import { createEtcdWeightStore, createRedisWeightStore, type WeightStore } from '@galileo/kv';
import { createLogger } from '@galileo/logging';
import { runService, startHealthServer, type HealthServer } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadBalancerConfigSpec } from './config.js';
import { createLoadBalancer } from './load-balancer.js';

// Environment → dependencies → createLoadBalancer. Nothing else happens here.
const config = loadConfigOrExit(loadBalancerConfigSpec);
const nodeName = config.nodeName ?? hostname();
const logger = createLogger({
  service: 'load-balancer',
  level: config.mode === 'dev' ? 'debug' : 'info',
}).child({
  zone: config.zone,
  node: nodeName,
});
let redis: Redis | undefined;
let store: WeightStore;
if ((config.weightStore ?? (config.etcdHost ? 'etcd' : 'redis')) === 'redis') {
  redis = new Redis(redisOptions(config.redis, { connectionName: `galileo-load-balancer:${config.zone}` }));
  store = createRedisWeightStore({ redis, keyPrefix: config.redis.keyPrefix, prefix: config.keyPrefix });
} else {
  store = createEtcdWeightStore({
    hosts: (config.etcdHost ?? 'localhost:2379').split(','),
    prefix: config.keyPrefix,
  });
}
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const balancer = createLoadBalancer({
  store,
  zone: config.zone,
  nodeName,
  gateways: config.gateways ?? [],
  handlerType: config.handlerType,
  port: config.listenPort,
  host: config.listenHost,
  logger,
  registry,
  backendConnections: config.backendConnections,
  requestTimeoutMs: config.requestTimeout,
});
let health: HealthServer | undefined;

await runService({
  logger,
  start: async () => {
    await balancer.start();
    if (config.healthPort > 0) {
      health = await startHealthServer({
        port: config.healthPort,
        host: config.listenHost,
        registry,
        health: () => ({ healthy: true }),
        ready: () => ({ ready: balancer.ready, storeConnected: balancer.storeConnected }),
      });
    }
  },
  stop: async () => {
    await health?.close();
    await balancer.stop();
    await store.close();
    await redis?.quit();
  },
});
