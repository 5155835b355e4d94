import { createBus } from '@galileo/bus';
import { loadConfigOrExit, redisOptions } from '@galileo/config';
import {
  createGalileoContext,
  feedContextFromBus,
  loadLatencyGraph,
  refreshContext,
  type ContextFeed,
} from '@galileo/context';
import { galileoCatalogue } from '@galileo/events';
import { createEtcdWeightStore, createRedisWeightStore } from '@galileo/kv';
import { createLogger } from '@galileo/logging';
import { runService, startHealthServer, type HealthServer } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { lbOptimizerConfigSpec } from './config.js';
import { createLbOptimizer } from './lb-optimizer.js';
import { thresholdsFromEnvironment } from './thresholds.js';

// Environment → dependencies → createLbOptimizer. Nothing else happens here.
const config = loadConfigOrExit(lbOptimizerConfigSpec);
const thresholds = thresholdsFromEnvironment(process.env);
if (!thresholds.ok) {
  process.stderr.write(`${thresholds.error.join('\n')}\n`);
  process.exit(1);
}
const logger = createLogger({ service: 'lb-optimizer', level: config.logging.level });
let latencyGraph;
if (config.context.latencyGraphJson) {
  const loaded = await loadLatencyGraph(config.context.latencyGraphJson, {
    maxLatency: config.context.maxLatency,
  });
  if (!loaded.ok) {
    process.stderr.write(`galileo_context_latency_graph_json: ${loaded.error}\n`);
    process.exit(1);
  }
  latencyGraph = loaded.value;
}
const redis = new Redis(redisOptions(config.redis, { connectionName: 'galileo-lb-optimizer' }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: 'lb-optimizer',
  prefix: config.redis.keyPrefix,
  logger,
});
const useEtcd = (config.weightStore ?? (config.etcdHost ? 'etcd' : 'redis')) === 'etcd';
const store = useEtcd
  ? createEtcdWeightStore({
      hosts: `${config.etcdHost ?? 'localhost'}:${config.etcdPort}`,
      prefix: config.keyPrefix,
    })
  : createRedisWeightStore({ redis, keyPrefix: config.redis.keyPrefix, prefix: config.keyPrefix });
const context = createGalileoContext({
  telemetryWindowSeconds: config.context.telemetryWindowSeconds,
  traceWindowSeconds: config.context.traceWindowSeconds,
  ...(latencyGraph && { latencyGraph }),
  ...(config.context.zones && { fallbackZones: config.context.zones }),
});
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const optimizer = createLbOptimizer({
  context,
  store,
  bus,
  logger,
  params: { a: config.a, b: config.b, c: config.c, midpoint: config.midpoint, offset: config.offset },
  lookbackSeconds: config.lookback,
  intervalMs: config.reconcileInterval,
  thresholds: thresholds.value,
  mirrorEvents: config.mirrorEvents,
  registry,
});
let feed: ContextFeed | undefined;
const refresh = refreshContext(context, {
  redis,
  keyPrefix: config.redis.keyPrefix,
  intervalMs: config.nodeInfoRefresh,
  logger,
});
let health: HealthServer | undefined;

await runService({
  logger,
  start: async () => {
    await refresh.refresh();
    feed = await feedContextFromBus(bus, context, { group: 'lb-optimizer-context', logger });
    await optimizer.start();
    if (config.healthPort > 0) {
      health = await startHealthServer({
        port: config.healthPort,
        host: config.healthHost,
        registry,
        health: () => ({ healthy: true, lastReport: optimizer.lastReport }),
      });
    }
  },
  stop: async () => {
    await health?.close();
    await optimizer.stop();
    refresh.stop();
    await feed?.stop();
    await store.close();
    await bus.close();
    await redis.quit();
  },
});
