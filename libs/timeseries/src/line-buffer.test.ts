import { describe, expect, it } from 'vitest';
import {
  appendEventLine,
  appendTelemetryLine,
  appendTraceLine,
  eventLine,
  telemetryLine,
  traceLine,
  type TracePoint,
} from './galileo-points.js';
import { LineBuffer } from './line-buffer.js';

const odd = [
  '',
  'plain',
  'a b,c=d',
  'q"uo\\te',
  'line\nbreak\r\n',
  'ünïcødé ✓',
  'emoji 😀 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  'end \ud83d',
];

describe('LineBuffer', () => {
  it('writes exactly the UTF-8 of the string lines, escapes and odd text included', () => {
    const out = new LineBuffer(16); // grows many times
    const lines: string[] = [];
    let i = 0;
    for (const a of odd)
      for (const b of odd) {
        const t: TracePoint = {
          requestId: `r${i}${a || 'x'}`,
          client: a,
          service: b || 'svc',
          created: 1603020000.1234567 + i,
          sent: i % 3 === 0 ? 0 : 1603020000.2 + i,
          done: 1603020000.3 + i,
          status: i % 4 === 0 ? null : 200,
          server: i % 5 === 0 ? null : b,
          experimentId: i % 7 === 0 ? null : `e${a}`,
          headers: i % 6 === 0 ? null : `{"h": "${a}"}`,
          response: i % 8 === 0 ? null : b,
        };
        appendTraceLine(out, t);
        lines.push(traceLine(t));
        const r = {
          experimentId: `e${a}`,
          node: b || 'n',
          metric: a || 'cpu',
          subsystem: i % 2 ? null : a,
          timestamp: 1603020000.5 + i / 7,
          value: i % 3 ? i * 1.5 : Number.NaN,
        };
        expect(appendTelemetryLine(out, r)).toBe(true);
        lines.push(telemetryLine(r));
        const e = {
          experimentId: `e${b}`,
          timestamp: 1603020000.25 + i,
          name: 'n',
          value: a,
          eventId: `id${i}`,
        };
        appendEventLine(out, e);
        lines.push(eventLine(e));
        i++;
      }
    expect(out.count).toBe(lines.length);
    expect(out.bytes().equals(Buffer.from(lines.join('\n'), 'utf8'))).toBe(true);
  });

  it('refuses a reading without a finite timestamp and writes nothing for it', () => {
    const out = new LineBuffer();
    const ok = appendTelemetryLine(out, {
      experimentId: 'e',
      node: 'n',
      metric: 'm',
      subsystem: null,
      timestamp: Number.POSITIVE_INFINITY,
      value: 1,
    });
    expect(ok).toBe(false);
    expect(out.count).toBe(0);
    expect(out.length).toBe(0);
  });

  it('writes every number as String(n) does, and the store reads it back as the same number', () => {
    const edge = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.5,
      1.5,
      1 / 3,
      2 / 3,
      1e-7,
      1e21,
      1e300,
      Number.MIN_VALUE,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 53 - 0.5,
      2 ** 52 + 0.5,
      2 ** 31 - 0.25,
      2 ** 31 + 0.25,
      2 ** 32 - 0.5,
      2 ** 30 + 2 ** -22,
      2 ** 31 - 2 ** -22,
      1603020000.1234567,
      1603020001 - 2 ** -22, // the closest below and above a whole second
      1603020000 + 2 ** -22,
      1796304390.865,
      999999999.9999999,
      4102444800.000001,
      1 + 2 ** -52,
      2 - 2 ** -52,
      123.456,
      -1603020000.5,
      200,
      -1,
    ];
    // seeded, so a failure is repeatable
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const values = [...edge];
    const now = 1_796_300_000;
    for (let i = 0; i < 20_000; i++) {
      const t = now + random() * 1e6;
      values.push(
        t, // epoch seconds of any precision
        Math.round(t * 1e3) / 1e3, // to the millisecond
        Math.round(t * 1e6) / 1e6, // to the microsecond
        now + i * 0.0005, // sums, as the bench's traces
        t + 0.004 - t, // a response time
        2 ** 30 + Math.floor(random() * 2 ** 22) / 2 ** 22, // every fraction bit of a timestamp
        random() * 1000,
        -random() * 1e9,
        Math.floor(random() * 2 ** 53),
        random(),
      );
    }
    const out = new LineBuffer(16);
    const written: string[] = [];
    for (const v of values) {
      const from = out.length;
      out.number(v);
      written.push(out.bytes().subarray(from).toString('latin1'));
    }
    const differing = values.filter((v, i) => written[i] !== String(v));
    expect(differing).toEqual([]);
    const misread = values.filter((v, i) => !Object.is(Number(written[i]), v === 0 ? 0 : v));
    expect(misread).toEqual([]);
  });

  it('starts a new body after clear, in the memory it grew to', () => {
    const out = new LineBuffer(8);
    out.beginLine();
    out.ascii('first body, longer than the buffer was');
    out.clear();
    expect(out.length).toBe(0);
    expect(out.count).toBe(0);
    out.beginLine(); // no line break before the first point of the new body
    out.ascii('second');
    expect(out.bytes().toString('latin1')).toBe('second');
    expect(out.count).toBe(1);
  });

  it('writes integers zero-padded to a width', () => {
    const out = new LineBuffer(4);
    out.integer(7, 3);
    out.ascii(' ');
    out.integer(123, 3);
    out.ascii(' ');
    out.integer(0);
    out.ascii(' ');
    out.integer(Number.MAX_SAFE_INTEGER);
    out.ascii(' ');
    out.integer(2 ** 40 + 5, 16);
    expect(out.bytes().toString('latin1')).toBe(`007 123 0 ${Number.MAX_SAFE_INTEGER} 0001099511627781`);
  });
});
