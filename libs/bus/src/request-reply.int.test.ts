import { afterEach, describe, expect, it } from 'vitest';
import { delay } from '@galileo/testing';
import { RemoteError, RequestTimeoutError } from './types.js';
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
});
