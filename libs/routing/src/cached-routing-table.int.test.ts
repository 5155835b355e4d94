import { redisTestContext, type RedisTestContext } from '@galileo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCachedRoutingTable, type CachedRoutingTable } from './cached-routing-table.js';
import type { RoutingRecord } from './routing-record.js';
import { createRoutingTable, type RoutingTable } from './routing-table.js';

let ctx: RedisTestContext;
let table: RoutingTable;
let cached: CachedRoutingTable;

beforeEach(async () => {
  ctx = redisTestContext('routing-cache');
  table = createRoutingTable(ctx.redis, { prefix: ctx.prefix });
  cached = await createCachedRoutingTable(ctx.connect(), ctx.connect(), { prefix: ctx.prefix });
});

afterEach(async () => {
  await cached.close();
  await ctx.cleanup();
});

/** Polls the cache until `accept` holds; resolves with the elapsed milliseconds. */
async function pickedUpWithin(
  accept: (record: RoutingRecord | null) => boolean,
  limitMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (accept(await cached.getRecord('svc'))) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`update not picked up within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('cached routing table (protocols §4.2)', () => {
  it('serves reads from memory until an update for the service arrives', async () => {
    await table.setRecord({ service: 'svc', hosts: ['a:1'] });
    expect(await cached.getRecord('svc')).toEqual({ service: 'svc', hosts: ['a:1'], weights: [1] });
    // changed behind the table's back (no publish): the cache keeps answering from memory
    await ctx.redis.lset(`${ctx.prefix}routing:hosts:svc`, 0, 'sneaky:1');
    expect(await cached.getRecord('svc')).toEqual({ service: 'svc', hosts: ['a:1'], weights: [1] });
  });

  it('picks up a weight update within 100 ms', async () => {
    await table.setRecord({ service: 'svc', hosts: ['a:1', 'b:1'], weights: [1, 1] });
    await cached.getRecord('svc');
    await table.updateWeights('svc', [3, 0]);
    expect(await pickedUpWithin((r) => r?.weights[0] === 3, 100)).toBeLessThan(100);
  });

  it('picks up a new record, a removal and a clear within 100 ms (absence is cached too)', async () => {
    expect(await cached.getRecord('svc')).toBeNull();
    await table.setRecord({ service: 'svc', hosts: ['a:1'] });
    expect(await pickedUpWithin((r) => r !== null, 100)).toBeLessThan(100);
    await table.removeRecord('svc');
    expect(await pickedUpWithin((r) => r === null, 100)).toBeLessThan(100);
    await table.setRecord({ service: 'svc', hosts: ['b:1'] });
    expect(await pickedUpWithin((r) => r?.hosts[0] === 'b:1', 100)).toBeLessThan(100);
    await table.clearRecords();
    expect(await pickedUpWithin((r) => r === null, 100)).toBeLessThan(100);
  });

  it('caches the service list until an update', async () => {
    await table.setRecord({ service: 'a', hosts: ['a:1'] });
    expect(await cached.listServices()).toEqual(['a']);
    await table.appendHost('b', 'b:1');
    const started = performance.now();
    while ((await cached.listServices()).length !== 2) {
      if (performance.now() - started > 100) throw new Error('service list not refreshed within 100 ms');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await cached.listServices()).toEqual(['a', 'b']);
  });

  it('answers concurrent misses with one load', async () => {
    await table.setRecord({ service: 'svc', hosts: ['a:1'] });
    const reads = await Promise.all(Array.from({ length: 20 }, () => cached.getRecord('svc')));
    expect(new Set(reads).size).toBe(1);
  });
});
