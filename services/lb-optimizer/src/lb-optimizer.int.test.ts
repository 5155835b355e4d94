import { randomBytes } from 'node:crypto';
import { createBus, GALILEO_EVENTS_CHANNEL } from '@galileo/bus';
import { galileoCatalogue, weightUpdateSchema, type WeightUpdate } from '@galileo/events';
import { createEtcdWeightStore, type WeightStore } from '@galileo/kv';
import { createTestLogger } from '@galileo/logging';
import { redisTestContext, testEtcdHost, testEtcdPrefix, waitFor } from '@galileo/testing';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLbOptimizer } from './lb-optimizer.js';
import { fixtureContext, writeContainerShare } from './test-support/fixture-cluster.js';

const etcd = new Etcd3({ hosts: `http://${testEtcdHost()}` });
const prefixes: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});
afterAll(async () => {
  for (const p of prefixes) await etcd.delete().prefix(p);
  etcd.close();
});

const params = { a: 250, b: 1, c: 0.2, midpoint: 35, offset: 0 };

async function setup(options: { thresholds?: Record<string, number>; mirrorEvents?: boolean } = {}) {
  const fn = `busy_${randomBytes(3).toString('hex')}`;
  const t = redisTestContext('lbopt');
  const bus = createBus({
    redis: t.connect(),
    catalogue: galileoCatalogue,
    source: 'lb-optimizer',
    prefix: t.prefix,
    streamRefreshMs: 50,
  });
  const prefix = `${testEtcdPrefix('lbopt')}golb/function/`;
  prefixes.push(prefix);
  const store: WeightStore = createEtcdWeightStore({ hosts: testEtcdHost(), prefix });
  const { context, setNow } = fixtureContext(fn);
  writeContainerShare(context, 'a1', 'ca1', 0.2, 985, 1000);
  writeContainerShare(context, 'a2', 'ca2', 0.5, 985, 1000);
  const log = createTestLogger({ service: 'lb-optimizer' });
  const optimizer = createLbOptimizer({
    context,
    store,
    bus,
    logger: log.logger,
    params,
    lookbackSeconds: 15,
    intervalMs: 60_000,
    ...(options.thresholds && { thresholds: options.thresholds }),
    ...(options.mirrorEvents && { mirrorEvents: true }),
  });
  cleanups.push(async () => {
    await optimizer.stop();
    await store.close();
    await bus.close();
    await t.cleanup();
  });
  const read = async (zone: string) => {
    const raw = await etcd.get(`${prefix}${zone}/${fn}`).string();
    return raw === null ? null : (JSON.parse(raw) as unknown);
  };
  return { fn, t, bus, store, context, setNow, optimizer, read, prefix };
}

describe('lb-optimizer (real etcd, real Redis bus)', () => {
  it('writes the hand-computed weights of the fixture telemetry to golb/function/<zone>/<fn>', async () => {
    const { optimizer, read } = await setup();
    const report = await optimizer.reconcile();
    expect(report).toMatchObject({ functions: 1, computed: 3, written: 3, failed: 0 });
    // see weight-heuristic.test.ts: 79 = trunc(100·0.8·pen(10)), 13 = trunc(100·0.5·pen(40)), gateways 1
    expect(await read('zone-a')).toEqual({
      ips: ['10.42.0.1:8080', '10.42.0.2:8080', '10.0.0.2:8079'],
      weights: [79, 13, 1],
    });
    expect(await read('zone-b')).toEqual({ ips: ['10.42.1.1:8080', '10.0.0.1:8079'], weights: [99, 1] });
    expect(await read('zone-c')).toEqual({ ips: ['10.0.0.1:8079', '10.0.0.2:8079'], weights: [1, 1] });
  });

  it('honours osmotic_lb_opt_threshold_<fn>', async () => {
    const s = await setup();
    const thresholded = createLbOptimizer({
      context: s.context,
      store: s.store,
      bus: s.bus,
      logger: createTestLogger().logger,
      params,
      lookbackSeconds: 15,
      intervalMs: 60_000,
      thresholds: { [s.fn]: 0.6 },
    });
    await thresholded.reconcile();
    expect(await s.read('zone-a')).toMatchObject({ weights: [39, 2, 1] });
  });

  it('writes only values that changed, and publishes a weight_update for each write', async () => {
    const { optimizer, context, bus, fn, setNow } = await setup();
    const updates: WeightUpdate[] = [];
    const sub = await bus.subscribe('galileo.events.>', {
      group: 'test',
      startAt: 'beginning',
      handler: (event) => {
        if (event.type === 'GalileoEvent' && event.data.name === 'weight_update')
          updates.push(weightUpdateSchema.parse(event.data.value));
      },
    });
    cleanups.push(() => sub.stop());
    await optimizer.reconcile();
    await waitFor(() => updates.length === 3, { what: 'three weight_update events' });
    expect(updates.find((u) => u.zone === 'zone-a')).toMatchObject({
      fn,
      zone: 'zone-a',
      weights: { weights: [79, 13, 1] },
      ts: 1000,
    });
    expect(await optimizer.reconcile()).toMatchObject({ written: 0, unchanged: 3 });
    // a2's node calms down: only zone-a changes (zone-b's and zone-c's gateway weights stay 1)
    setNow(1020);
    writeContainerShare(context, 'a1', 'ca1', 0.2, 1005, 1020);
    writeContainerShare(context, 'a2', 'ca2', 0.1, 1005, 1020);
    expect(await optimizer.reconcile()).toMatchObject({ written: 1, unchanged: 2 });
    await waitFor(() => updates.length === 4, { what: 'the fourth event' });
    // 0.9·pen(40) = 0.241079 → 24
    expect(updates[3]).toMatchObject({ zone: 'zone-a', weights: { weights: [79, 24, 1] } });
  });

  it('starts from what the store already holds: no rewrite of equal values after a restart', async () => {
    const s = await setup();
    await s.optimizer.reconcile();
    const second = createLbOptimizer({
      context: s.context,
      store: s.store,
      bus: s.bus,
      logger: createTestLogger().logger,
      params,
      lookbackSeconds: 15,
      intervalMs: 60_000,
    });
    expect(await second.reconcile()).toMatchObject({ written: 0, unchanged: 3 });
  });

  it('mirrors weight_update lines on pub/sub galileo/events when asked', async () => {
    const { optimizer, t, fn } = await setup({ mirrorEvents: true });
    const sub = t.connect();
    const lines: string[] = [];
    sub.on('message', (_c: string, m: string) => {
      if (m.includes(fn)) lines.push(m);
    });
    await sub.subscribe(GALILEO_EVENTS_CHANNEL);
    await optimizer.reconcile();
    await waitFor(() => lines.length === 3, { what: 'three lines' });
    const [ts, name, json] = lines[0]!.split(' ', 3);
    expect(Number(ts)).toBe(1000);
    expect(name).toBe('weight_update');
    expect(JSON.parse(lines[0]!.slice(lines[0]!.indexOf('{')))).toMatchObject({ fn, ts: 1000 });
    expect(json).toBeDefined();
  });

  it('keeps going when the store is unreachable and writes on a later run', async () => {
    const { fn, context, bus } = await setup();
    const store = createEtcdWeightStore({ hosts: '127.0.0.1:1', callTimeoutMs: 300 });
    cleanups.push(() => store.close());
    const log = createTestLogger();
    const optimizer = createLbOptimizer({
      context,
      store,
      bus,
      logger: log.logger,
      params,
      lookbackSeconds: 15,
      intervalMs: 60_000,
    });
    const report = await optimizer.reconcile();
    expect(report).toMatchObject({ written: 0, failed: 3 });
    expect(optimizer.written('zone-a', fn)).toBeUndefined();
    expect(log.text()).toMatch(/writing weights failed; retrying on the next run/);
  });
});
