import type { CatalogueEvent, GalileoCatalogue, SetWorkload, SpawnClientGroup } from '@galileo/events';
import type { ClientAppLoader } from './client-apps.js';
import { clientAppRequestFactory } from './client-apps.js';
import type { PingReply, TracingReply, WorkerInfo } from '@galileo/workers';
import type { ClientGroup, ClientGroupSpec } from './client-group.js';
import type { Clock } from './clock.js';
import type { ClientDescription } from './registration.js';
import { createDefaultRequestFactory, type RequestFactory } from './request-factory.js';
import { planWorkload } from './workload-plan.js';

export type CommandOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/** The parts of a worker the command handlers act on. */
export interface CommandTarget {
  readonly name: string;
  readonly clock: Clock;
  readonly groups: Map<string, ClientGroup>;
  readonly apps: ClientAppLoader;
  readonly defaultMaxInFlight: number;
  readonly shutdownTimeoutMs: number;
  readonly startedMs: number;
  isStopping(): boolean;
  tracing(): boolean;
  setTracing(on: boolean): Promise<void>;
  createGroup(spec: ClientGroupSpec): ClientGroup;
  registerClients(clients: readonly ClientDescription[]): Promise<void>;
  unregisterClients(clientIds: readonly string[]): Promise<void>;
  /** LRANGE 0 -1 of each client's prerecorded profile. */
  readProfiles(clientIds: readonly string[]): Promise<string[][]>;
  /** DEL of the profiles once a workload uses them (galileo reads a profile once). */
  consumeProfiles(clientIds: readonly string[]): Promise<void>;
}

const MAX_CLIENTS_PER_GROUP = 10_000;

/**
 * The worker's command handling: one function per command type, each validating what the schema
 * cannot (ranges, names, existence) and answering with a result or a reason — never throwing for
 * a bad command.
 */
export function createCommandHandlers(target: CommandTarget) {
  let nextClient = 0;
  let nextGroup = 0;

  const groupOrError = (groupId: string): { ok: true; group: ClientGroup } | { ok: false; error: string } => {
    const group = target.groups.get(groupId);
    if (group) return { ok: true, group };
    const known = [...target.groups.keys()];
    return {
      ok: false,
      error: `No client group '${groupId}' on worker '${target.name}'; ${known.length === 0 ? 'it has no groups' : `its groups are ${known.join(', ')}`}`,
    };
  };

  async function spawn(data: SpawnClientGroup, experimentId: string | null): Promise<CommandOutcome> {
    const clients = data.clients ?? 1;
    if (!Number.isInteger(clients) || clients < 1 || clients > MAX_CLIENTS_PER_GROUP) {
      return {
        ok: false,
        error: `clients: must be an integer from 1 to ${MAX_CLIENTS_PER_GROUP}, got ${clients}`,
      };
    }
    const maxInFlight = data.maxInFlight ?? target.defaultMaxInFlight;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      return { ok: false, error: `maxInFlight: must be an integer ≥ 1, got ${maxInFlight}` };
    }
    let requests: RequestFactory;
    if (data.client !== undefined && data.client !== null) {
      const app = await target.apps.load(data.client);
      if (!app.ok) return app;
      requests = clientAppRequestFactory(app.value, data.parameters);
    } else {
      const factory = createDefaultRequestFactory(data.parameters);
      if (!factory.ok) return factory;
      requests = factory.value;
    }
    const clientIds = Array.from({ length: clients }, () => `${target.name}:${data.service}:${nextClient++}`);
    const group = target.createGroup({
      id: `${target.name}:${data.service}:g${nextGroup++}`,
      worker: target.name,
      service: data.service,
      clientIds,
      requests,
      maxInFlight,
      experimentId,
    });
    target.groups.set(group.id, group);
    await target.registerClients(
      clientIds.map((clientId) => ({
        clientId,
        service: data.service,
        client: data.client ?? null,
        parameters: data.parameters ?? null,
      })),
    );
    return { ok: true, result: group.info() };
  }

  async function setWorkload(data: SetWorkload, experimentId: string | null): Promise<CommandOutcome> {
    const found = groupOrError(data.groupId);
    if (!found.ok) return found;
    const { group } = found;
    const { groupId: _, ...description } = data;
    const plan = await planWorkload(description, {
      clientIds: group.clientIds,
      startMs: target.clock.now(),
      readProfiles: target.readProfiles,
    });
    if (!plan.ok) return { ok: false, error: `SetWorkload for group '${group.id}': ${plan.error}` };
    if (plan.value.kind === 'pause') {
      group.pause();
      return { ok: true, result: group.info() };
    }
    if ((description.process ?? 'constant') === 'prerecorded') await target.consumeProfiles(group.clientIds);
    group.startWorkload(plan.value.schedules, { description, experimentId });
    return { ok: true, result: group.info() };
  }

  async function close(groupId: string): Promise<CommandOutcome> {
    const found = groupOrError(groupId);
    if (!found.ok) return found;
    const { group } = found;
    await group.close(target.shutdownTimeoutMs);
    target.groups.delete(group.id);
    await target.unregisterClients(group.clientIds);
    return { ok: true, result: group.info() };
  }

  function info(groupId: string | undefined): CommandOutcome {
    if (groupId !== undefined) {
      const found = groupOrError(groupId);
      if (!found.ok) return found;
      return { ok: true, result: workerInfo([found.group]) };
    }
    return { ok: true, result: workerInfo([...target.groups.values()]) };
  }

  const workerInfo = (groups: ClientGroup[]): WorkerInfo => ({
    name: target.name,
    tracing: target.tracing(),
    groups: groups.map((g) => g.info()),
  });

  async function tracing(on: boolean): Promise<CommandOutcome> {
    await target.setTracing(on);
    const reply: TracingReply = { name: target.name, tracing: target.tracing() };
    return { ok: true, result: reply };
  }

  return {
    /** Handles one command event; the outcome is the reply. */
    async handle(event: CatalogueEvent<GalileoCatalogue>): Promise<CommandOutcome> {
      if (target.isStopping() && event.type !== 'PingWorker' && event.type !== 'GetWorkerInfo') {
        return { ok: false, error: `worker '${target.name}' is shutting down` };
      }
      switch (event.type) {
        case 'SpawnClientGroup':
          return spawn(event.data, event.correlationId);
        case 'SetWorkload':
          return setWorkload(event.data, event.correlationId);
        case 'PauseWorkload': {
          const found = groupOrError(event.data.groupId);
          if (!found.ok) return found;
          found.group.pause();
          return { ok: true, result: found.group.info() };
        }
        case 'CloseClientGroup':
          return close(event.data.groupId);
        case 'GetWorkerInfo':
          return info(event.data.groupId);
        case 'PingWorker': {
          const reply: PingReply = {
            name: target.name,
            tracing: target.tracing(),
            groups: target.groups.size,
            uptimeMs: Math.round(target.clock.now() - target.startedMs),
          };
          return { ok: true, result: reply };
        }
        case 'StartTracing':
          return tracing(true);
        case 'PauseTracing':
          return tracing(false);
        default:
          // every other catalogue event (traces, telemetry, lifecycle …) is no command of ours
          return {
            ok: false,
            error: `${event.type} is not a worker command; expected one of ${WORKER_COMMANDS.join(', ')}`,
          };
      }
    },
  };
}

export const WORKER_COMMANDS = [
  'SpawnClientGroup',
  'SetWorkload',
  'PauseWorkload',
  'CloseClientGroup',
  'GetWorkerInfo',
  'PingWorker',
  'StartTracing',
  'PauseTracing',
] as const;
