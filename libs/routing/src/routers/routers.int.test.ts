import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoutingTable, type RoutingTable } from '../routing-table.js';
import { createRouter } from './router-registry.js';
import type { Router } from './router.js';

let ctx: RedisTestContext;
let table: RoutingTable;
const routers: Router[] = [];

beforeEach(() => {
  ctx = redisTestContext('routers');
  table = createRoutingTable(ctx.redis, { prefix: ctx.prefix });
});

afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.close()));
  await ctx.cleanup();
});

async function router(type: string): Promise<Router> {
  const created = await createRouter(type, {
    redis: ctx.redis,
    subscriber: ctx.connect(),
    prefix: ctx.prefix,
  });
  if (!created.ok) throw new Error(created.error);
  routers.push(created.value);
  return created.value;
}

describe('routers over the real routing table', () => {
  it.each([
    ['CachingSymmetryHostRouter', 'http://h2:8080/predict'],
    ['SymmetryHostRouter', 'http://h2:8080/predict'],
    ['CachingSymmetryServiceRouter', 'http://h2:8080/squeezenet/predict'],
    ['SymmetryServiceRouter', 'http://h2:8080/squeezenet/predict'],
  ])('%s routes to %s first, then by weight', async (type, firstUrl) => {
    await table.setRecord({ service: 'squeezenet', hosts: ['h1:8080', 'h2:8080'], weights: [1, 2] });
    const r = await router(type);
    expect(await r.route('squeezenet', '/predict')).toEqual({ ok: true, url: firstUrl, host: 'h2:8080' });
    const hosts = [];
    for (let k = 0; k < 5; k++) {
      const route = await r.route('squeezenet', '/predict');
      if (route.ok) hosts.push(route.host);
    }
    expect(hosts).toEqual(['h1:8080', 'h2:8080', 'h2:8080', 'h1:8080', 'h2:8080']);
    expect(await r.route('alexnet', '/')).toEqual({
      ok: false,
      error: "No routing record found for service 'alexnet'",
    });
  });

  it('a caching router follows weight updates published on routing:updates', async () => {
    await table.setRecord({ service: 'svc', hosts: ['h1:80', 'h2:80'], weights: [1, 1] });
    const r = await router('CachingSymmetryHostRouter');
    await r.route('svc', '/');
    await table.updateWeights('svc', [0, 1]);
    await waitFor(
      async () => {
        const routes = await Promise.all([r.route('svc', '/'), r.route('svc', '/'), r.route('svc', '/')]);
        return routes.every((route) => route.ok && route.host === 'h2:80');
      },
      { timeoutMs: 1_000, intervalMs: 5, what: 'routes to h2 only' },
    );
  });

  it('a caching router answers routeCached from memory once loaded, in the same WRR sequence, and not after an update', async () => {
    await table.setRecord({ service: 'svc', hosts: ['h1:80', 'h2:80'], weights: [1, 2] });
    const r = await router('CachingSymmetryHostRouter');
    expect(r.routeCached?.('svc', '/')).toBeUndefined(); // nothing cached yet: route() loads
    const hosts = [];
    const first = await r.route('svc', '/x');
    if (first.ok) hosts.push(first.host);
    for (let k = 0; k < 5; k++) {
      const route = r.routeCached!('svc', '/x');
      expect(route).toMatchObject({ ok: true, url: expect.stringMatching(/^http:\/\/h[12]:80\/x$/) });
      if (route?.ok) hosts.push(route.host);
    }
    expect(hosts).toEqual(['h2:80', 'h1:80', 'h2:80', 'h2:80', 'h1:80', 'h2:80']);
    await r.route('nothing', '/');
    expect(r.routeCached!('nothing', '/')).toEqual({
      ok: false,
      error: "No routing record found for service 'nothing'",
    });
    await table.updateWeights('svc', [0, 1]);
    await waitFor(() => r.routeCached!('svc', '/') === undefined, {
      timeoutMs: 1_000,
      intervalMs: 5,
      what: 'the update to drop the cached record',
    });
    const uncached = await Promise.resolve(
      createRouter('SymmetryHostRouter', { redis: ctx.redis, prefix: ctx.prefix }),
    );
    expect(uncached.ok && uncached.value.routeCached).toBeUndefined(); // no cache: always route()
  });
});
