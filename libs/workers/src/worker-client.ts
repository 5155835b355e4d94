import type { Bus } from '@galileo/bus';
import {
  galileoSubjects,
  type GalileoCatalogue,
  type SetWorkload,
  type SpawnClientGroup,
} from '@galileo/events';
import type { ClientGroupInfo, PingReply, TracingReply, WorkerInfo } from './worker-replies.js';

/** Which group on which worker: what `spawn` returns is one. */
export interface GroupRef {
  worker: string;
  groupId: string;
}

export interface CommandOptions {
  /** The experiment: the envelope's correlationId, stamped on the traces of a workload it sets. */
  experimentId?: string | null;
  timeoutMs?: number;
}

/** A broadcast answer: a worker's reply, or the reason one failed. */
export type BroadcastReply<T> = { ok: true; result: T } | { ok: false; error: string };

export interface WorkerClient {
  /** Starts a client group on `worker`; resolves to its description (ids, state, counters). */
  spawn(worker: string, group: SpawnClientGroup, options?: CommandOptions): Promise<ClientGroupInfo>;
  /** Gives every client of the group an arrival process (rate per client, or n requests …). */
  setWorkload(
    group: GroupRef,
    workload: Omit<SetWorkload, 'groupId'>,
    options?: CommandOptions,
  ): Promise<ClientGroupInfo>;
  pause(group: GroupRef, options?: CommandOptions): Promise<ClientGroupInfo>;
  /** Stops the group; resolves once its outstanding requests finished, with its final counters. */
  close(group: GroupRef, options?: CommandOptions): Promise<ClientGroupInfo>;
  /** The worker's groups, or one of them. */
  info(worker: string, groupId?: string, options?: CommandOptions): Promise<WorkerInfo>;
  ping(worker: string, options?: CommandOptions): Promise<PingReply>;
  /** Every worker that answers within the timeout (default 2 s, galileo's `g.ping()`). */
  pingAll(options?: CommandOptions): Promise<BroadcastReply<PingReply>[]>;
  /** Tracing on/off on one worker, or on every worker when `worker` is omitted. */
  startTracing(worker?: string, options?: CommandOptions): Promise<BroadcastReply<TracingReply>[]>;
  pauseTracing(worker?: string, options?: CommandOptions): Promise<BroadcastReply<TracingReply>[]>;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** Closing waits for outstanding requests (the worker's shutdown timeout, 10 s by default). */
const CLOSE_TIMEOUT_MS = 20_000;
const BROADCAST_TIMEOUT_MS = 2_000;

/**
 * Sends worker commands over the bus and waits for the answers: a rejected command rejects with a
 * `RemoteError` carrying the worker's reason, no answer with a `RequestTimeoutError`, a payload
 * that breaks its schema with an `InvalidEventError` before anything is sent.
 */
export function createWorkerClient(bus: Bus<GalileoCatalogue>): WorkerClient {
  const send = <T>(
    worker: string,
    command: string,
    draft: Parameters<typeof bus.request>[1],
    timeoutMs?: number,
  ) =>
    bus.request(galileoSubjects.workerCommand(worker, command), draft, {
      timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    }) as Promise<T>;
  const correlation = (options?: CommandOptions) =>
    options?.experimentId === undefined ? {} : { correlationId: options.experimentId };

  const tracing = async (
    type: 'StartTracing' | 'PauseTracing',
    worker?: string,
    options?: CommandOptions,
  ) => {
    if (worker !== undefined) {
      const reply = await send<TracingReply>(worker, 'tracing', { type, data: {} }, options?.timeoutMs);
      return [{ ok: true as const, result: reply }];
    }
    return (await bus.requestMany(
      galileoSubjects.workersBroadcast('tracing'),
      { type, data: {} },
      { timeoutMs: options?.timeoutMs ?? BROADCAST_TIMEOUT_MS },
    )) as BroadcastReply<TracingReply>[];
  };

  return {
    spawn: (worker, group, options) =>
      send(
        worker,
        'spawn',
        { type: 'SpawnClientGroup', data: group, ...correlation(options) },
        options?.timeoutMs,
      ),
    setWorkload: (group, workload, options) =>
      send(
        group.worker,
        'workload',
        { type: 'SetWorkload', data: { ...workload, groupId: group.groupId }, ...correlation(options) },
        options?.timeoutMs,
      ),
    pause: (group, options) =>
      send(
        group.worker,
        'pause',
        { type: 'PauseWorkload', data: { groupId: group.groupId }, ...correlation(options) },
        options?.timeoutMs,
      ),
    close: (group, options) =>
      send(
        group.worker,
        'close',
        { type: 'CloseClientGroup', data: { groupId: group.groupId }, ...correlation(options) },
        options?.timeoutMs ?? CLOSE_TIMEOUT_MS,
      ),
    info: (worker, groupId, options) =>
      send(
        worker,
        'info',
        { type: 'GetWorkerInfo', data: groupId === undefined ? {} : { groupId }, ...correlation(options) },
        options?.timeoutMs,
      ),
    ping: (worker, options) => send(worker, 'ping', { type: 'PingWorker', data: {} }, options?.timeoutMs),
    pingAll: async (options) =>
      (await bus.requestMany(
        galileoSubjects.workersBroadcast('ping'),
        { type: 'PingWorker', data: {} },
        { timeoutMs: options?.timeoutMs ?? BROADCAST_TIMEOUT_MS },
      )) as BroadcastReply<PingReply>[],
    startTracing: (worker, options) => tracing('StartTracing', worker, options),
    pauseTracing: (worker, options) => tracing('PauseTracing', worker, options),
  };
}
