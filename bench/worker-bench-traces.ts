// Diagnostics of bench:worker: the worker's trace path alone (trace batcher → bus → Redis), in process.
//
//   npx tsx bench/worker-bench-traces.ts [--rate 10000] [--seconds 5] [--spacing 5] [--mirror]
//
// Adds traces shaped like the worker's (nginx's response headers) at a fixed rate, one millisecond
// at a time, to a trace batcher publishing on a bus on Redis (GALILEO_BENCH_REDIS_URL); prints the
// CPU per trace of this process (user + system, from process.cpuUsage), the mean batch, and the
// longest synchronous block (the event-loop delay's max). `--spacing` is minFlushSpacingMs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createBus } from '@galileo/bus';
import { galileoCatalogue, type RequestTrace } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { deleteKeysWithPrefix, testPrefix } from '@galileo/testing';
import { createTraceBatcher } from '../services/worker/src/trace-batcher.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    spacing: { type: 'string', default: '5' },
    flush: { type: 'string', default: '20' },
    mirror: { type: 'boolean', default: false },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const spacing = Number(args.spacing);
if (!(rate > 0) || !(seconds > 0) || !(spacing >= 0)) {
  throw new Error(`--rate and --seconds must be > 0 and --spacing ≥ 0, got ${rate}, ${seconds}, ${spacing}`);
}
const redisUrl = process.env.GALILEO_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const prefix = testPrefix('bench-traces');
const bus = createBus({ redis, catalogue: galileoCatalogue, source: 'bench', prefix, trimIntervalMs: 0 });
const logger = createLogger({ service: 'bench', level: 'warn' });
const batcher = createTraceBatcher({
  bus,
  flushSize: Number(args.flush),
  flushIntervalMs: 250,
  minFlushSpacingMs: spacing,
  mirror: args.mirror ? { redis, channel: `${prefix}galileo/results/traces` } : null,
  logger,
});
const headers = JSON.stringify({
  server: 'nginx/1.22.1',
  date: new Date().toUTCString(),
  'content-type': 'text/plain',
  'content-length': '2',
  connection: 'keep-alive',
});
let n = 0;
const trace = (nowMs: number): RequestTrace => ({
  request_id: `0123456789:${++n}`,
  client: `bench-worker:nginx:${n & 31}`,
  service: 'nginx',
  created: (nowMs - 0.7) / 1000,
  sent: (nowMs - 0.6) / 1000,
  done: nowMs / 1000,
  status: 200,
  server: '127.0.0.1:8080',
  exp_id: 'bench-exp',
  headers,
  response: 'ok',
});

const now = () => performance.timeOrigin + performance.now();
async function run(runSeconds: number) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const start = now();
  const cpu0 = process.cpuUsage();
  const stats0 = batcher.stats();
  let added = 0;
  delay.enable();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const t = now();
      const due = Math.floor(((t - start) / 1000) * rate);
      while (added < due) {
        batcher.add(trace(t), 'bench-exp');
        added++;
      }
      if (t - start >= runSeconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await batcher.flush();
  delay.disable();
  const cpu = process.cpuUsage(cpu0);
  const stats = batcher.stats();
  const flushes = stats.flushes - stats0.flushes;
  return {
    rate,
    spacingMs: spacing,
    traces: added,
    cpuUsPerTrace: Number(((cpu.user + cpu.system) / added).toFixed(2)),
    systemUsPerTrace: Number((cpu.system / added).toFixed(2)),
    meanBatch: Number(((stats.published - stats0.published) / flushes).toFixed(1)),
    loopMaxMs: Number((delay.max / 1e6).toFixed(1)),
    loopP99Ms: Number((delay.percentile(99) / 1e6).toFixed(1)),
  };
}

try {
  await run(1); // warm-up
  console.log(JSON.stringify(await run(seconds)));
} finally {
  await batcher.close();
  await bus.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
}
