import type { Bus } from '@galileo/bus';
import type { Experiment, ExperimentRecord, Repositories } from '@galileo/db';
import type { GalileoCatalogue } from '@galileo/events';
import { experimentQueueKeys } from '@galileo/experiment-queue';
import type { Redis } from 'ioredis';
import { isActive, sortExperiments } from './experiment.js';
import type { ExperimentCanceller } from './experiment-control.js';
import { createQueueView, type QueueView } from './experiment-queue.js';
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
  /** Unused since cancels go through `canceller` (the daemon writes every lifecycle event); kept for callers. */
  bus: Bus<GalileoCatalogue>;
  db: Pick<Repositories, 'experiments'>;
  canceller: ExperimentCanceller;
  /**
   * The live workers' names (`listLiveWorkers(redis, { prefix })` of @galileo/workers); with none,
   * a submission is refused (`no-workers`).
   */
  listWorkers: () => Promise<string[]>;
  /** `galileo_redis_key_prefix`. */
  prefix?: string;
  now?: () => number;
  /** Creator of experiments submitted without one. */
  creator?: string;
  cancelTimeoutMs?: number;
  /**
   * After a confirmed cancel, how long to wait for the projection to write the ended row (so the
   * answer and a following GET agree; DELETE deletes the row after it). Default: the cancel
   * timeout, at most 5 s.
   */
  settleTimeoutMs?: number;
}

export interface ExperimentOperations {
  readonly queue: QueueView;
  /** The experiment table plus what waits in the queue and has no row yet, by creation time. */
  list(): Promise<Experiment[]>;
  get(id: string): Promise<Experiment | null>;
  /**
   * Validates, saves the QUEUED row (read-your-writes; the projection replaces it from the daemon's
   * ExperimentQueued on), and LPUSHes onto `galileo:experiments:instructions`.
   */
  submit(
    body: unknown,
  ): Promise<OperationResult<{ experiment: Experiment; submission: ExperimentSubmission }>>;
  /**
   * Asks the experiment daemon to cancel (CancelExperiment), queued or running alike: it takes a
   * queued one off the queue and records the events; the row (kept) follows from the projection.
   */
  cancel(id: string, reason?: string): Promise<OperationResult<Experiment>>;
  /** galileo's DELETE: cancel through the daemon if queued or running, then delete the row (traces, telemetry, events stay). */
  remove(id: string): Promise<OperationResult<string>>;
}

export function createExperimentOperations(deps: ExperimentOperationsDeps): ExperimentOperations {
  const queue = createQueueView(deps.redis, { prefix: deps.prefix ?? '' });
  const now = deps.now ?? Date.now;
  const cancelTimeoutMs = deps.cancelTimeoutMs ?? 10_000;
  const settleTimeoutMs = deps.settleTimeoutMs ?? Math.min(cancelTimeoutMs, 5_000);
  const daemonKeys = experimentQueueKeys(deps.prefix ?? '');

  const fromRecord = (r: ExperimentRecord): Experiment => ({ ...r });

  async function get(id: string): Promise<Experiment | null> {
    const row = await deps.db.experiments.get(id);
    if (row) return fromRecord(row);
    return (await queue.list()).find((e) => e.experiment.id === id)?.experiment ?? null;
  }

  /**
   * After the daemon confirmed a cancel: the row as the projection writes it once it applied the
   * ExperimentCancelled event (read-your-writes), or null if it has not within the bound.
   */
  async function settledRow(id: string, timeoutMs: number): Promise<ExperimentRecord | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await deps.db.experiments.get(id);
      if (row && !isActive(row.status)) return row;
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Queued or running alike, the daemon that holds the experiment is asked (CancelExperiment):
   * it takes a queued message off the queue atomically and records the lifecycle events; the
   * `experiments` row follows from them (the projection). Nothing is written here.
   */
  async function askDaemon(
    experiment: Experiment,
    reason: string,
  ): Promise<OperationResult<{ row: ExperimentRecord | null }>> {
    const { id } = experiment;
    const outcome = await deps.canceller.cancel(id, reason, cancelTimeoutMs);
    if (!outcome.ok) {
      // It may have ended on its own meanwhile: that is a conflict, not an absent daemon.
      const current = await get(id);
      if (current && !isActive(current.status)) return ended(id, current.status);
      return {
        ok: false,
        error: {
          code: 'unavailable',
          message: `${outcome.error}; is an experiment daemon running? (the daemon cancels queued and running experiments alike)`,
        },
      };
    }
    return { ok: true, value: { row: await settledRow(id, settleTimeoutMs) } };
  }

  async function cancel(id: string, reason = 'cancelled by the user'): Promise<OperationResult<Experiment>> {
    const experiment = await get(id);
    if (!experiment) return notFound(id);
    if (!isActive(experiment.status)) return ended(id, experiment.status);
    if (experiment.status.toUpperCase() === 'RUNNING') return recorderRun(id);
    const asked = await askDaemon(experiment, reason);
    if (!asked.ok) return asked;
    const { row } = asked.value;
    return {
      ok: true,
      // the projected row once it is there; else what it will say
      value: row ? fromRecord(row) : { ...experiment, status: 'CANCELLED', end: now() / 1000 },
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
      const { id } = experiment;
      const { redis } = deps;
      const workers = await deps.listWorkers();
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
      // The daemon's set of ids ever queued too: an id of a deleted experiment still has its events.
      if ((await get(experiment.id)) || (await redis.sismember(daemonKeys.ids, experiment.id)) === 1) {
        return {
          ok: false,
          error: {
            code: 'conflict',
            message: `an experiment with id ${experiment.id} exists already: choose another id or leave it out`,
          },
        };
      }
      // Read-your-writes: the row is there before the message, so the projection's writes (from
      // the daemon's ExperimentQueued on) come later and replace it; a rebuild gives the same rows.
      await deps.db.experiments.upsert({ ...experiment, status: 'QUEUED' });
      try {
        await queue.push(queueMessage(submission));
      } catch (e) {
        await deps.db.experiments.delete(id).catch(() => undefined);
        throw e;
      }
      return { ok: true, value: { experiment, submission } };
    },
    cancel,
    async remove(id) {
      const experiment = await get(id);
      if (!experiment) return notFound(id);
      // galileo's own recorder (RUNNING) has nothing for a daemon to stop: its row is deleted as is.
      if (isActive(experiment.status) && experiment.status.toUpperCase() !== 'RUNNING') {
        const asked = await askDaemon(experiment, 'deleted by the user');
        // ended meanwhile: deleted all the same
        if (!asked.ok && asked.error.code !== 'conflict') return asked;
      }
      await deps.db.experiments.delete(id);
      return { ok: true, value: id };
    },
  };
}

function ended(id: string, status: string): { ok: false; error: OperationError } {
  return {
    ok: false,
    error: {
      code: 'conflict',
      message: `experiment ${id} is ${status}, not queued or running: nothing to cancel`,
    },
  };
}

/** galileo's own recorder (exp.start()) runs no daemon experiment: there is nothing to stop. */
function recorderRun(id: string): { ok: false; error: OperationError } {
  return {
    ok: false,
    error: {
      code: 'conflict',
      message: `experiment ${id} was started by a galileo recorder, not a daemon: stop that recorder (exp.stop())`,
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
