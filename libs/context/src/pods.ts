import { labels, normalizeFunctionName, podStatuses, type PodStatus } from './labels.js';

export interface PodContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly port: number;
  readonly resourceRequests: Readonly<Record<string, string>>;
  readonly resourceLimits: Readonly<Record<string, string>>;
}

/**
 * A pod as telemd-kubernetes-adapter publishes it on `galileo/events` (`pod/<event> <json>`,
 * reference §3.x), with the derived fields galileo-context computes.
 */
export interface PodInfo {
  readonly podUid: string;
  readonly name: string;
  readonly namespace: string;
  readonly qosClass: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: PodStatus;
  readonly startTime: string | null;
  readonly podIP: string;
  readonly nodeName: string;
  readonly hostIP: string;
  readonly containers: Readonly<Record<string, PodContainer>>;
  /** The first container's id without `containerd://` (telemetry subsystem key). */
  readonly containerId: string | null;
  /** The first container's port (-1 when it has none). */
  readonly port: number;
  /** `podIP:port`: the address the balancer forwards to. */
  readonly url: string;
  /** `ether.edgerun.io/function`, `-` → `_`. */
  readonly function?: string;
  /** `type`, else `ether.edgerun.io/type` (e.g. `api-gateway`, `fn`). */
  readonly type?: string;
  /** The pod's own zone label, when it carries one (the node's zone wins in the context). */
  readonly zoneLabel?: string;
  /** CPU request in millicores (default 100m, the scheduler's default). */
  readonly cpuRequestMillis: number;
  /** Memory request in bytes (default 200Mi). */
  readonly memoryRequestBytes: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

function stringRecord(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') out[k] = unquote(x);
    else if (typeof x === 'number') out[k] = String(x);
  }
  return out;
}

/** The adapter JSON-quotes quantities (`"\"500m\""`); galileo-context strips the quotes. */
function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  m: 1e-3,
};

/** Kubernetes quantity → number (`500m` → 0.5, `1Gi` → 1073741824, `2` → 2); undefined if unreadable. */
export function parseQuantity(quantity: string): number | undefined {
  const m = /^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?\s*$/.exec(
    quantity,
  );
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2];
  if (!unit) return n;
  return n * (BINARY[unit] ?? DECIMAL[unit]!);
}

/** CPU quantity → millicores (`"1"` → 1000, `"250m"` → 250). */
export function cpuMillis(quantity: string | undefined, fallback: number): number {
  if (quantity === undefined) return fallback;
  const v = parseQuantity(quantity);
  return v === undefined ? fallback : Math.round(v * 1000);
}

/** Parses the adapter's pod JSON; a value without a name is an error value. */
export function parsePod(value: unknown): ParseResult<PodInfo> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `expected a pod object, got ${JSON.stringify(value)?.slice(0, 80)}` };
  }
  const raw = value as Record<string, unknown>;
  const name = str(raw.name);
  if (name === '') return { ok: false, error: 'expected a pod with a non-empty "name"' };
  const podLabels = stringRecord(raw.labels);
  const containers: Record<string, PodContainer> = {};
  const rawContainers = raw.containers;
  if (rawContainers && typeof rawContainers === 'object' && !Array.isArray(rawContainers)) {
    for (const [key, c] of Object.entries(rawContainers as Record<string, unknown>)) {
      if (!c || typeof c !== 'object') continue;
      const rc = c as Record<string, unknown>;
      containers[key] = {
        id: str(rc.id)
          .replace(/^containerd:\/\//, '')
          .replace(/^docker:\/\//, ''),
        name: str(rc.name, key),
        image: str(rc.image),
        port: typeof rc.port === 'number' ? rc.port : Number(rc.port ?? -1) || -1,
        resourceRequests: stringRecord(rc.resource_requests ?? rc.resourceRequests),
        resourceLimits: stringRecord(rc.resource_limits ?? rc.resourceLimits),
      };
    }
  }
  const first = Object.values(containers)[0];
  const status = podStatuses.includes(raw.status as PodStatus) ? (raw.status as PodStatus) : 'Unknown';
  const podIP = str(raw.podIP);
  const port = first?.port ?? -1;
  const fn = podLabels[labels.function];
  const type = podLabels[labels.type] ?? podLabels[labels.etherType];
  const zoneLabel = podLabels[labels.zone];
  const memory = first?.resourceRequests.memory;
  return {
    ok: true,
    value: {
      podUid: str(raw.podUid, name),
      name,
      namespace: str(raw.namespace, 'default'),
      qosClass: str(raw.qosClass),
      labels: podLabels,
      status,
      startTime: typeof raw.startTime === 'string' ? raw.startTime : null,
      podIP,
      nodeName: str(raw.nodeName),
      hostIP: str(raw.hostIP),
      containers,
      containerId: first && first.id !== '' ? first.id : null,
      port,
      url: port > 0 ? `${podIP}:${port}` : podIP,
      ...(fn !== undefined && fn !== '' && { function: normalizeFunctionName(fn) }),
      ...(type !== undefined && type !== '' && { type }),
      ...(zoneLabel !== undefined && zoneLabel !== '' && { zoneLabel }),
      cpuRequestMillis: cpuMillis(first?.resourceRequests.cpu, 100),
      memoryRequestBytes: (memory !== undefined ? parseQuantity(memory) : undefined) ?? 200 * 2 ** 20,
    },
  };
}

/** A pod whose status changed (galileo-context's `Not Running` for shutdown/delete). */
export function withStatus(pod: PodInfo, status: PodStatus): PodInfo {
  return { ...pod, status };
}
