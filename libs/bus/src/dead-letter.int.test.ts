import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@galileo/testing';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

const fields = (flat: string[]) =>
  Object.fromEntries(flat.flatMap((_, i) => (i % 2 ? [] : [[flat[i], flat[i + 1]]])));

describe('retries and dead letters (real Redis)', () => {
  it('retries a failing handler with backoff, then dead-letters it with the reason after maxDeliveries', async () => {
    fx = busFixture('dlq');
    const bus = fx.makeBus();
    const attempts: number[] = [];
    const times: number[] = [];
    const sub = await bus.subscribe('galileo.dlq.x', {
      group: 'g',
      maxDeliveries: 3,
      backoff: { initialMs: 50, maxMs: 200 },
      handler: (_e, ctx) => {
        attempts.push(ctx.deliveryCount);
        times.push(Date.now());
        throw new Error('database is down');
      },
    });
    const { streamId, event } = await bus.publish('galileo.dlq.x', note('doomed'));
    const dlqKey = bus.keys.deadLetters('galileo.dlq');
    await waitFor(async () => (await fx.ctx.redis.xlen(dlqKey)) === 1, { what: 'a dead letter' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
    const flat = ((await fx.ctx.redis.xrange(dlqKey, '-', '+')) as [string, string[]][])[0]![1];
    const dead = fields(flat);
    expect(dead).toMatchObject({
      stream: 'galileo.dlq',
      streamId,
      subject: 'galileo.dlq.x',
      group: 'g',
      deliveries: '3',
      error: 'database is down',
    });
    expect(JSON.parse(dead.e!)).toMatchObject({ id: event.id });
    expect(sub.stats()).toMatchObject({ failed: 3, retried: 2, deadLettered: 1, delivered: 0 });
    const [pending] = (await fx.ctx.redis.xpending(bus.keys.stream('galileo.dlq'), 'g')) as [number];
    expect(pending).toBe(0);
  });

  it('succeeds on a later delivery without dead-lettering', async () => {
    fx = busFixture('retry-ok');
    const bus = fx.makeBus();
    let calls = 0;
    const sub = await bus.subscribe('galileo.retry.x', {
      group: 'g',
      backoff: { initialMs: 20 },
      handler: () => {
        if (++calls < 3) throw new Error('flaky');
      },
    });
    await bus.publish('galileo.retry.x', note('flaky'));
    await waitFor(() => sub.stats().delivered === 1);
    expect(sub.stats()).toMatchObject({ failed: 2, retried: 2, deadLettered: 0 });
  });

  it('sends an invalid payload straight to the dead letters, without calling the handler', async () => {
    fx = busFixture('dlq-invalid');
    const bus = fx.makeBus();
    let called = 0;
    const sub = await bus.subscribe('galileo.bad.>', { group: 'g', handler: () => void called++ });
    const key = bus.keys.stream('galileo.bad');
    await fx.ctx.redis.xadd(key, '*', 's', 'galileo.bad.json', 'e', '{not json');
    await fx.ctx.redis.xadd(
      key,
      '*',
      's',
      'galileo.bad.type',
      'e',
      JSON.stringify({
        id: '01J0000000000000000000000A',
        subject: 'galileo.bad.type',
        type: 'Nope',
        version: 1,
        time: 't',
        source: 's',
        data: {},
      }),
    );
    await fx.ctx.redis.xadd(
      key,
      '*',
      's',
      'galileo.bad.payload',
      'e',
      JSON.stringify({
        id: '01J0000000000000000000000B',
        subject: 'galileo.bad.payload',
        type: 'TelemetryReported',
        version: 1,
        time: 't',
        source: 's',
        data: { node: 1 },
      }),
    );
    const dlqKey = bus.keys.deadLetters('galileo.bad');
    await waitFor(async () => (await fx.ctx.redis.xlen(dlqKey)) === 3);
    const reasons = ((await fx.ctx.redis.xrange(dlqKey, '-', '+')) as [string, string[]][]).map(
      ([, f]) => fields(f).error,
    );
    expect(reasons[0]).toMatch(/not valid JSON/);
    expect(reasons[1]).toMatch(/unknown event type "Nope"/);
    expect(reasons[2]).toMatch(/invalid TelemetryReported payload: node/);
    expect(called).toBe(0);
    expect(sub.stats().deadLettered).toBe(3);
  });

  it('dead-letters a message that already exhausted its deliveries on crashed consumers (poison message)', async () => {
    fx = busFixture('poison');
    const bus = fx.makeBus();
    const key = bus.keys.stream('galileo.poison');
    await fx.ctx.redis.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
    await bus.publish('galileo.poison.x', note('kills-consumers'));
    // Four consumers in turn took it and died without acking.
    await fx.ctx.redis.xreadgroup('GROUP', 'g', 'c0', 'STREAMS', key, '>');
    for (const c of ['c1', 'c2', 'c3']) {
      await fx.ctx.redis.xclaim(
        key,
        'g',
        c,
        0,
        ...(await fx.ctx.redis.xrange(key, '-', '+')).map(([id]) => id),
      );
    }
    let called = 0;
    const sub = await bus.subscribe('galileo.poison.x', {
      group: 'g',
      maxDeliveries: 3,
      claimIdleMs: 100,
      handler: () => void called++,
    });
    await waitFor(() => sub.stats().deadLettered === 1, { what: 'the poison message dead-lettered' });
    expect(called).toBe(0);
  });
});
