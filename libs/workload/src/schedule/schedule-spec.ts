import { z } from 'zod';

const stageSchema = z.strictObject({
  durationMs: z
    .number({ error: 'must be a duration in milliseconds' })
    .gte(0, { error: 'must be ≥ 0 (milliseconds)' }),
  target: z
    .number({ error: 'must be a rate in requests per second' })
    .gte(0, { error: 'must be ≥ 0 (requests per second)' }),
});

/** How arrivals are drawn: a process with either its own parameters or a mean rate. */
export const arrivalSpecSchema = z.strictObject({
  /** Canonical name or galileo/Python alias: `exponential` / `expovariate`, `normal` / `gauss`, … */
  process: z
    .string({ error: 'must be the name of an arrival process' })
    .min(1, { error: 'must not be empty' }),
  /** Python-style parameters in seconds, positional (`[2]`) or named (`{lambd: 2}`). */
  params: z.unknown().optional(),
  /** Mean requests per second, instead of params (constant, exponential, uniform). */
  rate: z
    .number({ error: 'must be a number of requests per second' })
    .gte(0, { error: 'must be ≥ 0' })
    .optional(),
});

export const scheduleSpecSchema = arrivalSpecSchema.extend({
  /** k6-style stages; the schedule ends after the last one. Needs the rate form; `rate` is the start rate. */
  stages: z.array(stageSchema).min(1, { error: 'must contain at least one stage' }).optional(),
  ramp: z.enum(['linear', 'step'], { error: "must be 'linear' or 'step'" }).optional(),
  /** Exactly this many arrivals, then the schedule ends (sooner if the profile or stages end first). */
  n: z.int({ error: 'must be an integer number of requests' }).gte(0, { error: 'must be ≥ 0' }).optional(),
  seed: z.union([z.number(), z.string()], { error: 'must be a number or a string' }),
  /** Epoch milliseconds the schedule is relative to (default 0). */
  startMs: z.number({ error: 'must be a time in milliseconds' }).optional(),
});

export type ArrivalSpec = z.input<typeof arrivalSpecSchema>;
export type ScheduleSpec = z.input<typeof scheduleSpecSchema>;
