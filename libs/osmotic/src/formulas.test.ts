import { describe, expect, it } from 'vitest';
import {
  combinedPressure,
  cpuUsagePressure,
  latencyRequirementLogPressure,
  latencyRequirementPressure,
  logistic,
  networkDistancePressure,
  percentile,
  requestPressure,
  rttLogPressure,
} from './formulas.js';

// Expected values computed by hand (Python) from reference §5's formulas:
// L(x; a,b,c,d) = (a−b)/(1+e^(−c(x−d))) + b with a=250, b=1, c=0.2, d=35, offset 0.
const curve = { a: 250, b: 1, c: 0.2, d: 35, offset: 0 };

describe('pressure components', () => {
  it('logistic curve: midpoint at d, saturating at a', () => {
    expect(logistic(35, 250, 1, 0.2, 35)).toBe(125.5);
    expect(logistic(45, 250, 1, 0.2, 35) / 250).toBeCloseTo(0.8812738896659709, 12);
    expect(logistic(1e6, 250, 1, 0.2, 35)).toBeCloseTo(250, 9);
  });

  it('percentile interpolates linearly like numpy', () => {
    expect(percentile([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentile([100, 110, 120, 130, 140, 150, 160, 170, 180, 190], 90)).toBeCloseTo(181, 12);
    expect(percentile([50, 10, 40, 20, 30], 50)).toBe(30);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 90)).toBeNaN();
  });

  it('request: share of the busiest client zone', () => {
    expect(requestPressure(30, 60)).toBe(0.5);
    expect(requestPressure(60, 60)).toBe(1);
    expect(requestPressure(0, 0)).toBe(0);
  });

  it('rtt_log: L(t)/a, with the offset moving the midpoint; 0 without traces', () => {
    expect(rttLogPressure(46, curve)).toBeCloseTo(0.9006485128367936, 12);
    expect(rttLogPressure(181, curve)).toBeCloseTo(0.9999999999997925, 12);
    expect(rttLogPressure(35, curve)).toBe(0.502);
    // offset 0.5 halves the midpoint: L(17.5; d=17.5)/a = 0.502
    expect(rttLogPressure(17.5, { ...curve, offset: 0.5 })).toBe(0.502);
    expect(rttLogPressure(Number.NaN, curve)).toBe(0);
  });

  it('network_distance: d / max latency', () => {
    expect(networkDistancePressure(40, 100)).toBe(0.4);
    expect(networkDistancePressure(5, 100)).toBe(0.05);
    expect(networkDistancePressure(5, 0)).toBe(0);
  });

  it('latency_req_unbound: d / requirement, unbounded', () => {
    expect(latencyRequirementPressure(40, 70)).toBeCloseTo(0.5714285714285714, 15);
    expect(latencyRequirementPressure(140, 70)).toBe(2);
  });

  it('latency_req_log: the requirement is the midpoint', () => {
    expect(latencyRequirementLogPressure(5, 70, curve)).toBeCloseTo(0.004002251283000712, 15);
    expect(latencyRequirementLogPressure(40, 70, curve)).toBeCloseTo(0.006462732664008236, 15);
    expect(latencyRequirementLogPressure(70, 70, curve)).toBe(0.502);
  });

  it('cpu_usage: percentage / 100', () => {
    expect(cpuUsagePressure(60)).toBe(0.6);
    expect(cpuUsagePressure(150)).toBe(1.5);
  });

  it('product of the selected components, optionally weighted', () => {
    const values = {
      request: 0.5,
      rtt_log: 0.9006485128367936,
      network_distance: 0.05,
      latency_req_unbound: 0.07142857142857142,
      latency_req_log: 0.004002251283000712,
      cpu_usage: 0.6,
    };
    expect(combinedPressure(values, ['request', 'rtt_log', 'cpu_usage'])).toBeCloseTo(0.2701945538510381, 15);
    expect(combinedPressure(values, ['request'])).toBe(0.5);
    expect(combinedPressure(values, ['request', 'cpu_usage'], { cpu_usage: 2 })).toBeCloseTo(0.6, 15);
    expect(combinedPressure(values, [])).toBe(1);
  });
});
