import { afterEach, describe, expect, it } from 'vitest';
import { delay, waitFor } from '@galileo/testing';
import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';
import { InvalidEventError } from './types.js';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

type Ev = CatalogueEvent<GalileoCatalogue>;
let fx: BusFixture;
afterEach(async () => fx?.cleanup());

describe('publish and subscribe (real Redis)', () => {
  it('delivers to every group once and shares within a group', async () => {
    fx = busFixture('groups');
    const bus = fx.makeBus();
    const a1: string[] = [];
    const a2: string[] = [];
    const b: string[] = [];
    await bus.subscribe('galileo.test.>', {
      group: 'a',
      consumer: 'a1',
      handler: (e) => void a1.push(e.id),
      batchSize: 5,
    });
    await bus.subscribe('galileo.test.>', {
      group: 'a',
      consumer: 'a2',
      handler: (e) => void a2.push(e.id),
      batchSize: 5,
    });
    await bus.subscribe('galileo.test.>', { group: 'b', handler: (e) => void b.push(e.id) });
    const published = await bus.publishBatch(
      Array.from({ length: 200 }, (_, i) => ({ subject: `galileo.test.s${i % 3}`, draft: note(`n${i}`) })),
    );
    await waitFor(() => a1.length + a2.length === 200 && b.length === 200, { what: 'all deliveries' });
    const ids = published.map((p) => p.event.id).sort();
    expect([...a1, ...a2].sort()).toEqual(ids);
    expect(new Set([...a1, ...a2]).size).toBe(200);
    expect([...b].sort()).toEqual(ids);
    expect(a1.length).toBeGreaterThan(0);
    expect(a2.length).toBeGreaterThan(0);
  });

  it('hands the handler a validated envelope with the subject, type and correlation id', async () => {
    fx = busFixture('envelope');
    const bus = fx.makeBus({ source: 'worker/w1' });
    const got: Ev[] = [];
    await bus.subscribe('galileo.events.*', { group: 'g', handler: (e) => void got.push(e) });
    const { event } = await bus.publish('galileo.events.scale_schedule', {
      ...note('scale_schedule', { fn: 'x' }),
      correlationId: 'exp-7',
    });
    await waitFor(() => got.length === 1);
    expect(got[0]).toEqual(event);
    expect(got[0]).toMatchObject({
      subject: 'galileo.events.scale_schedule',
      type: 'GalileoEvent',
      source: 'worker/w1',
      correlationId: 'exp-7',
    });
  });

  it('delivers large events (sent to Redis as bytes) intact, non-ASCII text included', async () => {
    fx = busFixture('large');
    const bus = fx.makeBus();
    const got: Ev[] = [];
    await bus.subscribe('galileo.test.>', { group: 'g', handler: (e) => void got.push(e) });
    const text = (n: number) => 'é€😀\t"\\ x'.repeat(n);
    const single = await bus.publish('galileo.test.one', note('one', text(2_000)));
    const batch = await bus.publishBatch([
      { subject: 'galileo.test.a', draft: note('a', text(5_000)) },
      { subject: 'galileo.test.b', draft: note('b', 'small') },
      { subject: 'galileo.test.a', draft: note('c', text(600)) },
    ]);
    await waitFor(() => got.length === 4, { what: 'four deliveries' });
    const byId = new Map(got.map((e) => [e.id, e]));
    for (const { event } of [single, ...batch]) expect(byId.get(event.id)).toEqual(event);
  });

  it('keeps the bytes of large events in flight at once apart (they share reused memory)', async () => {
    fx = busFixture('large-concurrent');
    const bus = fx.makeBus();
    const got: Ev[] = [];
    await bus.subscribe('galileo.test.>', { group: 'g', handler: (e) => void got.push(e) });
    // distinct contents of ~10–300 KB, more than one arena (1 MiB) holds, all published before any reply
    const text = (i: number) => `${i}:${'é€😀 x'.repeat(1_000 + ((i * 7_919) % 60_000))}`;
    const sent = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => bus.publish('galileo.test.one', note(`n${i}`, text(i)))),
      bus
        .publishBatch(
          Array.from({ length: 10 }, (_, i) => ({
            subject: 'galileo.test.b',
            draft: note(`b${i}`, text(100 + i)),
          })),
        )
        .then((published) => published),
    ]).then((all) => all.flat());
    await waitFor(() => got.length === 50, { what: 'fifty deliveries' });
    const byId = new Map(got.map((e) => [e.id, e]));
    for (const { event } of sent) expect(byId.get(event.id)).toEqual(event);
  });

  it('replays from the beginning or starts at new messages', async () => {
    fx = busFixture('replay');
    const bus = fx.makeBus();
    await bus.publishBatch([1, 2, 3].map((i) => ({ subject: 'galileo.replay.x', draft: note(`old${i}`) })));
    const fromStart: string[] = [];
    const fromNow: string[] = [];
    await bus.subscribe('galileo.replay.>', {
      group: 'replayer',
      startAt: 'beginning',
      handler: (e) => void fromStart.push(e.type === 'GalileoEvent' ? e.data.name : ''),
    });
    await bus.subscribe('galileo.replay.>', {
      group: 'live',
      startAt: 'new',
      handler: (e) => void fromNow.push(e.type === 'GalileoEvent' ? e.data.name : ''),
    });
    await bus.publish('galileo.replay.x', note('new1'));
    await waitFor(() => fromStart.length === 4 && fromNow.length === 1);
    expect(fromStart).toEqual(['old1', 'old2', 'old3', 'new1']);
    expect(fromNow).toEqual(['new1']);
  });

  it('finds streams that appear after a wildcard subscription started', async () => {
    fx = busFixture('discover');
    const bus = fx.makeBus();
    const got: string[] = [];
    await bus.subscribe('galileo.*.late', { group: 'g', handler: (e) => void got.push(e.subject) });
    await bus.publish('galileo.newstream.late', note('x'));
    await bus.publish('galileo.newstream.other', note('y'));
    await waitFor(() => got.length === 1, { what: 'the message on a new stream' });
    await delay(200);
    expect(got).toEqual(['galileo.newstream.late']);
  });

  it('runs up to `concurrency` handlers at once, and one at a time in order by default', async () => {
    fx = busFixture('concurrency');
    const bus = fx.makeBus();
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const slow = async () => {
      running++;
      peak = Math.max(peak, running);
      await delay(20);
      running--;
    };
    await bus.subscribe('galileo.conc.a', { group: 'par', concurrency: 4, handler: slow });
    await bus.subscribe('galileo.conc.a', {
      group: 'seq',
      handler: async (e) => {
        await delay(1);
        order.push(e.type === 'GalileoEvent' ? e.data.name : '');
      },
    });
    await bus.publishBatch(
      Array.from({ length: 20 }, (_, i) => ({ subject: 'galileo.conc.a', draft: note(String(i)) })),
    );
    await waitFor(() => order.length === 20 && bus.subscriptions()[0]!.stats().delivered === 20);
    expect(peak).toBe(4);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it('rejects an invalid subject or payload at publish with a clear error, and publishes nothing of a bad batch', async () => {
    fx = busFixture('invalid');
    const bus = fx.makeBus();
    await expect(bus.publish('galileo', note('x'))).rejects.toThrow(/two tokens/);
    await expect(bus.publish('galileo.x.*', note('x'))).rejects.toThrow(InvalidEventError);
    await expect(
      bus.publish('galileo.x.y', {
        type: 'GalileoEvent',
        data: { name: 'has space', value: 1, timestamp: 1 },
      }),
    ).rejects.toThrow(/name/);
    await expect(
      bus.publishBatch([
        { subject: 'galileo.batch.ok', draft: note('fine') },
        { subject: 'galileo.batch.bad', draft: { type: 'TelemetryReported', data: { node: 'n' } } as never },
      ]),
    ).rejects.toThrow(/item 1: invalid TelemetryReported payload/);
    expect(await fx.ctx.redis.exists(bus.keys.stream('galileo.batch'))).toBe(0);
  });

  it('stops gracefully: finishes in-flight handlers, acknowledges, leaves nothing pending', async () => {
    fx = busFixture('shutdown');
    const bus = fx.makeBus();
    let finished = 0;
    const sub = await bus.subscribe('galileo.stop.x', {
      group: 'g',
      concurrency: 5,
      handler: async () => {
        await delay(150);
        finished++;
      },
    });
    await bus.publishBatch(
      Array.from({ length: 5 }, () => ({ subject: 'galileo.stop.x', draft: note('x') })),
    );
    await waitFor(() => sub.stats().inFlight === 5);
    await sub.stop();
    expect(finished).toBe(5);
    const [pending] = (await fx.ctx.redis.xpending(bus.keys.stream('galileo.stop'), 'g')) as [number];
    expect(pending).toBe(0);
  });
});
