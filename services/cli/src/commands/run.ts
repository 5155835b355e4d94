import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Bus, Subscription } from '@galileo/bus';
import { encodeToken, tracesOf, type GalileoCatalogue } from '@galileo/events';
import { plannedDurationSeconds, type ExperimentOperations } from '@galileo/experiments';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { experimentBodyFrom } from '../run/experiment-input.js';
import {
  applyProgress,
  initialProgress,
  isFinal,
  renderProgressLine,
  type ProgressInput,
  type ProgressState,
} from '../run/progress.js';
import { experimentOperations, operationFailure } from './experiments.js';

export interface RunOptions {
  id?: string;
  name?: string;
  creator?: string;
  follow?: boolean;
  /** How often a non-terminal output gets a progress line (ms). */
  progressInterval?: number;
}

/** Reads the input (`-` = stdin), queues it, and follows it to its end unless `--no-follow`. Returns the exit code. */
export async function runExperiment(ctx: CliContext, input: string, options: RunOptions): Promise<number> {
  const text = input === '-' ? await readStdin() : await readInput(input);
  const body = experimentBodyFrom(text, { id: options.id, name: options.name, creator: options.creator });
  const ops = await experimentOperations(ctx);
  const bus = await ctx.bus();
  const queuedAt = Date.now();
  const result = await ops.submit(body);
  if (!result.ok) throw operationFailure(result.error);
  const { experiment, submission } = result.value;
  ctx.io.out(`queued ${experiment.id}\n`);
  if (options.follow === false) return 0;
  const state = await follow(
    ctx,
    bus,
    ops,
    experiment.id,
    plannedDurationSeconds(submission),
    queuedAt,
    options,
  );
  const line = renderProgressLine(state, Date.now());
  ctx.io.err(`${ctx.io.interactive ? '\r\x1b[2K' : ''}${line}\n`);
  if (state.status === 'FINISHED') {
    ctx.io.out(`finished ${experiment.id}: galileo report ${experiment.id}\n`);
    return 0;
  }
  ctx.io.out(`${state.status.toLowerCase()} ${experiment.id}${state.reason ? `: ${state.reason}` : ''}\n`);
  return 1;
}

async function follow(
  ctx: CliContext,
  bus: Bus<GalileoCatalogue>,
  ops: ExperimentOperations,
  id: string,
  plannedS: number | null,
  since: number,
  options: RunOptions,
): Promise<ProgressState> {
  let state = initialProgress(id, plannedS);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const apply = (input: ProgressInput) => {
    if (isFinal(state)) return;
    state = applyProgress(state, input);
    if (isFinal(state)) resolveDone();
  };
  const group = `cli-run-${randomUUID()}`;
  const startAt = { time: since - 1_000 };
  const subscriptions: Subscription[] = [];
  subscriptions.push(
    await bus.subscribe(`galileo.experiments.${encodeToken(id)}.>`, {
      group,
      startAt,
      handler: (event) => {
        const at = Date.parse(event.time);
        switch (event.type) {
          case 'ExperimentStarted':
            return apply({ type: 'started', at: event.data.start * 1000 });
          case 'ExperimentFinished':
            return apply({ type: 'finished', at: event.data.end * 1000 });
          case 'ExperimentFailed':
            return apply({ type: 'failed', at: event.data.end * 1000, reason: event.data.reason });
          case 'ExperimentCancelled':
            return apply({
              type: 'cancelled',
              at: (event.data.end ?? at / 1000) * 1000,
              reason: event.data.reason,
            });
          default:
            return undefined;
        }
      },
    }),
  );
  subscriptions.push(
    await bus.subscribe('galileo.traces.>', {
      group,
      startAt,
      batchSize: 1_000,
      handler: (event) => {
        for (const trace of tracesOf(event)) {
          if (event.correlationId !== id && trace.exp_id !== id) continue;
          apply({ type: 'trace', created: trace.created, done: trace.done, status: trace.status });
        }
      },
    }),
  );

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      ctx.io.err(`\ncancelling ${id} … (Ctrl-C again to leave it running and exit)\n`);
      void ops.cancel(id, 'cancelled from galileo run (Ctrl-C)').then((r) => {
        if (!r.ok) ctx.io.err(`could not cancel ${id}: ${r.error.message}\n`);
        else apply({ type: 'cancelled', at: Date.now(), reason: 'cancelled from galileo run (Ctrl-C)' });
      });
    } else {
      ctx.io.err(`left ${id} as it is: galileo experiments show ${id}\n`);
      resolveDone();
    }
  };
  process.on('SIGINT', onSigint);
  const interval = ctx.io.interactive ? 250 : (options.progressInterval ?? 2_000);
  let lastQueuedNote = 0;
  const tick = setInterval(() => {
    const line = renderProgressLine(state, Date.now());
    if (state.status === 'QUEUED' && Date.now() - lastQueuedNote > 10_000) {
      lastQueuedNote = Date.now();
      if (Date.now() - since > 5_000)
        ctx.io.err(
          `${ctx.io.interactive ? '\r\x1b[2K' : ''}still queued: is an experiment daemon running? (npx nx run experiment-daemon:serve)\n`,
        );
    }
    ctx.io.err(ctx.io.interactive ? `\r\x1b[2K${line}` : `${line}\n`);
  }, interval);
  // A cancel or end seen only in the table (e.g. by the API while we were not subscribed yet).
  const poll = setInterval(() => {
    void ops.get(id).then(
      (e) => {
        if (!e) return apply({ type: 'cancelled', at: Date.now(), reason: 'the experiment was deleted' });
        const s = e.status.toUpperCase();
        const end = (e.end ?? Date.now() / 1000) * 1000;
        if (s === 'FINISHED') apply({ type: 'finished', at: end });
        else if (s === 'FAILED') apply({ type: 'failed', at: end, reason: 'see the daemon log' });
        else if (s === 'CANCELLED') apply({ type: 'cancelled', at: end, reason: 'cancelled' });
        return undefined;
      },
      () => undefined,
    );
  }, 3_000);
  try {
    await done;
    // Traces of the last requests arrive a moment after the lifecycle says finished.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    clearInterval(tick);
    clearInterval(poll);
    process.off('SIGINT', onSigint);
    for (const s of subscriptions) {
      const streams = s.stats().streams;
      await s.stop();
      await Promise.all(streams.map((stream) => bus.deleteGroup(stream, group).catch(() => false)));
    }
  }
  return state;
}

async function readInput(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(
      `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a file with instructions or a configuration, or - for stdin`,
      2,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '')
    throw new CliError('stdin was empty: pipe instructions or a configuration into galileo run -', 2);
  return text;
}
