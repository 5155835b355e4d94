// npm run bench:bus [-- --quick]
// 1,000,000 events of ~200 bytes through one subject to one group of two consumers (another
// process), end to end; the latency at a fixed 5,000 events/s; and, as the peer, the raw
// ceiling of pipelined XADD from Node to the same Redis. Prints one JSON object last.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { galileoCatalogue, createEvent, encodeEvent } from '@galileo/events';
import { createBus } from '@galileo/bus';
import { deleteKeysWithPrefix, testPrefix } from '@galileo/testing';

const quick = process.argv.includes('--quick');
const redisUrl = process.env.GALILEO_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const EVENTS = quick ? 150_000 : 1_000_000;
const RAW_EVENTS = quick ? 150_000 : 1_000_000;
// The machine is a shared 2-core VM: the raw ceiling alone varies by ±25 % between runs, so
// raw and end-to-end rounds alternate and the medians are compared.
const ROUNDS = 3;
const LATENCY_RATE = 5_000;
const LATENCY_SECONDS = quick ? 5 : 20;
const BATCH = Number(process.env.BENCH_PUB_BATCH ?? 500);
const IN_FLIGHT_BATCHES = Number(process.env.BENCH_IN_FLIGHT ?? 8);

const wallClockMs = () => performance.timeOrigin + performance.now();
// The smallest realistic event: the envelope with a short payload is about 250 bytes encoded.
const padding = '';
const draft = (name = 'bench') => ({
  type: 'GalileoEvent' as const,
  data: { name, value: padding, timestamp: wallClockMs() },
});
const WARMUP = 2_000;

function log(msg: string) {
  process.stderr.write(`${msg}\n`);
}

async function rawXaddCeiling(redis: Redis, prefix: string): Promise<{ perSec: number; bytes: number }> {
  const made = createEvent(galileoCatalogue, draft(), { subject: 'galileo.bench.raw', source: 'bench' });
  if (!made.ok) throw new Error(made.error.message);
  const body = encodeEvent(made.value);
  const key = `${prefix}raw`;
  const started = performance.now();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (sent < RAW_EVENTS) {
    const p = redis.pipeline();
    const n = Math.min(BATCH, RAW_EVENTS - sent);
    for (let i = 0; i < n; i++) p.xadd(key, '*', 's', 'galileo.bench.raw', 'e', body);
    sent += n;
    const exec: Promise<unknown> = p.exec().then(() => inFlight.delete(exec));
    inFlight.add(exec);
    if (inFlight.size >= IN_FLIGHT_BATCHES) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  await redis.unlink(key);
  return { perSec: RAW_EVENTS / seconds, bytes: Buffer.byteLength(body) };
}

interface ConsumerReport {
  handled: number;
  firstAt: number;
  lastAt: number;
  perConsumer: number[];
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  cpuUs: number;
}

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const f = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (f('used_cpu_sys') + f('used_cpu_user')) * 1e6;
}

async function startConsumers(
  prefix: string,
  group: string,
  expected: number,
  measureLatency: boolean,
  mode: 'bus' | 'raw' = 'bus',
) {
  const child = fork(fileURLToPath(new URL('./bus-bench-consumer.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = new Promise<ConsumerReport>((resolve, reject) => {
    child.on('message', (m: { kind: string } & ConsumerReport) => m.kind === 'done' && resolve(m));
    child.once('exit', (code) => code !== 0 && reject(new Error(`consumer process exited with ${code}`)));
  });
  await new Promise<void>((resolve) => {
    child.on('message', (m: { kind: string }) => m.kind === 'ready' && resolve());
    child.send({ mode, redisUrl, prefix, group, expected, measureLatency });
  });
  return report;
}

async function throughput(prefix: string) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const bus = createBus({ redis, catalogue: galileoCatalogue, source: 'bench', prefix, trimIntervalMs: 0 });
  // Create the stream and group before the consumers attach, so none of the events is missed.
  await redis.xgroup('CREATE', bus.keys.stream('galileo.bench'), 'throughput', '$', 'MKSTREAM');
  const report = startConsumers(prefix, 'throughput', EVENTS, false);
  const redisCpuBefore = await redisCpuUs(redis);
  const cpuBefore = process.cpuUsage();
  const started = wallClockMs();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (sent < EVENTS) {
    const n = Math.min(BATCH, EVENTS - sent);
    const items = Array.from({ length: n }, () => ({ subject: 'galileo.bench.throughput', draft: draft() }));
    sent += n;
    const p: Promise<unknown> = bus.publishBatch(items).then(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= IN_FLIGHT_BATCHES) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const publishedAt = wallClockMs();
  const r = await report;
  const publisherCpu = ((u) => u.user + u.system)(process.cpuUsage(cpuBefore));
  const redisCpu = (await redisCpuUs(redis)) - redisCpuBefore;
  const seconds = (r.lastAt - started) / 1000;
  await bus.close();
  redis.disconnect();
  return {
    eventsPerSec: EVENTS / seconds,
    publishPerSec: EVENTS / ((publishedAt - started) / 1000),
    perConsumer: r.perConsumer,
    cpuUsPerEvent: {
      publisher: Number((publisherCpu / EVENTS).toFixed(2)),
      consumers: Number((r.cpuUs / EVENTS).toFixed(2)),
      redis: Number((redisCpu / EVENTS).toFixed(2)),
    },
  };
}

/**
 * Open-loop latency at a fixed rate: every millisecond, publish what is due by now. `bus` goes
 * through the bus (validation, envelopes, the subscription loop); `raw` is the peer: plain
 * XADD of the same bytes, read by a plain XREADGROUP/XACK loop in the same kind of process.
 */
async function latency(prefix: string, mode: 'bus' | 'raw') {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const pub = new Redis(redisUrl, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const bus = createBus({ redis, catalogue: galileoCatalogue, source: 'bench', prefix, trimIntervalMs: 0 });
  const total = LATENCY_RATE * LATENCY_SECONDS;
  const streamKey = mode === 'bus' ? bus.keys.stream('galileo.bench') : `${prefix}raw-latency`;
  await redis.xgroup('CREATE', streamKey, 'latency', '$', 'MKSTREAM');
  const report = startConsumers(prefix, 'latency', total + WARMUP, true, mode);
  const made = createEvent(galileoCatalogue, draft(), { subject: 'galileo.bench.latency', source: 'bench' });
  if (!made.ok) throw new Error(made.error.message);
  const rawBody = encodeEvent(made.value);
  const send = (name: string) => {
    if (mode === 'bus') void bus.publish('galileo.bench.latency', draft(name));
    else void pub.xadd(streamKey, '*', 'n', name, 't', String(wallClockMs()), 'e', rawBody);
  };
  // Warm-up (not measured): connections established, both processes' code paths compiled.
  await bus.internals.cmd.ping();
  await pub.ping();
  for (let i = 0; i < WARMUP; i += 10) {
    for (let j = 0; j < 10; j++) send('warmup');
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * LATENCY_RATE));
      while (sent < due) {
        send('bench');
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const r = await report;
  await bus.close();
  redis.disconnect();
  pub.disconnect();
  const ms = (us: number) => Number((us / 1000).toFixed(3));
  return {
    p50: ms(r.p50Us),
    p90: ms(r.p90Us),
    p99: ms(r.p99Us),
    p999: ms(r.p999Us),
    max: ms(r.maxUs),
    events: total,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = testPrefix('bench');
  try {
    // Latency first, on a fresh heap: after millions of events a major GC of the publisher
    // would land in the latency window and measure the benchmark's own garbage.
    log(`latency at ${LATENCY_RATE}/s for ${LATENCY_SECONDS} s through the bus, then raw streams…`);
    const lat = await latency(`${prefix}lat:`, 'bus');
    await deleteKeysWithPrefix(admin, `${prefix}lat:`);
    const rawLat = await latency(`${prefix}rawlat:`, 'raw');
    await deleteKeysWithPrefix(admin, `${prefix}rawlat:`);
    const raws: number[] = [];
    const rounds: Awaited<ReturnType<typeof throughput>>[] = [];
    let eventBytes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}: raw XADD ceiling, ${RAW_EVENTS} events…`);
      const raw = await rawXaddCeiling(admin, prefix);
      raws.push(raw.perSec);
      eventBytes = raw.bytes;
      log(`round ${round}/${ROUNDS}: end to end, ${EVENTS} events, one group of two consumers…`);
      rounds.push(await throughput(`${prefix}tp${round}:`));
      await deleteKeysWithPrefix(admin, `${prefix}tp${round}:`);
    }
    const eventsPerSec = median(rounds.map((r) => r.eventsPerSec));
    const rawXaddPerSec = median(raws);
    const mid = rounds.find((r) => r.eventsPerSec === eventsPerSec)!;
    const result = {
      bench: 'bus',
      quick,
      events: EVENTS,
      rounds: ROUNDS,
      eventBytes,
      eventsPerSec: Math.round(eventsPerSec),
      eventsPerSecRounds: rounds.map((r) => Math.round(r.eventsPerSec)),
      publishPerSec: Math.round(mid.publishPerSec),
      perConsumer: mid.perConsumer,
      cpuUsPerEvent: mid.cpuUsPerEvent,
      rawXaddPerSec: Math.round(rawXaddPerSec),
      rawXaddPerSecRounds: raws.map(Math.round),
      ratioToRaw: Number((eventsPerSec / rawXaddPerSec).toFixed(3)),
      latencyRate: LATENCY_RATE,
      latencyEvents: lat.events,
      p50LatencyMs: lat.p50,
      p90LatencyMs: lat.p90,
      p99LatencyMs: lat.p99,
      p999LatencyMs: lat.p999,
      maxLatencyMs: lat.max,
      rawStreamLatencyMs: {
        p50: rawLat.p50,
        p90: rawLat.p90,
        p99: rawLat.p99,
        p999: rawLat.p999,
        max: rawLat.max,
      },
      targets: { eventsPerSec: 100_000, ratioToRaw: 0.5, p99LatencyMs: 5 },
    };
    console.log(JSON.stringify(result));
  } finally {
    await deleteKeysWithPrefix(admin, prefix);
    admin.disconnect();
  }
}

await main();
