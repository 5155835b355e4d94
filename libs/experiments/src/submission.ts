import { parseDurationMs } from '@galileo/config';
import type { Experiment } from '@galileo/db';
import { generateExperimentId } from '@galileo/experiment-queue';
import { parseInstructions } from '@galileo/instructions';
import { z } from 'zod';

/**
 * What POST /api/experiments (and `galileo run`) accept, in galileo's shapes (protocols §8):
 * - the configuration form `{experiment: {name?, creator?, id?}, configuration: {duration, interval, workloads}}`;
 * - the instruction form of the queue `{instructions: "spawn …\nsleep 2\n…", id?, name?, creator?}` (§2.2).
 * Both are queued on `galileo:experiments:instructions`; the daemon is their only consumer.
 */

/** A duration as galileo writes it (`"10s"`, `"1m30s"`, `"10"`) or a number of seconds. */
const durationSchema = z.union([z.number().positive(), z.string().min(1)]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration such as "10s", "1m30s" or a number of seconds, got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return ms / 1000;
});

const identifier = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only (it is used as a key and a bucket name)');

const experimentPartSchema = z
  .object({
    id: identifier.nullable().optional(),
    name: z.string().max(100).nullable().optional(),
    creator: z.string().max(100).nullable().optional(),
  })
  .strict();

export const workloadSchema = z
  .object({
    service: z.string().min(1),
    ticks: z.array(z.number().min(0)).min(1),
    clients_per_host: z.number().int().min(1),
    arrival_pattern: z.string().min(1),
    client: z.string().min(1).nullable().optional(),
    client_parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict();
export type WorkloadConfiguration = z.output<typeof workloadSchema>;

const configurationSchema = z
  .object({
    duration: durationSchema,
    interval: durationSchema,
    workloads: z.array(workloadSchema).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ticks = Math.ceil(c.duration / c.interval);
    c.workloads.forEach((w, i) => {
      if (w.ticks.length !== ticks) {
        ctx.addIssue({
          code: 'custom',
          path: ['workloads', i, 'ticks'],
          message: `expected ceil(duration / interval) = ${ticks} values (one target rate per interval), got ${w.ticks.length}`,
        });
      }
    });
  });

const configurationFormSchema = z
  .object({ experiment: experimentPartSchema.optional(), configuration: configurationSchema })
  .strict();

const instructionFormSchema = z
  .object({
    instructions: z.string().refine((s) => s.trim().length > 0, 'expected at least one instruction line'),
    id: identifier.nullable().optional(),
    name: z.string().max(100).nullable().optional(),
    creator: z.string().max(100).nullable().optional(),
  })
  .strict();

export type ExperimentSubmission =
  | { form: 'configuration'; experiment: Experiment; configuration: z.output<typeof configurationSchema> }
  | { form: 'instructions'; experiment: Experiment; instructions: string };

/** A rejected submission: the first problem, with the field it is about (`configuration.duration`). */
export interface SubmissionProblem {
  field: string;
  message: string;
}

export type SubmissionResult =
  { ok: true; value: ExperimentSubmission } | { ok: false; error: SubmissionProblem };

export interface SubmissionDefaults {
  now?: () => number;
  creator?: string;
}

/** Validates a submission and fills in galileo's defaults: id generated, name = id, created = now, QUEUED. */
export function parseSubmission(body: unknown, defaults: SubmissionDefaults = {}): SubmissionResult {
  const now = (defaults.now ?? Date.now)();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return problem(
      '(body)',
      'expected a JSON object with "configuration" (and "experiment") or "instructions"',
    );
  }
  const isInstructions = 'instructions' in body;
  const parsed = isInstructions
    ? instructionFormSchema.safeParse(body)
    : configurationFormSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    return problem(formatPath(path) || '(body)', issueMessage(issue));
  }
  const meta = isInstructions
    ? (parsed.data as z.output<typeof instructionFormSchema>)
    : ((parsed.data as z.output<typeof configurationFormSchema>).experiment ?? {});
  const id = meta.id ?? generateExperimentId(now);
  const experiment: Experiment = {
    id,
    name: meta.name ?? id,
    creator: meta.creator ?? defaults.creator ?? 'galileo-api',
    start: null,
    end: null,
    created: now / 1000,
    status: 'QUEUED',
  };
  if (isInstructions) {
    const data = parsed.data as z.output<typeof instructionFormSchema>;
    // The daemon would fail it at once; say so now, with the line and column.
    const instructions = parseInstructions(data.instructions);
    if (!instructions.ok) return problem('instructions', instructions.error.map((e) => e.message).join('; '));
    return { ok: true, value: { form: 'instructions', experiment, instructions: data.instructions } };
  }
  const data = parsed.data as z.output<typeof configurationFormSchema>;
  return { ok: true, value: { form: 'configuration', experiment, configuration: data.configuration } };
}

/**
 * The queue message (the contract of DESIGN.md): the configuration form with durations in
 * seconds and the experiment filled in, or the instruction form with id, name, creator.
 */
export function queueMessage(submission: ExperimentSubmission): Record<string, unknown> {
  const { experiment } = submission;
  if (submission.form === 'instructions') {
    return {
      id: experiment.id,
      name: experiment.name,
      creator: experiment.creator,
      created: experiment.created,
      status: experiment.status,
      instructions: submission.instructions,
    };
  }
  return { experiment, configuration: submission.configuration };
}

/** The planned length of a submission in seconds, when it says (the configuration form does). */
export function plannedDurationSeconds(submission: ExperimentSubmission): number | null {
  if (submission.form === 'configuration') return submission.configuration.duration;
  let total = 0;
  for (const line of submission.instructions.split('\n')) {
    const m = /^\s*sleep\s+(\S+)/.exec(line);
    if (m) total += (parseDurationMs(m[1]!) ?? 0) / 1000;
  }
  return total > 0 ? total : null;
}

function problem(field: string, message: string): SubmissionResult {
  return { ok: false, error: { field, message } };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `is required (expected ${issue.expected})`;
  return issue.message;
}
