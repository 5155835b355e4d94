import { describe, expect, it } from 'vitest';
import { createLatencyRecorder } from './latency-recorder.js';

describe('latency recorder', () => {
  it('summarizes service and response time separately, in milliseconds', () => {
    const latency = createLatencyRecorder();
    expect(latency.summary().serviceTime.count).toBe(0);
    for (let i = 1; i <= 100; i++) latency.record(i, i + 50);
    latency.record(-0.2, 0.1); // a request that left a fraction of a millisecond early
    const { serviceTime, responseTime } = latency.summary();
    expect(serviceTime.count).toBe(101);
    expect(serviceTime.p50).toBeCloseTo(50, 0);
    expect(serviceTime.mean).toBeCloseTo(5050 / 101, 3); // exact: from the sum, not the buckets
    expect(responseTime.mean).toBeCloseTo((5050 + 5000 + 0.1) / 101, 3);
    expect(serviceTime.max).toBeCloseTo(100, 0);
    expect(responseTime.p90).toBeCloseTo(140, 0);
    expect(responseTime.p99).toBeCloseTo(149, 0);
  });
});
