import type { Bus } from '@galileo/bus';
import type { ExperimentRecord, Repositories } from '@galileo/db';
import { experimentSubjects, type GalileoCatalogue } from '@galileo/events';
import { listLiveWorkers } from '@galileo/worker';
import type { Redis } from 'ioredis';
import { isActive, isRunning, sortExperiments, type Experiment } from './experiment.js';
import type { ExperimentCanceller } from './experiment-control.js';
import { createExperimentQueue, type ExperimentQueue } from './experiment-queue.js';
import { parseSubmission, queueMessage, type ExperimentSubmission } from './submission.js';

/**
 * The experiment operations behind both `/api/experiments` and `galileo experiments|run`: one
 * implementation, errors as values with a code the API maps to a status.
 */
export type OperationError =
  | { code: 'invalid'; field: string; message: string }
  | { code: 'not-found'; message: string }
  | { code: 'conflict'; message: string }
  | { code: 'no-workers'; message: string }
  | { code: 'unavailable'; message: string };

export type OperationResult<T> = { ok: true; value: T } | { ok: false; error: OperationError };

export interface ExperimentOperationsDeps {
  redis: Redis;
  bus: Bus<GalileoCatalogue>;
  db: Pick<Repositories, 'experiments'>;
  canceller: ExperimentCanceller;
  /** `galileo_redis_key_prefix`. */
  prefix?: string;
  now?: () => number;
  /** Creator of experiments submitted without one. */
  creator?: string;
  cancelTimeoutMs?: number;
}

export interface ExperimentOperations {
  readonly queue: ExperimentQueue;
  /** The experiment table plus what waits in the queue and has no row yet, by creation time. */
  list(): Promise<Experiment[]>;
  get(id: string): Promise<Experiment | null>;
  /** Validates, saves the QUEUED row, and LPUSHes onto `galileo:experiments:instructions`. */
  submit(
    body: unknown,
  ): Promise<OperationResult<{ experiment: Experiment; submission: ExperimentSubmission }>>;
  /** Takes a queued one off the queue, or asks the daemon to stop a running one; keeps the row. */
  cancel(id: string, reason?: string): Promise<OperationResult<Experiment>>;
  /** galileo's DELETE: cancel if queued or running, then delete the row (traces, telemetry, events stay). */
  remove(id: string): Promise<OperationResult<string>>;
}

export function createExperimentOperations(deps: ExperimentOperationsDeps): ExperimentOperations {
  const queue = createExperimentQueue(deps.redis, { prefix: deps.prefix ?? '' });
  const now = deps.now ?? Date.now;
  const cancelTimeoutMs = deps.cancelTimeoutMs ?? 10_000;

  const fromRecord = (r: ExperimentRecord): Experiment => ({ ...r });

  async function get(id: string): Promise<Experiment | null> {
    const row = await deps.db.experiments.get(id);
    if (row) return fromRecord(row);
    return (await queue.list()).find((e) => e.experiment.id === id)?.experiment ?? null;
  }

  async function cancel(id: string, reason = 'cancelled by the user'): Promise<OperationResult<Experiment>> {
    const experiment = await get(id);
    if (!experiment) return notFound(id);
    if (!isActive(experiment.status)) {
      return {
        ok: false,
        error: {
          code: 'conflict',
          message: `experiment ${id} is ${experiment.status}, not queued or running: nothing to cancel`,
        },
      };
    }
    const end = now() / 1000;
    if (await queue.remove(id)) {
      // Taken off the queue before any daemon saw it: the lifecycle says so, and the row follows.
      await deps.bus.publish(experimentSubjects.lifecycle(id, 'ExperimentCancelled'), {
        type: 'ExperimentCancelled',
        data: { id, end: null, reason },
        correlationId: id,
      });
      await deps.db.experiments.setEnded(id, end, 'CANCELLED');
      return { ok: true, value: { ...experiment, status: 'CANCELLED', end } };
    }
    if (experiment.status.toUpperCase() === 'RUNNING') {
      // galileo's own recorder (exp.start()) runs no daemon experiment: there is nothing to stop.
      return {
        ok: false,
        error: {
          code: 'conflict',
          message: `experiment ${id} was started by a galileo recorder, not a daemon: stop that recorder (exp.stop())`,
        },
      };
    }
    const outcome = await deps.canceller.cancel(id, reason, cancelTimeoutMs);
    if (!outcome.ok) {
      return {
        ok: false,
        error: { code: 'unavailable', message: `${outcome.error}; is an experiment daemon running?` },
      };
    }
    const row = await deps.db.experiments.get(id);
    return {
      ok: true,
      value: row
        ? { ...fromRecord(row), status: row.status === 'CANCELLED' ? row.status : 'CANCELLED' }
        : { ...experiment, status: 'CANCELLED' },
    };
  }

  return {
    queue,
    async list() {
      const [rows, queued] = await Promise.all([deps.db.experiments.list(), queue.list()]);
      const known = new Set(rows.map((r) => r.id));
      return sortExperiments([
        ...rows.map(fromRecord),
        ...queued.map((q) => q.experiment).filter((e) => !known.has(e.id)),
      ]);
    },
    get,
    async submit(body) {
      const parsed = parseSubmission(body, { now, creator: deps.creator });
      if (!parsed.ok) return { ok: false, error: { code: 'invalid', ...parsed.error } };
      const submission = parsed.value;
      const { experiment } = submission;
      const workers = await listLiveWorkers(deps.redis, { prefix: deps.prefix ?? '' });
      if (workers.length === 0) {
        return {
          ok: false,
          error: {
            code: 'no-workers',
            message:
              'No workers to execute the experiment on: start one (npx nx run worker:serve) and try again',
          },
        };
      }
      if (await get(experiment.id)) {
        return {
          ok: false,
          error: {
            code: 'conflict',
            message: `an experiment with id ${experiment.id} exists already: choose another id or leave it out`,
          },
        };
      }
      await deps.db.experiments.upsert({ ...experiment, status: 'QUEUED' });
      await queue.push(queueMessage(submission));
      return { ok: true, value: { experiment, submission } };
    },
    cancel,
    async remove(id) {
      const experiment = await get(id);
      if (!experiment) return notFound(id);
      if (isActive(experiment.status) && experiment.status.toUpperCase() !== 'RUNNING') {
        const cancelled = await cancel(id, 'deleted by the user');
        if (!cancelled.ok && isRunning(experiment.status)) return cancelled as OperationResult<never>;
      }
      await deps.db.experiments.delete(id);
      await queue.remove(id);
      return { ok: true, value: id };
    },
  };
}

function notFound(id: string): { ok: false; error: OperationError } {
  return {
    ok: false,
    error: {
      code: 'not-found',
      message: `no experiment ${id}: list them with GET /api/experiments (galileo experiments ls)`,
    },
  };
}
