import { randomUUID } from 'node:crypto';
import { patternProblem, type StartAt } from '@galileo/bus';
import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';
import type { CliContext } from '../cli-context.js';
import { usageError } from '../cli-error.js';

export interface TailOptions {
  json?: boolean;
  from?: string;
  count?: number;
  /** Also traces and telemetry (they drown everything else at load). */
  all?: boolean;
}

const NOISY = new Set(['TraceRecorded', 'TraceBatchRecorded', 'TelemetryReported']);

export function formatEventLine(event: CatalogueEvent<GalileoCatalogue>): string {
  const time = event.time.replace('T', ' ').replace('Z', '');
  return `${time}  ${event.subject}  ${event.type}  ${JSON.stringify(event.data)}`;
}

/** Prints bus events as they arrive until Ctrl-C (or `--count` events). */
export async function tailEvents(ctx: CliContext, pattern: string, options: TailOptions): Promise<void> {
  const problem = patternProblem(pattern);
  if (problem)
    throw usageError(
      `${problem}: give a NATS-style pattern such as galileo.experiments.> or galileo.events.*`,
    );
  let startAt: StartAt = 'new';
  if (options.from === 'beginning') startAt = 'beginning';
  else if (options.from !== undefined && options.from !== 'new') {
    const ms = /^\d+$/.test(options.from) ? Number(options.from) : Date.parse(options.from);
    if (!Number.isFinite(ms))
      throw usageError(`--from ${options.from}: give new, beginning, epoch ms or an ISO time`);
    startAt = { time: ms };
  }
  const bus = await ctx.bus();
  const group = `cli-tail-${randomUUID()}`;
  const quiet =
    !options.all &&
    pattern !== 'galileo.traces.>' &&
    !pattern.startsWith('galileo.traces') &&
    !pattern.startsWith('galileo.telemetry');
  let seen = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const subscription = await bus.subscribe(pattern, {
    group,
    startAt,
    handler: (event) => {
      if (quiet && NOISY.has(event.type)) return;
      if (options.count !== undefined && seen >= options.count) return;
      seen++;
      ctx.io.out(options.json ? `${JSON.stringify(event)}\n` : `${formatEventLine(event)}\n`);
      if (options.count !== undefined && seen >= options.count) finish();
    },
  });
  ctx.io.err(`following ${pattern} (Ctrl-C to stop)\n`);
  const stop = () => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await finished;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const streams = subscription.stats().streams;
    await subscription.stop();
    await Promise.all(streams.map((s) => bus.deleteGroup(s, group).catch(() => false)));
  }
}
