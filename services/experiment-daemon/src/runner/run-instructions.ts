import { RemoteError, RequestTimeoutError } from '@galileo/bus';
import type { Instruction } from '@galileo/instructions';
import type { ClientGroupInfo, GroupRef, WorkerClient } from '@galileo/workers';

/** What the runner needs from the outside: the workers, and a way to wait. */
export interface RunnerDeps {
  workers: WorkerClient;
  /** The live workers (galileo:workers after pruning expired heartbeats), sorted. */
  listWorkers(): Promise<string[]>;
  /** Timeout of one worker command. */
  commandTimeoutMs: number;
  /** Resolves after ms, or early (false) when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

export interface RunContext {
  experimentId: string;
  /** Aborted to cancel: the runner stops before the next instruction (a sleep ends at once). */
  signal: AbortSignal;
  /** Called before an instruction is carried out, and after it succeeded. */
  issue(instruction: Instruction): Promise<void>;
  acknowledge(instruction: Instruction, result: unknown): Promise<void>;
}

export type RunOutcome =
  { outcome: 'finished' } | { outcome: 'failed'; reason: string } | { outcome: 'cancelled' };

/** A legacy client group `<worker>:<service>:<client>` (protocols §2.2) is one or more worker groups. */
interface LogicalGroup {
  worker: string;
  service: string;
  client: string | null;
  parts: { groupId: string; clients: number }[];
}

class InstructionFailed extends Error {}

const CLOSE_TIMEOUT_MS = 20_000;

const groupKey = (worker: string, service: string, client: string | null) =>
  `${worker}\u0000${service}\u0000${client ?? service}`;

/** Says which worker did what wrong, for a failure reason. */
export function describeWorkerError(worker: string, command: string, e: unknown): string {
  if (e instanceof RequestTimeoutError) return `worker '${worker}' did not answer ${command}: ${e.message}`;
  if (e instanceof RemoteError) return `worker '${worker}' refused ${command}: ${e.message}`;
  return `worker '${worker}' could not be sent ${command}: ${(e as Error).message}`;
}

/**
 * Runs one experiment's instructions in order against real workers over the bus (galileo's
 * ExperimentShell, protocols §2.2). The first instruction that fails ends the run with a reason
 * that names the line and the worker. Afterwards every group the experiment still has is paused
 * and closed — also after a failure or a cancel, so no worker keeps sending for it.
 */
export async function runInstructions(
  program: readonly Instruction[],
  ctx: RunContext,
  deps: RunnerDeps,
): Promise<RunOutcome> {
  const groups = new Map<string, LogicalGroup>();
  const opts = { experimentId: ctx.experimentId, timeoutMs: deps.commandTimeoutMs };
  // closing waits for the group's outstanding requests (the worker's shutdown timeout, 10 s by default)
  const closeOpts = {
    experimentId: ctx.experimentId,
    timeoutMs: Math.max(deps.commandTimeoutMs, CLOSE_TIMEOUT_MS),
  };

  const matching = async (pattern: string, what: Instruction) => {
    const re = new RegExp(`^(?:${pattern})$`);
    const live = await deps.listWorkers();
    const matched = live.filter((w) => re.test(w));
    if (matched.length === 0) {
      throw new InstructionFailed(
        `no live worker matches "${pattern}" (${live.length ? `live workers: ${live.join(', ')}` : 'no worker is registered'}) in ${what.kind}`,
      );
    }
    return matched;
  };

  /** Runs one call per target in parallel; every failure is named. */
  const each = async <T, R>(targets: readonly T[], call: (t: T) => Promise<R>): Promise<R[]> => {
    const settled = await Promise.allSettled(targets.map(call));
    const failures = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => String((s.reason as Error).message));
    if (failures.length > 0) throw new InstructionFailed(failures.join('; '));
    return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
  };
  const wrap = async <R>(worker: string, command: string, call: () => Promise<R>): Promise<R> => {
    try {
      return await call();
    } catch (e) {
      throw new Error(describeWorkerError(worker, command, e));
    }
  };

  const groupsFor = async (
    instruction: Instruction & { workerPattern: string; service: string; client: string | null },
  ) => {
    const workers = await matching(instruction.workerPattern, instruction);
    const found = workers
      .map((w) => groups.get(groupKey(w, instruction.service, instruction.client)))
      .filter((g): g is LogicalGroup => g !== undefined);
    if (found.length === 0) {
      throw new InstructionFailed(
        `no client group for service '${instruction.service}'${instruction.client ? ` (client ${instruction.client})` : ''} on ${workers.join(', ')}: spawn it first`,
      );
    }
    return found;
  };

  const setRate = (
    group: LogicalGroup,
    rate: number,
    arrival: { process: string; seed: string | null } | null,
  ) => {
    const clients = group.parts.reduce((n, p) => n + p.clients, 0);
    // galileo's rps is per group; the worker's rate is per client
    const perClient = rate > 0 ? rate / Math.max(1, clients) : 0;
    return each(group.parts, (part) =>
      wrap(group.worker, 'SetWorkload', () =>
        deps.workers.setWorkload(
          { worker: group.worker, groupId: part.groupId },
          {
            rate: perClient,
            ...(arrival && perClient > 0 ? { process: arrival.process } : {}),
            ...(arrival?.seed ? { seed: arrival.seed } : {}),
          },
          opts,
        ),
      ),
    );
  };

  const closeGroup = async (group: LogicalGroup) => {
    await each(group.parts, (part) =>
      wrap(group.worker, 'CloseClientGroup', () =>
        deps.workers.close({ worker: group.worker, groupId: part.groupId }, closeOpts),
      ),
    );
    groups.delete(groupKey(group.worker, group.service, group.client));
  };

  const execute = async (instruction: Instruction): Promise<unknown> => {
    switch (instruction.kind) {
      case 'spawn': {
        const workers = await matching(instruction.workerPattern, instruction);
        const spawned = await each(workers, (worker) =>
          wrap(worker, 'SpawnClientGroup', () =>
            deps.workers.spawn(
              worker,
              {
                service: instruction.service,
                clients: instruction.num,
                ...(instruction.client ? { client: instruction.client } : {}),
                ...(instruction.parameters ? { parameters: { ...instruction.parameters } } : {}),
              },
              opts,
            ),
          ),
        );
        return spawned.map((info: ClientGroupInfo) => {
          const key = groupKey(info.worker, instruction.service, instruction.client);
          const group = groups.get(key) ?? {
            worker: info.worker,
            service: instruction.service,
            client: instruction.client,
            parts: [],
          };
          group.parts.push({ groupId: info.groupId, clients: info.clientIds.length });
          groups.set(key, group);
          return { worker: info.worker, groupId: info.groupId, clients: info.clientIds.length };
        });
      }
      case 'rps': {
        const found = await groupsFor(instruction);
        await each(found, (g) => setRate(g, instruction.rate, instruction.arrival));
        return found.map((g) => ({ worker: g.worker, rate: instruction.rate }));
      }
      case 'close': {
        const found = await groupsFor(instruction);
        await each(found, closeGroup);
        return found.map((g) => ({ worker: g.worker, groups: g.parts.map((p) => p.groupId) }));
      }
      case 'sleep':
        await deps.sleep(instruction.seconds * 1000, ctx.signal);
        return undefined;
      case 'workers': {
        const live = await deps.listWorkers();
        if (instruction.pattern === null) return live;
        const re = new RegExp(`^(?:${instruction.pattern})$`);
        return live.filter((w) => re.test(w));
      }
      case 'client_groups': {
        const workers = instruction.worker ? [instruction.worker] : await deps.listWorkers();
        const infos = await each(workers, (w) =>
          wrap(w, 'GetWorkerInfo', () => deps.workers.info(w, undefined, opts)),
        );
        return infos.flatMap((i) =>
          i.groups.map((g) => ({
            worker: i.name,
            groupId: g.groupId,
            service: g.service,
            clients: g.clientIds.length,
          })),
        );
      }
      case 'info': {
        const workers = await deps.listWorkers();
        const infos = await each(workers, (w) =>
          wrap(w, 'GetWorkerInfo', () => deps.workers.info(w, undefined, opts)),
        );
        return infos.flatMap((i) =>
          i.groups.map((g) => ({
            worker: i.name,
            groupId: g.groupId,
            clients: g.clientIds.length,
            state: g.state,
            requests: g.requests,
            failures: g.failures,
            inFlight: g.inFlight,
            achievedRate: g.achievedRate,
          })),
        );
      }
      case 'ping': {
        // one request per live worker: answers come back as soon as each worker replied
        const live = await deps.listWorkers();
        const replies = await Promise.allSettled(
          live.map((w) => deps.workers.ping(w, { timeoutMs: deps.commandTimeoutMs })),
        );
        return replies.map((r, i) =>
          r.status === 'fulfilled'
            ? r.value.name
            : { worker: live[i], error: describeWorkerError(live[i]!, 'PingWorker', r.reason) },
        );
      }
      case 'echo':
        return instruction.message;
      case 'logging': {
        const live = await deps.listWorkers();
        const command = instruction.on ? 'StartTracing' : 'PauseTracing';
        const replies = await each(live, (w) =>
          wrap(w, command, () =>
            instruction.on
              ? deps.workers.startTracing(w, { timeoutMs: deps.commandTimeoutMs })
              : deps.workers.pauseTracing(w, { timeoutMs: deps.commandTimeoutMs }),
          ),
        );
        return replies.flat().map((r) => (r.ok ? r.result : { error: r.error }));
      }
      case 'exit':
        return undefined;
    }
  };

  let outcome: RunOutcome = { outcome: 'finished' };
  for (const instruction of program) {
    if (ctx.signal.aborted) {
      outcome = { outcome: 'cancelled' };
      break;
    }
    await ctx.issue(instruction);
    let result: unknown;
    try {
      result = await execute(instruction);
    } catch (e) {
      outcome = {
        outcome: 'failed',
        reason: `line ${instruction.line} (${instruction.text}): ${(e as Error).message}`,
      };
      break;
    }
    if (instruction.kind === 'sleep' && ctx.signal.aborted) {
      outcome = { outcome: 'cancelled' };
      break;
    }
    await ctx.acknowledge(instruction, result);
    if (instruction.kind === 'exit') break;
  }

  // Nothing keeps sending after the experiment: rate 0, then close what is left (galileo's runner
  // paused and closed every group; the instruction daemon relied on the text to do it).
  const leftovers = [...groups.values()];
  const cleanup = await Promise.allSettled(
    leftovers.map(async (g) => {
      await setRate(g, 0, null);
      await closeGroup(g);
    }),
  );
  const cleanupErrors = cleanup
    .filter((c): c is PromiseRejectedResult => c.status === 'rejected')
    .map((c) => (c.reason as Error).message);
  if (outcome.outcome === 'finished' && cleanupErrors.length > 0) {
    return { outcome: 'failed', reason: `closing the groups left open failed: ${cleanupErrors.join('; ')}` };
  }
  return outcome;
}

/** Sleeps that end early when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type { GroupRef };
