import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import { openDatabase } from '@galileo/db';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { runService } from '@galileo/runtime';
import { Redis } from 'ioredis';
import { createApi } from './api.js';
import { apiConfigFrom, authProblem, loadApiConfig } from './config.js';

// Environment → dependencies → createApi. Nothing else happens here.
const loaded = loadApiConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const env = loaded.value;
const problem = authProblem(env.bind, env.token);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const logger = createLogger({ service: 'api', level: env.logging.level });
const redis = new Redis(redisOptions(env.redis, { connectionName: 'galileo-api' }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: 'api',
  prefix: env.redis.keyPrefix,
  logger,
});
const db = await openDatabase(env.db);
const api = createApi({ redis, bus, db, config: apiConfigFrom(env), logger });

await runService({
  logger,
  start: async () => {
    await api.start();
  },
  stop: async () => {
    await api.stop();
    await bus.close();
    await db.close();
    await redis.quit();
  },
});
