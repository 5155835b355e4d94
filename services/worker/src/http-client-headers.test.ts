import { describe, expect, it } from 'vitest';
import { HeadersJson } from './http-client.js';

describe('response headers as JSON', () => {
  it('joins repeated headers, skips absent ones, and reuses the JSON while the headers repeat', () => {
    const headers = new HeadersJson();
    const first = headers.json({ server: 'nginx', 'x-multi': ['a', 'b'], gone: undefined });
    expect(JSON.parse(first)).toEqual({ server: 'nginx', 'x-multi': 'a, b' });
    // equal headers (fresh strings and arrays, as every response brings): the same JSON
    expect(headers.json({ server: 'nginx', 'x-multi': ['a', 'b'] })).toBe(first);
  });

  it('builds new JSON when a value, a name, the order or the number of headers changed', () => {
    const headers = new HeadersJson();
    headers.json({ date: 'Thu, 03 Dec 2026 09:00:00 GMT', server: 'nginx' });
    const cases: Record<string, string>[] = [
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT', server: 'nginx' },
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT' },
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT', server: 'nginx', 'content-length': '2' },
      { server: 'nginx', date: 'Thu, 03 Dec 2026 09:00:01 GMT' },
      { date: 'Thu, 03 Dec 2026 09:00:01 GMT', via: 'nginx' },
      {},
    ];
    for (const next of cases) expect(JSON.parse(headers.json(next))).toEqual(next);
  });
});
