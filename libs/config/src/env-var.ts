import type { z } from 'zod';
import { expectedOf } from './env-field.js';
import { err, ok, type Result } from './result.js';
import { isSecretName } from './secret-names.js';
import { maskUrlCredentials } from './url-credentials.js';

/** A default written as it would be in the environment (`'10s'`, `6379`, `false`). */
export type EnvDefault = string | number | boolean;

interface EnvVarOptions<S extends z.ZodType> {
  /** galileo's lower-case variable name, e.g. `galileo_redis_host`. */
  name: string;
  /** Older names, read in order when `name` is unset (`galileo_log_level`). */
  aliases?: readonly string[];
  /** Parses the raw string; the env field builders (`envInt()`, `envDuration()` …) fit here. */
  schema: S;
  description: string;
  /** Masks the value in errors and printed configs; defaults to `isSecretName(name)`. */
  secret?: boolean;
}

/** One declared environment variable, producing a config field of type `T`. */
export interface EnvVar<T> {
  readonly kind: 'env-var';
  readonly name: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly secret: boolean;
  /** The default as written in the environment; undefined when there is none. */
  readonly defaultText: string | undefined;
  readonly required: boolean;
  /** What a valid value looks like, e.g. `an integer port 1-65535`. */
  readonly expected: string;
  /** Parses a raw value (`undefined` = unset) or returns the `expected …` message of the problem. */
  readonly read: (raw: string | undefined) => Result<T, string>;
}

/** A service's configuration: fields that are variables or nested groups (`{ redis: redisConfigSpec }`). */
export interface ConfigSpec {
  readonly [field: string]: EnvVar<unknown> | ConfigSpec;
}

/** The typed configuration object a spec produces. */
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends EnvVar<infer T>
    ? T
    : S[K] extends ConfigSpec
      ? ConfigOf<S[K]>
      : never;
};

export function isEnvVar(entry: EnvVar<unknown> | ConfigSpec): entry is EnvVar<unknown> {
  return entry.kind === 'env-var';
}

/** Declares a configuration once; the type of `loadConfig(spec)` is inferred from it. */
export function defineConfig<S extends ConfigSpec>(spec: S): S {
  return spec;
}

/**
 * Declares one variable. With `default` the field always has a value; with `required: true` an
 * unset variable is an error; otherwise the field is `undefined` when unset. A variable set to an
 * empty or blank string counts as unset, so `galileo_x=` in a compose file means "use the default".
 */
export function envVar<S extends z.ZodType>(
  options: EnvVarOptions<S> & { default: EnvDefault; required?: never },
): EnvVar<z.output<S>>;
export function envVar<S extends z.ZodType>(
  options: EnvVarOptions<S> & { required: true; default?: never },
): EnvVar<z.output<S>>;
export function envVar<S extends z.ZodType>(
  options: EnvVarOptions<S> & { default?: never; required?: false },
): EnvVar<z.output<S> | undefined>;
export function envVar<S extends z.ZodType>(
  options: EnvVarOptions<S> & { default?: EnvDefault; required?: boolean },
): EnvVar<z.output<S> | undefined> {
  const { name, aliases = [], schema, description, secret = isSecretName(name), required = false } = options;
  const defaultText = options.default === undefined ? undefined : String(options.default);
  const expected = expectedOf(schema) ?? 'a valid value';

  const parse = (raw: string): Result<z.output<S>, string> => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return ok(parsed.data);
    // A secret's value must not leak through a message that quotes it, so only the generic form is shown.
    if (secret) return err(`expected ${expected}`);
    const messages = [...new Set(parsed.error.issues.map((issue) => maskUrlCredentials(issue.message)))];
    return err(messages.join('; '));
  };

  if (defaultText !== undefined) {
    const checked = parse(defaultText);
    if (!checked.ok)
      throw new Error(`${name}: the declared default ${defaultText} is invalid: ${checked.error}`);
  }

  return {
    kind: 'env-var',
    name,
    aliases,
    description,
    secret,
    defaultText,
    required,
    expected,
    read(raw) {
      if (raw !== undefined) return parse(raw);
      if (defaultText !== undefined) return parse(defaultText);
      return required ? err(`expected ${expected} (required)`) : ok(undefined);
    },
  };
}
