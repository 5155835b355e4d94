import type { Bus } from '@galileo/bus';
import { experimentSubjects, type CancelOutcome, type GalileoCatalogue } from '@galileo/events';
import type { Redis } from 'ioredis';
import { DEFAULT_QUEUE, experimentQueueKeys, listLiveDaemons } from './queue/experiment-queue.js';

export interface CancelOptions {
  /** `galileo_redis_key_prefix`. */
  prefix?: string;
  queue?: string;
  reason?: string;
  /** How long to wait for the daemons (a running experiment closes its groups first; default 30 s). */
  timeoutMs?: number;
}

/**
 * Cancels an experiment through the daemons (what the API calls): every live daemon receives the
 * command; the one that has it waiting in the queue or running answers `cancelled: true`.
 */
export async function cancelExperiment(
  bus: Bus<GalileoCatalogue>,
  redis: Redis,
  id: string,
  options: CancelOptions = {},
): Promise<CancelOutcome> {
  const keys = experimentQueueKeys(options.prefix ?? '', options.queue ?? DEFAULT_QUEUE);
  const live = await listLiveDaemons(redis, keys);
  if (live.length === 0)
    return { cancelled: false, id, reason: 'no experiment daemon is running', daemon: '' };
  const replies = await bus.requestMany(
    experimentSubjects.cancel,
    {
      type: 'CancelExperiment',
      data: { id, ...(options.reason ? { reason: options.reason } : {}) },
      correlationId: id,
    },
    { timeoutMs: options.timeoutMs ?? 30_000, max: live.length },
  );
  const outcomes = replies.filter((r) => r.ok).map((r) => (r as { result: CancelOutcome }).result);
  const hit = outcomes.find((o) => o.cancelled);
  if (hit) return hit;
  const errors = replies.filter((r) => !r.ok).map((r) => (r as { error: string }).error);
  return {
    cancelled: false,
    id,
    reason:
      outcomes.length === 0 && errors.length === 0
        ? `no daemon answered within ${options.timeoutMs ?? 30_000} ms`
        : `experiment ${id} is neither waiting in the queue nor running${errors.length ? ` (${errors.join('; ')})` : ''}`,
    daemon: '',
  };
}
