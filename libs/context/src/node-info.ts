import { labels } from './labels.js';

/** A node as telemd (+ the kubernetes adapter) describes it in the hash `telemd.info:<node>` (reference §3.x). */
export interface NodeInfo {
  readonly node: string;
  readonly arch?: string;
  readonly cpus?: number;
  /** Bytes or whatever telemd wrote (kB on Linux); kept as a number when numeric. */
  readonly ram?: number;
  readonly boot?: number;
  readonly hostname?: string;
  readonly disk: readonly string[];
  readonly net: readonly string[];
  readonly netspeed?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Kubernetes allocatable resources; a bare cpu count `'1'` becomes `'1000m'` as galileo-context does. */
  readonly allocatable: Readonly<Record<string, string>>;
  /** `labels['ether.edgerun.io/zone']`. */
  readonly zone?: string;
}

export const NODE_INFO_KEY_PREFIX = 'telemd.info:';

const numeric = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

function jsonStringRecord(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      out[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return out;
  } catch {
    return {};
  }
}

/** Reads one `telemd.info:<node>` hash; unparseable fields are left out, never thrown. */
export function parseNodeInfo(node: string, hash: Readonly<Record<string, string>>): NodeInfo {
  const nodeLabels = jsonStringRecord(hash.labels);
  const allocatable = jsonStringRecord(hash.allocatable);
  if (allocatable.cpu !== undefined && /^\d+$/.test(allocatable.cpu)) {
    allocatable.cpu = `${Number(allocatable.cpu) * 1000}m`;
  }
  const split = (v: string | undefined) => (v ? v.split(' ').filter((s) => s !== '') : []);
  const zone = nodeLabels[labels.zone];
  const info: NodeInfo = {
    node,
    disk: split(hash.disk),
    net: split(hash.net),
    labels: nodeLabels,
    allocatable,
    ...(hash.arch !== undefined && { arch: hash.arch }),
    ...(numeric(hash.cpus) !== undefined && { cpus: numeric(hash.cpus)! }),
    ...(numeric(hash.ram) !== undefined && { ram: numeric(hash.ram)! }),
    ...(numeric(hash.boot) !== undefined && { boot: numeric(hash.boot)! }),
    ...(hash.hostname !== undefined && { hostname: hash.hostname }),
    ...(hash.netspeed !== undefined && { netspeed: hash.netspeed }),
    ...(zone !== undefined && zone !== '' && { zone }),
  };
  return info;
}
