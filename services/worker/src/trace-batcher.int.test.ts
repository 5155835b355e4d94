import { createBus } from '@galileo/bus';
import {
  galileoCatalogue,
  TRACES_PER_EVENT,
  tracesOf,
  type CatalogueEvent,
  type GalileoCatalogue,
  type RequestTrace,
} from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTraceBatcher } from './trace-batcher.js';

let ctx: RedisTestContext;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await ctx?.cleanup();
});

const logger = createLogger({ service: 'test', level: 'silent' });
const trace = (i: number, service = 'svc'): RequestTrace => ({
  request_id: `abcdef0123:${i}`,
  client: 'w1:svc:0',
  service,
  created: 1_700_000_000 + i,
  sent: 1_700_000_000 + i,
  done: 1_700_000_000.5 + i,
  status: 200,
  server: 'h:1',
  exp_id: 'exp-1',
  headers: '{}',
  response: 'ok',
});

function setup(flushSize: number, flushIntervalMs: number, maxBuffered?: number, minFlushSpacingMs?: number) {
  ctx = redisTestContext('trace-batcher');
  const bus = createBus({
    redis: ctx.redis,
    catalogue: galileoCatalogue,
    source: 'test',
    prefix: ctx.prefix,
    trimIntervalMs: 0,
  });
  const batcher = createTraceBatcher({
    bus,
    flushSize,
    flushIntervalMs,
    logger,
    ...(maxBuffered ? { maxBuffered } : {}),
    ...(minFlushSpacingMs !== undefined ? { minFlushSpacingMs } : {}),
  });
  closers.push(async () => {
    await batcher.close();
    await bus.close();
  });
  const length = () => ctx.redis.xlen(bus.keys.stream('galileo.traces'));
  return { bus, batcher, length };
}

describe('trace batcher (real Redis)', () => {
  it('flushes when the buffer reaches the flush size', async () => {
    const { batcher, length } = setup(5, 60_000);
    for (let i = 0; i < 4; i++) batcher.add(trace(i), 'exp-1');
    await new Promise((r) => setTimeout(r, 50));
    expect(await length()).toBe(0);
    batcher.add(trace(4), 'exp-1');
    // one TraceBatchRecorded event carries the five traces
    await waitFor(async () => (await length()) === 1, { timeoutMs: 1_000, what: 'the batch on the stream' });
    expect(batcher.stats()).toMatchObject({ published: 5, buffered: 0 });
  });

  it('flushes by time, and publishes on galileo.traces.<service> with the experiment as correlationId', async () => {
    const { bus, batcher } = setup(1_000, 100);
    const received: unknown[] = [];
    await bus.subscribe('galileo.traces.>', {
      group: 'test',
      blockMs: 50,
      handler: (e) => void received.push(e),
    });
    batcher.add(trace(1, 'alex.net'), 'exp-9');
    const started = Date.now();
    await waitFor(() => received.length === 1, { timeoutMs: 1_000, what: 'the trace on the bus' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(received[0]).toMatchObject({
      subject: 'galileo.traces.alex%2Enet',
      type: 'TraceBatchRecorded',
      correlationId: 'exp-9',
      data: { traces: [trace(1, 'alex.net')] },
    });
  });

  it('publishes one batch event per service and experiment, in order, at most TRACES_PER_EVENT each', async () => {
    const { bus, batcher } = setup(1_000_000, 60_000);
    const received: CatalogueEvent<GalileoCatalogue>[] = [];
    await bus.subscribe('galileo.traces.>', {
      group: 'test',
      blockMs: 50,
      handler: (e) => void received.push(e),
    });
    const total = TRACES_PER_EVENT + 5;
    for (let i = 0; i < total; i++) batcher.add(trace(i, 'a'), 'exp-1');
    batcher.add(trace(0, 'b'), 'exp-1');
    batcher.add(trace(1, 'a'), 'exp-2');
    batcher.add(trace(2, 'a'), null);
    await batcher.flush();
    await waitFor(() => received.length === 5, { timeoutMs: 2_000, what: 'five batch events' });
    const summary = received.map((e) => ({
      subject: e.subject,
      correlationId: e.correlationId,
      traces: tracesOf(e).length,
    }));
    expect(summary).toEqual([
      { subject: 'galileo.traces.a', correlationId: 'exp-1', traces: TRACES_PER_EVENT },
      { subject: 'galileo.traces.a', correlationId: 'exp-1', traces: 5 },
      { subject: 'galileo.traces.b', correlationId: 'exp-1', traces: 1 },
      { subject: 'galileo.traces.a', correlationId: 'exp-2', traces: 1 },
      { subject: 'galileo.traces.a', correlationId: null, traces: 1 },
    ]);
    const ids = received.slice(0, 2).flatMap((e) => tracesOf(e).map((t) => t.request_id));
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => `abcdef0123:${i}`));
    expect(batcher.stats()).toMatchObject({ published: total + 3, buffered: 0 });
  });

  it('drops and counts traces beyond its bound instead of growing without limit', async () => {
    const { batcher } = setup(1_000_000, 60_000, 10);
    for (let i = 0; i < 15; i++) batcher.add(trace(i), null);
    expect(batcher.stats()).toMatchObject({ buffered: 10, dropped: 5 });
    await batcher.flush();
    expect(batcher.stats()).toMatchObject({ buffered: 0, published: 10 });
  });

  it('spaces flushes under load: a size-triggered flush waits for the spacing and takes what arrived meanwhile', async () => {
    const { bus, batcher } = setup(5, 60_000, undefined, 150);
    const received: CatalogueEvent<GalileoCatalogue>[] = [];
    await bus.subscribe('galileo.traces.>', {
      group: 'test',
      blockMs: 20,
      handler: (e) => void received.push(e),
    });
    for (let i = 0; i < 5; i++) batcher.add(trace(i), 'exp-1');
    await waitFor(() => received.length === 1, { timeoutMs: 1_000, what: 'the first batch' });
    const first = Date.now();
    // the flush size is reached again and again within the spacing: no flush until it passed
    for (let i = 5; i < 30; i++) batcher.add(trace(i), 'exp-1');
    await new Promise((r) => setTimeout(r, 60));
    expect(batcher.stats()).toMatchObject({ buffered: 25, flushes: 1 });
    await waitFor(() => received.length === 2, { timeoutMs: 1_000, what: 'the second batch' });
    expect(Date.now() - first).toBeGreaterThanOrEqual(80);
    expect(tracesOf(received[1]!).map((t) => t.request_id)).toEqual(
      Array.from({ length: 25 }, (_, i) => `abcdef0123:${i + 5}`),
    );
    expect(batcher.stats()).toMatchObject({ buffered: 0, published: 30, flushes: 2 });
  });

  it('flush() does not wait for the spacing, and publishes what a spaced flush was waiting for', async () => {
    const { batcher, length } = setup(5, 60_000, undefined, 60_000);
    for (let i = 0; i < 5; i++) batcher.add(trace(i), 'exp-1');
    await waitFor(async () => (await length()) === 1, { timeoutMs: 1_000, what: 'the first batch' });
    for (let i = 5; i < 12; i++) batcher.add(trace(i), 'exp-1');
    const started = Date.now();
    await batcher.flush();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await length()).toBe(2);
    expect(batcher.stats()).toMatchObject({ buffered: 0, published: 12, flushes: 2 });
  });

  it('sends a full event at once, spacing or not, and only the rest waits for the spacing', async () => {
    const { batcher, length } = setup(5, 60_000, undefined, 60_000);
    for (let i = 0; i < 5; i++) batcher.add(trace(i), 'exp-1');
    await waitFor(async () => (await length()) === 1, { timeoutMs: 1_000, what: 'the first batch' });
    // a stall's worth: two full events and a rest
    for (let i = 0; i < 2 * TRACES_PER_EVENT + 7; i++) batcher.add(trace(i), 'exp-1');
    await waitFor(async () => (await length()) === 3, { timeoutMs: 2_000, what: 'the two full events' });
    expect(batcher.stats()).toMatchObject({
      buffered: 7,
      published: 5 + 2 * TRACES_PER_EVENT,
      flushes: 3,
    });
    await batcher.flush();
    expect(batcher.stats()).toMatchObject({ buffered: 0, flushes: 4 });
  });
});
