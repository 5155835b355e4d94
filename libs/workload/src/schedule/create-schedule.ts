import type { InterarrivalSource } from '../processes/arrival-process.js';
import { arrivalProcesses, findArrivalProcess } from '../processes/registry.js';
import { issueMessages } from '../issue-messages.js';
import { createSeededRandom, type Seed } from '../random/seeded-random.js';
import { err, ok, type Result } from '../result.js';
import type { WorkloadError } from '../workload-error.js';
import { constantRateProfile, stagedRateProfile, type RateProfile } from './rate-profile.js';
import {
  arrivalSpecSchema,
  scheduleSpecSchema,
  type ArrivalSpec,
  type ScheduleSpec,
} from './schedule-spec.js';

/**
 * Intended send times in epoch milliseconds (floats), in non-decreasing order. Ends after `n` arrivals,
 * after the last stage, when a prerecorded profile is exhausted — or never.
 */
export type ArrivalSchedule = Generator<number, void, undefined>;

/** The process resolved from a spec: its parameters applied, or its rate form still to be given a rate. */
type ResolvedArrivals =
  | { kind: 'params'; source: InterarrivalSource }
  | { kind: 'rate'; withRate: (ratePerSecond: number) => InterarrivalSource; rate: number | undefined };

/**
 * The worker's entry point: validates a spec and returns its schedule. Pure — no timers, no I/O;
 * the caller sleeps until each time. Errors are values naming what was wrong and what was expected.
 *
 * @example createSchedule({ process: 'expovariate', params: [200], n: 1000, seed: 'w1:svc:0', startMs: Date.now() })
 * @example createSchedule({ process: 'exponential', rate: 0, stages: [{ durationMs: 10_000, target: 100 }], seed: 1 })
 */
export function createSchedule(spec: ScheduleSpec): Result<ArrivalSchedule, WorkloadError> {
  const parsed = scheduleSpecSchema.safeParse(spec);
  if (!parsed.success)
    return err(invalidSpec(issueMessages(parsed.error, spec, Object.keys(scheduleSpecSchema.shape))));
  const { stages, ramp, n, seed, startMs = 0 } = parsed.data;
  if (ramp !== undefined && stages === undefined) {
    return err(invalidSpec(["ramp: only applies together with stages; add stages or drop 'ramp'"]));
  }

  const resolved = resolveArrivals(parsed.data, stages !== undefined);
  if (!resolved.ok) return resolved;
  const random = createSeededRandom(seed);
  const arrivals = resolved.value;
  if (arrivals.kind === 'params') return ok(byInterarrivals(arrivals.source(random), startMs, n));

  let profile: RateProfile;
  if (stages) {
    profile = stagedRateProfile(arrivals.rate ?? 0, stages, ramp ?? 'linear');
  } else {
    const rate = positiveRate(arrivals.rate);
    if (!rate.ok) return rate;
    profile = constantRateProfile(rate.value);
  }
  return ok(byRate(arrivals.withRate(1)(random), profile, startMs, n));
}

/**
 * `count` interarrival times in seconds for a process with params or a rate — for tests, previews
 * and statistics. Draws ≤ 0 come back clamped to 1e-11 s, exactly as the schedule uses them.
 */
export function sampleInterarrivals(
  spec: ArrivalSpec,
  count: number,
  seed: Seed,
): Result<number[], WorkloadError> {
  if (!Number.isInteger(count) || count < 0) {
    return err(invalidSpec([`count: must be an integer ≥ 0, got ${count}`]));
  }
  const parsed = arrivalSpecSchema.safeParse(spec);
  if (!parsed.success)
    return err(invalidSpec(issueMessages(parsed.error, spec, Object.keys(arrivalSpecSchema.shape))));
  const resolved = resolveArrivals(parsed.data, false);
  if (!resolved.ok) return resolved;
  const arrivals = resolved.value;
  let source: InterarrivalSource;
  if (arrivals.kind === 'params') {
    source = arrivals.source;
  } else {
    const rate = positiveRate(arrivals.rate);
    if (!rate.ok) return rate;
    source = arrivals.withRate(rate.value);
  }
  const samples: number[] = [];
  if (count === 0) return ok(samples);
  for (const seconds of source(createSeededRandom(seed))) {
    samples.push(seconds);
    if (samples.length === count) break;
  }
  return ok(samples);
}

interface ParsedArrivalSpec {
  process: string;
  params?: unknown;
  rate?: number;
  stages?: unknown;
}

function resolveArrivals(spec: ParsedArrivalSpec, staged: boolean): Result<ResolvedArrivals, WorkloadError> {
  const process = findArrivalProcess(spec.process);
  if (!process) {
    const aliases = [...arrivalProcesses.values()].flatMap((p) => p.aliases);
    return err({
      kind: 'unknown-process',
      process: spec.process,
      message: `Unknown arrival process '${spec.process}'; expected one of ${[...arrivalProcesses.keys()].join(', ')} (or the Python names ${aliases.join(', ')})`,
    });
  }
  const rateForm = spec.rate !== undefined || staged;
  if (rateForm && spec.params !== undefined) {
    return err(invalidSpec(['give either params or rate/stages, not both']));
  }
  if (rateForm) {
    if (!process.withRate) {
      return err(
        invalidSpec([
          `arrival process '${process.name}' has no rate form (only constant, exponential and uniform have one); give its params instead: ${process.signature}`,
        ]),
      );
    }
    return ok({ kind: 'rate', withRate: process.withRate, rate: spec.rate });
  }
  const source = process.withParams(spec.params);
  if (!source.ok) {
    return err({
      kind: 'invalid-params',
      process: process.name,
      issues: source.error,
      message: `Invalid parameters for arrival process '${process.name}': ${source.error.join('; ')}. Expected ${process.signature}`,
    });
  }
  return ok({ kind: 'params', source: source.value });
}

function positiveRate(rate: number | undefined): Result<number, WorkloadError> {
  if (rate !== undefined && rate > 0) return ok(rate);
  return err(
    invalidSpec([
      `rate: must be > 0 requests per second without stages, got ${rate}; a rate of 0 sends nothing (stop the workload instead)`,
    ]),
  );
}

function invalidSpec(issues: readonly string[]): WorkloadError {
  return { kind: 'invalid-spec', issues, message: `Invalid workload: ${issues.join('; ')}` };
}

function* byInterarrivals(
  interarrivals: Iterable<number>,
  startMs: number,
  limit: number | undefined,
): ArrivalSchedule {
  if (limit === 0) return;
  let elapsedMs = 0; // kept apart from startMs so tiny interarrivals are not lost to rounding
  let count = 0;
  for (const seconds of interarrivals) {
    elapsedMs += seconds * 1000;
    yield startMs + elapsedMs;
    if (++count === limit) return;
  }
}

/** Time rescaling: the k-th arrival is where Λ(t) reaches the sum of k unit-mean interarrivals. */
function* byRate(
  unitInterarrivals: Iterable<number>,
  profile: RateProfile,
  startMs: number,
  limit: number | undefined,
): ArrivalSchedule {
  if (limit === 0) return;
  const elapsedAt = profile.cursor();
  let operationalTime = 0;
  let count = 0;
  for (const unit of unitInterarrivals) {
    operationalTime += unit;
    const elapsedMs = elapsedAt(operationalTime);
    if (elapsedMs === undefined) return;
    yield startMs + elapsedMs;
    if (++count === limit) return;
  }
}
