import { createRedisWeightStore } from '@galileo/kv';
import { createTestLogger } from '@galileo/logging';
import { redisTestContext } from '@galileo/testing';
import { Agent, request } from 'undici';
import { createLoadBalancer } from './load-balancer.js';
import { startEchoBackend } from './test-support/echo-backend.js';
const t = redisTestContext('probe');
const b = await startEchoBackend('b0', { keep: false });
const store = createRedisWeightStore({ redis: t.redis, keyPrefix: t.prefix });
await store.put('zone-a', 'busy', { ips: [b.host], weights: [1] });
const lb = createLoadBalancer({ store, zone: 'zone-a', nodeName: 'n', port: 0, host: '127.0.0.1', logger: createTestLogger().logger });
await lb.start();
const agent = new Agent({ connections: 4 });
for (const url of [`http://${b.host}/x`, `http://127.0.0.1:${lb.port}/function/busy/x`]) {
  const t0 = performance.now();
  for (let i = 0; i < 300; i++) { const r = await request(url, { dispatcher: agent }); await r.body.text(); }
  console.log(url, ((performance.now() - t0) / 300).toFixed(2), 'ms/req');
}
await lb.stop(); await b.close(); await agent.close(); await t.cleanup(); await store.close();
