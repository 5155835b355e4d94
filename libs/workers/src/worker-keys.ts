/**
 * Every Redis key and channel the worker touches, in one place. The names are galileo's
 * (protocols §3.1, §3.2, §5.3) so its shell and tools see our workers; `prefix`
 * (`galileo_redis_key_prefix`, a test's prefix) goes in front of all of them.
 */
export interface WorkerKeys {
  /** SET of registered worker names (galileo). */
  readonly workers: string;
  /** HASH of a worker's labels — galileo's contract: the bare worker name. */
  labels(worker: string): string;
  /** STRING with a TTL, refreshed while the worker lives (ours; galileo had no heartbeat). */
  heartbeat(worker: string): string;
  /** SET of the workers that keep a heartbeat, so a galileo (Python) worker without one is never pruned. */
  readonly heartbeating: string;
  /** SET of the client ids a worker hosts (galileo). */
  clients(worker: string): string;
  /** STRING: a client's description as galileo's positional JSON array. */
  client(clientId: string): string;
  /** LIST of a client's prerecorded interarrival times (galileo: the key is the client id). */
  prerecorded(clientId: string): string;
  /** Pub/sub channel of galileo's trace lines. */
  readonly tracesChannel: string;
}

export function workerKeys(prefix = ''): WorkerKeys {
  return {
    workers: `${prefix}galileo:workers`,
    labels: (worker) => `${prefix}${worker}`,
    heartbeat: (worker) => `${prefix}galileo:worker:${worker}:heartbeat`,
    heartbeating: `${prefix}galileo:workers:heartbeating`,
    clients: (worker) => `${prefix}galileo:worker:${worker}:clients`,
    client: (clientId) => `${prefix}galileo:client:${clientId}`,
    prerecorded: (clientId) => `${prefix}${clientId}`,
    tracesChannel: `${prefix}galileo/results/traces`,
  };
}
