/** One bad variable. `value` is what it was set to, already masked for display; undefined = unset. */
export interface ConfigProblem {
  readonly variable: string;
  readonly value: string | undefined;
  /** What was expected, e.g. `expected an integer port 1-65535`. */
  readonly message: string;
}

/** `galileo_redis_port="abc": expected an integer port 1-65535` — one line, newlines escaped. */
export function formatProblem({ variable, value, message }: ConfigProblem): string {
  return value === undefined
    ? `${variable} is not set: ${message}`
    : `${variable}=${JSON.stringify(value)}: ${message}`;
}

/** Every bad variable of a configuration, one line each. Safe to print: secrets are masked. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }

  get lines(): string[] {
    return this.problems.map(formatProblem);
  }
}
