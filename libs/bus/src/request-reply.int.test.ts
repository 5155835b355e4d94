import { afterEach, describe, expect, it } from 'vitest';
import { delay, waitFor } from '@galileo/testing';
import { InvalidEventError, RemoteError, RequestTimeoutError } from './types.js';
import { SUBSCRIBER_OPTIONS } from './connection-watch.js';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

describe('request/reply (real Redis)', () => {
  it('answers a request, carries a remote error, and times out with a helpful message', async () => {
    fx = busFixture('rpc');
    const responder = fx.makeBus({ source: 'worker' });
    const requester = fx.makeBus({ source: 'daemon' });
    await responder.subscribe('galileo.commands.w1.>', {
      group: 'worker-w1',
      handler: async (e, ctx) => {
        if (e.type !== 'GalileoEvent') return;
        if (e.data.name === 'ping') await ctx.reply?.({ pong: 'w1' });
        else throw new Error(`unknown command "${e.data.name}": expected ping`);
      },
    });
    expect(await requester.request('galileo.commands.w1.ping', note('ping'), { timeoutMs: 2_000 })).toEqual({
      pong: 'w1',
    });
    await expect(
      requester.request('galileo.commands.w1.x', note('fly'), { timeoutMs: 2_000 }),
    ).rejects.toThrow(RemoteError);
    await expect(
      requester.request('galileo.commands.w1.x', note('fly'), { timeoutMs: 2_000 }),
    ).rejects.toThrow(/unknown command "fly"/);
    const t0 = Date.now();
    await expect(
      requester.request('galileo.commands.nobody.ping', note('ping'), { timeoutMs: 300 }),
    ).rejects.toThrow(RequestTimeoutError);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('gathers replies from every responder (broadcast ping)', async () => {
    fx = busFixture('rpc-many');
    const requester = fx.makeBus();
    for (const w of ['w1', 'w2', 'w3']) {
      const bus = fx.makeBus({ source: w });
      await bus.subscribe('galileo.broadcast.ping', {
        group: `worker-${w}`,
        handler: (_e, ctx) => ctx.reply?.(w),
      });
    }
    const replies = await requester.requestMany('galileo.broadcast.ping', note('ping'), { timeoutMs: 500 });
    expect(replies.map((r) => (r.ok ? r.result : r.error)).sort()).toEqual(['w1', 'w2', 'w3']);
  });

  it('drops a request whose deadline passed before a responder saw it', async () => {
    fx = busFixture('rpc-expired');
    const requester = fx.makeBus();
    await expect(requester.request('galileo.late.x', note('ping'), { timeoutMs: 100 })).rejects.toThrow(
      RequestTimeoutError,
    );
    await delay(150);
    let called = 0;
    const responder = fx.makeBus();
    const sub = await responder.subscribe('galileo.late.x', {
      group: 'late',
      startAt: 'beginning',
      handler: () => void called++,
    });
    await delay(300);
    expect(called).toBe(0);
    expect(sub.stats().expired).toBe(1);
  });

  it('answers a request it cannot read with an error at once, and dead-letters it', async () => {
    fx = busFixture('rpc-unreadable');
    const responder = fx.makeBus();
    let called = 0;
    await responder.subscribe('galileo.odd.>', { group: 'g', handler: () => void called++ });
    const requester = fx.makeBus();
    // A request from a sender whose payload does not fit the catalogue (e.g. another language).
    const odd = { type: 'TelemetryReported', data: { node: 'n1' } } as never;
    const t0 = Date.now();
    const sent = requester.request('galileo.odd.x', odd, { timeoutMs: 5_000 });
    await expect(sent).rejects.toThrow(InvalidEventError); // our own bus refuses it at publish
    // So write one by hand, as a foreign sender would.
    const inbox = requester.keys.inbox(requester.id);
    await requester.requestMany('galileo.nobody.warmup', note('x'), { timeoutMs: 1 }); // opens the inbox
    const replies: string[] = [];
    const listener = fx.ctx.connect(SUBSCRIBER_OPTIONS);
    listener.on('message', (_c: string, m: string) => replies.push(m));
    await listener.subscribe(inbox);
    await fx.ctx.redis.xadd(
      responder.keys.stream('galileo.odd'),
      '*',
      's',
      'galileo.odd.x',
      'e',
      JSON.stringify({
        id: '01J0000000000000000000000C',
        subject: 'galileo.odd.x',
        type: 'TelemetryReported',
        version: 1,
        time: 't',
        source: 'py',
        data: { node: 'n1' },
      }),
      'r',
      inbox,
      'd',
      String(Date.now() + 5_000),
    );
    await waitFor(() => replies.length === 1, { what: 'the error reply' });
    expect(JSON.parse(replies[0]!)).toMatchObject({
      re: '01J0000000000000000000000C',
      body: { ok: false, error: expect.stringContaining('could not be read') },
    });
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(called).toBe(0);
    expect(await fx.ctx.redis.xlen(responder.keys.deadLetters('galileo.odd'))).toBe(1);
  });
});
