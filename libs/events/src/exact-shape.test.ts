import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { decodeEvent, encodeEvent } from './codec.js';
import {
  galileoCatalogue,
  isExactRequestTrace,
  isExactTelemetryReading,
  isExactTraceBatch,
  requestTraceSchema,
  telemetrySchema,
  traceBatchSchema,
} from './galileo-events.js';

const trace = () => ({
  request_id: 'r-1',
  client: 'w1:svc:0',
  service: 'svc',
  created: 1_700_000_000.1,
  sent: 1_700_000_000.2,
  done: 1_700_000_000.3,
  status: 200,
  server: '10.0.0.1:8080',
  exp_id: 'exp-1',
  headers: '{"X-Start": "1"}',
  response: 'ok',
});
const reading = () => ({
  node: 'n1',
  metric: 'cpu',
  subsystem: null,
  timestamp: 1_700_000_000.5,
  value: 12.5,
});

/** Values that break one field's type in every way zod cares about. */
const oddValues: unknown[] = [
  undefined,
  null,
  '',
  'x',
  0,
  -0,
  1.5,
  -1,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  '1',
];

/** Every one-step variant of a valid object: each key dropped, retyped, plus extra keys and odd prototypes. */
function variants(valid: Record<string, unknown>): unknown[] {
  const out: unknown[] = [valid, null, [], 'x', 1, [valid]];
  for (const key of Object.keys(valid)) {
    const { [key]: _dropped, ...rest } = valid;
    out.push(rest);
    for (const v of oddValues) out.push({ ...valid, [key]: v });
  }
  out.push({ ...valid, extra: 1 });
  out.push(Object.assign(Object.create(null) as object, valid));
  class Shaped {
    constructor() {
      Object.assign(this, valid);
    }
  }
  out.push(new Shaped());
  return out;
}

/** The contract of an exact-shape check: yes only where the schema accepts and returns an equal object. */
function holdsAgainst(check: (v: unknown) => boolean, schema: z.ZodType, inputs: unknown[]): number {
  let accepted = 0;
  for (const input of inputs) {
    if (!check(input)) continue;
    accepted++;
    const parsed = schema.safeParse(input);
    expect(parsed.success, JSON.stringify(input)).toBe(true);
    expect(parsed.data).toStrictEqual(input);
  }
  return accepted;
}

describe('exact-shape checks of the bulk payloads', () => {
  it('a RequestTrace: yes only for what requestTraceSchema accepts unchanged', () => {
    const inputs = variants(trace());
    const accepted = holdsAgainst(isExactRequestTrace, requestTraceSchema, inputs);
    expect(isExactRequestTrace(trace())).toBe(true);
    // the nullable fields take null, status takes -0 and -1, the numbers any finite value
    expect(accepted).toBeGreaterThan(10);
    expect(isExactRequestTrace({ ...trace(), status: 1.5 })).toBe(false);
    expect(isExactRequestTrace({ ...trace(), request_id: '' })).toBe(false);
    expect(isExactRequestTrace({ ...trace(), extra: 1 })).toBe(false);
    expect(isExactRequestTrace({ ...trace(), sent: Number.NaN })).toBe(false);
  });

  it('a TelemetryReading: yes only for what telemetrySchema accepts unchanged', () => {
    const accepted = holdsAgainst(isExactTelemetryReading, telemetrySchema, variants(reading()));
    expect(isExactTelemetryReading(reading())).toBe(true);
    expect(isExactTelemetryReading({ ...reading(), subsystem: 'eth0' })).toBe(true);
    expect(accepted).toBeGreaterThan(5);
  });

  it('a TraceBatch: yes only for 1..1000 exact traces', () => {
    const inputs: unknown[] = [
      { traces: [trace()] },
      { traces: [] },
      { traces: Array.from({ length: 1000 }, trace) },
      { traces: Array.from({ length: 1001 }, trace) },
      { traces: [trace(), { ...trace(), status: '200' }] },
      { traces: [trace()], extra: true },
      { traces: trace() },
      ...variants(trace()).map((t) => ({ traces: [trace(), t] })),
    ];
    const accepted = holdsAgainst(isExactTraceBatch, traceBatchSchema, inputs);
    expect(isExactTraceBatch({ traces: Array.from({ length: 1001 }, trace) })).toBe(false);
    expect(accepted).toBeGreaterThan(10);
  });

  it('what the fast path refuses is still decided, and worded, by the schema', () => {
    const envelope = {
      id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
      subject: 'galileo.telemetry.n1.cpu',
      type: 'TelemetryReported',
      version: 1,
      time: '2026-12-03T00:00:00.000Z',
      source: 'test',
      correlationId: null,
      causationId: null,
    };
    const good = decodeEvent(galileoCatalogue, encodeEvent({ ...envelope, data: reading() }));
    expect(good.ok && good.value.data).toStrictEqual(reading());
    // an extra key: not the exact shape, but the schema accepts it and strips the key
    const extra = decodeEvent(galileoCatalogue, encodeEvent({ ...envelope, data: { ...reading(), x: 1 } }));
    expect(extra.ok && extra.value.data).toStrictEqual(reading());
    const bad = decodeEvent(
      galileoCatalogue,
      encodeEvent({ ...envelope, data: { ...reading(), value: '1' } }),
    );
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(/invalid TelemetryReported payload: value: /);
  });
});
