import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import { openDatabase } from '@galileo/db';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { createInfluxWriter } from '@galileo/timeseries';
import { Redis } from 'ioredis';
import { loadRecorderConfig, storesOf } from './config.js';
import { createRecorder } from './recorder.js';

// Environment → dependencies → createRecorder. Nothing else happens here.
const loaded = loadRecorderConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const logger = createLogger({ service: 'recorder', level: config.logging.level });
const redis = new Redis(redisOptions(config.redis, { connectionName: 'galileo-recorder' }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: 'recorder',
  prefix: config.redis.keyPrefix,
  logger,
  blockingReads: config.busReads,
});
const uses = storesOf(config.db.driver);
const db = uses.sql ? await openDatabase(config.db) : null;
const influx = uses.influx ? createInfluxWriter({ ...config.influx, logger }) : null;
const recorder = createRecorder({ bus, redis, db, influx, config, logger });

await runService({
  logger,
  start: () => recorder.start(),
  stop: async () => {
    await recorder.stop();
    await bus.close();
    await db?.close();
    await influx?.close();
    await redis.quit();
  },
});
