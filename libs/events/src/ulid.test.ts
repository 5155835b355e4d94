import { describe, expect, it } from 'vitest';
import { monotonicUlid, ULID_PATTERN, ulidTime } from './ulid.js';

describe('monotonicUlid', () => {
  it('makes valid ULIDs that carry their time', () => {
    const next = monotonicUlid(() => 1_700_000_000_123);
    const id = next();
    expect(id).toMatch(ULID_PATTERN);
    expect(ulidTime(id)).toBe(1_700_000_000_123);
  });

  it('sorts in creation order within one millisecond and across milliseconds', () => {
    let now = 1_700_000_000_000;
    const next = monotonicUlid(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 1000 === 0) now += 1;
      ids.push(next());
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stays monotonic when the clock steps back', () => {
    let now = 2_000;
    const next = monotonicUlid(() => now);
    const a = next();
    now = 1_000;
    const b = next();
    expect(b > a).toBe(true);
  });
});
