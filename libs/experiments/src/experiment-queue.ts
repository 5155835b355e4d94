import type { Experiment } from '@galileo/db';
import { experimentQueueKeys, removeQueuedMessage, unstampMessage } from '@galileo/experiment-queue';
import type { Redis } from 'ioredis';

export interface QueuedEntry {
  /** 0 = next to run. */
  position: number;
  experiment: Experiment;
  /** The message as its producer pushed it (unwrapped if the daemon stamped it). */
  message: Record<string, unknown>;
}

/**
 * The producers' view of the queue of DESIGN.md and galileo's README (§2.2), a Redis LIST
 * (`experimentQueueKeys().queue`): LPUSH in, list what waits, take one out. The daemon's side
 * (taking, leases, recovery) is `createExperimentQueue` of @galileo/experiment-queue.
 */
export interface QueueView {
  readonly key: string;
  push(message: Record<string, unknown>): Promise<void>;
  /** Entries waiting, next first; unreadable entries are skipped (the daemon reports them). */
  list(): Promise<QueuedEntry[]>;
  /** Takes a waiting experiment off the queue; false if it is not waiting (any more). */
  remove(id: string): Promise<boolean>;
}

export function createQueueView(redis: Redis, options: { prefix?: string } = {}): QueueView {
  const key = experimentQueueKeys(options.prefix ?? '').queue;
  return {
    key,
    async push(message) {
      await redis.lpush(key, JSON.stringify(message));
    },
    async list() {
      const raw = await redis.lrange(key, 0, -1);
      // LPUSH in, the daemon takes from the right: the last element runs next.
      const entries: QueuedEntry[] = [];
      raw.reverse().forEach((text, position) => {
        const entry = readEntry(text, position);
        if (entry) entries.push(entry);
      });
      return entries;
    },
    async remove(id) {
      return (await removeQueuedMessage(redis, key, id)) !== null;
    },
  };
}

function readEntry(text: string, position: number): QueuedEntry | null {
  // A message the daemon took and a recovery put back is wrapped with the id the daemon gave it.
  const { raw, stamped } = unstampMessage(text);
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    message = null;
  }
  if (stamped && (message === null || typeof message !== 'object' || Array.isArray(message))) {
    // unreadable inside: the daemon will fail it under its id; it waits all the same
    message = {};
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return null;
  const m = message as Record<string, unknown>;
  const source = (typeof m.experiment === 'object' && m.experiment !== null ? m.experiment : m) as Record<
    string,
    unknown
  >;
  const id = stamped?.id ?? source.id;
  if (typeof id !== 'string' || id === '') return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    position,
    message: m,
    experiment: {
      id,
      name: str(source.name) ?? id,
      creator: str(source.creator),
      start: null,
      end: null,
      created: num(source.created) ?? stamped?.received ?? null,
      status: 'QUEUED',
    },
  };
}
