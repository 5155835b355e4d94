// Child process of bus.bench.ts: one consumer group with two consumers, reporting over IPC.
import { Redis } from 'ioredis';
import hdr from 'hdr-histogram-js';
import { galileoCatalogue } from '@galileo/events';
import { createBus } from '@galileo/bus';

interface Start {
  redisUrl: string;
  prefix: string;
  group: string;
  expected: number;
  measureLatency: boolean;
}

const wallClockMs = () => performance.timeOrigin + performance.now();

process.once('message', async (start: Start) => {
  const redis = new Redis(start.redisUrl, { maxRetriesPerRequest: null });
  const bus = createBus({
    redis,
    catalogue: galileoCatalogue,
    source: 'bench-consumer',
    prefix: start.prefix,
    trimIntervalMs: 0,
  });
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let handled = 0;
  let firstAt = 0;
  let lastAt = 0;
  const handler = (event: { type: string; data: unknown }) => {
    const now = wallClockMs();
    if (handled === 0) firstAt = now;
    handled++;
    lastAt = now;
    if (
      start.measureLatency &&
      event.type === 'GalileoEvent' &&
      (event.data as { name: string }).name !== 'warmup'
    ) {
      const sentAt = (event.data as { timestamp: number }).timestamp;
      histogram.recordValue(Math.max(1, Math.round((now - sentAt) * 1000))); // µs
    }
    if (handled === start.expected) done();
  };
  const subs = await Promise.all(
    ['c1', 'c2'].map((consumer) =>
      bus.subscribe('galileo.bench.>', {
        group: start.group,
        consumer,
        handler,
        batchSize: 500,
        concurrency: 500,
        blockMs: 1000,
      }),
    ),
  );
  process.send!({ kind: 'ready' });
  const cpuAtStart = process.cpuUsage();
  let finished = false;
  function done() {
    if (finished) return;
    finished = true;
    // Let the last acknowledgements leave before reporting.
    setTimeout(async () => {
      const perConsumer = subs.map((s) => s.stats().delivered);
      process.send!({
        kind: 'done',
        handled,
        firstAt,
        lastAt,
        perConsumer,
        p50Us: histogram.getValueAtPercentile(50),
        p99Us: histogram.getValueAtPercentile(99),
        maxUs: histogram.maxValue,
        cpuUs: ((u) => u.user + u.system)(process.cpuUsage(cpuAtStart)),
      });
      await bus.close();
      redis.disconnect();
      process.exit(0);
    }, 50);
  }
});
