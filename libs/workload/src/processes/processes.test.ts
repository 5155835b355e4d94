import { describe, expect, it } from 'vitest';
import { sampleInterarrivals } from '../schedule/create-schedule.js';
import type { ArrivalSpec } from '../schedule/schedule-spec.js';
import { MIN_INTERARRIVAL_S } from './arrival-process.js';
import { arrivalProcesses, findArrivalProcess } from './registry.js';

const DRAWS = 100_000;

function sample(spec: ArrivalSpec, count = DRAWS, seed: number | string = 2024): number[] {
  const result = sampleInterarrivals(spec, count, seed);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function moments(xs: readonly number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

/**
 * Theoretical mean and variance per Python's parameter conventions (random module docs), written
 * independently of the implementation. The mean must lie within 5 standard errors, the variance
 * within a relative tolerance (its standard error depends on the fourth moment).
 */
const cases: { spec: ArrivalSpec; mean: number; variance: number; varianceTolerance?: number }[] = [
  { spec: { process: 'exponential', params: [2] }, mean: 0.5, variance: 0.25 },
  { spec: { process: 'expovariate', params: { lambd: 50 } }, mean: 0.02, variance: 0.0004 },
  { spec: { process: 'exponential', rate: 200 }, mean: 0.005, variance: 0.005 ** 2 },
  { spec: { process: 'uniform', params: [0.1, 0.3] }, mean: 0.2, variance: 0.2 ** 2 / 12 },
  { spec: { process: 'uniform', rate: 100 }, mean: 0.01, variance: 0.02 ** 2 / 12 },
  { spec: { process: 'normal', params: [1, 0.1] }, mean: 1, variance: 0.01 },
  { spec: { process: 'normalvariate', params: { mu: 0.5, sigma: 0.05 } }, mean: 0.5, variance: 0.0025 },
  { spec: { process: 'gauss', params: [2, 0.3] }, mean: 2, variance: 0.09 },
  {
    spec: { process: 'lognormvariate', params: [-1, 0.5] },
    mean: Math.exp(-1 + 0.125),
    variance: (Math.exp(0.25) - 1) * Math.exp(-2 + 0.25),
  },
  { spec: { process: 'gammavariate', params: [2.5, 0.1] }, mean: 0.25, variance: 2.5 * 0.01 },
  {
    spec: { process: 'gamma', params: { alpha: 0.5, beta: 2 } },
    mean: 1,
    variance: 2,
    varianceTolerance: 0.05,
  },
  { spec: { process: 'gamma', params: [1, 0.3] }, mean: 0.3, variance: 0.09 },
  { spec: { process: 'betavariate', params: [2, 5] }, mean: 2 / 7, variance: 10 / (49 * 8) },
  {
    spec: { process: 'paretovariate', params: [5] },
    mean: 5 / 4,
    variance: 5 / (16 * 3),
    varianceTolerance: 0.2,
  },
  {
    spec: { process: 'weibullvariate', params: [0.5, 2] },
    mean: 0.5 * (Math.sqrt(Math.PI) / 2),
    variance: 0.25 * (1 - Math.PI / 4),
  },
  {
    spec: { process: 'triangular', params: [0.1, 0.5, 0.2] },
    mean: 0.8 / 3,
    variance: (0.01 + 0.25 + 0.04 - 0.05 - 0.02 - 0.1) / 18,
  },
  { spec: { process: 'triangular', params: [0.2, 0.4] }, mean: 0.3, variance: 0.04 / 24 },
  {
    spec: { process: 'vonmisesvariate', params: [Math.PI, 4] },
    mean: Math.PI,
    variance: vonMisesVariance(4),
  },
];

describe('arrival processes: sample moments over 100k draws', () => {
  it.each(cases)(
    '$spec.process $spec.params $spec.rate',
    ({ spec, mean, variance, varianceTolerance = 0.03 }) => {
      const draws = sample(spec);
      const observed = moments(draws);
      const standardError = Math.sqrt(variance / draws.length);
      expect(Math.abs(observed.mean - mean)).toBeLessThan(5 * standardError);
      expect(Math.abs(observed.variance - variance) / variance).toBeLessThan(varianceTolerance);
      expect(Math.min(...draws)).toBeGreaterThan(0);
    },
  );

  it('constant gives the same interarrival every time, and 1/rate in its rate form', () => {
    expect(new Set(sample({ process: 'constant', params: [0.2] }, 1000))).toEqual(new Set([0.2]));
    expect(new Set(sample({ process: 'constant', rate: 50 }, 1000))).toEqual(new Set([0.02]));
  });

  it('pareto draws are ≥ 1 and beta draws ≤ 1, as in Python', () => {
    expect(Math.min(...sample({ process: 'pareto', params: [3] }, 10_000))).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sample({ process: 'beta', params: [0.5, 0.5] }, 10_000))).toBeLessThanOrEqual(1);
  });

  it('vonmises with kappa 0 is uniform over [0, 2π)', () => {
    const draws = sample({ process: 'vonmises', params: [1, 0] });
    const { mean, variance } = moments(draws);
    expect(mean).toBeCloseTo(Math.PI, 1);
    expect(Math.abs(variance - (4 * Math.PI ** 2) / 12) / variance).toBeLessThan(0.03);
    expect(Math.max(...draws)).toBeLessThan(2 * Math.PI);
  });
});

describe('draws ≤ 0 never stop the generator (galileo bug §3.5/§12)', () => {
  it.each<ArrivalSpec>([
    { process: 'normal', params: [0.01, 1] },
    { process: 'uniform', params: [-1, 1] },
    { process: 'triangular', params: [-1, 1, 0] },
  ])('$process $params clamps to 1e-11 s', (spec) => {
    const draws = sample(spec, 10_000);
    expect(draws).toHaveLength(10_000);
    expect(Math.min(...draws)).toBe(MIN_INTERARRIVAL_S);
    expect(draws.filter((d) => d === MIN_INTERARRIVAL_S).length).toBeGreaterThan(1000);
  });
});

describe('registry', () => {
  it('answers to every galileo/Python distribution name', () => {
    const galileoNames = [
      'constant',
      'uniform',
      'triangular',
      'normalvariate',
      'lognormvariate',
      'expovariate',
      'vonmisesvariate',
      'gammavariate',
      'gauss',
      'betavariate',
      'paretovariate',
      'weibullvariate',
      'prerecorded',
    ];
    for (const name of galileoNames) expect(findArrivalProcess(name), name).toBeDefined();
    expect(findArrivalProcess('gauss')?.name).toBe('normal');
    expect(findArrivalProcess('expovariate')?.name).toBe('exponential');
  });

  it('gives every process a signature and only constant, exponential and uniform a rate form', () => {
    for (const process of arrivalProcesses.values()) expect(process.signature).toMatch(/\(/);
    const withRate = [...arrivalProcesses.values()].filter((p) => p.withRate).map((p) => p.name);
    expect(withRate.sort()).toEqual(['constant', 'exponential', 'uniform']);
  });

  it('gives the same draws for the same seed and different ones for another seed', () => {
    for (const process of arrivalProcesses.keys()) {
      if (process === 'prerecorded') continue;
      const spec = { process, params: defaultParams[process] };
      expect(sample(spec, 100, 'a'), process).toEqual(sample(spec, 100, 'a'));
      if (process !== 'constant') expect(sample(spec, 100, 'a'), process).not.toEqual(sample(spec, 100, 'b'));
    }
  });
});

const defaultParams: Record<string, number[]> = {
  constant: [0.1],
  exponential: [10],
  uniform: [0, 1],
  normal: [1, 0.1],
  lognormal: [0, 1],
  gamma: [2, 1],
  beta: [2, 2],
  pareto: [3],
  weibull: [1, 1.5],
  triangular: [0, 1, 0.5],
  vonmises: [1, 2],
};

/** Variance of a von Mises angle centred on π over [0, 2π), by numerical integration. */
function vonMisesVariance(kappa: number): number {
  const steps = 20_000;
  let weight = 0;
  let moment = 0;
  for (let i = 0; i < steps; i++) {
    const theta = ((i + 0.5) / steps) * 2 * Math.PI;
    const density = Math.exp(kappa * Math.cos(theta - Math.PI));
    weight += density;
    moment += density * (theta - Math.PI) ** 2;
  }
  return moment / weight;
}
