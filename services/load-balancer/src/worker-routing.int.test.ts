import { createRedisWeightStore } from '@galileo/kv';
import { createTestLogger } from '@galileo/logging';
import { createRouter, createRoutingTable } from '@galileo/routing';
import { redisTestContext } from '@galileo/testing';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoadBalancer } from './load-balancer.js';
import { startEchoBackend } from './test-support/echo-backend.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

// Issue 6 item 4: the worker's routing table points a service at a balancer, as
// galileo-experiments does (`rtbl` busy → <balancer host:port>); libs/routing needs nothing new.
describe("the worker's routing table pointing a service at the balancer", () => {
  it('routes the service to the balancer, which routes /function/<fn> to a replica', async () => {
    const t = redisTestContext('rtbl-lb');
    cleanups.push(() => t.cleanup());
    const replica = await startEchoBackend('replica');
    cleanups.push(() => replica.close());
    const store = createRedisWeightStore({ redis: t.redis, keyPrefix: t.prefix });
    await store.put('zone-a', 'busy', { ips: [replica.host], weights: [1] });
    const lb = createLoadBalancer({
      store,
      zone: 'zone-a',
      nodeName: 'lb-a',
      port: 0,
      host: '127.0.0.1',
      logger: createTestLogger().logger,
    });
    await lb.start();
    cleanups.push(() => lb.stop());

    const table = createRoutingTable(t.redis, { prefix: t.prefix });
    await table.setRecord({ service: 'busy', hosts: [`127.0.0.1:${lb.port}`] });
    const subscriber = t.connect();
    const router = await createRouter('CachingSymmetryHostRouter', {
      redis: t.redis,
      subscriber,
      prefix: t.prefix,
    });
    if (!router.ok) throw new Error(router.error);
    cleanups.push(() => router.value.close());
    // the client's request path is the balancer's /function/<fn>, as galileo-experiments' clients send
    const route = await router.value.route('busy', '/function/busy/predict');
    expect(route).toEqual({
      ok: true,
      url: `http://127.0.0.1:${lb.port}/function/busy/predict`,
      host: `127.0.0.1:${lb.port}`,
    });
    if (!route.ok) return;
    const res = await request(route.url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-backend']).toBe('replica');
    await res.body.text();
    expect(replica.received[0]!.url).toBe('/predict');
  });
});
