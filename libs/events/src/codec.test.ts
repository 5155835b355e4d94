import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalogue } from './catalogue.js';
import { createEvent, decodeEvent, encodeEvent, validateEvent } from './codec.js';
import { galileoCatalogue } from './galileo-events.js';

const trace = {
  request_id: 'a1b2c3d4e5:17',
  client: 'w1:squeezenet:0',
  service: 'squeezenet',
  created: 1603020000.1234567,
  sent: 1603020000.1235,
  done: 1603020000.2,
  status: 200,
  server: 'host1:8080',
  exp_id: null,
  headers: '{"Content-Type": "application/json"}',
  response: '{"ok": true}',
};

const ctx = { subject: 'galileo.traces.squeezenet', source: 'worker/w1' };

describe('createEvent', () => {
  it('fills in the envelope and round-trips through encode/decode', () => {
    const made = createEvent(
      galileoCatalogue,
      { type: 'TraceRecorded', data: trace, correlationId: 'exp-1' },
      ctx,
    );
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    expect(made.value).toMatchObject({
      subject: 'galileo.traces.squeezenet',
      type: 'TraceRecorded',
      version: 1,
      source: 'worker/w1',
      correlationId: 'exp-1',
      causationId: null,
      data: trace,
    });
    const decoded = decodeEvent(galileoCatalogue, encodeEvent(made.value));
    expect(decoded).toEqual({ ok: true, value: made.value });
  });

  it('answers an invalid payload with an error value naming the field', () => {
    const made = createEvent(
      galileoCatalogue,
      { type: 'TraceRecorded', data: { ...trace, status: 'ok' } as unknown as typeof trace },
      ctx,
    );
    expect(made.ok).toBe(false);
    if (made.ok) return;
    expect(made.error.kind).toBe('invalid-payload');
    expect(made.error.message).toContain('status');
  });

  it('answers an unknown type with the known types', () => {
    const made = createEvent(
      galileoCatalogue,
      { type: 'NoSuchThing', data: {} } as unknown as Parameters<
        typeof createEvent<typeof galileoCatalogue>
      >[1],
      ctx,
    );
    expect(made).toMatchObject({ ok: false, error: { kind: 'unknown-type', type: 'NoSuchThing' } });
    if (!made.ok) expect(made.error.message).toContain('TraceRecorded');
  });
});

describe('decodeEvent never throws', () => {
  const good = createEvent(galileoCatalogue, { type: 'TraceRecorded', data: trace }, ctx);
  if (!good.ok) throw new Error('fixture');
  const cases: [string, string, string][] = [
    ['not JSON', '{nope', 'invalid-json'],
    ['an array', '[1,2]', 'invalid-envelope'],
    ['a missing id', JSON.stringify({ ...good.value, id: undefined }), 'invalid-envelope'],
    ['a bad id', JSON.stringify({ ...good.value, id: 'x' }), 'invalid-envelope'],
    ['a bad version', JSON.stringify({ ...good.value, version: 0 }), 'invalid-envelope'],
    ['no data', JSON.stringify({ ...good.value, data: undefined }), 'invalid-envelope'],
    ['an unknown type', JSON.stringify({ ...good.value, type: 'Mystery' }), 'unknown-type'],
    ['a future version', JSON.stringify({ ...good.value, version: 9 }), 'unsupported-version'],
    ['an invalid payload', JSON.stringify({ ...good.value, data: { request_id: '' } }), 'invalid-payload'],
    ['a numeric correlationId', JSON.stringify({ ...good.value, correlationId: 7 }), 'invalid-envelope'],
    ['an empty source', JSON.stringify({ ...good.value, source: '' }), 'invalid-envelope'],
  ];
  it.each(cases)('%s', (_name, json, kind) => {
    const r = decodeEvent(galileoCatalogue, json);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe(kind);
      expect(r.error.message.length).toBeGreaterThan(10);
    }
  });
});

describe('decodeEvent of envelopes not exactly as encodeEvent writes them', () => {
  const good = createEvent(galileoCatalogue, { type: 'TraceRecorded', data: trace }, ctx);
  if (!good.ok) throw new Error('fixture');
  it('fills in missing ids with null and leaves foreign fields out', () => {
    const { causationId: _, ...withoutCausation } = good.value;
    for (const json of [
      JSON.stringify(withoutCausation),
      JSON.stringify({ ...good.value, causationId: undefined, extra: 1 }),
    ]) {
      const r = decodeEvent(galileoCatalogue, json);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value).toEqual(good.value);
    }
  });
});

describe('versions', () => {
  const v2 = defineCatalogue({
    Ping: {
      version: 2,
      description: 'test',
      schema: z.object({ seq: z.number(), from: z.string() }),
      upcast: { 1: (d: unknown) => ({ ...(d as object), from: 'unknown' }) },
    },
  });
  it('upcasts an older payload to the current version', () => {
    const old = {
      id: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      subject: 'a.b',
      type: 'Ping',
      version: 1,
      time: 't',
      source: 's',
      data: { seq: 1 },
    };
    const r = validateEvent(v2, old);
    expect(r).toMatchObject({ ok: true, value: { version: 2, data: { seq: 1, from: 'unknown' } } });
  });
  it('rejects a catalogue entry with a bad version', () => {
    expect(() => defineCatalogue({ X: { version: 0, description: '', schema: z.object({}) } })).toThrow(
      /version/,
    );
  });
});
