import type { Redis } from 'ioredis';
import { workerKeys, type WorkerKeys } from './worker-keys.js';

/**
 * Removes every worker whose heartbeat expired — only workers that keep one (ours); a galileo
 * (Python) worker has none and is left alone. Atomic: with several pruners, each dead worker is
 * removed (and returned) exactly once. Also drops its client registry, as galileo's unregister does.
 * KEYS: workers, heartbeating. ARGV: key prefix.
 */
const pruneExpiredWorkersScript = `
local removed = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local base = ARGV[1] .. 'galileo:worker:' .. name
  if redis.call('EXISTS', base .. ':heartbeat') == 0 then
    redis.call('SREM', KEYS[2], name)
    redis.call('SREM', KEYS[1], name)
    for _, id in ipairs(redis.call('SMEMBERS', base .. ':clients')) do
      redis.call('DEL', ARGV[1] .. 'galileo:client:' .. id)
    end
    redis.call('DEL', base .. ':clients')
    table.insert(removed, name)
  end
end
return removed
`;

export interface WorkerListOptions {
  /** Key prefix (`galileo_redis_key_prefix`); empty by default. */
  prefix?: string;
}

/** Drops the workers whose heartbeat expired; returns their names. */
export async function pruneExpiredWorkers(redis: Redis, options: WorkerListOptions = {}): Promise<string[]> {
  const keys: WorkerKeys = workerKeys(options.prefix);
  return (await redis.eval(
    pruneExpiredWorkersScript,
    2,
    keys.workers,
    keys.heartbeating,
    options.prefix ?? '',
  )) as string[];
}

/**
 * The registered workers that are alive, sorted: `galileo:workers` after pruning the ones whose
 * heartbeat expired (galileo's own workers, which keep no heartbeat, are listed as registered).
 */
export async function listLiveWorkers(redis: Redis, options: WorkerListOptions = {}): Promise<string[]> {
  await pruneExpiredWorkers(redis, options);
  return (await redis.smembers(workerKeys(options.prefix).workers)).sort();
}

/** A worker's labels (the hash at its bare name, protocols §3.1). */
export async function readWorkerLabels(
  redis: Redis,
  name: string,
  options: WorkerListOptions = {},
): Promise<Record<string, string>> {
  return redis.hgetall(workerKeys(options.prefix).labels(name));
}
