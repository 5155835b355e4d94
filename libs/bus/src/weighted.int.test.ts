import { afterEach, describe, expect, it } from 'vitest';
import { delay, waitFor } from '@galileo/testing';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

describe('weighted subscriptions and shared handler promises (real Redis)', () => {
  it('counts concurrency in weight: heavy messages wait while the total is at the bound', async () => {
    fx = busFixture('weight');
    const bus = fx.makeBus();
    const gates: (() => void)[] = [];
    let peak = 0;
    let running = 0;
    const sub = await bus.subscribe('galileo.weight.x', {
      group: 'g',
      startAt: 'beginning',
      concurrency: 100,
      batchSize: 100,
      weight: (e) => (e.type === 'GalileoEvent' ? Number(e.data.value) : 1),
      handler: () => {
        running++;
        peak = Math.max(peak, running);
        return new Promise<void>((r) => gates.push(() => (running--, r())));
      },
    });
    await bus.publishBatch(
      Array.from({ length: 10 }, () => ({ subject: 'galileo.weight.x', draft: note('x', 40) })),
    );
    await waitFor(() => sub.stats().inFlight === 3);
    await delay(100);
    // 40 + 40 < 100 lets a third in (120), which is the bound: no fourth
    expect(sub.stats().inFlight).toBe(3);
    expect(sub.stats().inFlightWeight).toBe(120);
    // reads follow the weight: about 100 / 40 entries per read, not 100
    expect(sub.stats().buffered).toBeLessThanOrEqual(3);
    while (sub.stats().delivered < 10) {
      gates.splice(0).forEach((g) => g());
      await delay(10);
    }
    expect(peak).toBe(3);
    await sub.stop();
    const [pending] = (await fx.ctx.redis.xpending(bus.keys.stream('galileo.weight'), 'g')) as [number];
    expect(pending).toBe(0);
  });

  it('settles messages that share one promise together: none acked before it resolves, each retried when it rejects', async () => {
    fx = busFixture('shared');
    const bus = fx.makeBus();
    let release!: () => void;
    let fail!: (e: Error) => void;
    const shared = new Promise<void>((res, rej) => {
      release = res;
      fail = rej;
    });
    shared.catch(() => undefined);
    let calls = 0;
    let first = true;
    const sub = await bus.subscribe('galileo.shared.x', {
      group: 'g',
      startAt: 'beginning',
      concurrency: 50,
      batchSize: 50,
      backoff: { initialMs: 5, maxMs: 10 },
      handler: () => {
        calls++;
        return first ? shared : undefined;
      },
    });
    await bus.publishBatch(
      Array.from({ length: 20 }, (_, i) => ({ subject: 'galileo.shared.x', draft: note(`n${i}`) })),
    );
    await waitFor(() => sub.stats().inFlight === 20);
    const key = bus.keys.stream('galileo.shared');
    await delay(50);
    expect(((await fx.ctx.redis.xpending(key, 'g')) as [number])[0]).toBe(20);
    first = false;
    fail(new Error('store gone'));
    await waitFor(() => sub.stats().delivered === 20);
    expect(calls).toBe(40); // every message retried on its own
    expect(sub.stats().failed).toBe(20);
    await waitFor(async () => ((await fx.ctx.redis.xpending(key, 'g')) as [number])[0] === 0);
    release();
    await sub.stop();
  });
});
