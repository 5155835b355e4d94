import { Etcd3, type IKeyValue, type IOptions, type Watcher } from 'etcd3';
import {
  DEFAULT_WEIGHT_PREFIX,
  formatFunctionWeights,
  parseFunctionWeights,
  parseWeightKey,
  weightKey,
  weightsProblem,
  zonePrefix,
  type FunctionWeights,
  type WeightEntry,
} from './function-weights.js';
import {
  InvalidWeightsError,
  type WeightChange,
  type WeightStore,
  type WeightWatch,
  type ZoneListing,
} from './weight-store.js';

export interface EtcdWeightStoreOptions {
  /** `host:port` or `http(s)://host:port`, one or several (`eb_go_lb_etcd_host`, `osmotic_lb_opt_etcd_host:port`). */
  hosts: string | readonly string[];
  /** Key prefix (default `golb/function/`); tests use a unique one. */
  prefix?: string;
  /** Use this client instead of creating one (it is not closed by `close`). */
  client?: Etcd3;
  /** Deadline of single calls (get, put, list), default 3 s. */
  callTimeoutMs?: number;
  /** Longest wait between reconnect attempts of a watch (default 1 s). */
  maxReconnectDelayMs?: number;
}

const withScheme = (host: string) => (/^https?:\/\//.test(host) ? host : `http://${host}`);

/** A cockatiel-compatible backoff: 50 ms doubling up to `max` (etcd3's default waits up to 30 s). */
function cappedBackoff(
  maxMs: number,
  delay = 50,
): { duration: number; next(): ReturnType<typeof cappedBackoff> } {
  return { duration: delay, next: () => cappedBackoff(maxMs, Math.min(maxMs, delay * 2)) };
}

/**
 * Weights in etcd (the go-load-balancer's store). A watch reads the zone prefix (trailing slash),
 * then watches from the next revision; after a disconnect it re-reads the zone so nothing written
 * meanwhile is missed, and every key applies only revisions newer than the one it has, so a late
 * snapshot never overwrites a newer event.
 */
export function createEtcdWeightStore(options: EtcdWeightStoreOptions): WeightStore {
  const prefix = options.prefix ?? DEFAULT_WEIGHT_PREFIX;
  const maxDelay = options.maxReconnectDelayMs ?? 1000;
  const callTimeout = options.callTimeoutMs ?? 3000;
  const hosts = (typeof options.hosts === 'string' ? [options.hosts] : [...options.hosts]).map(withScheme);
  const etcdOptions: IOptions = {
    hosts,
    dialTimeout: callTimeout,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callTimeout }),
    faultHandling: { watchBackoff: cappedBackoff(maxDelay) },
  };
  const client = options.client ?? new Etcd3(etcdOptions);
  const watches = new Set<WeightWatch>();

  const listZone = async (
    zone: string,
  ): Promise<{ listing: ZoneListing; revision: bigint; kvs: IKeyValue[] }> => {
    const response = await client.getAll().prefix(zonePrefix(prefix, zone)).exec();
    const entries: WeightEntry[] = [];
    const invalid: { key: string; error: string }[] = [];
    for (const kv of response.kvs) {
      const decoded = decode(prefix, kv);
      if (decoded.type === 'put') entries.push(decoded.entry);
      else if (decoded.type === 'invalid') invalid.push({ key: decoded.key, error: decoded.error });
    }
    return { listing: { entries, invalid }, revision: BigInt(response.header.revision), kvs: response.kvs };
  };

  return {
    kind: 'etcd',
    async get(zone, fn) {
      const raw = await client.get(weightKey(prefix, zone, fn)).string();
      if (raw === null) return undefined;
      const parsed = parseFunctionWeights(raw);
      return parsed.ok ? parsed.value : undefined;
    },
    async list(zone) {
      return (await listZone(zone)).listing;
    },
    async put(zone, fn, weights) {
      const problem = weightsProblem(weights);
      if (problem) throw new InvalidWeightsError(zone, fn, problem);
      await client
        .put(weightKey(prefix, zone, fn))
        .value(formatFunctionWeights(weights))
        .exec();
    },
    watch(zone, listener) {
      let closed = false;
      let watcher: Watcher | undefined;
      let connected: boolean | undefined;
      const applied = new Map<string, bigint>(); // key → mod_revision applied
      let resolveReady!: () => void;
      const ready = new Promise<void>((r) => (resolveReady = r));
      const status = (up: boolean, detail?: string) => {
        if (connected === up) return;
        connected = up;
        listener({ type: 'status', connected: up, ...(detail !== undefined && { detail }) });
      };
      const fresh = (kv: IKeyValue) => {
        const key = kv.key.toString();
        const revision = BigInt(kv.mod_revision);
        const seen = applied.get(key);
        if (seen !== undefined && seen >= revision) return false;
        applied.set(key, revision);
        return true;
      };
      const onKv = (kv: IKeyValue, type: 'put' | 'delete') => {
        if (closed || !fresh(kv)) return;
        const decoded = type === 'put' ? decode(prefix, kv) : decodeDelete(prefix, kv);
        if (decoded) listener(decoded);
      };
      const snapshot = async (): Promise<bigint> => {
        const { revision, kvs } = await listZone(zone);
        const entries: WeightEntry[] = [];
        const invalid: { key: string; error: string }[] = [];
        for (const kv of kvs) {
          if (!fresh(kv)) continue;
          const decoded = decode(prefix, kv);
          if (decoded.type === 'put') entries.push(decoded.entry);
          else if (decoded.type === 'invalid') invalid.push({ key: decoded.key, error: decoded.error });
        }
        if (!closed) listener({ type: 'snapshot', entries, invalid });
        return revision;
      };
      let resyncing = false;
      const resync = async () => {
        if (resyncing) return;
        resyncing = true;
        try {
          for (let delay = 50; !closed; delay = Math.min(maxDelay, delay * 2)) {
            try {
              await snapshot();
              return;
            } catch {
              await sleep(delay);
            }
          }
        } finally {
          resyncing = false;
        }
      };
      const establish = async () => {
        for (let delay = 50; !closed; delay = Math.min(maxDelay, delay * 2)) {
          try {
            const revision = await snapshot();
            resolveReady();
            const w = await client
              .watch()
              .prefix(zonePrefix(prefix, zone))
              .startRevision(String(revision + 1n))
              .create();
            if (closed) {
              await w.cancel().catch(() => undefined);
              return;
            }
            watcher = w;
            status(true);
            w.on('put', (kv) => onKv(kv, 'put'));
            w.on('delete', (kv) => onKv(kv, 'delete'));
            w.on('disconnected', (e) => status(false, e.message));
            w.on('connected', () => {
              if (connected === false) {
                status(true);
                void resync();
              }
            });
            w.on('error', (e) => {
              // Unrecoverable (e.g. the start revision was compacted): start over from a fresh read.
              status(false, e.message);
              watcher = undefined;
              void w.cancel().catch(() => undefined);
              if (!closed) void establish();
            });
            return;
          } catch (e) {
            status(false, (e as Error).message);
            await sleep(delay);
          }
        }
      };
      void establish();
      const handle: WeightWatch = {
        ready,
        async close() {
          closed = true;
          watches.delete(handle);
          resolveReady();
          await watcher?.cancel().catch(() => undefined);
        },
      };
      watches.add(handle);
      return handle;
    },
    async close() {
      await Promise.all([...watches].map((w) => w.close()));
      if (!options.client) client.close();
    },
  };
}

function decode(prefix: string, kv: IKeyValue): Extract<WeightChange, { type: 'put' | 'invalid' }> {
  const key = kv.key.toString();
  const raw = kv.value.toString();
  const parsedKey = parseWeightKey(prefix, key);
  if (!parsedKey.ok) return { type: 'invalid', key, raw, error: parsedKey.error };
  const parsed = parseFunctionWeights(raw);
  if (!parsed.ok) return { type: 'invalid', key, raw, error: parsed.error };
  return { type: 'put', entry: { ...parsedKey.value, weights: parsed.value } };
}

function decodeDelete(prefix: string, kv: IKeyValue): WeightChange | undefined {
  const parsedKey = parseWeightKey(prefix, kv.key.toString());
  return parsedKey.ok ? { type: 'delete', ...parsedKey.value } : undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export type { FunctionWeights };
