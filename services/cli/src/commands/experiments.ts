import type { Experiment } from '@galileo/db';
import {
  createBusCanceller,
  createExperimentOperations,
  type ExperimentOperations,
  type OperationError,
} from '@galileo/experiments';
import { listLiveWorkers } from '@galileo/workers';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatEpoch, formatTable } from '../format/table.js';

export async function experimentOperations(ctx: CliContext): Promise<ExperimentOperations> {
  const [redis, bus, db] = await Promise.all([ctx.redis(), ctx.bus(), ctx.db()]);
  return createExperimentOperations({
    redis,
    bus,
    db,
    // through the daemon, which records the cancel; a missing daemon is reported at once
    canceller: createBusCanceller(bus, { redis, prefix: ctx.prefix }),
    listWorkers: () => listLiveWorkers(redis, { prefix: ctx.prefix }),
    prefix: ctx.prefix,
    creator: `galileo-cli-${process.env.USER ?? process.pid}`,
  });
}

/** An operation's error as the CLI reports it (a bad field is a usage error, exit 2). */
export function operationFailure(error: OperationError): CliError {
  if (error.code === 'invalid') return new CliError(`${error.field}: ${error.message}`, 2);
  return new CliError(error.message, 1);
}

export function experimentsTable(experiments: readonly Experiment[]): string {
  if (experiments.length === 0) return 'no experiments\n';
  return formatTable(
    ['id', 'name', 'creator', 'status', 'created', 'start', 'end', 'duration'],
    experiments.map((e) => [
      e.id,
      (e.name ?? '').slice(0, 30),
      e.creator,
      e.status,
      formatEpoch(e.created),
      formatEpoch(e.start),
      formatEpoch(e.end),
      e.start !== null && e.end !== null ? `${(e.end - e.start).toFixed(1)} s` : '',
    ]),
  );
}

export async function listExperiments(
  ctx: CliContext,
  options: { json?: boolean; status?: string },
): Promise<void> {
  const ops = await experimentOperations(ctx);
  let experiments = await ops.list();
  if (options.status) {
    const wanted = options.status.toUpperCase().split(',');
    experiments = experiments.filter((e) => wanted.includes(e.status.toUpperCase()));
  }
  ctx.io.out(options.json ? `${JSON.stringify(experiments, null, 2)}\n` : experimentsTable(experiments));
}

export async function showExperiment(
  ctx: CliContext,
  id: string,
  options: { json?: boolean },
): Promise<void> {
  const ops = await experimentOperations(ctx);
  const experiment = await ops.get(id);
  if (!experiment) throw new CliError(`no experiment ${id}: list them with galileo experiments ls`);
  const db = await ctx.db();
  const [instructions, traces, queued] = await Promise.all([
    db.instructions.get(id).catch(() => undefined),
    db.traces.count({ experimentId: id }),
    ops.queue.list(),
  ]);
  const position = queued.find((q) => q.experiment.id === id)?.position;
  if (options.json) {
    ctx.io.out(
      `${JSON.stringify({ ...experiment, traces, queuePosition: position ?? null, instructions: instructions?.instructions ?? null }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `id        ${experiment.id}`,
    `name      ${experiment.name ?? ''}`,
    `creator   ${experiment.creator ?? ''}`,
    `status    ${experiment.status}${position !== undefined ? ` (queue position ${position})` : ''}`,
    `created   ${formatEpoch(experiment.created)}`,
    `start     ${formatEpoch(experiment.start)}`,
    `end       ${formatEpoch(experiment.end)}`,
    `traces    ${traces}`,
  ];
  if (instructions?.instructions) {
    lines.push('instructions');
    for (const l of instructions.instructions.split('\n')) lines.push(`  ${l}`);
  }
  ctx.io.out(`${lines.join('\n')}\n`);
}

export async function cancelExperiment(
  ctx: CliContext,
  id: string,
  options: { reason?: string },
): Promise<void> {
  const ops = await experimentOperations(ctx);
  const result = await ops.cancel(id, options.reason);
  if (!result.ok) throw operationFailure(result.error);
  ctx.io.out(`cancelled ${id}\n`);
}

export async function removeExperiment(ctx: CliContext, ids: readonly string[]): Promise<void> {
  const ops = await experimentOperations(ctx);
  for (const id of ids) {
    const result = await ops.remove(id);
    if (!result.ok) throw operationFailure(result.error);
    ctx.io.out(`deleted ${id}\n`);
  }
}
