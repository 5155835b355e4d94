import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { loadWorkerConfig } from './config.js';
import { createWorker } from './worker.js';

// Environment → dependencies → createWorker. Nothing else happens here.
const loaded = loadWorkerConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const logger = createLogger({ service: 'worker', level: config.logging.level }).child({
  worker: config.name,
});
const redis = new Redis({
  ...redisOptions(config.redis, { connectionName: `galileo-worker:${config.name}` }),
  // The bus's connections inherit this. A trace batch is already one script call, so auto-pipelining
  // gains it nothing; and its per-tick Map/Set of pipelines (rehashed tables linked to their
  // successors) kept every batch alive into the old generation: ~1 KB promoted per trace, a major
  // GC every few seconds, sends stalled by 15–30 ms (measured at 10 000–20 000 traces/s).
  autoPipeliningIgnoredCommands: ['appendBatch'],
});
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: `worker/${config.name}`,
  prefix: config.redis.keyPrefix,
  logger,
});
const worker = createWorker({ bus, redis, config, logger });

await runService({
  logger,
  start: () => worker.start(),
  stop: async () => {
    await worker.stop();
    await bus.close();
    await redis.quit();
  },
});
