import { z } from 'zod';
import { defineCatalogue } from './catalogue.js';
import { encodeToken } from './subject.js';
import {
  isFiniteNumber,
  isNonEmptyString,
  isPlainObjectWithKeys,
  isSafeInteger,
  isStringOrNull,
} from './exact-shape.js';
import type { CatalogueEvent } from './envelope.js';
import { experimentEvents } from './experiment-events.js';
import { recordingEvents } from './recording-events.js';
import { balancingEvents } from './balancing-events.js';
import { scalingEvents } from './scaling-events.js';

/** galileo's RequestTrace (§5.1), field names and order as galileo-db stores them. */
export const requestTraceSchema = z.object({
  request_id: z.string().min(1),
  client: z.string(),
  service: z.string().min(1),
  created: z.number(),
  sent: z.number(),
  done: z.number(),
  status: z.number().int(),
  server: z.string().nullable(),
  exp_id: z.string().nullable(),
  headers: z.string().nullable(),
  response: z.string().nullable(),
});
export type RequestTrace = z.infer<typeof requestTraceSchema>;

/** `requestTraceSchema`'s exact shape (see exact-shape.ts). */
export function isExactRequestTrace(v: unknown): v is RequestTrace {
  return (
    isPlainObjectWithKeys(v, 11) &&
    isNonEmptyString(v.request_id) &&
    typeof v.client === 'string' &&
    isNonEmptyString(v.service) &&
    isFiniteNumber(v.created) &&
    isFiniteNumber(v.sent) &&
    isFiniteNumber(v.done) &&
    isSafeInteger(v.status) &&
    isStringOrNull(v.server) &&
    isStringOrNull(v.exp_id) &&
    isStringOrNull(v.headers) &&
    isStringOrNull(v.response)
  );
}

/** Traces per TraceBatchRecorded event at most (an envelope of ~1,000 traces is ~400 kB). */
export const MAX_TRACES_PER_BATCH = 1_000;

/**
 * Traces per event as the worker publishes them (services/worker trace-batcher.ts: why), and as
 * bench:recorder publishes them by default: ~75 kB an envelope, under V8's large-object size.
 */
export const TRACES_PER_EVENT = 250;

export const traceBatchSchema = z.object({
  traces: z.array(requestTraceSchema).min(1).max(MAX_TRACES_PER_BATCH),
});
export type TraceBatch = z.infer<typeof traceBatchSchema>;

/** `traceBatchSchema`'s exact shape. */
export function isExactTraceBatch(v: unknown): v is TraceBatch {
  if (!isPlainObjectWithKeys(v, 1)) return false;
  const traces = v.traces;
  if (!Array.isArray(traces) || traces.length < 1 || traces.length > MAX_TRACES_PER_BATCH) return false;
  for (let i = 0; i < traces.length; i++) if (!isExactRequestTrace(traces[i])) return false;
  return true;
}

/** One telemd reading (§6.1); timestamp in epoch seconds. */
export const telemetrySchema = z.object({
  node: z.string().min(1),
  metric: z.string().min(1),
  subsystem: z.string().nullable(),
  timestamp: z.number(),
  value: z.number(),
});
export type TelemetryReading = z.infer<typeof telemetrySchema>;

/** `telemetrySchema`'s exact shape. */
export function isExactTelemetryReading(v: unknown): v is TelemetryReading {
  return (
    isPlainObjectWithKeys(v, 5) &&
    isNonEmptyString(v.node) &&
    isNonEmptyString(v.metric) &&
    isStringOrNull(v.subsystem) &&
    isFiniteNumber(v.timestamp) &&
    isFiniteNumber(v.value)
  );
}

/**
 * Worker commands (protocols §3.3, §3.5) travel as requests on `galileo.commands.worker.<name>.<cmd>`
 * (or `galileo.commands.workers.<cmd>` for every worker). Their schemas check the *shape* only; the
 * worker checks the meaning (a negative rate, an unknown distribution, a missing group …) and
 * answers with a reason, so a sender that bypasses this catalogue still gets an answer.
 */
const groupRef = z.object({ groupId: z.string().min(1) });

const workloadStageSchema = z.object({ durationMs: z.number(), target: z.number() });

export const spawnClientGroupSchema = z.object({
  /** The service every request of the group goes to (routed through the routing table). */
  service: z.string().min(1),
  /** Emulated clients in the group (default 1); each has its own id and arrival schedule. */
  clients: z.number().optional(),
  /** Name of a client app in the worker's apps directory; the default request factory when absent. */
  client: z.string().nullable().optional(),
  /** Request parameters (default factory: method, path, headers, body, query, kwargs) or the app's parameters. */
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Bound on the group's outstanding requests; the worker's configured default when absent. */
  maxInFlight: z.number().optional(),
});
export type SpawnClientGroup = z.infer<typeof spawnClientGroupSchema>;

export const setWorkloadSchema = groupRef.extend({
  /** Arrival process, canonical or Python name (`constant`, `expovariate`, `prerecorded`, …); default `constant`. */
  process: z.string().optional(),
  /** The process parameters in seconds, positional as galileo sends them or named. */
  params: z.unknown().optional(),
  /** Mean requests per second **per client**, instead of params; 0 pauses (galileo `rps(0)`). */
  rate: z.number().optional(),
  /** k6-style stages `[{durationMs, target}]` (requests/s per client). */
  stages: z.array(workloadStageSchema).optional(),
  ramp: z.string().optional(),
  /** Exactly this many requests per client, then the workload is done. */
  n: z.number().nullable().optional(),
  /** Same seed, same schedule; each client draws from `<seed>:<index>` (default: its client id). */
  seed: z.union([z.number(), z.string()]).optional(),
});
export type SetWorkload = z.infer<typeof setWorkloadSchema>;

/** Traces, telemetry, platform events and the worker's registration and commands. */
const coreEvents = {
  TraceRecorded: {
    version: 1,
    description: 'A worker performed one request (galileo RequestTrace).',
    schema: requestTraceSchema,
    accepts: isExactRequestTrace,
  },
  TraceBatchRecorded: {
    version: 1,
    description:
      'A worker performed these requests (galileo RequestTraces of one service and experiment, in the order they completed): the form the worker publishes, one envelope per batch, so that the bus costs per batch and not per request.',
    schema: traceBatchSchema,
    accepts: isExactTraceBatch,
  },
  TelemetryReported: {
    version: 1,
    description: 'A node agent (telemd) reported one reading.',
    schema: telemetrySchema,
    accepts: isExactTelemetryReading,
  },
  GalileoEvent: {
    version: 1,
    description:
      'A named platform event, the bus form of a `galileo/events` line "<ts> <name> <value>" (scale_schedule, api_pressure, weight_update, …).',
    schema: z.object({
      name: z.string().min(1).regex(/^\S+$/, 'an event name has no white space'),
      value: z.unknown(),
      timestamp: z.number(),
    }),
  },
  WorkerRegistered: {
    version: 1,
    description: 'A worker joined galileo:workers with its labels.',
    schema: z.object({ name: z.string().min(1), labels: z.record(z.string(), z.string()) }),
  },
  WorkerUnregistered: {
    version: 1,
    description: 'A worker left (clean shutdown or expired heartbeat).',
    schema: z.object({ name: z.string().min(1), reason: z.enum(['shutdown', 'expired']) }),
  },
  SpawnClientGroup: {
    version: 1,
    description:
      'Command to one worker: start a group of emulated clients for a service (galileo CreateClientCommand); the reply describes the group.',
    schema: spawnClientGroupSchema,
  },
  SetWorkload: {
    version: 1,
    description:
      "Command to one worker: give every client of a group an arrival process (galileo SetWorkloadCommand / rps); the envelope's correlationId is the experiment id stamped on its traces.",
    schema: setWorkloadSchema,
  },
  PauseWorkload: {
    version: 1,
    description:
      'Command to one worker: stop sending for a group until the next SetWorkload (galileo StopWorkloadCommand).',
    schema: groupRef,
  },
  CloseClientGroup: {
    version: 1,
    description:
      'Command to one worker: stop a group, let its outstanding requests finish and remove it (galileo CloseClientCommand).',
    schema: groupRef,
  },
  GetWorkerInfo: {
    version: 1,
    description:
      "Command to one worker: report its groups' counters (requests, failures, in flight, rate, latency).",
    schema: z.object({ groupId: z.string().min(1).optional() }),
  },
  PingWorker: {
    version: 1,
    description: 'Command to one or every worker: answer with the worker name (galileo WorkerDaemon.ping).',
    schema: z.object({}),
  },
  StartTracing: {
    version: 1,
    description: 'Command to one or every worker: record traces again (galileo StartTracingCommand).',
    schema: z.object({}),
  },
  PauseTracing: {
    version: 1,
    description:
      'Command to one or every worker: flush and stop recording traces (galileo PauseTracingCommand).',
    schema: z.object({}),
  },
  WorkloadDone: {
    version: 1,
    description:
      'A client group finished a workload of limited length (n requests, stages, a prerecorded profile) and its last request completed (galileo WorkloadDoneEvent).',
    schema: z.object({
      worker: z.string().min(1),
      groupId: z.string().min(1),
      service: z.string().min(1),
      clientIds: z.array(z.string()),
      requests: z.number().int().min(0),
    }),
  },
} as const;

/**
 * The whole catalogue: one file per domain, merged here. A domain adds its event types to its own
 * file (experiment-events.ts, recording-events.ts, balancing-events.ts, scaling-events.ts) and
 * never to another's.
 */
export const galileoCatalogue = defineCatalogue({
  ...coreEvents,
  ...experimentEvents,
  ...recordingEvents,
  ...balancingEvents,
  ...scalingEvents,
});
export type GalileoCatalogue = typeof galileoCatalogue;

/**
 * The traces an event carries: one for `TraceRecorded`, all of them for `TraceBatchRecorded`, none
 * for any other type. Consumers of `galileo.traces.>` read traces through this, whichever form the
 * producer chose.
 */
export function tracesOf(event: CatalogueEvent<GalileoCatalogue>): readonly RequestTrace[] {
  if (event.type === 'TraceBatchRecorded') return event.data.traces;
  if (event.type === 'TraceRecorded') return [event.data];
  return [];
}

/** Subjects of the galileo streams. Names become single tokens (dots in host names are encoded). */
export const galileoSubjects = {
  traces: (service: string) => `galileo.traces.${encodeToken(service)}`,
  telemetry: (node: string, metric: string) =>
    `galileo.telemetry.${encodeToken(node)}.${encodeToken(metric)}`,
  events: (name: string) => `galileo.events.${encodeToken(name)}`,
  experiment: (id: string, event: string) => `galileo.experiments.${encodeToken(id)}.${event}`,
  workers: (name: string, event: string) => `galileo.workers.${encodeToken(name)}.${event}`,
  /** A command to one worker; the bus routes it to the stream `galileo.commands`. */
  workerCommand: (name: string, command: string) =>
    `galileo.commands.worker.${encodeToken(name)}.${encodeToken(command)}`,
  /** A command to every worker (ping, tracing). */
  workersBroadcast: (command: string) => `galileo.commands.workers.${encodeToken(command)}`,
} as const;
