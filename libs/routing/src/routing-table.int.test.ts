import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoutingTable, type RoutingTable } from './routing-table.js';

let ctx: RedisTestContext;
let table: RoutingTable;

beforeEach(() => {
  ctx = redisTestContext('routing');
  table = createRoutingTable(ctx.redis, { prefix: ctx.prefix });
});

afterEach(async () => {
  await ctx.cleanup();
});

/** Collects the service names published on the updates channel. */
async function listenToUpdates(): Promise<string[]> {
  const subscriber = ctx.connect();
  const updates: string[] = [];
  subscriber.on('message', (channel: string, service: string) => {
    if (channel === `${ctx.prefix}routing:updates`) updates.push(service);
  });
  await subscriber.subscribe(`${ctx.prefix}routing:updates`);
  return updates;
}

describe('routing table in Redis (protocols §4.1)', () => {
  it("writes galileo's layout: routing:services SET, routing:hosts:<svc> and routing:weights:<svc> LISTs", async () => {
    const updates = await listenToUpdates();
    const written = await table.setRecord({
      service: 'squeezenet',
      hosts: ['host1:8080', 'host2:8080'],
      weights: [1, 2.5],
    });
    expect(written).toEqual({
      ok: true,
      value: { service: 'squeezenet', hosts: ['host1:8080', 'host2:8080'], weights: [1, 2.5] },
    });
    const p = ctx.prefix;
    expect(await ctx.redis.type(`${p}routing:services`)).toBe('set');
    expect(await ctx.redis.smembers(`${p}routing:services`)).toEqual(['squeezenet']);
    expect(await ctx.redis.lrange(`${p}routing:hosts:squeezenet`, 0, -1)).toEqual([
      'host1:8080',
      'host2:8080',
    ]);
    expect(await ctx.redis.lrange(`${p}routing:weights:squeezenet`, 0, -1)).toEqual(['1', '2.5']);
    await waitFor(() => updates.length === 1, { timeoutMs: 2_000 });
    expect(updates).toEqual(['squeezenet']);
  });

  it('reads records back as floats, and null for a service without one', async () => {
    await ctx.redis.sadd(`${ctx.prefix}routing:services`, 'written-by-python');
    await ctx.redis.rpush(`${ctx.prefix}routing:hosts:written-by-python`, 'h1:80', 'h2:80');
    await ctx.redis.rpush(`${ctx.prefix}routing:weights:written-by-python`, '1', '2.0');
    expect(await table.getRecord('written-by-python')).toEqual({
      service: 'written-by-python',
      hosts: ['h1:80', 'h2:80'],
      weights: [1, 2],
    });
    expect(await table.getRecord('missing')).toBeNull();
  });

  it('overwrites a record, defaulting weights to 1', async () => {
    await table.setRecord({ service: 'svc', hosts: ['a:1', 'b:1', 'c:1'], weights: [3, 2, 1] });
    await table.setRecord({ service: 'svc', hosts: ['d:1'] });
    expect(await table.getRecord('svc')).toEqual({ service: 'svc', hosts: ['d:1'], weights: [1] });
  });

  it("rejects mismatched counts with galileo's message, and other bad records", async () => {
    expect(await table.setRecord({ service: 'svc', hosts: ['a:1', 'b:1'], weights: [1] })).toEqual({
      ok: false,
      error: 'The number of weights does not match the population',
    });
    expect(await table.setRecord({ service: 'svc', hosts: [] })).toMatchObject({
      ok: false,
      error: "The routing record for service 'svc' needs at least one host",
    });
    expect(await table.setRecord({ service: '', hosts: ['a:1'] })).toMatchObject({ ok: false });
    expect(await table.setRecord({ service: 'svc', hosts: ['a:1'], weights: [-1] })).toMatchObject({
      ok: false,
      error: "Weight 0 of service 'svc' must be a finite number ≥ 0, got -1",
    });
    expect(await ctx.redis.exists(`${ctx.prefix}routing:services`)).toBe(0);
  });

  it('lists services and records sorted by name', async () => {
    await table.setRecord({ service: 'b', hosts: ['b:1'] });
    await table.setRecord({ service: 'a', hosts: ['a:1', 'a:2'], weights: [1, 0] });
    expect(await table.listServices()).toEqual(['a', 'b']);
    expect(await table.listRecords()).toEqual([
      { service: 'a', hosts: ['a:1', 'a:2'], weights: [1, 0] },
      { service: 'b', hosts: ['b:1'], weights: [1] },
    ]);
  });

  it('updates weights atomically, checking the count', async () => {
    const updates = await listenToUpdates();
    await table.setRecord({ service: 'svc', hosts: ['a:1', 'b:1'] });
    expect(await table.updateWeights('svc', [5, 0.5])).toEqual({
      ok: true,
      value: { service: 'svc', hosts: ['a:1', 'b:1'], weights: [5, 0.5] },
    });
    expect(await table.updateWeights('svc', [1])).toEqual({
      ok: false,
      error:
        "The number of weights does not match the population: service 'svc' has 2 host(s), got 1 weight(s)",
    });
    expect(await table.updateWeights('nope', [1])).toEqual({
      ok: false,
      error: "No routing record found for service 'nope'",
    });
    expect(await table.updateWeights('svc', [1, Number.NaN])).toMatchObject({ ok: false });
    expect(await table.getRecord('svc')).toMatchObject({ weights: [5, 0.5] });
    await waitFor(() => updates.length === 2, { timeoutMs: 2_000 });
    expect(updates).toEqual(['svc', 'svc']);
  });

  it('appends hosts, creating the record when missing', async () => {
    expect(await table.appendHost('svc', 'a:1')).toEqual({
      ok: true,
      value: { service: 'svc', hosts: ['a:1'], weights: [1] },
    });
    expect(await table.appendHost('svc', 'b:1', 3)).toEqual({
      ok: true,
      value: { service: 'svc', hosts: ['a:1', 'b:1'], weights: [1, 3] },
    });
    expect(await table.listServices()).toEqual(['svc']);
    expect(await table.appendHost('svc', '', 1)).toMatchObject({ ok: false });
  });

  it('removes one record and clears all, publishing every service', async () => {
    await table.setRecord({ service: 'a', hosts: ['a:1'] });
    await table.setRecord({ service: 'b', hosts: ['b:1'] });
    await table.setRecord({ service: 'c', hosts: ['c:1'] });
    const updates = await listenToUpdates();
    expect(await table.removeRecord('a')).toBe(true);
    expect(await table.removeRecord('a')).toBe(false);
    expect(await table.listServices()).toEqual(['b', 'c']);
    expect(await table.clearRecords()).toBe(2);
    expect(await table.listRecords()).toEqual([]);
    expect(await ctx.redis.keys(`${ctx.prefix}routing:*`)).toEqual([]);
    await waitFor(() => updates.length === 4, { timeoutMs: 2_000 });
    expect(updates.slice(0, 2)).toEqual(['a', 'a']);
    expect(updates.slice(2).sort()).toEqual(['b', 'c']);
  });
});
