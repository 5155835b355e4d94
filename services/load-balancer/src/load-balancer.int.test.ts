import { createEtcdWeightStore, createRedisWeightStore, type WeightStore } from '@galileo/kv';
import { createTestLogger } from '@galileo/logging';
import {
  redisTestContext,
  startPrivateEtcd,
  testEtcdHost,
  testEtcdPrefix,
  waitFor,
  type RedisTestContext,
} from '@galileo/testing';
import { Etcd3 } from 'etcd3';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLoadBalancer, type LoadBalancer } from './load-balancer.js';
import { referenceWrrSequence, startEchoBackend, type EchoBackend } from './test-support/echo-backend.js';

const etcd = new Etcd3({ hosts: `http://${testEtcdHost()}` });
const agent = new Agent({ connections: 16 });
const cleanups: (() => Promise<unknown>)[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});
afterAll(async () => {
  for (const p of prefixes) await etcd.delete().prefix(p);
  etcd.close();
  await agent.close();
});

async function backends(n: number): Promise<EchoBackend[]> {
  const list = await Promise.all(Array.from({ length: n }, (_, i) => startEchoBackend(`b${i}`)));
  cleanups.push(() => Promise.all(list.map((b) => b.close())));
  return list;
}

async function balancer(
  options: {
    store?: WeightStore;
    prefix?: string;
    gateways?: string[];
    nodeName?: string;
    zone?: string;
  } = {},
) {
  const prefix = options.prefix ?? `${testEtcdPrefix('lb')}golb/function/`;
  prefixes.push(prefix);
  const store = options.store ?? createEtcdWeightStore({ hosts: testEtcdHost(), prefix });
  const log = createTestLogger({ service: 'load-balancer' });
  const lb = createLoadBalancer({
    store,
    zone: options.zone ?? 'zone-a',
    nodeName: options.nodeName ?? 'lb-a',
    gateways: options.gateways ?? [],
    port: 0,
    host: '127.0.0.1',
    logger: log.logger,
  });
  await lb.start();
  cleanups.push(async () => {
    await lb.stop();
    await store.close();
  });
  const put = (fn: string, value: string, zone = options.zone ?? 'zone-a') =>
    etcd.put(`${prefix}${zone}/${fn}`).value(value).exec();
  return { lb, store, log, prefix, put };
}

async function get(lb: LoadBalancer, path: string, headers: Record<string, string> = {}) {
  const res = await request(`http://127.0.0.1:${lb.port}${path}`, { dispatcher: agent, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

const backendOf = (r: { headers: Record<string, string | string[] | undefined> }) =>
  String(r.headers['x-backend']);

describe('load balancer (real etcd, real HTTP)', () => {
  it('routes 1,000 requests in the WRR sequence of the weights in etcd', async () => {
    const bs = await backends(3);
    const prefix = `${testEtcdPrefix('lb')}golb/function/`;
    const weights = [5, 2, 3];
    await etcd
      .put(`${prefix}zone-a/busy`)
      .value(JSON.stringify({ ips: bs.map((b) => b.host), weights }))
      .exec();
    const { lb } = await balancer({ prefix });
    expect(lb.weights('busy')?.weights).toEqual(weights);
    const seen: string[] = [];
    for (let i = 0; i < 1000; i++) seen.push(backendOf(await get(lb, '/function/busy/predict')));
    expect(seen).toEqual(referenceWrrSequence(weights, 1000).map((i) => bs[i]!.name));
    // the replica got the rest of the path
    expect(bs[0]!.received[0]!.url).toBe('/predict');
  });

  it('follows a weight change within 100 ms (fastest of five changes; all are waited for generously)', async () => {
    const bs = await backends(2);
    const { lb, put } = await balancer();
    await put('busy', JSON.stringify({ ips: [bs[0]!.host], weights: [1] }));
    await waitFor(() => lb.weights('busy'), { what: 'first weights' });
    const delays: number[] = [];
    for (let round = 0; round < 5; round++) {
      const target = bs[(round + 1) % 2]!;
      const t0 = performance.now();
      await put('busy', JSON.stringify({ ips: [target.host], weights: [round + 1] }));
      await waitFor(async () => backendOf(await get(lb, '/function/busy')) === target.name, {
        intervalMs: 2,
        timeoutMs: 10_000,
        what: 'the new weights in use',
      });
      delays.push(performance.now() - t0);
    }
    expect(Math.min(...delays)).toBeLessThanOrEqual(100);
  });

  it('ignores unusable etcd values with a log and keeps the last weights', async () => {
    const bs = await backends(1);
    const { lb, put, log } = await balancer();
    await put('busy', JSON.stringify({ ips: [bs[0]!.host], weights: [3] }));
    await waitFor(() => lb.weights('busy'), { what: 'weights' });
    for (const bad of [
      'not json',
      '{"ips": [], "weights": []}',
      `{"ips": ["${bs[0]!.host}"], "weights": [2.5]}`,
      '{"ips": ["a"], "weights": [1, 2]}',
    ]) {
      await put('busy', bad);
    }
    await put('other/extra', JSON.stringify({ ips: ['x:1'], weights: [1] })); // a key with 5 parts
    await waitFor(
      () =>
        log.lines().filter((l) => l.msg === 'ignoring an unusable weight value; the last weights stay')
          .length >= 5,
      {
        what: 'five warnings',
      },
    );
    expect(lb.weights('busy')?.weights).toEqual([3]);
    expect((await get(lb, '/function/busy')).status).toBe(200);
    const reasons = log
      .lines()
      .map((l) => l.reason)
      .filter(Boolean)
      .join('\n');
    expect(reasons).toMatch(/not JSON/);
    expect(reasons).toMatch(/empty "ips"/);
    expect(reasons).toMatch(/not an integer/);
    expect(reasons).toMatch(/exactly one zone and one function/);
  });

  it('answers 404 outside /function/ and 503 with a reason without replicas', async () => {
    const { lb, put } = await balancer({ gateways: ['127.0.0.1:1'] });
    expect((await get(lb, '/')).status).toBe(404);
    const none = await get(lb, '/function/ghost');
    expect(none.status).toBe(503);
    expect(none.text).toMatch(/no weights for function ghost in zone zone-a/);
    await put('only_gateway', JSON.stringify({ ips: ['127.0.0.1:1'], weights: [1] }));
    await waitFor(() => lb.weights('only_gateway'), { what: 'weights' });
    const forwarded = await get(lb, '/function/only_gateway', { 'x-forwarded-for': 'lb-b' });
    expect(forwarded.status).toBe(503);
    expect(forwarded.text).toMatch(/no replica of function only_gateway in this zone/);
  });

  it('sets the forwarding headers, keeps the path for a gateway, and never forwards twice to a gateway', async () => {
    const [replica] = await backends(1);
    // zone b's balancer: one local replica
    const b = await balancer({ zone: 'zone-b', nodeName: 'lb-b' });
    await b.put('busy', JSON.stringify({ ips: [replica!.host], weights: [1] }), 'zone-b');
    await waitFor(() => b.lb.weights('busy'), { what: 'zone b weights' });
    const gatewayB = `127.0.0.1:${b.lb.port}`;
    // zone a's balancer: only zone b's gateway
    const a = await balancer({ zone: 'zone-a', nodeName: 'lb-a', gateways: [gatewayB] });
    await a.put('busy', JSON.stringify({ ips: [gatewayB], weights: [1] }));
    await waitFor(() => a.lb.weights('busy'), { what: 'zone a weights' });

    const before = Date.now() / 1000;
    const res = await get(a.lb, '/function/busy/predict?x=1');
    expect(res.status).toBe(200);
    const seen = replica!.received.at(-1)!;
    expect(seen.url).toBe('/predict?x=1');
    expect(seen.headers['x-forwarded-for']).toBe('lb-a, lb-b');
    expect(seen.headers['x-final-host']).toBe(replica!.host);
    expect(Number(seen.headers['x-forwarded-host-lb-a'])).toBeGreaterThanOrEqual(before - 1);
    expect(Number(seen.headers['x-forwarded-host-lb-b'])).toBeGreaterThanOrEqual(
      Number(seen.headers['x-forwarded-host-lb-a']),
    );
    // on the response, for the trace: the whole chain, the final host last
    expect(res.headers['x-final-host']).toBe(`${gatewayB}, ${replica!.host}`);
    expect(res.headers['x-forwarded-for']).toBe('lb-a, lb-b');
    expect(res.headers['x-forwarded-host-lb-a']).toMatch(/^\d+\.\d{7}$/);
    expect(res.headers['x-forwarded-host-lb-b']).toMatch(/^\d+\.\d{7}$/);
    expect(res.headers['x-start']).toBeDefined();
  });

  it('forwards request bodies and methods', async () => {
    const [replica] = await backends(1);
    const { lb, put } = await balancer();
    await put('busy', JSON.stringify({ ips: [replica!.host], weights: [1] }));
    await waitFor(() => lb.weights('busy'), { what: 'weights' });
    const body = 'x'.repeat(100_000);
    const res = await request(`http://127.0.0.1:${lb.port}/function/busy/upload`, {
      method: 'POST',
      body,
      dispatcher: agent,
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    expect(replica!.received[0]).toMatchObject({ method: 'POST', url: '/upload', body });
  });

  it('reads the weights from Redis in the embedded mode through the same interface', async () => {
    const t: RedisTestContext = redisTestContext('lb');
    cleanups.push(() => t.cleanup());
    const bs = await backends(2);
    const store = createRedisWeightStore({ redis: t.redis, keyPrefix: t.prefix });
    await store.put('zone-a', 'busy', { ips: bs.map((b) => b.host), weights: [1, 0] });
    const { lb } = await balancer({ store: createRedisWeightStore({ redis: t.redis, keyPrefix: t.prefix }) });
    expect(backendOf(await get(lb, '/function/busy'))).toBe('b0');
    await store.put('zone-a', 'busy', { ips: bs.map((b) => b.host), weights: [0, 1] });
    await waitFor(async () => backendOf(await get(lb, '/function/busy')) === 'b1', {
      what: 'the Redis update',
    });
  });

  it('serves every request while its private etcd is down and follows the watch after the restart', async () => {
    const server = await startPrivateEtcd();
    cleanups.push(() => server.destroy());
    const writer = new Etcd3({ hosts: `http://${server.host}` });
    cleanups.push(async () => writer.close());
    const bs = await backends(2);
    await writer.put('golb/function/zone-a/busy').value(JSON.stringify({ ips: [bs[0]!.host], weights: [1] }));
    const store = createEtcdWeightStore({ hosts: server.host, maxReconnectDelayMs: 200 });
    const { lb } = await balancer({ store });
    expect(lb.weights('busy')).toBeDefined();

    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) statuses.push((await get(lb, '/function/busy')).status);
    })();
    await waitFor(() => statuses.length > 20, { what: 'load running' });
    await server.kill();
    await waitFor(() => !lb.storeConnected, { timeoutMs: 20_000, what: 'the balancer to notice the outage' });
    const duringOutage = statuses.length;
    await waitFor(() => statuses.length > duringOutage + 50, { what: 'requests during the outage' });
    await server.start();
    await writer.put('golb/function/zone-a/busy').value(JSON.stringify({ ips: [bs[1]!.host], weights: [1] }));
    await waitFor(async () => backendOf(await get(lb, '/function/busy')) === 'b1', {
      timeoutMs: 30_000,
      what: 'weights written after the restart',
    });
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(duringOutage + 50);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(lb.storeConnected).toBe(true);
  }, 90_000);
});
