import { describe, expect, it } from 'vitest';
import { SlidingWindow, WindowMap } from './sliding-window.js';

describe('SlidingWindow', () => {
  it('evicts points older than now − window on append', () => {
    const w = new SlidingWindow(10);
    w.append(100, 1, 100);
    w.append(105, 2, 105);
    w.append(111, 3, 111); // 100 < 111 − 10 → evicted
    expect(w.read(111).map((p) => p.value)).toEqual([2, 3]);
  });

  it('evicts on read without any write', () => {
    const w = new SlidingWindow(10);
    w.append(100, 1, 100);
    w.append(108, 2, 108);
    expect(w.size(109)).toBe(2);
    expect(w.read(115).map((p) => p.value)).toEqual([2]);
    expect(w.read(119).map((p) => p.value)).toEqual([]);
    expect(w.latest(119)).toBeUndefined();
  });

  it('keeps the point exactly at the window edge (ts ≥ now − window)', () => {
    const w = new SlidingWindow(10);
    w.append(100, 1, 100);
    expect(w.read(110).length).toBe(1);
    expect(w.read(110.001).length).toBe(0);
  });

  it('stays sorted with an out-of-order point and answers since()', () => {
    const w = new SlidingWindow(60);
    for (const ts of [1, 2, 4, 5]) w.append(ts, ts, 5);
    w.append(3, 3, 5);
    expect(w.read(5).map((p) => p.ts)).toEqual([1, 2, 3, 4, 5]);
    expect(w.since(3, 5).map((p) => p.ts)).toEqual([3, 4, 5]);
  });

  it('does not grow without bound under a steady stream', () => {
    const w = new SlidingWindow(1);
    for (let i = 0; i < 100_000; i++) w.append(i / 100, i, i / 100);
    expect(w.size(999.99)).toBe(101);
  });

  it('rejects a non-positive size', () => {
    expect(() => new SlidingWindow(0)).toThrow(/positive/);
  });
});

describe('WindowMap', () => {
  it('keeps one window per key and drops emptied keys on read', () => {
    const m = new WindowMap(5);
    m.append('a', 1, 1, 1);
    m.append('b', 4, 4, 4);
    expect(m.read('a', 4).length).toBe(1);
    expect(m.read('a', 7)).toEqual([]);
    expect(m.keys()).toEqual(['b']);
  });
});
