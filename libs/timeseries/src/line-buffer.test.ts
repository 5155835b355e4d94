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
});
