import type { Redis } from 'ioredis';

/** galileo's queue (README; protocols §2.2). Producers LPUSH, the daemons take from the right (FIFO). */
export const DEFAULT_QUEUE = 'galileo:experiments:instructions';

/** Every Redis key of the experiment queue, in one place. */
export interface ExperimentQueueKeys {
  readonly queue: string;
  /** The messages one daemon took and has not yet recorded as queued. */
  processing(daemon: string): string;
  /** A daemon's lease: present while it lives (PX), value its instance token. */
  lease(daemon: string): string;
  /** The experiment a daemon accepted and is running (no TTL: a dead daemon's is recovered). */
  current(daemon: string): string;
  /** SET of daemons that may hold work. */
  readonly daemons: string;
  /** SET of the experiment ids ever queued: a duplicate id is found without reading the stream. */
  readonly ids: string;
  /** The base the Lua scripts derive per-daemon keys from. */
  readonly daemonBase: string;
}

export function experimentQueueKeys(prefix = '', queue = DEFAULT_QUEUE): ExperimentQueueKeys {
  const base = `${prefix}galileo:experiments:daemon:`;
  return {
    queue: `${prefix}${queue}`,
    processing: (d) => `${base}${d}:processing`,
    lease: (d) => `${base}${d}:lease`,
    current: (d) => `${base}${d}:current`,
    daemons: `${prefix}galileo:experiments:daemons`,
    ids: `${prefix}galileo:experiments:ids`,
    daemonBase: base,
  };
}

/** A message the daemon stamped with the experiment id it gave it, so a retry after a crash keeps that id. */
export interface StampedMessage {
  readonly raw: string;
  readonly stamped: { id: string; received: number } | null;
}

const STAMP_KEY = '__galileo_intake';

export function stampMessage(raw: string, id: string, received: number): string {
  return JSON.stringify({ [STAMP_KEY]: { id, received }, message: raw });
}

export function unstampMessage(entry: string): StampedMessage {
  if (!entry.startsWith(`{"${STAMP_KEY}"`)) return { raw: entry, stamped: null };
  try {
    const parsed = JSON.parse(entry) as { [STAMP_KEY]: { id: unknown; received: unknown }; message: unknown };
    const s = parsed[STAMP_KEY];
    if (typeof s.id === 'string' && typeof s.received === 'number' && typeof parsed.message === 'string') {
      return { raw: parsed.message, stamped: { id: s.id, received: s.received } };
    }
  } catch {
    // not ours after all: read it as a message
  }
  return { raw: entry, stamped: null };
}

/** Replaces the entry the daemon just moved (at the head of its list) by its stamped form. KEYS: processing. */
const restampScript = `
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then
  redis.call('LSET', KEYS[1], 0, ARGV[2])
  return 1
end
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('LPUSH', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** The message leaves the processing list and becomes the daemon's current experiment, at once. KEYS: processing, current. */
const acceptScript = `
redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;

/**
 * A message taken while the daemon was stopping goes back where it was: out of the processing
 * list, onto the right end of the queue (next in line), at once. KEYS: processing, queue.
 */
const putBackScript = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

/**
 * Takes over what a dead daemon (lease gone) left: its processing list goes back to the right end
 * of the queue (next in line, oldest first), its current experiment is returned to be ended.
 * Atomic, so with several recovering daemons each dead one is recovered once.
 * KEYS: queue, daemons. ARGV: daemon base, dead daemon.
 */
const recoverScript = `
local base = ARGV[1] .. ARGV[2]
if redis.call('EXISTS', base .. ':lease') == 1 then return false end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return false end
local entries = redis.call('LRANGE', base .. ':processing', 0, -1)
for i = 1, #entries do redis.call('RPUSH', KEYS[1], entries[i]) end
redis.call('DEL', base .. ':processing')
local current = redis.call('GET', base .. ':current')
redis.call('DEL', base .. ':current')
redis.call('SREM', KEYS[2], ARGV[2])
return {#entries, current or ''}
`;

/**
 * Removes the first queued message whose experiment id is ARGV[1] (any form: id, exp_id,
 * experiment.id, pymq's __obj[1].id, our stamp) and returns it. The same removal as galileo's
 * ExperimentQueue.remove, in one script instead of WATCH/MULTI. KEYS: queue.
 */
const removeQueuedScript = `
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #entries, 1, -1 do
  local ok, m = pcall(cjson.decode, entries[i])
  if ok and type(m) == 'table' then
    local ids = {}
    if type(m.__galileo_intake) == 'table' then table.insert(ids, m.__galileo_intake.id) end
    table.insert(ids, m.id)
    table.insert(ids, m.exp_id)
    if type(m.experiment) == 'table' then table.insert(ids, m.experiment.id) end
    if type(m.__obj) == 'table' and type(m.__obj[1]) == 'table' then table.insert(ids, m.__obj[1].id) end
    for _, id in pairs(ids) do
      if (type(id) == 'string' or type(id) == 'number') and tostring(id) == ARGV[1] then
        redis.call('LREM', KEYS[1], 1, entries[i])
        return entries[i]
      end
    end
  end
end
return false
`;

/**
 * Takes the waiting message of an experiment off the queue (any message form, see the script) and
 * returns it, or null when none waits. For the daemon (CancelExperiment) and for producers' tools.
 */
export async function removeQueuedMessage(
  redis: Redis,
  queueKey: string,
  experimentId: string,
): Promise<string | null> {
  return (await redis.eval(removeQueuedScript, 1, queueKey, experimentId)) as string | null;
}

export interface ExperimentQueue {
  readonly keys: ExperimentQueueKeys;
  /** Holds the lease when it is free or ours; otherwise says until when another instance holds it. */
  acquireLease(): Promise<{ ok: true } | { ok: false; holder: string; ttlMs: number }>;
  renewLease(): Promise<boolean>;
  releaseLease(): Promise<void>;
  /** Blocks up to `timeoutS` for the next message, moved into this daemon's processing list. */
  take(timeoutS: number): Promise<string | null>;
  /** Makes a `take` in flight return null now (CLIENT UNBLOCK on the blocking connection). */
  unblock(): Promise<void>;
  /** Puts a taken entry back at the head of the queue (next in line); false if it was not in the processing list. */
  putBack(entry: string): Promise<boolean>;
  /** Replaces a taken entry by its stamped form. */
  restamp(entry: string, stamped: string): Promise<void>;
  /** This daemon's processing list, oldest first. */
  processing(): Promise<string[]>;
  /** The message leaves the processing list; the experiment becomes current. */
  accept(entry: string, experimentId: string): Promise<void>;
  /** Whether an experiment id was ever queued (by any daemon). */
  isKnownId(id: string): Promise<boolean>;
  /** Notes an id as queued. */
  noteId(id: string): Promise<void>;
  /** Drops an entry from the processing list without accepting it. */
  drop(entry: string): Promise<void>;
  current(): Promise<string | null>;
  clearCurrent(): Promise<void>;
  /** Dead daemons (no lease) this one recovered: their messages re-queued, their current experiments. */
  recoverDead(): Promise<{ daemon: string; requeued: number; current: string | null }[]>;
  /** Daemons whose lease is alive (this one included). */
  liveDaemons(): Promise<string[]>;
  /** Removes a waiting message of that experiment from the queue; returns it, or null. */
  removeQueued(experimentId: string): Promise<string | null>;
  /** Closes the blocking connection. */
  close(): void;
}

/** Daemons whose lease is alive, sorted. */
export async function listLiveDaemons(redis: Redis, keys: ExperimentQueueKeys): Promise<string[]> {
  const names = await redis.smembers(keys.daemons);
  if (names.length === 0) return [];
  const alive = await Promise.all(names.map((n) => redis.exists(keys.lease(n))));
  return names.filter((_, i) => alive[i] === 1).sort();
}

export interface ExperimentQueueOptions {
  /** Commands. */
  redis: Redis;
  keys: ExperimentQueueKeys;
  daemon: string;
  /** Unique per process: tells this instance's lease from an earlier one of the same name. */
  instance: string;
  leaseMs: number;
}

export function createExperimentQueue(options: ExperimentQueueOptions): ExperimentQueue {
  const { redis, keys, daemon, instance, leaseMs } = options;
  // BLMOVE blocks its connection: it gets its own, without a command timeout.
  const blocking = redis.duplicate({
    connectionName: `galileo-experimentd-queue:${daemon}`,
    maxRetriesPerRequest: null,
  });
  blocking.on('error', () => undefined);
  // The blocking connection's CLIENT ID (for CLIENT UNBLOCK); read again after a reconnect.
  let blockingId: number | null = null;
  blocking.on('ready', () => (blockingId = null));
  const processingKey = keys.processing(daemon);
  const run = (script: string, keyList: string[], args: (string | number)[]) =>
    redis.eval(script, keyList.length, ...keyList, ...args);

  return {
    keys,
    async acquireLease() {
      const set = await redis.set(keys.lease(daemon), instance, 'PX', leaseMs, 'NX');
      const holder = set === 'OK' ? instance : await redis.get(keys.lease(daemon));
      if (holder === instance || holder === null) {
        if (holder === null) await redis.set(keys.lease(daemon), instance, 'PX', leaseMs);
        await redis.sadd(keys.daemons, daemon);
        return { ok: true };
      }
      return { ok: false, holder, ttlMs: await redis.pttl(keys.lease(daemon)) };
    },
    async renewLease() {
      const replies = await redis
        .multi()
        .set(keys.lease(daemon), instance, 'PX', leaseMs)
        .sadd(keys.daemons, daemon)
        .exec();
      return (replies ?? []).every(([e]) => !e);
    },
    async releaseLease() {
      await redis.multi().del(keys.lease(daemon)).srem(keys.daemons, daemon).exec();
    },
    async take(timeoutS) {
      if (blockingId === null) blockingId = Number(await blocking.client('ID'));
      return blocking.blmove(keys.queue, processingKey, 'RIGHT', 'LEFT', timeoutS);
    },
    async unblock() {
      if (blockingId !== null) await redis.client('UNBLOCK', blockingId);
    },
    async putBack(entry) {
      return (await run(putBackScript, [processingKey, keys.queue], [entry])) === 1;
    },
    async restamp(entry, stamped) {
      await run(restampScript, [processingKey], [entry, stamped]);
    },
    async processing() {
      return (await redis.lrange(processingKey, 0, -1)).reverse();
    },
    async accept(entry, experimentId) {
      await run(acceptScript, [processingKey, keys.current(daemon)], [entry, experimentId]);
    },
    async isKnownId(id) {
      return (await redis.sismember(keys.ids, id)) === 1;
    },
    async noteId(id) {
      await redis.sadd(keys.ids, id);
    },
    async drop(entry) {
      await redis.lrem(processingKey, 1, entry);
    },
    current: () => redis.get(keys.current(daemon)),
    async clearCurrent() {
      await redis.del(keys.current(daemon));
    },
    async recoverDead() {
      const recovered: { daemon: string; requeued: number; current: string | null }[] = [];
      for (const other of await redis.smembers(keys.daemons)) {
        if (other === daemon) continue;
        const result = (await run(recoverScript, [keys.queue, keys.daemons], [keys.daemonBase, other])) as
          [number, string] | null;
        if (result)
          recovered.push({ daemon: other, requeued: Number(result[0]), current: result[1] || null });
      }
      return recovered;
    },
    liveDaemons: () => listLiveDaemons(redis, keys),
    async removeQueued(experimentId) {
      return removeQueuedMessage(redis, keys.queue, experimentId);
    },
    close() {
      blocking.disconnect();
    },
  };
}
