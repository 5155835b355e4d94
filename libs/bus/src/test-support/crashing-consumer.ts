// A consumer that dies by SIGKILL in the middle of a batch, for the at-least-once test.
// env: REDIS_URL, PREFIX, CRASH_AFTER (handled messages before the crash).
import { galileoCatalogue } from '@galileo/events';
import { Redis } from 'ioredis';
import { createBus } from '../bus.js';

const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
const prefix = process.env.PREFIX!;
const crashAfter = Number(process.env.CRASH_AFTER);
const bus = createBus({ redis, catalogue: galileoCatalogue, source: 'doomed', prefix, trimIntervalMs: 0 });
let handled = 0;
await bus.subscribe('galileo.crash.>', {
  group: 'crash',
  consumer: 'doomed',
  batchSize: 50,
  handler: async (event) => {
    await redis.rpush(`${prefix}handled`, event.type === 'GalileoEvent' ? event.data.name : '?');
    if (++handled === crashAfter) process.kill(process.pid, 'SIGKILL');
  },
});
