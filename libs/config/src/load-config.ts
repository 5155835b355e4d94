import { censorSecrets, secretMask } from './censor-secrets.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { isEnvVar, type ConfigOf, type ConfigSpec, type EnvVar } from './env-var.js';
import { printMasked } from './masked-printing.js';
import { err, ok, type Result } from './result.js';
import { maskUrlCredentials } from './url-credentials.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The first of the variable's names (then its aliases) set to a non-blank value. */
function lookUp(entry: EnvVar<unknown>, env: Environment): { variable: string; raw: string | undefined } {
  for (const variable of [entry.name, ...entry.aliases]) {
    const raw = env[variable];
    if (raw !== undefined && raw.trim() !== '') return { variable, raw };
  }
  return { variable: entry.name, raw: undefined };
}

function readSpec(spec: ConfigSpec, env: Environment, problems: ConfigProblem[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const printed: Record<string, unknown> = {};
  for (const [field, entry] of Object.entries(spec)) {
    if (!isEnvVar(entry)) {
      config[field] = readSpec(entry, env, problems);
      printed[field] = config[field];
      continue;
    }
    const { variable, raw } = lookUp(entry, env);
    const read = entry.read(raw);
    if (!read.ok) {
      const value = raw === undefined ? undefined : entry.secret ? secretMask : maskUrlCredentials(raw);
      problems.push({ variable, value, message: read.error });
      continue;
    }
    config[field] = read.value;
    printed[field] = entry.secret && read.value !== undefined ? secretMask : censorSecrets(read.value);
  }
  return printMasked(config, printed);
}

/**
 * Reads every variable of `spec` from `env` and returns the typed configuration, or a ConfigError
 * listing every bad variable (not just the first). The result prints with its secrets masked.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Environment = process.env,
): Result<ConfigOf<S>, ConfigError> {
  const problems: ConfigProblem[] = [];
  const config = readSpec(spec, env, problems);
  return problems.length === 0 ? ok(config as ConfigOf<S>) : err(new ConfigError(problems));
}

export interface ExitOptions {
  env?: Environment;
  exit?: (code: number) => never;
  write?: (text: string) => void;
}

/** loadConfig for a service's main: on bad configuration, prints the problem lines on stderr and exits 1. */
export function loadConfigOrExit<S extends ConfigSpec>(spec: S, options: ExitOptions = {}): ConfigOf<S> {
  const {
    env = process.env,
    exit = (code: number) => process.exit(code),
    write = (text: string) => void process.stderr.write(text),
  } = options;
  const loaded = loadConfig(spec, env);
  if (loaded.ok) return loaded.value;
  write(`${loaded.error.lines.join('\n')}\n`);
  exit(1);
  // Only reached when an injected `exit` returns after all.
  throw loaded.error;
}
