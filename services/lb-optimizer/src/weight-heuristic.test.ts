import { describe, expect, it } from 'vitest';
import {
  computeFunctionWeights,
  latencyPenalty,
  logistic,
  type HeuristicInput,
  type ZoneInput,
} from './weight-heuristic.js';

// lb-opt's example parameters (bin/lbopt/.env): a=250, b=1, c=0.2, midpoint=35, offset=0.
const params = { a: 250, b: 1, c: 0.2, midpoint: 35, offset: 0 };

// Hand-computed with L(x) = 249/(1+e^(−0.2(x−35))) + 1 and pen = max(0.01, 1 − L/250).
describe('logistic latency penalty (reference §4 step 3–4)', () => {
  it.each([
    [0, 1.2273054903, 0.995090778], // 0 ms is read as 0.01 ms
    [10, 2.6665198801, 0.9893339205],
    [35, 125.5, 0.498],
    [40, 183.0335860789, 0.2678656557],
    [60, 248.3334801199, 0.01], // floor
  ])('lat %d ms: L = %f, pen = %f', (lat, l, pen) => {
    expect(logistic(lat === 0 ? 0.01 : lat, params)).toBeCloseTo(l, 8);
    expect(latencyPenalty(lat, params)).toBeCloseTo(pen, 8);
  });

  it('moves the midpoint by the offset: d = midpoint·(1 − offset)', () => {
    expect(logistic(17.5, { ...params, offset: 0.5 })).toBeCloseTo(125.5, 10);
  });
});

/** Two zones with replicas and a third with only a gateway. */
function fixture(over: Partial<HeuristicInput> = {}, zones?: ZoneInput[]): HeuristicInput {
  const latencies: Record<string, number> = {
    'a1|a0': 10,
    'a2|a0': 40,
    'b1|b0': 5,
    'a0|b0': 30,
    'a0|c0': 20,
    'b0|c0': 20,
  };
  return {
    zones: zones ?? [
      {
        zone: 'zone-a',
        gateway: { address: '10.0.0.1:8079', node: 'a0' },
        replicas: [
          { address: '10.42.0.1:8080', node: 'a1', cpuShare: 0.2 },
          { address: '10.42.0.2:8080', node: 'a2', cpuShare: 0.5 },
        ],
      },
      {
        zone: 'zone-b',
        gateway: { address: '10.0.0.2:8079', node: 'b0' },
        replicas: [{ address: '10.42.1.1:8080', node: 'b1', cpuShare: undefined }],
      },
      { zone: 'zone-c', gateway: { address: '10.0.0.3:8079', node: 'c0' }, replicas: [] },
    ],
    latency: (x, y) => latencies[`${x}|${y}`] ?? latencies[`${y}|${x}`],
    maxLatencyMs: 40,
    params,
    threshold: 1,
    ...over,
  };
}

describe('computeFunctionWeights (hand-computed from the reference formulas)', () => {
  it('weights local replicas by free CPU × penalty and adds other zones’ gateways', () => {
    const [a, b, c] = computeFunctionWeights(fixture());
    // p1 = (1 − 0.2)·pen(10) = 0.791467136 → 79; p2 = (1 − 0.5)·pen(40) = 0.133932828 → 13
    expect(a!.replicas.map((r) => r.score)).toEqual([
      expect.closeTo(0.7914671364, 8),
      expect.closeTo(0.1339328278, 8),
    ]);
    // P_b = 1·pen(5) = 0.993537267 → gateway b in zone a: max(1, trunc(0.9935·pen(30) = 0.723)) = 1
    expect(a!.weights).toEqual({
      ips: ['10.42.0.1:8080', '10.42.0.2:8080', '10.0.0.2:8079'],
      weights: [79, 13, 1],
    });
    // no telemetry counts as idle: p3 = pen(5) → 99; P_a = 0.462699982 → gateway a: 1
    expect(b!.weights).toEqual({ ips: ['10.42.1.1:8080', '10.0.0.1:8079'], weights: [99, 1] });
    expect(a!.zoneScore).toBeCloseTo(0.4626999821, 8);
    // a zone without replicas forwards to both zones that have some
    expect(c!.weights).toEqual({ ips: ['10.0.0.1:8079', '10.0.0.2:8079'], weights: [1, 1] });
  });

  it('honours the threshold: headroom thr − util with a floor, and equal shares when all are over it', () => {
    const [a] = computeFunctionWeights(fixture({ threshold: 0.6 }));
    // (0.6 − 0.2)·pen(10) = 0.395733568 → 39; max(0.01, 0.6 − 0.5)·pen(40) = 0.026786566 → 2
    expect(a!.weights!.weights.slice(0, 2)).toEqual([39, 2]);
    const [over] = computeFunctionWeights(fixture({ threshold: 0.1 }));
    // both above 0.1: headroom 1 each → pen only: 0.98933392 → 98, 0.26786566 → 26
    expect(over!.weights!.weights.slice(0, 2)).toEqual([98, 26]);
  });

  it('never writes 0 or an empty list', () => {
    const busy = fixture({}, [
      {
        zone: 'zone-a',
        gateway: { address: 'gw-a', node: 'a0' },
        replicas: [{ address: 'r1', node: 'far', cpuShare: 1 }],
      },
      { zone: 'zone-x', replicas: [] },
    ]);
    const [a, x] = computeFunctionWeights(busy);
    // all over the threshold → headroom 1; unknown latency to the own gateway counts as near: pen(0.01) = 0.995 → 99
    expect(a!.weights).toEqual({ ips: ['r1'], weights: [99] });
    // a zone without replicas forwards to the zone that has one
    expect(x!.weights).toEqual({ ips: ['gw-a'], weights: [1] });
    // nobody has a replica: no value at all, never an empty list
    const none = computeFunctionWeights(
      fixture({}, [{ zone: 'zone-a', gateway: { address: 'gw-a', node: 'a0' }, replicas: [] }]),
    );
    expect(none[0]!.weights).toBeUndefined();
    // far and busy replicas: 0.5·0.01 and max(0.01, 0.005)·0.01 truncate to 0 → clamped to 1
    const far = computeFunctionWeights({
      ...fixture(),
      latency: () => 100,
      zones: [
        {
          zone: 'zone-a',
          gateway: { address: 'gw-a', node: 'a0' },
          replicas: [
            { address: 'r', node: 'n', cpuShare: 0.5 },
            { address: 's', node: 'm', cpuShare: 0.995 },
          ],
        },
      ],
    });
    expect(far[0]!.weights!.weights).toEqual([1, 1]);
  });

  it('anti-ping-pong: never lists its own gateway, nor a zone that has no replica to serve a forwarded request', () => {
    const results = computeFunctionWeights(fixture());
    const gatewayC = '10.0.0.3:8079';
    for (const r of results) expect(r.weights?.ips ?? []).not.toContain(gatewayC);
    expect(results[0]!.weights!.ips).not.toContain('10.0.0.1:8079');
    expect(results[1]!.weights!.ips).not.toContain('10.0.0.2:8079');
  });

  it('treats an unknown gateway-to-gateway latency as the maximum latency', () => {
    const input = fixture({
      latency: (x, y) => (x.startsWith('a') && y.startsWith('a') ? 10 : undefined),
      maxLatencyMs: 60,
    });
    const [a] = computeFunctionWeights(input);
    // P_b = pen(unknown local → 0.01 ms) = 0.99509 × pen(60) = 0.01 → trunc 0 → 1
    expect(a!.weights!.weights.at(-1)).toBe(1);
  });
});
