import { createBus } from '@galileo/bus';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { loadTelemdConfig } from './config.js';
import { createTelemd } from './telemd.js';
import { telemdRedisOptions } from './redis-connection.js';

// Environment (and /etc/telemd/config.ini) → dependencies → createTelemd.
const loaded = loadTelemdConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const logger = createLogger({ service: 'telemd', level: config.logging.level }).child({
  node: config.nodename,
});
const redis = new Redis(telemdRedisOptions(config));
redis.on('error', (e: Error) => logger.debug({ err: e.message }, 'redis error'));
const bus = config.bus
  ? createBus({
      redis,
      catalogue: galileoCatalogue,
      source: `telemd/${config.nodename}`,
      prefix: config.keyPrefix,
      logger,
    })
  : null;
const telemd = createTelemd({ redis, bus, config, logger });

await runService({
  logger,
  start: () => telemd.start(),
  stop: async () => {
    await telemd.stop();
    await bus?.close();
    await redis.quit();
  },
});
