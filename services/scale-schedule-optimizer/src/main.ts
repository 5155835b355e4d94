import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import {
  createGalileoContext,
  createLatencyGraph,
  feedContextFromBus,
  loadLatencyGraph,
  refreshContext,
} from '@galileo/context';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { loadOptimizerConfig } from './config.js';
import { osmoticInputFromContext } from './context-input.js';
import { createScaleScheduleOptimizer } from './scale-schedule-optimizer.js';

// Environment → dependencies → createScaleScheduleOptimizer. Nothing else happens here.
const loaded = loadOptimizerConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const instance = config.instance ?? hostname();
const logger = createLogger({ service: 'scale-schedule-optimizer', level: config.logging.level });
const redis = new Redis(redisOptions(config.redis, { connectionName: 'galileo-scale-schedule-optimizer' }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: 'scale-schedule-optimizer',
  prefix: config.redis.keyPrefix,
  logger,
});

let latencyGraph = createLatencyGraph({}, { maxLatency: config.context.maxLatency });
if (config.context.latencyGraphJson) {
  const graph = await loadLatencyGraph(config.context.latencyGraphJson, {
    maxLatency: config.context.maxLatency,
  });
  if (!graph.ok) {
    process.stderr.write(
      `galileo_context_latency_graph_json=${JSON.stringify(config.context.latencyGraphJson)}: ${graph.error}\n`,
    );
    process.exit(1);
  }
  latencyGraph = graph.value;
}
const context = createGalileoContext({
  telemetryWindowSeconds: config.context.telemetryWindowSeconds,
  traceWindowSeconds: config.context.traceWindowSeconds,
  latencyGraph,
  ...(config.context.zones ? { fallbackZones: config.context.zones } : {}),
});
const optimizer = createScaleScheduleOptimizer({
  bus,
  redis,
  config: { ...config, instance },
  logger,
  input: () =>
    osmoticInputFromContext(context, {
      lookbackSeconds: config.lookback / 1000,
      targetTimeMeasure: config.targetTimeMeasure,
    }),
});
let feed: Awaited<ReturnType<typeof feedContextFromBus>> | undefined;
const refresh = refreshContext(context, {
  redis,
  keyPrefix: config.redis.keyPrefix,
  intervalMs: 10_000,
  logger,
});

await runService({
  logger,
  start: async () => {
    // every replica keeps its own context (its own consumer groups); only the lease holder acts
    feed = await feedContextFromBus(bus, context, {
      group: `scale-schedule-optimizer-context:${instance}`,
      logger,
    });
    await refresh.refresh();
    await optimizer.start();
  },
  stop: async () => {
    await optimizer.stop();
    refresh.stop();
    await feed?.stop();
    await bus.close();
    await redis.quit();
  },
});
