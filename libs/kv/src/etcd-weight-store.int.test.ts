import { startPrivateEtcd, testEtcdHost, testEtcdPrefix, waitFor } from '@galileo/testing';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { weightKey } from './function-weights.js';
import { createEtcdWeightStore } from './etcd-weight-store.js';
import type { WeightChange, WeightStore } from './weight-store.js';
import { weightStoreContract } from './weight-store-contract.js';

const raw = new Etcd3({ hosts: `http://${testEtcdHost()}` });
const prefixes: string[] = [];
const stores: WeightStore[] = [];
afterEach(async () => {
  while (stores.length) await stores.pop()!.close();
});
afterAll(async () => {
  for (const p of prefixes) await raw.delete().prefix(p);
  raw.close();
});

describe('etcd weight store (real etcd)', () => {
  weightStoreContract(async () => {
    const prefix = `${testEtcdPrefix('kv')}golb/function/`;
    prefixes.push(prefix);
    const store = createEtcdWeightStore({ hosts: testEtcdHost(), prefix });
    stores.push(store);
    return {
      store,
      putRaw: async (zone, fn, value) => void (await raw.put(weightKey(prefix, zone, fn)).value(value)),
    };
  });

  it('keeps watching across an etcd restart and re-reads what was written while it was down', async () => {
    const etcd = await startPrivateEtcd();
    const writer = new Etcd3({ hosts: `http://${etcd.host}` });
    const store = createEtcdWeightStore({ hosts: etcd.host, maxReconnectDelayMs: 200 });
    try {
      const changes: WeightChange[] = [];
      const watch = store.watch('zone-a', (c) => changes.push(c));
      await watch.ready;
      await store.put('zone-a', 'busy', { ips: ['a:1'], weights: [1] });
      await waitFor(() => changes.some((c) => c.type === 'put'), { what: 'first put' });

      await etcd.kill();
      await waitFor(() => changes.some((c) => c.type === 'status' && !c.connected), {
        timeoutMs: 20_000,
        what: 'disconnect status',
      });
      await etcd.start();
      // written right after the restart: reaches the watcher through the resumed watch or the re-read
      await writer.put('golb/function/zone-a/busy').value('{"ips":["a:1","b:2"],"weights":[1,5]}');
      await waitFor(
        () =>
          changes.some(
            (c) =>
              (c.type === 'put' && c.entry.weights.ips.length === 2) ||
              (c.type === 'snapshot' && c.entries.some((e) => e.weights.ips.length === 2)),
          ),
        { timeoutMs: 30_000, what: 'the value written after the restart' },
      );
      await writer.put('golb/function/zone-a/later').value('{"ips":["c:3"],"weights":[7]}');
      await waitFor(() => changes.some((c) => c.type === 'put' && c.entry.fn === 'later'), {
        timeoutMs: 30_000,
        what: 'a later put',
      });
      expect(changes.some((c) => c.type === 'status' && c.connected)).toBe(true);
      await watch.close();
    } finally {
      await store.close();
      writer.close();
      await etcd.destroy();
    }
  }, 90_000);
});
