import { z } from 'zod';
import { encodeToken } from './subject.js';

/**
 * Scaling and placement (reference osmotic-optimizers.md §5, §3.x). The optimizer's records and
 * the pod lifecycle travel as GalileoEvents (`galileo.events.<name>`, mirrored on
 * `galileo/events`); this file holds their payload schemas, subjects and line formats.
 */
export const scalingEvents = {} as const;

/** galileo-context's PodRequest as scale_schedule carries it under `pod`. */
export const podRequestSchema = z.object({
  ts: z.number().optional(),
  pod_name: z.string().min(1),
  container_id: z.string().optional(),
  image: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  resource_requests: z.record(z.string(), z.string()).optional(),
  namespace: z.string().min(1).optional(),
});
export type PodRequestPayload = z.infer<typeof podRequestSchema>;

/** The README's pod_creation_request. */
export const podCreationRequestSchema = z.object({
  pod_name: z.string().min(1),
  container_name: z.string().optional(),
  image: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  namespace: z.string().min(1).optional(),
});

/**
 * A scale_schedule value: the code's fields (fn, pod, origin_zone, dest_zone, delete) and the
 * README's (gateway, value, threshold, pod_creation_request). A producer written against the README
 * may send only pod_creation_request; the original pod service reads `delete` and `pod.pod_name`.
 */
export const scaleSchedulePayloadSchema = z
  .object({
    ts: z.number().optional(),
    fn: z.string().min(1),
    pod: podRequestSchema.optional(),
    origin_zone: z.string().optional(),
    dest_zone: z.string().optional(),
    delete: z.boolean().optional(),
    gateway: z.string().nullable().optional(),
    value: z.number().nullable().optional(),
    threshold: z.number().nullable().optional(),
    pod_creation_request: podCreationRequestSchema.optional(),
  })
  .refine((v) => v.pod !== undefined || v.pod_creation_request !== undefined, {
    message: 'a scale_schedule needs `pod` (or the README form `pod_creation_request`)',
  });
export type ScaleSchedulePayload = z.infer<typeof scaleSchedulePayloadSchema>;

/** The pod lifecycle as telemd-kubernetes-adapter publishes it: `pod/<event>`. */
export const POD_LIFECYCLE_EVENTS = ['create', 'pending', 'running', 'shutdown', 'delete'] as const;
export type PodLifecycleEvent = (typeof POD_LIFECYCLE_EVENTS)[number];

export const podContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  port: z.number().int(),
  resource_requests: z.record(z.string(), z.string()),
  resource_limits: z.record(z.string(), z.string()),
});

/** The adapter's pod JSON (Go struct order): quantities are JSON-quoted (`"\"500m\""`). */
export const podEventPayloadSchema = z.object({
  podUid: z.string(),
  containers: z.record(z.string(), podContainerSchema),
  namespace: z.string(),
  hostIP: z.string(),
  name: z.string().min(1),
  nodeName: z.string(),
  podIP: z.string(),
  qosClass: z.string(),
  startTime: z.string(),
  labels: z.record(z.string(), z.string()),
  status: z.string(),
});
export type PodEventPayload = z.infer<typeof podEventPayloadSchema>;

/** Subjects of the scaling events on the bus (GalileoEvent, stream `galileo.events`). */
export const scalingSubjects = {
  event: (name: string) => `galileo.events.${encodeToken(name)}`,
  scaleSchedule: () => `galileo.events.${encodeToken('scale_schedule')}`,
  pod: (event: PodLifecycleEvent) => `galileo.events.${encodeToken(`pod/${event}`)}`,
} as const;

/**
 * A number as Python's `repr(float)` writes it where JavaScript differs: exponents with two
 * digits (`1e-07`, `1e+21`), `NaN`, `Infinity`. Integral values stay integers (`1`), since a
 * JavaScript number does not say whether Python had an int or a float.
 */
export function pythonNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * JSON as Python's `json.dumps` writes it (dataclasses_json in the original): `", "` and `": "`
 * separators, non-ASCII escaped as `\uXXXX`, keys in insertion order.
 */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      return pythonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        parts.push(`${pythonJson(k)}: ${pythonJson(v)}`);
      }
      return `{${parts.join(', ')}}`;
    }
    default:
      return 'null';
  }
}

/** A `galileo/events` line as the Python optimizer publishes it: `"<repr(ts)> <name> <json>"`. */
export function formatPythonEventLine(ts: number, name: string, value: unknown): string {
  return `${pythonNumber(ts)} ${name} ${pythonJson(value)}`;
}

/** A pod lifecycle line as telemd-kubernetes-adapter publishes it: `"<ts %.7f> pod/<event> <json>"`. */
export function formatPodEventLine(ts: number, event: PodLifecycleEvent, pod: PodEventPayload): string {
  return `${ts.toFixed(7)} pod/${event} ${JSON.stringify(pod)}`;
}
