import { describe, expect, it } from 'vitest';
import { createRandomHostBalancer } from '../host-balancer.js';
import type { RoutingRecord, RoutingRecordReader } from '../routing-record.js';
import { createRouter } from './router-registry.js';
import { routerTypes } from './router.js';
import { createSymmetryRouter } from './symmetry-routers.js';

/** An in-memory record reader: the routers' port, so routing rules are tested without Redis. */
function recordsOf(...records: RoutingRecord[]): RoutingRecordReader & { set(record: RoutingRecord): void } {
  const byService = new Map(records.map((r) => [r.service, r]));
  return {
    getRecord: async (service) => byService.get(service) ?? null,
    set: (record) => byService.set(record.service, record),
  };
}

const record = { service: 'squeezenet', hosts: ['host1:8080', 'host2:8080'], weights: [1, 2] };

describe('Symmetry routers', () => {
  it('HostRouter routes to http://<host><path> in weighted round-robin order', async () => {
    const router = createSymmetryRouter({
      type: 'SymmetryHostRouter',
      urlForm: 'host',
      records: recordsOf(record),
    });
    const routes = [];
    for (let k = 0; k < 3; k++) routes.push(await router.route('squeezenet', '/predict'));
    expect(routes).toEqual([
      { ok: true, url: 'http://host2:8080/predict', host: 'host2:8080' },
      { ok: true, url: 'http://host1:8080/predict', host: 'host1:8080' },
      { ok: true, url: 'http://host2:8080/predict', host: 'host2:8080' },
    ]);
  });

  it('ServiceRouter routes to http://<host>/<service><path>', async () => {
    const router = createSymmetryRouter({
      type: 'SymmetryServiceRouter',
      urlForm: 'service',
      records: recordsOf({ ...record, weights: [1, 0] }),
    });
    expect(await router.route('squeezenet', '/')).toEqual({
      ok: true,
      url: 'http://host1:8080/squeezenet/',
      host: 'host1:8080',
    });
    expect(await router.route('squeezenet', 'function/x')).toMatchObject({
      url: 'http://host1:8080/squeezenet/function/x',
    });
  });

  it("answers an unknown service with galileo's message, as a value", async () => {
    const router = createSymmetryRouter({
      type: 'SymmetryHostRouter',
      urlForm: 'host',
      records: recordsOf(),
    });
    expect(await router.route('alexnet', '/')).toEqual({
      ok: false,
      error: "No routing record found for service 'alexnet'",
    });
  });

  it('follows weight changes and reports weights that choose nothing', async () => {
    const records = recordsOf(record);
    const router = createSymmetryRouter({ type: 'SymmetryHostRouter', urlForm: 'host', records });
    await router.route('squeezenet', '/');
    records.set({ ...record, weights: [1, 0] });
    for (let k = 0; k < 5; k++)
      expect(await router.route('squeezenet', '/')).toMatchObject({ host: 'host1:8080' });
    records.set({ ...record, weights: [0, 0.5] });
    expect(await router.route('squeezenet', '/')).toEqual({
      ok: false,
      error:
        "No host can be chosen for service 'squeezenet': Weighted round robin: every weight is 0 after truncation to integers (got 0, 0.5); at least one weight must be ≥ 1",
    });
  });

  it('takes another balancer, e.g. weighted random', async () => {
    const router = createSymmetryRouter({
      type: 'SymmetryHostRouter',
      urlForm: 'host',
      records: recordsOf(record),
      balancer: createRandomHostBalancer({ next: () => 0.1 }),
    });
    expect(await router.route('squeezenet', '/')).toMatchObject({ host: 'host1:8080' });
  });
});

describe('createRouter', () => {
  it('knows every galileo_router_type', () => {
    expect([...routerTypes].sort()).toEqual(
      [
        'CachingSymmetryHostRouter',
        'CachingSymmetryServiceRouter',
        'DebugRouter',
        'StaticRouter',
        'SymmetryHostRouter',
        'SymmetryServiceRouter',
      ].sort(),
    );
  });

  it('answers an unknown type with the list of known ones', async () => {
    expect(await createRouter('RoundRobinRouter')).toEqual({
      ok: false,
      error:
        "Unknown router type 'RoundRobinRouter' (galileo_router_type); expected one of CachingSymmetryHostRouter, SymmetryHostRouter, CachingSymmetryServiceRouter, SymmetryServiceRouter, StaticRouter, DebugRouter",
    });
  });

  it('defaults to CachingSymmetryHostRouter, which needs both Redis connections', async () => {
    expect(await createRouter(undefined, {})).toEqual({
      ok: false,
      error:
        'CachingSymmetryHostRouter needs a Redis connection (deps.redis) and a dedicated pub/sub connection (deps.subscriber)',
    });
    expect(await createRouter('SymmetryServiceRouter')).toMatchObject({
      ok: false,
      error: expect.stringContaining('SymmetryServiceRouter needs a Redis connection'),
    });
  });

  it('StaticRouter sends everything to galileo_router_static_host (default http://localhost)', async () => {
    const byDefault = await createRouter('StaticRouter');
    if (!byDefault.ok) throw new Error(byDefault.error);
    expect(await byDefault.value.route('any', '/function/echo')).toEqual({
      ok: true,
      url: 'http://localhost/function/echo',
      host: 'localhost',
    });
    const custom = await createRouter('StaticRouter', { staticHost: 'http://gateway:8080/' });
    if (!custom.ok) throw new Error(custom.error);
    expect(await custom.value.route('any', '/x')).toEqual({
      ok: true,
      url: 'http://gateway:8080/x',
      host: 'gateway:8080',
    });
    expect(await createRouter('StaticRouter', { staticHost: 'gateway:8080' })).toMatchObject({ ok: false });
  });

  it('DebugRouter routes to http://debughost<path> without I/O', async () => {
    const router = await createRouter('DebugRouter');
    if (!router.ok) throw new Error(router.error);
    expect(await router.value.route('svc', '/a')).toEqual({
      ok: true,
      url: 'http://debughost/a',
      host: 'debughost',
      simulated: true,
    });
    // answered from memory too, the same route
    expect(router.value.routeCached?.('svc', 'b')).toEqual({
      ok: true,
      url: 'http://debughost/b',
      host: 'debughost',
      simulated: true,
    });
  });
});
