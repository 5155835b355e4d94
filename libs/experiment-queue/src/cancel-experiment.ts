import type { Bus } from '@galileo/bus';
import { experimentSubjects, type CancelOutcome, type GalileoCatalogue } from '@galileo/events';
import type { Redis } from 'ioredis';
import { DEFAULT_QUEUE, experimentQueueKeys, listLiveDaemons } from './experiment-queue.js';

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
 * command and only the one that has it — waiting in the queue, or running — answers, with
 * `cancelled: true`. No answer within the timeout means no daemon has it.
 */
export async function cancelExperiment(
  bus: Bus<GalileoCatalogue>,
  redis: Redis,
  id: string,
  options: CancelOptions = {},
): Promise<CancelOutcome> {
  const keys = experimentQueueKeys(options.prefix ?? '', options.queue ?? DEFAULT_QUEUE);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if ((await listLiveDaemons(redis, keys)).length === 0) {
    return { cancelled: false, id, reason: 'no experiment daemon is running', daemon: '' };
  }
  const [reply] = await bus.requestMany(
    experimentSubjects.cancel,
    {
      type: 'CancelExperiment',
      data: { id, ...(options.reason ? { reason: options.reason } : {}) },
      correlationId: id,
    },
    { timeoutMs, max: 1 },
  );
  if (!reply) {
    return {
      cancelled: false,
      id,
      reason: `experiment ${id} is neither waiting in the queue nor running on any daemon (none answered within ${timeoutMs} ms)`,
      daemon: '',
    };
  }
  if (!reply.ok) return { cancelled: false, id, reason: reply.error, daemon: '' };
  return reply.result as CancelOutcome;
}
