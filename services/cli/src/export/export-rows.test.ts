import { describe, expect, it } from 'vitest';
import { csvField, csvLine, jsonLine, TRACE_COLUMNS, traceRow } from './export-rows.js';

describe('export rows', () => {
  it('quote CSV fields as RFC 4180 and leave nulls empty', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(1.25)).toBe('1.25');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    const row = traceRow({
      requestId: 'r:1',
      client: 'c',
      service: 's',
      created: 1.5,
      sent: 1.6,
      done: 1.7,
      status: 200,
      server: null,
      experimentId: 'e',
      headers: '{"a": 1}',
      response: null,
    });
    expect(csvLine(TRACE_COLUMNS, row)).toBe('r:1,c,s,1.5,1.6,1.7,200,,e,"{""a"": 1}",\n');
    expect(JSON.parse(jsonLine(TRACE_COLUMNS, row))).toMatchObject({
      request_id: 'r:1',
      server: null,
      headers: '{"a": 1}',
    });
  });
});
