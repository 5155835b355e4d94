import type { z } from 'zod';
import type { RandomSource } from '../random/seeded-random.js';
import { describeValue, issueMessages } from '../issue-messages.js';
import { err, ok, type Result } from '../result.js';

/**
 * The smallest interarrival time in seconds. Draws ≤ 0 (possible for `normal`, `uniform` with a
 * negative bound, `expovariate` when U = 0, …) are raised to it instead of crashing the generator,
 * which is what galileo's RequestGenerator did (protocols §3.5, §12). The same value
 * galileo-experiments substitutes for zeros in prerecorded profiles.
 */
export const MIN_INTERARRIVAL_S = 1e-11;

export function clampInterarrival(seconds: number): number {
  return seconds > MIN_INTERARRIVAL_S ? seconds : MIN_INTERARRIVAL_S;
}

/** Interarrival times in seconds, drawn from a random source. Finite only for `prerecorded`. */
export type InterarrivalSource = (random: RandomSource) => Iterable<number>;

/**
 * An arrival process (a k6 executor in spirit): a name, the Python names it answers to, its own
 * parameter validation, and a source of interarrival times. Adding a process is one file plus one
 * registry line.
 */
export interface ArrivalProcess {
  /** Canonical name, e.g. `exponential`. */
  readonly name: string;
  /** Names galileo (Python's `random` module) uses, e.g. `expovariate`. */
  readonly aliases: readonly string[];
  /** The parameters in Python's order with their meaning; quoted in error messages. */
  readonly signature: string;
  /** Positional (`[0.5]`, as galileo sends them) or named (`{lambd: 2}`) parameters. */
  withParams(params: unknown): Result<InterarrivalSource, readonly string[]>;
  /** Interarrivals with a mean of 1/rate seconds; absent when the process has no rate form. */
  readonly withRate?: (ratePerSecond: number) => InterarrivalSource;
}

export interface ArrivalProcessDefinition<P> {
  name: string;
  aliases?: readonly string[];
  signature: string;
  /** Parameter names in Python's positional order. */
  positional: readonly string[];
  /** Validates the named parameters; its messages say what is expected. */
  schema: z.ZodType<P>;
  draw(params: P, random: RandomSource): number;
  /** The parameters giving a mean interarrival of 1/rate seconds. */
  rateParams?(ratePerSecond: number): P;
}

/** Builds an ArrivalProcess from a distribution drawn independently on every arrival. */
export function defineArrivalProcess<P>(definition: ArrivalProcessDefinition<P>): ArrivalProcess {
  const { rateParams } = definition;
  const source =
    (params: P): InterarrivalSource =>
    (random) => ({
      *[Symbol.iterator]() {
        for (;;) yield clampInterarrival(definition.draw(params, random));
      },
    });
  return {
    name: definition.name,
    aliases: definition.aliases ?? [],
    signature: definition.signature,
    withParams(raw) {
      const parsed = parseParams(raw, definition.positional, definition.schema);
      return parsed.ok ? ok(source(parsed.value)) : parsed;
    },
    ...(rateParams ? { withRate: (rate: number) => source(rateParams(rate)) } : {}),
  };
}

/** Maps positional parameters onto names, then validates them; issues read `lambd: must be > 0, got -1`. */
export function parseParams<P>(
  raw: unknown,
  positional: readonly string[],
  schema: z.ZodType<P>,
): Result<P, readonly string[]> {
  let entries: [string, unknown][];
  if (raw === undefined || raw === null) {
    entries = [];
  } else if (Array.isArray(raw)) {
    if (raw.length > positional.length) {
      return err([
        `expected at most ${positional.length} positional parameter(s) (${positional.join(', ')}), got ${raw.length}`,
      ]);
    }
    entries = raw.map((value: unknown, i) => [positional[i] ?? String(i), value]);
  } else if (typeof raw === 'object') {
    entries = Object.entries(raw);
  } else {
    return err([
      `params must be an array [${positional.join(', ')}] or an object {${positional.join(', ')}}, got ${describeValue(raw)}`,
    ]);
  }
  // Python's None (JSON null) selects the parameter's default, as in triangular(0, 1, None)
  const named = Object.fromEntries(entries.filter(([, value]) => value !== null && value !== undefined));
  const result = schema.safeParse(named);
  return result.success ? ok(result.data) : err(issueMessages(result.error, named, positional));
}
