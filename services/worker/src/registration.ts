import type { Redis } from 'ioredis';
import type { WorkerKeys } from '@galileo/workers';

/** galileo's ClientDescription as stored at `galileo:client:<id>` (protocols §3.2). */
export interface ClientDescription {
  clientId: string;
  service: string;
  /** The client app, or null. */
  client: string | null;
  parameters: Readonly<Record<string, unknown>> | null;
}

/**
 * A worker's presence in Redis, in galileo's layout (protocols §3.1, §3.2) plus a heartbeat:
 * `galileo:workers` (SET), the label hash at the bare worker name, `galileo:worker:<name>:clients`
 * and `galileo:client:<id>`. Every multi-key step is one MULTI.
 */
export interface WorkerRegistration {
  /** SADD the name, rewrite the label hash, set the heartbeat (PX = `heartbeatTtlMs`). */
  register(): Promise<void>;
  /** Refreshes the heartbeat and re-adds the name (galileo's `discover()` wipes the set). */
  beat(): Promise<void>;
  /** SREM the name, DEL the heartbeat and the client registry; the label hash stays, as in galileo. */
  unregister(): Promise<void>;
  addClients(clients: readonly ClientDescription[]): Promise<void>;
  removeClients(clientIds: readonly string[]): Promise<void>;
}

export interface RegistrationOptions {
  name: string;
  labels: Readonly<Record<string, string>>;
  keys: WorkerKeys;
  heartbeatTtlMs: number;
  /** Written into the heartbeat value for operators (pid, start time). */
  now?: () => number;
}

export function createWorkerRegistration(redis: Redis, options: RegistrationOptions): WorkerRegistration {
  const { name, labels, keys, heartbeatTtlMs } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const clientIds = new Set<string>();
  const heartbeatValue = () => JSON.stringify({ pid: process.pid, startedAt, at: now() });

  return {
    async register() {
      const tx = redis.multi().del(keys.labels(name));
      if (Object.keys(labels).length > 0) tx.hset(keys.labels(name), labels);
      await tx
        .sadd(keys.workers, name)
        .sadd(keys.heartbeating, name)
        .set(keys.heartbeat(name), heartbeatValue(), 'PX', heartbeatTtlMs)
        .exec();
    },
    async beat() {
      await redis
        .multi()
        .set(keys.heartbeat(name), heartbeatValue(), 'PX', heartbeatTtlMs)
        .sadd(keys.workers, name)
        .sadd(keys.heartbeating, name)
        .exec();
    },
    async unregister() {
      await redis
        .multi()
        .srem(keys.workers, name)
        .srem(keys.heartbeating, name)
        .del(keys.heartbeat(name), keys.clients(name), ...[...clientIds].map((id) => keys.client(id)))
        .exec();
      clientIds.clear();
    },
    async addClients(clients) {
      if (clients.length === 0) return;
      const tx = redis.multi().sadd(
        keys.clients(name),
        clients.map((c) => c.clientId),
      );
      for (const c of clients) {
        // a positional array like galileo's json.dumps of the NamedTuple: [id, worker, [service, client, parameters, worker_labels]]
        tx.set(
          keys.client(c.clientId),
          JSON.stringify([c.clientId, name, [c.service, c.client, c.parameters, null]]),
        );
        clientIds.add(c.clientId);
      }
      await tx.exec();
    },
    async removeClients(ids) {
      if (ids.length === 0) return;
      await redis
        .multi()
        .srem(keys.clients(name), ...ids)
        .del(...ids.map((id) => keys.client(id)))
        .exec();
      for (const id of ids) clientIds.delete(id);
    },
  };
}
