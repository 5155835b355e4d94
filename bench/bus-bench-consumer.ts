// Child process of bus.bench.ts: one consumer group with two consumers, reporting over IPC.
import { Redis } from 'ioredis';
import hdr from 'hdr-histogram-js';
import { galileoCatalogue } from '@galileo/events';
import { createBus } from '@galileo/bus';

interface Start {
  /** 'raw': a plain ioredis XREADGROUP/XACK loop, the latency peer (no bus, no validation). */
  mode?: 'bus' | 'raw';
  redisUrl: string;
  prefix: string;
  group: string;
  expected: number;
  measureLatency: boolean;
}

const wallClockMs = () => performance.timeOrigin + performance.now();

const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

function percentiles(h: ReturnType<typeof newHistogram>) {
  return {
    p50Us: h.getValueAtPercentile(50),
    p90Us: h.getValueAtPercentile(90),
    p99Us: h.getValueAtPercentile(99),
    p999Us: h.getValueAtPercentile(99.9),
    maxUs: h.maxValue,
  };
}

/** The latency peer: what Redis streams cost between two processes without the bus. */
async function rawConsumer(start: Start): Promise<void> {
  const reader = new Redis(start.redisUrl, { maxRetriesPerRequest: null });
  const acker = new Redis(start.redisUrl, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const key = `${start.prefix}raw-latency`;
  const histogram = newHistogram();
  let handled = 0;
  process.send!({ kind: 'ready' });
  while (handled < start.expected) {
    const reply = (await reader.xreadgroup(
      'GROUP',
      start.group,
      'c1',
      'COUNT',
      500,
      'BLOCK',
      1000,
      'STREAMS',
      key,
      '>',
    )) as [string, [string, string[]][]][] | null;
    if (!reply) continue;
    const now = wallClockMs();
    const ids: string[] = [];
    for (const [id, fields] of reply[0]![1]) {
      ids.push(id);
      handled++;
      if (fields[1] !== 'warmup')
        histogram.recordValue(Math.max(1, Math.round((now - Number(fields[3])) * 1000)));
    }
    void acker.xack(key, start.group, ...ids);
  }
  process.send!({
    kind: 'done',
    handled,
    firstAt: 0,
    lastAt: 0,
    perConsumer: [handled],
    cpuUs: 0,
    ...percentiles(histogram),
  });
  reader.disconnect();
  acker.disconnect();
  setTimeout(() => process.exit(0), 20);
}

process.once('message', async (start: Start) => {
  if (start.mode === 'raw') return rawConsumer(start);
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
        ...percentiles(histogram),
        cpuUs: ((u) => u.user + u.system)(process.cpuUsage(cpuAtStart)),
      });
      await bus.close();
      redis.disconnect();
      process.exit(0);
    }, 50);
  }
});
