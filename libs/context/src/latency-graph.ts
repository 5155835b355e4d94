import type { ParseResult } from './pods.js';

/** `{ "<from>": { "<to>": <ms> } }`: the latency graph file of galileo-context (reference §3). */
export type LatencyGraphJson = Record<string, Record<string, number>>;

/**
 * Node-to-node latencies in milliseconds. Lookup is symmetric ((a, b), then (b, a)); a node's
 * latency to itself is 0; an unknown pair is `undefined` (the original raised). Online updates
 * smooth with α = 0.5 (`new = v` when the stored value is 0, else `(old + v) / 2`) in both
 * directions, and — unlike the original, which raised a KeyError — add a pair that is missing.
 */
export interface LatencyGraph {
  latency(from: string, to: string): number | undefined;
  update(from: string, to: string, ms: number): void;
  /** Largest entry, or the configured initial maximum if larger. */
  readonly maxLatency: number;
  readonly minLatency: number;
  nodes(): string[];
  toJSON(): LatencyGraphJson;
}

export function parseLatencyGraphJson(text: string): ParseResult<LatencyGraphJson> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `latency graph: not JSON (${(e as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, error: 'latency graph: expected an object {"<from>": {"<to>": <ms>}}' };
  }
  const out: LatencyGraphJson = {};
  for (const [from, row] of Object.entries(parsed as Record<string, unknown>)) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      return {
        ok: false,
        error: `latency graph: entry ${JSON.stringify(from)} must be an object {"<to>": <ms>}`,
      };
    }
    out[from] = {};
    for (const [to, ms] of Object.entries(row as Record<string, unknown>)) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        return {
          ok: false,
          error: `latency graph: ${JSON.stringify(from)} → ${JSON.stringify(to)} must be a number of ms ≥ 0, got ${JSON.stringify(ms)}`,
        };
      }
      out[from][to] = ms;
    }
  }
  return { ok: true, value: out };
}

export function createLatencyGraph(
  initial: LatencyGraphJson = {},
  options: { maxLatency?: number } = {},
): LatencyGraph {
  const graph = new Map<string, Map<string, number>>();
  const set = (a: string, b: string, ms: number) => {
    let row = graph.get(a);
    if (!row) graph.set(a, (row = new Map()));
    row.set(b, ms);
  };
  for (const [from, row] of Object.entries(initial))
    for (const [to, ms] of Object.entries(row)) set(from, to, ms);
  const initialMax = options.maxLatency ?? 0;
  let max = initialMax;
  let min = Number.POSITIVE_INFINITY;
  const recompute = () => {
    max = initialMax;
    min = Number.POSITIVE_INFINITY;
    for (const row of graph.values())
      for (const ms of row.values()) {
        if (ms > max) max = ms;
        if (ms < min) min = ms;
      }
    if (min === Number.POSITIVE_INFINITY) min = 0;
  };
  recompute();

  const lookup = (a: string, b: string): number | undefined => graph.get(a)?.get(b) ?? graph.get(b)?.get(a);

  return {
    latency(from, to) {
      if (from === to) return 0;
      return lookup(from, to);
    },
    update(from, to, ms) {
      if (from === to || !Number.isFinite(ms) || ms < 0) return;
      const current = lookup(from, to);
      const next = current === undefined || current === 0 ? ms : (current + ms) / 2;
      set(from, to, next);
      set(to, from, next);
      if (current !== undefined && (current === max || current === min) && next !== current) recompute();
      else {
        if (next > max) max = next;
        if (next < min) min = next;
      }
    },
    get maxLatency() {
      return max;
    },
    get minLatency() {
      return min;
    },
    nodes() {
      const names = new Set<string>();
      for (const [a, row] of graph) {
        names.add(a);
        for (const b of row.keys()) names.add(b);
      }
      return [...names].sort();
    },
    toJSON() {
      const out: LatencyGraphJson = {};
      for (const [a, row] of graph) out[a] = Object.fromEntries(row);
      return out;
    },
  };
}
