import { describe, expect, it } from 'vitest';
import { constantRateProfile, stagedRateProfile } from './rate-profile.js';

describe('rate profiles', () => {
  it('integrate a linear ramp: Λ(t) = r0·t + (r1 − r0)·t²/(2D)', () => {
    const profile = stagedRateProfile(10, [{ durationMs: 4_000, target: 30 }], 'linear');
    expect(profile.totalArrivals).toBe(80);
    expect(profile.durationMs).toBe(4_000);
    expect(profile.arrivalsBy(2_000)).toBeCloseTo(10 * 2 + (20 * 4) / 8, 12);
    expect(profile.arrivalsBy(10_000)).toBe(80);
  });

  it('invert Λ monotonically and stop after the end', () => {
    const profile = stagedRateProfile(100, [{ durationMs: 2_000, target: 0 }], 'linear');
    const at = profile.cursor();
    for (let k = 1; k <= 100; k++) {
      const t = at(k)!;
      expect(profile.arrivalsBy(t)).toBeCloseTo(k, 9);
    }
    expect(at(100)).toBeCloseTo(2_000, 9);
    expect(at(100.001)).toBeUndefined();
  });

  it('skip stages with a zero rate', () => {
    const profile = stagedRateProfile(
      0,
      [
        { durationMs: 1_000, target: 10 },
        { durationMs: 1_000, target: 0 },
      ],
      'step',
    );
    const at = profile.cursor();
    expect(at(10)).toBe(1_000);
    expect(at(10.5)).toBeUndefined();
  });

  it('a constant profile is endless', () => {
    const at = constantRateProfile(4).cursor();
    expect(at(1e9)).toBe(2.5e11);
    expect(constantRateProfile(4).totalArrivals).toBe(Infinity);
  });
});
