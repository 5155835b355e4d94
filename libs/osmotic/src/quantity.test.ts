import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes, parseQuantity } from './quantity.js';

describe('Kubernetes quantities', () => {
  it.each([
    ['500m', 500],
    ['1', 1000],
    ['2', 2000],
    ['0.5', 500],
    ['1.5', 1500],
    ['100m', 100],
    ['250000u', 250],
    ['1k', 1_000_000],
  ])('cpu %s is %d millicores', (text, millis) => {
    expect(cpuMillis(text)).toBe(millis);
  });

  it.each([
    ['200Mi', 200 * 1024 * 1024],
    ['1Gi', 1024 ** 3],
    ['250Mi', 262_144_000],
    ['1G', 1e9],
    ['128974848', 128_974_848],
    ['129e6', 129_000_000],
    ['123Ki', 125_952],
    ['1.5Gi', 1.5 * 1024 ** 3],
  ])('memory %s is %d bytes', (text, bytes) => {
    expect(memoryBytes(text)).toBe(bytes);
  });

  it('reads a pod count', () => {
    expect(parseQuantity('110')).toEqual({ ok: true, value: 110 });
  });

  it('refuses what is no quantity, saying what was expected', () => {
    for (const bad of ['', 'abc', '1.2.3', '5 m', '10mi', 'Mi']) {
      const r = parseQuantity(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain('expected a Kubernetes quantity');
    }
    expect(cpuMillis('lots')).toBeNull();
  });
});
