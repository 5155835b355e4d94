import { randomUUID } from 'node:crypto';
import {
  mirrorToPubSub,
  registerBusMetrics,
  type Bus,
  type MessageContext,
  type Subscription,
} from '@galileo/bus';
import type { GalileoDatabase } from '@galileo/db';
import {
  encodeToken,
  experimentSubjects,
  type CancelOutcome,
  type CatalogueEvent,
  type GalileoCatalogue,
} from '@galileo/events';
import { configurationToInstructions, parseInstructions } from '@galileo/instructions';
import { forExperiment, type Logger } from '@galileo/logging';
import { startHealthServer, type HealthServer } from '@galileo/runtime';
import { createWorkerClient, listLiveWorkers, type WorkerClient } from '@galileo/workers';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ExperimentDaemonConfig } from './config.js';
import type { LifecycleCommand } from './lifecycle/experiment-lifecycle.js';
import {
  newExperimentStream,
  openExperimentStream,
  type ExperimentStream,
} from './lifecycle/lifecycle-store.js';
import { formatLifecycleLine } from './lifecycle/lifecycle-line.js';
import {
  EXPERIMENTS_PROJECTION_GROUP,
  startExperimentsProjection,
} from './projection/experiments-projection.js';
import {
  createExperimentQueue,
  experimentQueueKeys,
  stampMessage,
  unstampMessage,
  type ExperimentQueue,
  generateExperimentId,
  instructionsProblem,
  readQueueMessage,
} from '@galileo/experiment-queue';
import { abortableSleep, runInstructions } from './runner/run-instructions.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface ExperimentDaemonDeps {
  bus: Bus<GalileoCatalogue>;
  /** Commands; duplicated for the blocking queue read. */
  redis: Redis;
  config: ExperimentDaemonConfig;
  logger: Logger;
  /** The experiment database; the `experiments` projection runs here when given (and configured). */
  db?: GalileoDatabase | null;
  workers?: WorkerClient;
  clock?: Clock;
  /** For galileo's default creator `galileo-<pid>`. */
  pid?: number;
}

export interface ExperimentDaemonStatus {
  readonly name: string;
  readonly state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped';
  /** The experiment running now, if any. */
  readonly current: string | null;
  /** Experiments this daemon ended since it started. */
  readonly ended: number;
}

export interface ExperimentDaemon {
  readonly name: string;
  /** Takes its lease, recovers what it or dead daemons left, then reads the queue. */
  start(): Promise<void>;
  /**
   * Stops reading the queue; a running experiment is stopped (rate 0, groups closed) and ends
   * FAILED with the reason that the daemon stopped; then releases the lease. The bus and the
   * Redis connection stay open (they are the caller's).
   */
  stop(): Promise<void>;
  status(): ExperimentDaemonStatus;
  readonly metrics: Registry;
  readonly httpPort: number | null;
}

/** Consumer group of one daemon on the cancel command (each daemon sees every cancel). */
export const cancelGroupOf = (daemon: string) => `experimentd-${encodeToken(daemon)}`;
/** Consumer group of one daemon's projection (each applies every event in order; the ledger applies it once). */
export const projectionGroupOf = (daemon: string) => `${EXPERIMENTS_PROJECTION_GROUP}-${encodeToken(daemon)}`;
/** Keeps the lifecycle stream from being trimmed: a group at 0 that nobody reads. */
export const RETENTION_GROUP = 'experiments-retention';
export const LIFECYCLE_MIRROR_GROUP = 'mirror-experiment-lifecycle';

interface Running {
  readonly id: string;
  readonly abort: AbortController;
  /** Set by a cancel: the reason recorded. */
  cancelReason: string | null;
  /** Set by stop(): the experiment fails instead. */
  stopReason: string | null;
  readonly done: Promise<void>;
}

/**
 * The experiment daemon (galileo's experimentd, protocols §2): reads `galileo:experiments:instructions`
 * reliably, records every message as an experiment whose lifecycle is events on the bus, and runs
 * one experiment at a time, in queue order, against the workers.
 */
export function createExperimentDaemon(deps: ExperimentDaemonDeps): ExperimentDaemon {
  const { bus, redis, config, logger } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const name = config.name;
  const prefix = config.redis.keyPrefix;
  const workers = deps.workers ?? createWorkerClient(bus);
  const instance = randomUUID();
  const keys = experimentQueueKeys(prefix, config.queue);
  const queue: ExperimentQueue = createExperimentQueue({
    redis,
    keys,
    daemon: name,
    instance,
    leaseMs: config.lease,
  });
  const defaultCreator = `galileo-${deps.pid ?? process.pid}`;
  const nowS = () => clock.now() / 1000;
  const newId = () => generateExperimentId(clock.now());

  const metrics = new Registry();
  registerBusMetrics(bus, metrics);
  const endedTotal = new Counter({
    name: 'galileo_experimentd_experiments_total',
    help: 'Experiments this daemon ended, by final status.',
    labelNames: ['status'] as const,
    registers: [metrics],
  });
  new Gauge({
    name: 'galileo_experimentd_running',
    help: '1 while this daemon runs an experiment.',
    registers: [metrics],
    collect() {
      this.set(running ? 1 : 0);
    },
  });
  new Gauge({
    name: 'galileo_experimentd_queue_length',
    help: 'Messages waiting in the experiment queue.',
    registers: [metrics],
    async collect() {
      this.set(await redis.llen(keys.queue));
    },
  });

  let state: ExperimentDaemonStatus['state'] = 'new';
  let running: Running | null = null;
  let ended = 0;
  let loop: Promise<void> | null = null;
  let starting: Promise<void> | null = null;
  let stopRequested = false;
  let leaseHeld = false;
  let leaseTimer: NodeJS.Timeout | null = null;
  let recoveryTimer: NodeJS.Timeout | null = null;
  let recovering: Promise<void> = Promise.resolve();
  const subscriptions: Subscription[] = [];
  let healthServer: HealthServer | null = null;
  /** Cancels for the experiment being accepted right now (between queued and started). */
  const cancelsBeforeStart = new Map<string, string>();
  let accepting: string | null = null;

  const log = (id: string) => forExperiment(logger, id);

  async function must(stream: ExperimentStream, command: LifecycleCommand) {
    const result = await stream.handle(command);
    if (!result.ok) throw new Error(result.error.message);
    return result.state;
  }

  function noteEnd(stream: ExperimentStream) {
    const status = stream.state().status;
    ended++;
    endedTotal.inc({ status });
    log(stream.id).info(
      {
        status,
        reason: 'reason' in stream.state() ? (stream.state() as { reason: string | null }).reason : null,
      },
      'experiment ended',
    );
  }

  /** Closes every group a worker still runs for the experiment (a dead daemon's, or after a failure). */
  async function closeGroupsOf(id: string) {
    const live = await listLiveWorkers(redis, { prefix }).catch(() => [] as string[]);
    await Promise.allSettled(
      live.map(async (worker) => {
        const info = await workers.info(worker, undefined, { timeoutMs: config.commandTimeout });
        for (const g of info.groups.filter((g) => g.experimentId === id)) {
          await workers.close(
            { worker, groupId: g.groupId },
            { experimentId: id, timeoutMs: Math.max(20_000, config.commandTimeout) },
          );
        }
      }),
    );
  }

  /** Ends an experiment whose daemon is gone: it fails with the reason, its groups are closed. */
  async function endOrphan(id: string, why: string) {
    const stream = await openExperimentStream(redis, bus, id);
    const s = stream.state();
    if (s.status !== 'QUEUED' && s.status !== 'IN_PROGRESS') return;
    await closeGroupsOf(id);
    const where =
      s.status === 'IN_PROGRESS'
        ? s.lastLine
          ? ` after line ${s.lastLine}`
          : ' before its first instruction completed'
        : ' before it started';
    await must(stream, {
      type: 'FailExperiment',
      end: nowS(),
      reason: `${why}${where}; its client groups were closed`,
    });
    noteEnd(stream);
  }

  async function runExperiment(stream: ExperimentStream, instructions: string) {
    const id = stream.id;
    const parsed = parseInstructions(instructions);
    if (!parsed.ok) throw new Error('instructions were checked before'); // a bug
    let finish!: () => void;
    const current: Running = {
      id,
      abort: new AbortController(),
      cancelReason: null,
      stopReason: null,
      done: new Promise<void>((r) => (finish = r)),
    };
    running = current;
    try {
      await must(stream, { type: 'StartExperiment', start: nowS(), daemon: name });
      log(id).info({ lines: parsed.value.length }, 'experiment started');
      const outcome = await runInstructions(
        parsed.value,
        {
          experimentId: id,
          signal: current.abort.signal,
          issue: async (i) => {
            await must(stream, { type: 'IssueCommand', line: i.line, command: i.text, kind: i.kind });
          },
          acknowledge: async (i, result) => {
            await must(stream, { type: 'AcknowledgeCommand', line: i.line, result: jsonSafe(result) });
          },
        },
        {
          workers,
          listWorkers: () => listLiveWorkers(redis, { prefix }),
          commandTimeoutMs: config.commandTimeout,
          sleep: abortableSleep,
        },
      );
      // a spawn answered too late (or a command half done) may have left a group the runner
      // does not know: whatever a worker still runs for this experiment is closed
      if (outcome.outcome !== 'finished') await closeGroupsOf(id);
      const end = nowS();
      if (outcome.outcome === 'finished') await must(stream, { type: 'FinishExperiment', end });
      else if (outcome.outcome === 'failed')
        await must(stream, { type: 'FailExperiment', end, reason: outcome.reason });
      else if (current.stopReason)
        await must(stream, { type: 'FailExperiment', end, reason: current.stopReason });
      else await must(stream, { type: 'CancelExperiment', end, reason: current.cancelReason ?? 'cancelled' });
      noteEnd(stream);
    } catch (e) {
      // infrastructure (Redis, the bus): record the failure if we still can; else recovery will
      log(id).error({ err: e }, 'experiment run broke');
      const s = stream.state().status;
      if (s === 'QUEUED' || s === 'IN_PROGRESS') {
        await closeGroupsOf(id).catch(() => undefined);
        const failed = await stream
          .handle({
            type: 'FailExperiment',
            end: nowS(),
            reason: `the daemon '${name}' failed while running it: ${(e as Error).message}`,
          })
          .catch(() => null);
        if (failed?.ok) noteEnd(stream);
        else throw e;
      }
    } finally {
      running = null;
      finish();
    }
  }

  /** One message, from the processing list to the end of its experiment. */
  async function handleEntry(entry: string) {
    const { raw, stamped } = unstampMessage(entry);
    let generated: string | null = null;
    const message = readQueueMessage(raw, {
      now: nowS(),
      newId: () => (generated = newId()),
      defaultCreator,
      maxBytes: config.maxMessageSize,
      stamped,
    });
    let experiment = message.experiment;
    let problem = message.problem;
    let instructions = message.instructions;
    let current = entry;
    // The id is kept with the message first: a retry after a crash records the same experiment.
    if (!stamped) {
      current = stampMessage(raw, experiment.id, experiment.created);
      await queue.restamp(entry, current);
    }
    // The history is read only when it may exist — a recovered message, or an id the message
    // chose that was queued before — because the lifecycle stream is long and never trimmed.
    const mayExist =
      stamped !== null || (experiment.id !== generated && (await queue.isKnownId(experiment.id)));
    let stream = mayExist
      ? await openExperimentStream(redis, bus, experiment.id)
      : newExperimentStream(bus, experiment.id);
    const found = stream.state();
    if (found.status !== 'initial') {
      if (stamped && found.status === 'QUEUED') {
        // queued before a crash, not yet started: carry on with what was queued
        instructions = found.instructions;
        problem = problem ?? instructionsProblem(instructions);
      } else if (stamped) {
        await queue.drop(current); // it already ran (or ended): nothing left to do
        return;
      } else {
        const taken = experiment.id;
        const fresh = newId();
        experiment = { ...experiment, id: fresh, name: experiment.name === taken ? fresh : experiment.name };
        problem = `an experiment with id "${taken}" already exists (${found.status}); ids must be unique`;
        const restamped = stampMessage(raw, fresh, experiment.created);
        await queue.restamp(current, restamped);
        current = restamped;
        stream = newExperimentStream(bus, fresh);
      }
    }
    const id = experiment.id;
    if (stream.state().status === 'initial') {
      if (!problem && message.form === 'configuration' && message.configuration) {
        const translated = configurationToInstructions(
          message.configuration,
          await listLiveWorkers(redis, { prefix }),
        );
        if (translated.ok) {
          instructions = translated.value;
          problem = instructionsProblem(instructions);
        } else problem = translated.error;
      }
      await must(stream, {
        type: 'QueueExperiment',
        experiment,
        instructions,
        form: message.form,
        ...(message.rawConfiguration === undefined ? {} : { configuration: message.rawConfiguration }),
        daemon: name,
      });
      await queue.noteId(id);
      log(id).info({ form: message.form, problem }, 'experiment queued');
    }
    // Its queued event is on the bus: the message may leave the processing list now.
    accepting = id;
    await queue.accept(current, id);
    try {
      const cancelled = cancelsBeforeStart.get(id);
      if (cancelled !== undefined) {
        await must(stream, { type: 'CancelExperiment', end: nowS(), reason: cancelled });
        noteEnd(stream);
      } else if (problem) {
        await must(stream, { type: 'FailExperiment', end: nowS(), reason: problem });
        noteEnd(stream);
      } else {
        accepting = null;
        await runExperiment(stream, instructions);
      }
    } finally {
      accepting = null;
      cancelsBeforeStart.delete(id);
    }
    await queue.clearCurrent();
  }

  /** Retries a message until it is handled (Redis away, …) or the daemon stops; it stays in the processing list meanwhile. */
  async function handleReliably(entry: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        await handleEntry(entry);
        return;
      } catch (e) {
        logger.error({ err: e, attempt }, 'handling a queue message failed; it stays in the processing list');
        if (state !== 'running') return;
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }

  async function readQueue() {
    for (const entry of await queue.processing()) {
      if (state !== 'running') return;
      await handleReliably(entry);
    }
    while (state === 'running') {
      let entry: string | null;
      try {
        entry = await queue.take(1);
      } catch (e) {
        if (state !== 'running') return;
        logger.warn({ err: e }, 'reading the queue failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (entry === null) continue;
      if (state !== 'running') {
        // Taken while stopping (a BLMOVE in flight): not ours to run. Back to the head of the
        // queue; if even that fails it stays in the processing list, for the next instance.
        await queue
          .putBack(entry)
          .then((back) => logger.info({ back }, 'a message taken while stopping went back to the queue'))
          .catch((e: unknown) =>
            logger.warn({ err: e }, 'a message taken while stopping stays in the processing list'),
          );
        return;
      }
      await handleReliably(entry);
    }
  }

  async function recoverDead() {
    const recovered = await queue.recoverDead();
    for (const r of recovered) {
      logger.warn(
        { daemon: r.daemon, requeued: r.requeued, experimentId: r.current },
        'recovered the work of a dead daemon',
      );
      await bus.deleteGroup(experimentSubjects.cancel, cancelGroupOf(r.daemon)).catch(() => false);
      await bus
        .deleteGroup(experimentSubjects.lifecycleStream, projectionGroupOf(r.daemon))
        .catch(() => false);
      if (r.current) {
        await endOrphan(
          r.current,
          `the daemon '${r.daemon}' stopped (its lease expired) while the experiment was running`,
        ).catch((e: unknown) =>
          log(r.current!).error({ err: e }, 'ending the experiment of a dead daemon failed'),
        );
      }
    }
  }

  async function onCancel(event: CatalogueEvent<GalileoCatalogue>, ctx: MessageContext) {
    if (event.type !== 'CancelExperiment') return;
    const { id } = event.data;
    const reason = event.data.reason ?? 'cancelled on request';
    const answer = (outcome: { cancelled: true; was: 'queued' | 'running' }) =>
      ctx.reply?.({ ...outcome, id, daemon: name } satisfies CancelOutcome);
    const r = running;
    if (r && r.id === id) {
      r.cancelReason = reason;
      r.abort.abort();
      await r.done;
      log(id).info({ reason }, 'running experiment cancelled');
      return answer({ cancelled: true, was: 'running' });
    }
    if (accepting === id) {
      cancelsBeforeStart.set(id, reason);
      return answer({ cancelled: true, was: 'queued' });
    }
    const removed = await queue.removeQueued(id);
    // Not ours: only the daemon that has it answers, so a requester that takes the first reply
    // (bus.request) gets the one that counts.
    if (!removed) return;
    // Recorded as galileo's REST layer would have: queued, then cancelled.
    const { raw, stamped } = unstampMessage(removed);
    const message = readQueueMessage(raw, {
      now: nowS(),
      newId,
      defaultCreator,
      maxBytes: config.maxMessageSize,
      stamped,
    });
    const stream = await openExperimentStream(redis, bus, id);
    if (stream.state().status === 'initial') {
      await must(stream, {
        type: 'QueueExperiment',
        experiment: { ...message.experiment, id },
        instructions: message.instructions,
        form: message.form,
        ...(message.rawConfiguration === undefined ? {} : { configuration: message.rawConfiguration }),
        daemon: name,
      });
      await queue.noteId(id);
    }
    const cancelled = await stream.handle({ type: 'CancelExperiment', end: nowS(), reason });
    if (cancelled.ok) noteEnd(stream);
    log(id).info({ reason }, 'queued experiment cancelled');
    return answer({ cancelled: true, was: 'queued' });
  }

  async function ensureRetention() {
    try {
      await redis.xgroup(
        'CREATE',
        bus.keys.stream(experimentSubjects.lifecycleStream),
        RETENTION_GROUP,
        '0',
        'MKSTREAM',
      );
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
  }

  return {
    name,
    metrics,
    get httpPort() {
      return healthServer?.port ?? null;
    },
    status: () => ({ name, state, current: running?.id ?? accepting, ended }),

    start() {
      if (state !== 'new')
        return Promise.reject(new Error(`experiment daemon '${name}' was already started`));
      state = 'starting';
      starting = startNow();
      return starting;
    },

    async stop() {
      if (state === 'stopped' || state === 'stopping') return;
      if (state === 'new') {
        state = 'stopped';
        queue.close();
        return;
      }
      if (state === 'starting') {
        // a stop during start: start ends without reading the queue, then this stop cleans up
        stopRequested = true;
        await starting?.catch(() => undefined);
        // another stop() may have done the work meanwhile
        const after = state as ExperimentDaemonStatus['state'];
        if (after === 'stopped' || after === 'stopping') return;
      }
      const wasRunning = state === 'running';
      state = 'stopping';
      if (recoveryTimer) clearInterval(recoveryTimer);
      const r = running;
      if (r) {
        r.stopReason = `the daemon '${name}' was stopped while the experiment was running`;
        r.abort.abort();
      }
      // A blocking read in flight returns now; whatever it took meanwhile goes back (readQueue).
      await queue
        .unblock()
        .catch((e: unknown) => logger.warn({ err: e }, 'unblocking the queue read failed'));
      await loop;
      await recovering;
      await Promise.all(subscriptions.map((s) => s.stop()));
      if (wasRunning)
        await bus.deleteGroup(experimentSubjects.cancel, cancelGroupOf(name)).catch(() => false);
      if (leaseTimer) clearInterval(leaseTimer);
      // Only a clean stop gives the name up: what is left in the processing list is recovered by the next instance.
      if (leaseHeld && (await queue.processing().catch(() => ['?'])).length === 0)
        await queue.releaseLease().catch(() => undefined);
      queue.close();
      await healthServer?.close();
      state = 'stopped';
      logger.info({}, 'experiment daemon stopped');
    },
  };

  async function startNow() {
    await ensureRetention();
    for (;;) {
      const lease = await queue.acquireLease();
      if (lease.ok) {
        leaseHeld = true;
        break;
      }
      logger.warn(
        { holder: lease.holder, ttlMs: lease.ttlMs },
        `the name '${name}' is held by another live instance; waiting for its lease to expire`,
      );
      await new Promise((r) => setTimeout(r, Math.max(50, Math.min(lease.ttlMs, 1_000))));
      if (stopRequested) return;
    }
    leaseTimer = setInterval(
      () => {
        queue.renewLease().catch((e: unknown) => logger.warn({ err: e }, 'renewing the lease failed'));
      },
      Math.max(50, Math.floor(config.lease / 3)),
    );
    leaseTimer.unref();

    subscriptions.push(
      await bus.subscribe(experimentSubjects.cancel, {
        group: cancelGroupOf(name),
        startAt: 'new',
        concurrency: 4,
        handler: onCancel,
      }),
    );
    if (deps.db && config.projection) {
      subscriptions.push(
        await startExperimentsProjection(bus, deps.db, { group: projectionGroupOf(name), consumer: name }),
      );
    }
    await redis.sadd(bus.keys.mirroredChannels, `${prefix}galileo/events`);
    subscriptions.push(
      await mirrorToPubSub(bus, {
        pattern: experimentSubjects.allLifecycle,
        channel: `${prefix}galileo/events`,
        group: LIFECYCLE_MIRROR_GROUP,
        format: formatLifecycleLine,
      }),
    );
    if (config.httpPort > 0) {
      healthServer = await startHealthServer({
        port: config.httpPort,
        host: config.httpHost,
        registry: metrics,
        health: () => ({ healthy: state === 'running', name, state, current: running?.id ?? null }),
        ready: () => ({
          ready: state === 'running' && redis.status === 'ready',
          name,
          redis: redis.status,
        }),
      });
    }

    // What an earlier instance of this name left: its current experiment ends FAILED, its
    // processing list is read first (by the loop).
    const leftover = await queue.current();
    if (leftover) {
      await endOrphan(leftover, `the daemon '${name}' restarted while the experiment was running`);
      await queue.clearCurrent();
    }
    // stopped while starting: the stop that waits for this cleans up; the queue is not read
    state = 'running';
    if (stopRequested) return;
    recovering = recoverDead().catch((e: unknown) =>
      logger.warn({ err: e }, 'recovering dead daemons failed'),
    );
    recoveryTimer = setInterval(
      () => {
        recovering = recovering
          .then(recoverDead)
          .catch((e: unknown) => logger.warn({ err: e }, 'recovering dead daemons failed'));
      },
      Math.max(100, Math.floor(config.lease / 2)),
    );
    recoveryTimer.unref();
    loop = readQueue().catch((e: unknown) => logger.error({ err: e }, 'the queue loop stopped'));
    logger.info({ queue: keys.queue, lease: config.lease }, 'experiment daemon started');
  }
}

/** Results go into events: anything that does not survive JSON becomes what JSON makes of it. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
