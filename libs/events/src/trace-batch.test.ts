import { describe, expect, it } from 'vitest';
import { createEvent, decodeEvent, encodeEvent } from './codec.js';
import type { EventDraft } from './envelope.js';
import { galileoCatalogue, MAX_TRACES_PER_BATCH, tracesOf, type RequestTrace } from './galileo-events.js';

const trace = (i: number): RequestTrace => ({
  request_id: `r${i}`,
  client: 'w1:svc:0',
  service: 'svc',
  created: 1_700_000_000 + i,
  sent: 1_700_000_000 + i,
  done: 1_700_000_000.25 + i,
  status: 200,
  server: 'h:1',
  exp_id: null,
  headers: null,
  response: null,
});

const event = (draft: EventDraft<typeof galileoCatalogue>) =>
  createEvent(galileoCatalogue, draft, { subject: 'galileo.traces.svc', source: 'test' });

describe('TraceBatchRecorded', () => {
  it('round-trips through the codec and yields its traces in order', () => {
    const created = event({ type: 'TraceBatchRecorded', data: { traces: [trace(1), trace(2)] } });
    if (!created.ok) throw new Error(created.error.message);
    const decoded = decodeEvent(galileoCatalogue, encodeEvent(created.value));
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(tracesOf(decoded.value)).toEqual([trace(1), trace(2)]);
  });

  it('tracesOf reads a single TraceRecorded too, and nothing from other types', () => {
    const single = event({ type: 'TraceRecorded', data: trace(3) });
    const other = event({ type: 'PingWorker', data: {} });
    if (!single.ok || !other.ok) throw new Error('could not create the events');
    expect(tracesOf(single.value)).toEqual([trace(3)]);
    expect(tracesOf(other.value)).toEqual([]);
  });

  it('refuses an empty batch, an oversized batch and a malformed trace, naming the field', () => {
    const empty = event({ type: 'TraceBatchRecorded', data: { traces: [] } });
    expect(empty.ok).toBe(false);
    const big = Array.from({ length: MAX_TRACES_PER_BATCH + 1 }, (_, i) => trace(i));
    expect(event({ type: 'TraceBatchRecorded', data: { traces: big } }).ok).toBe(false);
    const bad = event({
      type: 'TraceBatchRecorded',
      data: { traces: [trace(1), { ...trace(2), status: 'ok' as unknown as number }] },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/traces\.1\.status|status/);
  });
});
