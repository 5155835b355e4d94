/** Forwarding headers set by the load balancer (reference §1) and the function pods' X-Start/X-End. */
export const forwardingHeaders = {
  forwardedFor: 'x-forwarded-for',
  /** `X-Forwarded-Host-<node>`: when that balancer node forwarded the request (unix s). */
  forwardedHostPrefix: 'x-forwarded-host-',
  finalHost: 'x-final-host',
  start: 'x-start',
  end: 'x-end',
} as const;

/** A trace's headers JSON, with lower-cased names; null/invalid → empty. */
export function parseTraceHeaders(json: string | null | undefined): Record<string, string> {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
    else if (typeof v === 'number') out[k.toLowerCase()] = String(v);
  }
  return out;
}

const list = (v: string | undefined): string[] =>
  v === undefined
    ? []
    : v
        .split(/[,|]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');

/** The last `X-Final-Host` entry (`host:port`): the replica that served the request. */
export function finalHost(headers: Readonly<Record<string, string>>): string | undefined {
  return list(headers[forwardingHeaders.finalHost]).at(-1);
}

/** The balancer nodes a request passed, in order (`X-Forwarded-For`). */
export function forwardedFor(headers: Readonly<Record<string, string>>): string[] {
  return list(headers[forwardingHeaders.forwardedFor]);
}

/** `X-Forwarded-Host-<node>` of one balancer node (case-insensitive), in unix seconds. */
export function forwardedAt(headers: Readonly<Record<string, string>>, node: string): number | undefined {
  const raw = headers[forwardingHeaders.forwardedHostPrefix + node.toLowerCase()];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export function headerSeconds(headers: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** The host part of `host:port` (`[v6]:port` too). */
export function hostOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const colon = hostPort.lastIndexOf(':');
  return colon > 0 && hostPort.indexOf(':') === colon ? hostPort.slice(0, colon) : hostPort;
}

export interface Hop {
  readonly from: string;
  readonly to: string;
  /** Round trip ≈ 2 × one-way, in ms (reference §3: 2·1000·(t_to − t_from)). */
  readonly ms: number;
}

/**
 * The hops of one request (reference §3): client node at `sent`, each balancer node of
 * `X-Forwarded-For` at its `X-Forwarded-Host-<node>`, the serving node at `X-Start`. A node
 * whose timestamp is missing is skipped; a non-positive difference gives no hop.
 */
export function requestHops(
  clientNode: string | undefined,
  sent: number,
  headers: Readonly<Record<string, string>>,
  servingNode: string | undefined,
): Hop[] {
  const stations: { node: string; ts: number }[] = [];
  if (clientNode) stations.push({ node: clientNode, ts: sent });
  for (const node of forwardedFor(headers)) {
    const ts = forwardedAt(headers, node);
    if (ts !== undefined) stations.push({ node, ts });
  }
  const start = headerSeconds(headers, forwardingHeaders.start);
  if (servingNode && start !== undefined) stations.push({ node: servingNode, ts: start });
  const hops: Hop[] = [];
  for (let i = 1; i < stations.length; i++) {
    const a = stations[i - 1]!;
    const b = stations[i]!;
    const ms = 2 * 1000 * (b.ts - a.ts);
    if (a.node !== b.node && ms > 0) hops.push({ from: a.node, to: b.node, ms });
  }
  return hops;
}
