import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { delay, startPrivateRedis, waitFor, type PrivateRedis } from '@galileo/testing';
import { galileoCatalogue } from '@galileo/events';
import { createBus } from './bus.js';
import { note } from './test-support/bus-fixture.js';

// A redis-server of this test's own (another port, AOF fsync always), killed with SIGKILL
// while events are being published and consumed, then started again on the same data.
let server: PrivateRedis;
beforeAll(async () => {
  server = await startPrivateRedis();
});
afterAll(async () => server?.destroy());

describe('Redis restarted during publishing', () => {
  it('loses no acknowledged publish: publishers retry, subscribers resume', async () => {
    const connect = () =>
      new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 }).on(
        'error',
        () => undefined,
      );
    const pubRedis = connect();
    const subRedis = connect();
    const publisher = createBus({
      redis: pubRedis,
      catalogue: galileoCatalogue,
      source: 'pub',
      trimIntervalMs: 0,
    });
    const consumer = createBus({
      redis: subRedis,
      catalogue: galileoCatalogue,
      source: 'sub',
      trimIntervalMs: 0,
    });
    const seen = new Set<string>();
    await consumer.subscribe('galileo.restart.>', {
      group: 'survivors',
      claimIdleMs: 500,
      blockMs: 200,
      handler: (e) => {
        if (e.type === 'GalileoEvent') seen.add(e.data.name);
      },
    });

    const acknowledged: string[] = [];
    let publishing = true;
    const failures: string[] = [];
    const loop = (async () => {
      for (let i = 0; publishing; i++) {
        const name = `m${i}`;
        try {
          await publisher.publish('galileo.restart.x', note(name));
          acknowledged.push(name);
        } catch (e) {
          failures.push((e as Error).message);
        }
        if (i % 20 === 0) await delay(1);
      }
    })();

    await waitFor(() => acknowledged.length > 300, { what: 'publishing under way' });
    await server.kill('SIGKILL');
    const atCrash = acknowledged.length;
    await delay(500);
    await server.start();
    await waitFor(() => acknowledged.length > atCrash + 300, {
      timeoutMs: 15_000,
      what: 'publishing resumed after the restart',
    });
    publishing = false;
    await loop;

    await waitFor(() => acknowledged.every((n) => seen.has(n)), {
      timeoutMs: 20_000,
      what: 'every acknowledged event consumed',
    });
    expect(failures).toEqual([]);
    const verify = connect();
    const stored = await verify.xlen(publisher.keys.stream('galileo.restart'));
    expect(stored).toBeGreaterThanOrEqual(acknowledged.length);
    verify.disconnect();
    await publisher.close();
    await consumer.close();
    pubRedis.disconnect();
    subRedis.disconnect();
  }, 60_000);
});
