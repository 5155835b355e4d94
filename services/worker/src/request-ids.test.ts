import { describe, expect, it } from 'vitest';
import { createRequestIds } from './request-ids.js';

describe('request ids', () => {
  it('are galileo-shaped: 10 hex digits, a colon, the counter', () => {
    const next = createRequestIds();
    expect(next(1)).toMatch(/^[0-9a-f]{10}:1$/);
    expect(next(12345)).toMatch(/^[0-9a-f]{10}:12345$/);
  });

  it('draw fresh random digits for every id, across pool refills', () => {
    const next = createRequestIds();
    const prefixes = Array.from({ length: 5_000 }, (_, i) => next(i + 1).split(':')[0]!);
    // 5,000 draws of 40 random bits: a collision is a ~1e-5 event
    expect(new Set(prefixes).size).toBe(prefixes.length);
    // every hex digit shows up at every position (uniform bytes, high and low nibbles)
    for (let position = 0; position < 10; position++) {
      expect(new Set(prefixes.map((p) => p[position])).size).toBe(16);
    }
  });
});
