import type { Bus, Subscription } from '@galileo/bus';
import type { ExperimentRecord, GalileoDatabase, Repositories } from '@galileo/db';
import { experimentSubjects, type GalileoCatalogue } from '@galileo/events';
import type { Redis } from 'ioredis';
import {
  evolve,
  experimentRow,
  initialState,
  isLifecycleEvent,
  type ExperimentState,
  type LifecycleEvent,
} from '../lifecycle/experiment-lifecycle.js';
import { readLifecycleStream } from '../lifecycle/lifecycle-store.js';

/** The ledger name of this projection (galileo-db's `experiments` and `instructions` tables). */
export const EXPERIMENTS_PROJECTION = 'experiments';
/** The consumer group that runs it live (a daemon uses its own: `projectionGroupOf`). */
export const EXPERIMENTS_PROJECTION_GROUP = 'projection-experiments';

type IdentifiedEvent = LifecycleEvent & { id: string };

/**
 * Applies one lifecycle event to the tables, in the transaction `tx`. Idempotent: the ledger
 * records the event id in the same transaction, so a redelivered event changes nothing. Rows are
 * written whole (upsert) from the row folded so far, the same function a rebuild uses; the
 * `ExperimentQueued` event folds from nothing, so the projection's row wins over one written
 * before the event (the API's at POST time) and a rebuild gives the same rows.
 */
export async function applyLifecycleEvent(tx: Repositories, event: IdentifiedEvent): Promise<boolean> {
  const fresh = await tx.processed.markProcessed(EXPERIMENTS_PROJECTION, [event.id]);
  if (fresh.length === 0) return false;
  const id = event.type === 'ExperimentQueued' ? event.data.experiment.id : event.data.id;
  if (event.type === 'ExperimentQueued') {
    await tx.instructions.save({
      experimentId: id,
      instructions: event.data.instructions,
      configuration: event.data.configuration ?? null,
    });
  }
  // A queued event starts the experiment's row afresh, as a rebuild does: a row written before it
  // (the API's read-your-writes QUEUED row at POST time) is replaced by what the event says.
  const before =
    event.type === 'ExperimentQueued' ? initialState() : stateOfRow(await tx.experiments.get(id));
  const next = experimentRow(evolve(before, event));
  if (next) await tx.experiments.upsert(next);
  return true;
}

/** The part of the lifecycle state a row keeps: enough to apply the next event to it. */
function stateOfRow(row: ExperimentRecord | undefined): ExperimentState {
  if (!row) return initialState();
  const experiment = {
    id: row.id,
    name: row.name ?? row.id,
    creator: row.creator ?? '',
    created: row.created ?? 0,
  };
  switch (row.status) {
    case 'QUEUED':
      return { status: 'QUEUED', experiment, instructions: '', daemon: null };
    case 'IN_PROGRESS':
      return {
        status: 'IN_PROGRESS',
        experiment,
        instructions: '',
        daemon: '',
        start: row.start ?? 0,
        pending: null,
        acknowledged: 0,
        lastLine: null,
      };
    default:
      return {
        status: row.status,
        experiment,
        instructions: '',
        start: row.start,
        end: row.end,
        reason: null,
      };
  }
}

/**
 * Runs the projection live: a durable consumer group on every lifecycle event, one consumer,
 * strictly in stream order. Several processes may each run it with their own group (the
 * daemons do): the ledger applies every event once, and each process applies them in order —
 * one group shared by several consumers would not keep one experiment's events in order.
 * Give `consumer` a stable name, so a restarted process first finishes what it held.
 */
export function startExperimentsProjection(
  bus: Bus<GalileoCatalogue>,
  db: GalileoDatabase,
  options: { group?: string; consumer?: string; startAt?: 'new' | 'beginning' } = {},
): Promise<Subscription> {
  return bus.subscribe(experimentSubjects.allLifecycle, {
    group: options.group ?? EXPERIMENTS_PROJECTION_GROUP,
    ...(options.consumer ? { consumer: options.consumer } : {}),
    // a new group replays the history first, so a fresh database catches up
    startAt: options.startAt ?? 'beginning',
    concurrency: 1,
    handler: async (event) => {
      if (!isLifecycleEvent(event)) return;
      await db.transaction((tx) => applyLifecycleEvent(tx, event as IdentifiedEvent));
    },
  });
}

export interface RebuildResult {
  readonly events: number;
  readonly experiments: number;
}

/**
 * Rebuilds the projection from the lifecycle stream, from its beginning: every experiment's events
 * are folded again (the same `evolve` the live projection applies), each row and instruction text
 * is written whole, and the ledger is reset to exactly the events replayed — in one transaction.
 * Rows of experiments without events (written by other tools) and other tables stay as they are.
 */
export async function rebuildExperimentsProjection(
  redis: Redis,
  bus: Bus<GalileoCatalogue>,
  db: GalileoDatabase,
): Promise<RebuildResult> {
  const states = new Map<string, ExperimentState>();
  const queued = new Map<string, Extract<LifecycleEvent, { type: 'ExperimentQueued' }>>();
  const ids: string[] = [];
  for await (const e of readLifecycleStream(redis, bus)) {
    const id = e.type === 'ExperimentQueued' ? e.data.experiment.id : e.data.id;
    if (e.type === 'ExperimentQueued' && !queued.has(id)) queued.set(id, e);
    states.set(id, evolve(states.get(id) ?? initialState(), e));
    ids.push(e.id);
  }
  await db.transaction(async (tx) => {
    await tx.processed.reset(EXPERIMENTS_PROJECTION);
    for (const [id, state] of states) {
      const q = queued.get(id);
      if (q) {
        await tx.instructions.save({
          experimentId: id,
          instructions: q.data.instructions,
          configuration: q.data.configuration ?? null,
        });
      }
      const row = experimentRow(state);
      if (row) await tx.experiments.upsert(row);
    }
    for (let i = 0; i < ids.length; i += 500)
      await tx.processed.markProcessed(EXPERIMENTS_PROJECTION, ids.slice(i, i + 500));
  });
  return { events: ids.length, experiments: states.size };
}
