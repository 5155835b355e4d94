import { describe, expect, it } from 'vitest';
import { HeadersJson } from './headers-json.js';

describe('response headers as JSON', () => {
  it('joins repeated headers and reuses the JSON while the headers repeat', () => {
    const headers = new HeadersJson();
    const first = headers.json(['server', 'nginx', 'x-multi', 'a', 'x-multi', 'b']);
    expect(JSON.parse(first)).toEqual({ server: 'nginx', 'x-multi': 'a, b' });
    // equal headers (a fresh array, as every response brings): the same JSON
    expect(headers.json(['server', 'nginx', 'x-multi', 'a', 'x-multi', 'b'])).toBe(first);
  });

  it('builds new JSON when a value, a name, the order or the number of headers changed', () => {
    const headers = new HeadersJson();
    headers.json(['date', 'Thu, 03 Dec 2026 09:00:00 GMT', 'server', 'nginx']);
    const cases: Record<string, string>[] = [
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT', server: 'nginx' },
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT' },
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT', server: 'nginx', 'content-length': '2' },
      { server: 'nginx', date: 'Thu, 03 Dec 2026 09:00:01 GMT' },
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT', via: 'nginx' },
      {},
    ];
    for (const next of cases) expect(JSON.parse(headers.json(Object.entries(next).flat()))).toEqual(next);
  });

  it('keeps the order of first appearance, and a header named like an Object property', () => {
    const json = new HeadersJson().json(['b', '1', 'constructor', 'x', 'a', '2', 'b', '3']);
    expect(json).toBe('{"b":"1, 3","constructor":"x","a":"2"}');
  });
});
