import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { testRedisUrl, waitFor } from '@galileo/testing';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

describe('at-least-once under a consumer crash (real Redis, real process)', () => {
  it('a consumer SIGKILLed mid-batch loses nothing: another one reclaims what it held', async () => {
    fx = busFixture('crash');
    const bus = fx.makeBus();
    const total = 300;
    // The group exists before anything is published, so the doomed consumer reads from the start.
    await fx.ctx.redis.xgroup('CREATE', bus.keys.stream('galileo.crash'), 'crash', '0', 'MKSTREAM');
    await bus.publishBatch(
      Array.from({ length: total }, (_, i) => ({ subject: 'galileo.crash.x', draft: note(`m${i}`) })),
    );

    const script = fileURLToPath(new URL('./test-support/crashing-consumer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, REDIS_URL: testRedisUrl(), PREFIX: fx.ctx.prefix, CRASH_AFTER: '75' },
      stdio: 'inherit',
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_c, s) => resolve(s)),
    );
    expect(signal).toBe('SIGKILL');

    // It died holding read-but-unacknowledged entries.
    const pendingOnDead = (await fx.ctx.redis.xpending(
      bus.keys.stream('galileo.crash'),
      'crash',
      '-',
      '+',
      1000,
      'doomed',
    )) as unknown[];
    expect(pendingOnDead.length).toBeGreaterThan(0);

    const survivor = await bus.subscribe('galileo.crash.>', {
      group: 'crash',
      consumer: 'survivor',
      claimIdleMs: 300,
      handler: async (event) => {
        await fx.ctx.redis.rpush(
          `${fx.ctx.prefix}handled`,
          event.type === 'GalileoEvent' ? event.data.name : '?',
        );
      },
    });
    const all = Array.from({ length: total }, (_, i) => `m${i}`);
    await waitFor(
      async () => {
        const handled = new Set(await fx.ctx.redis.lrange(`${fx.ctx.prefix}handled`, 0, -1));
        return all.every((m) => handled.has(m));
      },
      { timeoutMs: 15_000, what: 'every event handled' },
    );
    expect(survivor.stats().reclaimed).toBeGreaterThan(0);
    await waitFor(
      async () =>
        ((await fx.ctx.redis.xpending(bus.keys.stream('galileo.crash'), 'crash')) as [number])[0] === 0,
      {
        what: 'nothing pending',
      },
    );
  });
});
