import { waitFor } from '@galileo/testing';
import { expect, it } from 'vitest';
import type { FunctionWeights } from './function-weights.js';
import type { WeightChange, WeightStore } from './weight-store.js';

/** The behaviour both stores share; each int test runs it against its real server. */
export function weightStoreContract(
  make: () => Promise<{ store: WeightStore; putRaw(zone: string, fn: string, raw: string): Promise<void> }>,
): void {
  it('puts, gets and lists a zone', async () => {
    const { store } = await make();
    const w: FunctionWeights = { ips: ['10.42.0.1:8080', '10.0.0.2:8080'], weights: [90, 1] };
    await store.put('zone-a', 'busy', w);
    await store.put('zone-ab', 'busy', { ips: ['x:1'], weights: [1] });
    expect(await store.get('zone-a', 'busy')).toEqual(w);
    expect(await store.get('zone-a', 'nothing')).toBeUndefined();
    const listing = await store.list('zone-a');
    expect(listing.entries).toEqual([{ zone: 'zone-a', fn: 'busy', weights: w }]);
  });

  it('refuses to write an empty list or float weights', async () => {
    const { store } = await make();
    await expect(store.put('zone-a', 'busy', { ips: [], weights: [] })).rejects.toThrow(/empty "ips"/);
    await expect(store.put('zone-a', 'busy', { ips: ['a'], weights: [0.5] })).rejects.toThrow(/integer/);
    expect(await store.get('zone-a', 'busy')).toBeUndefined();
  });

  it('watches one zone: snapshot first, then changes; other zones (zone-ab) and bad values are told apart', async () => {
    const { store, putRaw } = await make();
    await store.put('zone-a', 'first', { ips: ['a:1'], weights: [1] });
    const changes: WeightChange[] = [];
    const watch = store.watch('zone-a', (c) => changes.push(c));
    try {
      await watch.ready;
      expect(changes.find((c) => c.type === 'snapshot')).toMatchObject({
        entries: [{ zone: 'zone-a', fn: 'first', weights: { ips: ['a:1'], weights: [1] } }],
      });
      await store.put('zone-ab', 'other', { ips: ['b:1'], weights: [1] });
      await putRaw('zone-a', 'broken', '{"ips": ["a:1"], "weights": [1.5]}');
      await store.put('zone-a', 'busy', { ips: ['a:1', 'b:2'], weights: [2, 3] });
      await waitFor(() => changes.some((c) => c.type === 'put' && c.entry.fn === 'busy'), {
        what: 'the put',
      });
      const puts = changes.filter((c) => c.type === 'put');
      expect(puts.map((c) => c.type === 'put' && `${c.entry.zone}/${c.entry.fn}`)).toEqual(['zone-a/busy']);
      const invalid = changes.find((c) => c.type === 'invalid');
      expect(invalid && invalid.type === 'invalid' && invalid.error).toMatch(/not an integer/);
    } finally {
      await watch.close();
    }
  });
}
