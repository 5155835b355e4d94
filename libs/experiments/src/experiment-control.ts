import type { Bus } from '@galileo/bus';
import { experimentSubjects, type CancelOutcome, type GalileoCatalogue } from '@galileo/events';
import { cancelExperiment } from '@galileo/experiment-queue';
import type { Redis } from 'ioredis';

/** The outcome of asking for a cancel, as the API and the CLI report it. */
export type CancelResult = { ok: true; was: 'queued' | 'running' } | { ok: false; error: string };

/**
 * Stops an experiment the experiment daemon holds (waiting in the queue or running). The daemon
 * owns the queue's messages and the lifecycle events; the API and the CLI only ask.
 */
export interface ExperimentCanceller {
  cancel(id: string, reason: string, timeoutMs: number): Promise<CancelResult>;
}

export interface BusCancellerOptions {
  /** With it, the daemons' leases are read first: no live daemon answers at once instead of after the timeout. */
  redis?: Redis;
  /** `galileo_redis_key_prefix` (with `redis`). */
  prefix?: string;
}

/**
 * Sends the daemon's `CancelExperiment` command (`galileo.commands.experiments.cancel`) and waits
 * for its CancelOutcome: the daemon that holds the experiment — queued or running — answers; it
 * takes a queued message off the queue atomically and records ExperimentQueued and
 * ExperimentCancelled. With `redis`, this is `cancelExperiment` of @galileo/experiment-queue.
 */
export function createBusCanceller(
  bus: Bus<GalileoCatalogue>,
  options: BusCancellerOptions = {},
): ExperimentCanceller {
  const { redis } = options;
  return {
    async cancel(id, reason, timeoutMs) {
      try {
        const outcome = redis
          ? await cancelExperiment(bus, redis, id, { prefix: options.prefix ?? '', reason, timeoutMs })
          : ((await bus.request(
              experimentSubjects.cancel,
              { type: 'CancelExperiment', data: { id, reason }, correlationId: id },
              { timeoutMs },
            )) as CancelOutcome);
        if (outcome.cancelled) return { ok: true, was: outcome.was };
        return { ok: false, error: `the experiment daemon did not cancel ${id}: ${outcome.reason}` };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
  };
}
