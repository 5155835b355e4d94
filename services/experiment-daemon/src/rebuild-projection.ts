import { createBus } from '@galileo/bus';
import { redisOptions } from '@galileo/config';
import { openDatabase } from '@galileo/db';
import { galileoCatalogue } from '@galileo/events';
import { Redis } from 'ioredis';
import { loadExperimentDaemonConfig } from './config.js';
import { rebuildExperimentsProjection } from './projection/experiments-projection.js';

// `npm run rebuild-projection -w @galileo/experiment-daemon` (or `npx tsx services/experiment-daemon/src/rebuild-projection.ts`):
// replays the lifecycle stream into the database the environment names, then prints what it did as JSON.
const loaded = loadExperimentDaemonConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.error.lines.join('\n')}\n`);
  process.exit(1);
}
const config = loaded.value;
const redis = new Redis(redisOptions(config.redis, { connectionName: 'galileo-experimentd:rebuild' }));
const bus = createBus({
  redis,
  catalogue: galileoCatalogue,
  source: 'experiment-daemon/rebuild',
  prefix: config.redis.keyPrefix,
  trimIntervalMs: 0,
});
const db = await openDatabase(config.db);
try {
  const result = await rebuildExperimentsProjection(redis, bus, db);
  process.stdout.write(`${JSON.stringify({ projection: 'experiments', ...result })}\n`);
} finally {
  await bus.close();
  await db.close();
  await redis.quit();
}
