/**
 * An error a command reports to the user: one line that says what was wrong and what to do, and
 * the exit code (1 failure, 2 usage error).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, 2);
