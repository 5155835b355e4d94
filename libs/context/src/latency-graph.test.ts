import { describe, expect, it } from 'vitest';
import { createLatencyGraph, parseLatencyGraphJson } from './latency-graph.js';

describe('latency graph', () => {
  it('looks up symmetrically, 0 to itself, undefined for an unknown pair', () => {
    const g = createLatencyGraph({ a: { b: 10 }, c: { a: 30 } });
    expect(g.latency('a', 'b')).toBe(10);
    expect(g.latency('b', 'a')).toBe(10);
    expect(g.latency('a', 'c')).toBe(30);
    expect(g.latency('a', 'a')).toBe(0);
    expect(g.latency('b', 'c')).toBeUndefined();
    expect(g.maxLatency).toBe(30);
    expect(g.minLatency).toBe(10);
  });

  it('raises max latency to the largest entry but keeps a larger configured one', () => {
    expect(createLatencyGraph({ a: { b: 10 } }, { maxLatency: 5 }).maxLatency).toBe(10);
    expect(createLatencyGraph({ a: { b: 10 } }, { maxLatency: 50 }).maxLatency).toBe(50);
  });

  it('smooths updates with α = 0.5 in both directions and adds missing pairs', () => {
    const g = createLatencyGraph({ a: { b: 10, c: 0 } });
    g.update('b', 'a', 20);
    expect(g.latency('a', 'b')).toBe(15);
    expect(g.toJSON().b!.a).toBe(15);
    g.update('a', 'c', 8); // stored 0 → the value itself
    expect(g.latency('c', 'a')).toBe(8);
    g.update('x', 'y', 4);
    expect(g.latency('y', 'x')).toBe(4);
    expect(g.minLatency).toBe(4);
    expect(g.maxLatency).toBe(15);
  });

  it('parses the JSON file format and rejects bad entries with a reason', () => {
    expect(parseLatencyGraphJson('{"a": {"b": 1.5}}')).toEqual({ ok: true, value: { a: { b: 1.5 } } });
    const bad = parseLatencyGraphJson('{"a": {"b": "fast"}}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/"a" → "b" must be a number/);
    expect(parseLatencyGraphJson('[').ok).toBe(false);
  });
});
