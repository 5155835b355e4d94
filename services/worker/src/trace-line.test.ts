import type { RequestTrace } from '@galileo/events';
import { describe, expect, it } from 'vitest';
import { formatTraceLine, parseTraceLine } from './trace-line.js';

const trace: RequestTrace = {
  request_id: 'a1b2c3d4e5:17',
  client: 'w1:squeezenet:0',
  service: 'squeezenet',
  created: 1603020000.1234567,
  sent: 1603020000.1235,
  done: 1603020000.2,
  status: 200,
  server: 'host1:8080',
  exp_id: null,
  headers: '{"Content-Type": "application/json", "Content-Length": "12"}',
  response: '{"ok": true}',
};

describe('galileo trace lines (protocols §5.3)', () => {
  it('formats the example of the reference byte for byte', () => {
    // 1603020000.1235 is 1603020000.12350010… as a double: Python's '%.7f' prints …1235001 too.
    expect(formatTraceLine(trace)).toBe(
      'a1b2c3d4e5:17,w1:squeezenet:0,squeezenet,1603020000.1234567,1603020000.1235001,1603020000.2000000,200,host1:8080,None,{"Content-Type": "application/json"| "Content-Length": "12"},{"ok": true}',
    );
  });

  it('round-trips every field: commas in headers, commas and newlines in the response, nulls', () => {
    const cases: RequestTrace[] = [
      trace,
      { ...trace, exp_id: '202401011200-ab12', response: 'line 1\nline 2, with a comma\n' },
      {
        ...trace,
        status: -1,
        sent: -1,
        server: null,
        headers: null,
        response: "No routing record found for service 'x'",
      },
      { ...trace, response: '' },
    ];
    for (const t of cases) {
      const parsed = parseTraceLine(formatTraceLine(t));
      expect(parsed).toEqual({
        ok: true,
        value: {
          ...t,
          created: expect.closeTo(t.created, 6),
          sent: expect.closeTo(t.sent, 6),
          done: expect.closeTo(t.done, 6),
        },
      });
    }
  });

  it('keeps 7 decimals like %.7f and writes status as an integer', () => {
    const line = formatTraceLine({ ...trace, created: 1.5, sent: -1, status: 404 });
    expect(line.split(',').slice(3, 7)).toEqual(['1.5000000', '-1.0000000', '1603020000.2000000', '404']);
  });

  it('answers a malformed line with a reason', () => {
    expect(parseTraceLine('a,b,c')).toMatchObject({ ok: false, error: expect.stringContaining('11') });
    const badNumber = formatTraceLine(trace).replace('1603020000.1234567', 'yesterday');
    expect(parseTraceLine(badNumber)).toMatchObject({ ok: false, error: expect.stringContaining('created') });
  });
});
