import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import { openDatabase } from '@galileo/db';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { loadExperimentDaemonConfig } from './config.js';
import { createExperimentDaemon } from './experiment-daemon.js';

// Environment → dependencies → createExperimentDaemon. Nothing else happens here.
const loaded = loadExperimentDaemonConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const logger = createLogger({ service: 'experiment-daemon', level: config.logging.level }).child({
  daemon: config.name,
});
const redis = new Redis(redisOptions(config.redis, { connectionName: `galileo-experimentd:${config.name}` }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: `experiment-daemon/${config.name}`,
  prefix: config.redis.keyPrefix,
  logger,
});
const db = config.projection ? await openDatabase(config.db) : null;
const daemon = createExperimentDaemon({ bus, redis, config, logger, db });

await runService({
  logger,
  start: () => daemon.start(),
  stop: async () => {
    await daemon.stop();
    await bus.close();
    await db?.close();
    await redis.quit();
  },
});
