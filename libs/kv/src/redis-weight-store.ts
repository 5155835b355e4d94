import type { Redis } from 'ioredis';
import {
  DEFAULT_WEIGHT_PREFIX,
  formatFunctionWeights,
  parseFunctionWeights,
  weightsProblem,
  type WeightEntry,
} from './function-weights.js';
import {
  InvalidWeightsError,
  type WeightChange,
  type WeightStore,
  type WeightWatch,
} from './weight-store.js';

export interface RedisWeightStoreOptions {
  /** Commands (HGET, HSET, PUBLISH). */
  redis: Redis;
  /** Key/channel prefix before `golb/function/` (tests isolate themselves with it; default none). */
  keyPrefix?: string;
  /** Where the zones live below the key prefix (default `golb/function/`). */
  prefix?: string;
}

/**
 * The embedded mode's weight store: one hash per zone, `<keyPrefix>golb/function/<zone>`, field
 * `<fn>` → the same JSON as in etcd; every write is one MULTI of HSET + PUBLISH of
 * `{"fn", "value"}` on the channel of the same name. A watch subscribes first, then reads the hash,
 * and re-reads it after every reconnect of its subscriber connection, so no write is missed.
 */
export function createRedisWeightStore(options: RedisWeightStoreOptions): WeightStore {
  const { redis } = options;
  const base = `${options.keyPrefix ?? ''}${options.prefix ?? DEFAULT_WEIGHT_PREFIX}`;
  const zoneKey = (zone: string) => `${base}${zone}`;
  const watches = new Set<WeightWatch>();

  const decode = (
    zone: string,
    fn: string,
    raw: string,
  ): Extract<WeightChange, { type: 'put' | 'invalid' }> => {
    const parsed = parseFunctionWeights(raw);
    if (!parsed.ok) return { type: 'invalid', key: `${zoneKey(zone)}/${fn}`, raw, error: parsed.error };
    return { type: 'put', entry: { zone, fn, weights: parsed.value } };
  };

  const list = async (zone: string) => {
    const hash = await redis.hgetall(zoneKey(zone));
    const entries: WeightEntry[] = [];
    const invalid: { key: string; error: string }[] = [];
    for (const fn of Object.keys(hash).sort()) {
      const decoded = decode(zone, fn, hash[fn]!);
      if (decoded.type === 'put') entries.push(decoded.entry);
      else invalid.push({ key: decoded.key, error: decoded.error });
    }
    return { entries, invalid };
  };

  return {
    kind: 'redis',
    async get(zone, fn) {
      const raw = await redis.hget(zoneKey(zone), fn);
      if (raw === null) return undefined;
      const parsed = parseFunctionWeights(raw);
      return parsed.ok ? parsed.value : undefined;
    },
    list,
    async put(zone, fn, weights) {
      const problem = weightsProblem(weights);
      if (problem) throw new InvalidWeightsError(zone, fn, problem);
      const value = formatFunctionWeights(weights);
      await redis
        .multi()
        .hset(zoneKey(zone), fn, value)
        .publish(zoneKey(zone), JSON.stringify({ fn, value }))
        .exec();
    },
    watch(zone, listener) {
      let closed = false;
      let connected: boolean | undefined;
      let resolveReady!: () => void;
      const ready = new Promise<void>((r) => (resolveReady = r));
      const channel = zoneKey(zone);
      const subscriber = redis.duplicate({
        maxRetriesPerRequest: null,
        enableReadyCheck: false,
        lazyConnect: true,
      });
      const status = (up: boolean, detail?: string) => {
        if (connected === up) return;
        connected = up;
        listener({ type: 'status', connected: up, ...(detail !== undefined && { detail }) });
      };
      const snapshot = async () => {
        for (let delay = 50; !closed; delay = Math.min(1000, delay * 2)) {
          try {
            const { entries, invalid } = await list(zone);
            if (!closed) listener({ type: 'snapshot', entries, invalid });
            resolveReady();
            return;
          } catch {
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      };
      subscriber.on('message', (ch: string, message: string) => {
        if (closed || ch !== channel) return;
        let parsed: { fn?: unknown; value?: unknown };
        try {
          parsed = JSON.parse(message) as typeof parsed;
        } catch {
          listener({ type: 'invalid', key: channel, raw: message, error: 'change notice is not JSON' });
          return;
        }
        if (typeof parsed.fn !== 'string' || typeof parsed.value !== 'string') {
          listener({
            type: 'invalid',
            key: channel,
            raw: message,
            error: 'expected a change notice {"fn", "value"}',
          });
          return;
        }
        listener(decode(zone, parsed.fn, parsed.value));
      });
      subscriber.on('close', () => {
        if (!closed) status(false, 'redis subscriber connection closed');
      });
      subscriber.on('error', () => undefined); // reconnects; reported through close/ready
      let everReady = false;
      subscriber.on('ready', () => {
        if (closed) return;
        // Subscriptions are restored by ioredis on reconnect; re-read what was written meanwhile.
        if (everReady) {
          status(true);
          void snapshot();
        }
      });
      void (async () => {
        for (let delay = 50; !closed; delay = Math.min(1000, delay * 2)) {
          try {
            if (subscriber.status === 'wait' || subscriber.status === 'end') await subscriber.connect();
            await subscriber.subscribe(channel);
            everReady = true;
            status(true);
            await snapshot();
            return;
          } catch (e) {
            status(false, (e as Error).message);
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      })();
      const handle: WeightWatch = {
        ready,
        async close() {
          closed = true;
          watches.delete(handle);
          resolveReady();
          await subscriber.quit().catch(() => subscriber.disconnect());
        },
      };
      watches.add(handle);
      return handle;
    },
    async close() {
      await Promise.all([...watches].map((w) => w.close()));
    },
  };
}
