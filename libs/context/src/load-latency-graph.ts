import { readFile } from 'node:fs/promises';
import { createLatencyGraph, parseLatencyGraphJson, type LatencyGraph } from './latency-graph.js';
import type { ParseResult } from './pods.js';

/** Reads a latency graph file (`galileo_context_latency_graph_json`). */
export async function loadLatencyGraph(
  path: string,
  options: { maxLatency?: number } = {},
): Promise<ParseResult<LatencyGraph>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { ok: false, error: `latency graph ${path}: cannot read (${(e as Error).message})` };
  }
  const parsed = parseLatencyGraphJson(text);
  if (!parsed.ok) return { ok: false, error: `${path}: ${parsed.error}` };
  return { ok: true, value: createLatencyGraph(parsed.value, options) };
}
