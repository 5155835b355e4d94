import { describe, expect, it } from 'vitest';
import {
  formatFunctionWeights,
  parseFunctionWeights,
  parseWeightKey,
  sameWeights,
  weightKey,
  zonePrefix,
} from './function-weights.js';

describe('weight keys', () => {
  it('are golb/function/<zone>/<fn> with a trailing-slash zone prefix', () => {
    expect(weightKey('golb/function/', 'zone-a', 'busy')).toBe('golb/function/zone-a/busy');
    expect(zonePrefix('golb/function/', 'zone-a')).toBe('golb/function/zone-a/');
    expect(parseWeightKey('golb/function/', 'golb/function/zone-a/busy')).toEqual({
      ok: true,
      value: { zone: 'zone-a', fn: 'busy' },
    });
  });

  it('reject keys that do not have exactly a zone and a function part', () => {
    for (const key of [
      'golb/function/zone-a',
      'golb/function/zone-a/busy/x',
      'golb/function//busy',
      'other/zone-a/busy',
    ]) {
      expect(parseWeightKey('golb/function/', key).ok).toBe(false);
    }
  });
});

describe('weight values', () => {
  it('read the go-load-balancer JSON', () => {
    expect(parseFunctionWeights('{"ips": ["10.0.0.1:8080", "10.42.0.3:8080"], "weights": [3, 1]}')).toEqual({
      ok: true,
      value: { ips: ['10.0.0.1:8080', '10.42.0.3:8080'], weights: [3, 1] },
    });
    expect(formatFunctionWeights({ ips: ['a:1'], weights: [2] })).toBe('{"ips":["a:1"],"weights":[2]}');
  });

  it.each([
    ['', /not JSON/],
    ['null', /expected \{"ips"/],
    ['{"ips": [], "weights": []}', /empty "ips"/],
    ['{"ips": ["a"], "weights": [3.5]}', /not an integer/],
    ['{"ips": ["a"], "weights": [-1]}', /not an integer ≥ 0/],
    ['{"ips": ["a", "b"], "weights": [1]}', /2 ips but 1 weights/],
    ['{"ips": [""], "weights": [1]}', /not a non-empty/],
    ['{"weights": [1]}', /arrays/],
  ])('reject %s with a reason', (raw, reason) => {
    const parsed = parseFunctionWeights(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });

  it('compare by position', () => {
    expect(sameWeights({ ips: ['a', 'b'], weights: [1, 2] }, { ips: ['a', 'b'], weights: [1, 2] })).toBe(
      true,
    );
    expect(sameWeights({ ips: ['a', 'b'], weights: [1, 2] }, { ips: ['b', 'a'], weights: [2, 1] })).toBe(
      false,
    );
    expect(sameWeights(undefined, undefined)).toBe(true);
  });
});
