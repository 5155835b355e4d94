import { describe, expect, it } from 'vitest';
import type { WorkloadError } from '../workload-error.js';
import { createSchedule, sampleInterarrivals } from './create-schedule.js';
import type { ScheduleSpec } from './schedule-spec.js';

function times(spec: ScheduleSpec, max = 1_000_000): number[] {
  const schedule = createSchedule(spec);
  if (!schedule.ok) throw new Error(schedule.error.message);
  const out: number[] = [];
  for (const t of schedule.value) {
    out.push(t);
    if (out.length >= max) break;
  }
  return out;
}

function failure(spec: unknown): WorkloadError {
  const schedule = createSchedule(spec as ScheduleSpec);
  if (schedule.ok) throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
  return schedule.error;
}

const countBetween = (ts: readonly number[], fromMs: number, toMs: number) =>
  ts.filter((t) => t > fromMs && t <= toMs).length;

describe('createSchedule', () => {
  it('starts one interarrival after startMs and adds interarrivals in milliseconds', () => {
    expect(times({ process: 'constant', params: [0.25], n: 4, seed: 1, startMs: 1_000 })).toEqual([
      1_250, 1_500, 1_750, 2_000,
    ]);
  });

  it('yields exactly n arrivals (galileo sent n − 1)', () => {
    for (const n of [1, 2, 7, 1000]) {
      expect(times({ process: 'expovariate', params: [100], n, seed: n })).toHaveLength(n);
      expect(times({ process: 'exponential', rate: 100, n, seed: n })).toHaveLength(n);
    }
    expect(times({ process: 'constant', params: [1], n: 0, seed: 1 })).toEqual([]);
  });

  it('is endless without n or stages', () => {
    expect(times({ process: 'gamma', params: [2, 0.001], seed: 3 }, 50_000)).toHaveLength(50_000);
  });

  it('gives the same schedule for the same seed and a different one for another seed', () => {
    const spec = { process: 'exponential', rate: 200, n: 1000, startMs: 1_700_000_000_000 };
    expect(times({ ...spec, seed: 'w1:svc:0' })).toEqual(times({ ...spec, seed: 'w1:svc:0' }));
    expect(times({ ...spec, seed: 'w1:svc:0' })).not.toEqual(times({ ...spec, seed: 'w1:svc:1' }));
  });

  it('keeps a mean of `rate` requests per second for Poisson arrivals', () => {
    const ts = times({ process: 'exponential', rate: 200, n: 20_000, seed: 9 });
    const meanInterarrivalMs = ts.at(-1)! / ts.length;
    expect(meanInterarrivalMs).toBeGreaterThan(5 * (1 - 5 / Math.sqrt(20_000)));
    expect(meanInterarrivalMs).toBeLessThan(5 * (1 + 5 / Math.sqrt(20_000)));
  });

  it('puts constant-rate arrivals exactly at k/rate', () => {
    const ts = times({ process: 'constant', rate: 3, n: 9, seed: 1, startMs: 10 });
    ts.forEach((t, i) => expect(t).toBeCloseTo(10 + ((i + 1) * 1000) / 3, 9));
  });

  it('is non-decreasing even when draws are clamped', () => {
    const ts = times({
      process: 'normal',
      params: [0.001, 0.01],
      n: 10_000,
      seed: 4,
      startMs: 1_700_000_000_000,
    });
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
  });
});

describe('ramps (k6 ramping-arrival-rate stages)', () => {
  it('a linear ramp 0→100 req/s over 10 s yields 500 arrivals, exactly at Λ(t) = k', () => {
    const ts = times({
      process: 'constant',
      rate: 0,
      stages: [{ durationMs: 10_000, target: 100 }],
      seed: 1,
    });
    expect(ts).toHaveLength(500);
    // Λ(t) = 100·t²/(2·10) with t in s, so the k-th arrival is at √(k/5) s
    ts.forEach((t, i) => expect(t).toBeCloseTo(Math.sqrt((i + 1) / 5) * 1000, 6));
    expect(countBetween(ts, 0, 5_000)).toBe(125);
  });

  it('a linear Poisson ramp 0→100 req/s over 10 s yields ≈500 arrivals', () => {
    for (const seed of [1, 2, 3]) {
      const ts = times({ process: 'exponential', stages: [{ durationMs: 10_000, target: 100 }], seed });
      expect(Math.abs(ts.length - 500)).toBeLessThan(5 * Math.sqrt(500));
      expect(ts.at(-1)!).toBeLessThanOrEqual(10_000);
    }
  });

  it('a Poisson ramp follows the integrated rate (time rescaling) window by window', () => {
    const ts = times({
      process: 'exponential',
      rate: 0,
      stages: [{ durationMs: 10_000, target: 2_000 }],
      seed: 11,
    });
    // Λ(t) = 100·t² (t in s): 100, 300, 500, … per 1 s window
    for (let second = 0; second < 10; second++) {
      const expected = 100 * ((second + 1) ** 2 - second ** 2);
      const observed = countBetween(ts, second * 1000, (second + 1) * 1000);
      expect(Math.abs(observed - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });

  it('starts from `rate`, ramps between targets and ends with the last stage', () => {
    const ts = times({
      process: 'constant',
      rate: 50,
      stages: [
        { durationMs: 2_000, target: 50 },
        { durationMs: 2_000, target: 150 },
        { durationMs: 1_000, target: 0 },
      ],
      seed: 1,
      startMs: 100,
    });
    expect(ts).toHaveLength(100 + 200 + 75);
    expect(countBetween(ts, 100, 2_100)).toBe(100);
    expect(countBetween(ts, 2_100, 4_100)).toBe(200);
    expect(countBetween(ts, 4_100, 5_100)).toBe(75);
  });

  it('step mode holds each target for its duration, with exact counts', () => {
    const stages = [
      { durationMs: 1_000, target: 10 },
      { durationMs: 2_000, target: 50 },
      { durationMs: 500, target: 0 },
      { durationMs: 1_000, target: 20 },
    ];
    const ts = times({ process: 'constant', stages, ramp: 'step', seed: 1 });
    expect(ts).toHaveLength(10 + 100 + 20);
    expect(countBetween(ts, 0, 1_000)).toBe(10);
    expect(countBetween(ts, 1_000, 3_000)).toBe(100);
    expect(countBetween(ts, 3_000, 3_500)).toBe(0);
    expect(countBetween(ts, 3_500, 4_500)).toBe(20);
    expect(ts.slice(0, 3)).toEqual([100, 200, 300]);
  });

  it('a zero-duration stage jumps to its target', () => {
    const ts = times({
      process: 'constant',
      stages: [
        { durationMs: 0, target: 100 },
        { durationMs: 1_000, target: 100 },
      ],
      seed: 1,
    });
    expect(ts).toHaveLength(100);
  });

  it('stops at n before the stages end', () => {
    expect(
      times({ process: 'uniform', rate: 100, stages: [{ durationMs: 60_000, target: 100 }], n: 42, seed: 1 }),
    ).toHaveLength(42);
  });
});

describe('prerecorded', () => {
  it('replays the interarrivals and ends, zeros clamped to 1e-11 s', () => {
    const ts = times({ process: 'prerecorded', params: [0.1, 0, 0.2], seed: 1, startMs: 1_000 });
    expect(ts).toHaveLength(3);
    expect(ts[0]).toBe(1_100);
    expect(ts[1]).toBeCloseTo(1_100 + 1e-8, 9);
    expect(ts[2]).toBeCloseTo(1_300 + 1e-8, 9);
    expect(times({ process: 'prerecorded', params: [0.1, 0.1, 0.1], n: 2, seed: 1 })).toHaveLength(2);
  });

  it('rejects negative and non-numeric entries, naming the index', () => {
    const error = failure({ process: 'prerecorded', params: [0.1, -1, 'x'], seed: 1 });
    expect(error.kind).toBe('invalid-params');
    expect(error.message).toContain('[1]: must be a finite number ≥ 0, got -1');
    expect(error.message).toContain('[2]: must be a finite number ≥ 0, got "x"');
  });
});

describe('bad specs are answered with error values', () => {
  it('unknown process', () => {
    const error = failure({ process: 'zipf', params: [1], seed: 1 });
    expect(error).toMatchObject({ kind: 'unknown-process', process: 'zipf' });
    expect(error.message).toMatch(/^Unknown arrival process 'zipf'; expected one of constant, exponential, /);
    expect(error.message).toContain('expovariate');
  });

  it('negative rate', () => {
    expect(failure({ process: 'exponential', rate: -5, seed: 1 }).message).toBe(
      'Invalid workload: rate: must be ≥ 0, got -5',
    );
  });

  it('zero rate without stages', () => {
    expect(failure({ process: 'constant', rate: 0, seed: 1 }).message).toContain(
      'rate: must be > 0 requests per second without stages, got 0',
    );
  });

  it('missing parameter', () => {
    const error = failure({ process: 'gammavariate', params: [2], seed: 1 });
    expect(error).toMatchObject({ kind: 'invalid-params', process: 'gamma', issues: ['beta: is required'] });
    expect(error.message).toBe(
      "Invalid parameters for arrival process 'gamma': beta: is required. Expected gammavariate(alpha, beta): shape alpha > 0, scale beta > 0 in seconds; mean alpha·beta s",
    );
  });

  it('non-numeric parameter', () => {
    expect(failure({ process: 'expovariate', params: ['abc'], seed: 1 })).toMatchObject({
      issues: ['lambd: must be a finite number, got "abc"'],
    });
    expect(failure({ process: 'constant', params: { value: Number.NaN }, seed: 1 })).toMatchObject({
      issues: ['value: must be a finite number, got NaN'],
    });
  });

  it('out-of-range parameters', () => {
    expect(failure({ process: 'exponential', params: [-1], seed: 1 })).toMatchObject({
      issues: ['lambd: must be > 0, got -1'],
    });
    expect(failure({ process: 'constant', params: [0], seed: 1 })).toMatchObject({
      issues: ['value: must be > 0, got 0'],
    });
    expect(failure({ process: 'uniform', params: [-2, -1], seed: 1 })).toMatchObject({
      issues: ['the larger of a and b must be > 0, otherwise every interarrival would be ≤ 0'],
    });
    expect(failure({ process: 'triangular', params: [0, 1, 2], seed: 1 })).toMatchObject({
      issues: ['mode: mode must lie between low and high, got 2'],
    });
    expect(failure({ process: 'normal', params: [-1, 1], seed: 1 })).toMatchObject({
      issues: ['mu: must be > 0, got -1'],
    });
  });

  it('too many positional parameters, unknown named ones, params of the wrong shape', () => {
    expect(failure({ process: 'pareto', params: [1, 2], seed: 1 }).message).toContain(
      'expected at most 1 positional parameter(s) (alpha), got 2',
    );
    expect(failure({ process: 'weibull', params: { alpha: 1, shape: 2 }, seed: 1 }).message).toContain(
      "unknown key(s) 'shape'; expected alpha, beta",
    );
    expect(failure({ process: 'weibull', params: '1,2', seed: 1 }).message).toContain(
      'params must be an array [alpha, beta] or an object {alpha, beta}, got "1,2"',
    );
  });

  it('params together with rate, rate for a process without a rate form', () => {
    expect(failure({ process: 'exponential', params: [1], rate: 10, seed: 1 }).message).toContain(
      'give either params or rate/stages, not both',
    );
    expect(failure({ process: 'gamma', rate: 10, seed: 1 }).message).toContain(
      "arrival process 'gamma' has no rate form",
    );
  });

  it('bad n, seed, stages and ramp', () => {
    expect(failure({ process: 'constant', params: [1], n: 1.5, seed: 1 }).message).toContain(
      'n: must be an integer number of requests, got 1.5',
    );
    expect(failure({ process: 'constant', params: [1] }).message).toContain('seed: is required');
    expect(
      failure({ process: 'constant', stages: [{ durationMs: 1000, target: -1 }], seed: 1 }).message,
    ).toContain('stages.0.target: must be ≥ 0 (requests per second), got -1');
    expect(failure({ process: 'constant', stages: [], seed: 1 }).message).toContain(
      'stages: must contain at least one stage',
    );
    expect(failure({ process: 'constant', rate: 1, ramp: 'step', seed: 1 }).message).toContain(
      'ramp: only applies together with stages',
    );
    expect(failure({ process: 'constant', rate: 1, seed: 1, n: 1, extra: true }).message).toContain(
      "unknown key(s) 'extra'",
    );
  });

  it('accepts Python None (null) as "use the default"', () => {
    expect(times({ process: 'triangular', params: [0, 1, null], n: 3, seed: 1 })).toHaveLength(3);
    expect(times({ process: 'expovariate', params: null, n: 3, seed: 1 })).toHaveLength(3);
  });
});

describe('sampleInterarrivals', () => {
  it('returns interarrival times in seconds for params and rate forms', () => {
    expect(sampleInterarrivals({ process: 'constant', params: [0.5] }, 3, 1)).toEqual({
      ok: true,
      value: [0.5, 0.5, 0.5],
    });
    expect(sampleInterarrivals({ process: 'constant', rate: 4 }, 2, 1)).toEqual({
      ok: true,
      value: [0.25, 0.25],
    });
  });

  it('rejects a bad count and a bad spec', () => {
    expect(sampleInterarrivals({ process: 'constant', params: [1] }, -1, 1)).toMatchObject({ ok: false });
    expect(sampleInterarrivals({ process: 'nope' }, 1, 1)).toMatchObject({
      ok: false,
      error: { kind: 'unknown-process' },
    });
  });
});
