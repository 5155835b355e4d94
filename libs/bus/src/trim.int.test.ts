import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@galileo/testing';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

describe('trimming never loses data (real Redis)', () => {
  it('keeps every entry a slower group has not acknowledged while a faster group moves on', async () => {
    fx = busFixture('trim');
    const bus = fx.makeBus();
    const key = bus.keys.stream('galileo.trim');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowSeen: string[] = [];
    let fast = 0;
    await bus.subscribe('galileo.trim.x', { group: 'fast', batchSize: 500, handler: () => void fast++ });
    const slow = await bus.subscribe('galileo.trim.x', {
      group: 'slow',
      batchSize: 10,
      handler: async (e) => {
        if (slowSeen.length >= 20) await gate;
        slowSeen.push(e.id);
      },
    });
    const published = await bus.publishBatch(
      Array.from({ length: 1000 }, (_, i) => ({ subject: 'galileo.trim.x', draft: note(`m${i}`) })),
    );
    await waitFor(() => fast === 1000 && slowSeen.length === 20);

    const removed = await bus.trim();
    // Exactly the 20 the slow group acknowledged may go; not one entry more.
    expect(removed).toBe(20);
    const first = (await fx.ctx.redis.xrange(key, '-', '+', 'COUNT', 1))[0]![0];
    expect(first).toBe(published[20]!.streamId);
    expect(await fx.ctx.redis.xlen(key)).toBe(980);

    release();
    await waitFor(() => slowSeen.length === 1000, { what: 'the slow group catching up' });
    expect(new Set(slowSeen).size).toBe(1000);
    expect(slow.stats().deadLettered).toBe(0);
    await waitFor(async () => ((await fx.ctx.redis.xpending(key, 'slow')) as [number])[0] === 0);
    expect(await bus.trim()).toBe(980);
    expect(await fx.ctx.redis.xlen(key)).toBe(0);
  });

  it('does not trim a stream no group has read yet, but bounds a lossy stream', async () => {
    fx = busFixture('trim-lossy');
    const bus = fx.makeBus({ streams: { 'galileo.telemetry': { lossy: { maxLen: 100 } } } });
    await bus.publishBatch(
      Array.from({ length: 300 }, () => ({ subject: 'galileo.kept.x', draft: note('x') })),
    );
    await bus.publishBatch(
      Array.from({ length: 300 }, (_, i) => ({
        subject: 'galileo.telemetry.n1.cpu',
        draft: {
          type: 'TelemetryReported',
          data: { node: 'n1', metric: 'cpu', subsystem: null, timestamp: i, value: i },
        },
      })),
    );
    expect(await bus.trim()).toBe(200);
    expect(await fx.ctx.redis.xlen(bus.keys.stream('galileo.kept'))).toBe(300);
    expect(await fx.ctx.redis.xlen(bus.keys.stream('galileo.telemetry'))).toBe(100);
  });

  it('lets trimming move on once a group nobody reads any more is deleted', async () => {
    fx = busFixture('trim-delete-group');
    const bus = fx.makeBus();
    const key = bus.keys.stream('galileo.gone');
    await fx.ctx.redis.xgroup('CREATE', key, 'departed-worker', '$', 'MKSTREAM');
    let handled = 0;
    await bus.subscribe('galileo.gone.x', { group: 'live', handler: () => void handled++ });
    await bus.publishBatch(
      Array.from({ length: 50 }, () => ({ subject: 'galileo.gone.x', draft: note('x') })),
    );
    await waitFor(() => handled === 50);
    await waitFor(async () => ((await fx.ctx.redis.xpending(key, 'live')) as [number])[0] === 0);
    expect(await bus.trim()).toBe(0); // the departed group never read them
    expect(await bus.deleteGroup('galileo.gone', 'departed-worker')).toBe(true);
    expect(await bus.deleteGroup('galileo.gone.x', 'departed-worker')).toBe(false);
    expect(await bus.trim()).toBe(50);
  });
});
