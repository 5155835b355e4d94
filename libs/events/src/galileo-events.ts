import { z } from 'zod';
import { defineCatalogue } from './catalogue.js';
import { encodeToken } from './subject.js';

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

/** One telemd reading (§6.1); timestamp in epoch seconds. */
export const telemetrySchema = z.object({
  node: z.string().min(1),
  metric: z.string().min(1),
  subsystem: z.string().nullable(),
  timestamp: z.number(),
  value: z.number(),
});
export type TelemetryReading = z.infer<typeof telemetrySchema>;

const experimentRef = z.object({
  id: z.string().min(1),
  name: z.string(),
  creator: z.string(),
  created: z.number(),
});

export const galileoCatalogue = defineCatalogue({
  TraceRecorded: {
    version: 1,
    description: 'A worker performed one request (galileo RequestTrace).',
    schema: requestTraceSchema,
  },
  TelemetryReported: {
    version: 1,
    description: 'A node agent (telemd) reported one reading.',
    schema: telemetrySchema,
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
  ExperimentQueued: {
    version: 1,
    description: 'An experiment was accepted from the queue or the API.',
    schema: z.object({ experiment: experimentRef, instructions: z.string() }),
  },
  ExperimentStarted: {
    version: 1,
    description: 'The daemon started running an experiment.',
    schema: z.object({ id: z.string().min(1), start: z.number() }),
  },
  ExperimentCommandExecuted: {
    version: 1,
    description: 'One instruction line of a running experiment was executed.',
    schema: z.object({
      id: z.string().min(1),
      line: z.number().int().min(1),
      command: z.string(),
      result: z.unknown().optional(),
    }),
  },
  ExperimentFinished: {
    version: 1,
    description: 'An experiment ran to its end.',
    schema: z.object({ id: z.string().min(1), end: z.number() }),
  },
  ExperimentFailed: {
    version: 1,
    description: 'An experiment stopped with an error.',
    schema: z.object({ id: z.string().min(1), end: z.number(), reason: z.string() }),
  },
  ExperimentCancelled: {
    version: 1,
    description: 'An experiment was cancelled before or while running.',
    schema: z.object({ id: z.string().min(1), end: z.number().nullable(), reason: z.string() }),
  },
});
export type GalileoCatalogue = typeof galileoCatalogue;

/** Subjects of the galileo streams. Names become single tokens (dots in host names are encoded). */
export const galileoSubjects = {
  traces: (service: string) => `galileo.traces.${encodeToken(service)}`,
  telemetry: (node: string, metric: string) =>
    `galileo.telemetry.${encodeToken(node)}.${encodeToken(metric)}`,
  events: (name: string) => `galileo.events.${encodeToken(name)}`,
  experiment: (id: string, event: string) => `galileo.experiments.${encodeToken(id)}.${event}`,
  workers: (name: string, event: string) => `galileo.workers.${encodeToken(name)}.${event}`,
} as const;
