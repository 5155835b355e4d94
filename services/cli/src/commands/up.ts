import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';

/**
 * `galileo up` — the embedded mode (issue 8 item 1): every service in this process on the
 * embedded defaults. This file only declares the command; the implementation is a function handed
 * to `runCli({ up })` (main.ts), so the CLI does not depend on every service.
 *
 * To build it: write `runUp(args, ctx) → Promise<exit code>` (e.g. services/cli/src/embedded/up.ts
 * or a package of its own), and pass it in main.ts: `runCli(argv, { …, up: runUp })`.
 */
/** The arguments after `galileo up`, untouched (e.g. `--duration 20`): the runner parses its own options. */
export type UpArguments = readonly string[];

export type UpRunner = (args: UpArguments, ctx: CliContext) => Promise<number>;

export function registerUpCommand(
  program: Command,
  run: (action: (ctx: CliContext) => Promise<number | void>) => Promise<void>,
  up: UpRunner | undefined,
): void {
  program
    .command('up')
    .description('run every galileo service in this process (embedded mode: SQLite, Redis, local pods)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .helpOption(false)
    .addHelpText('after', '\nExamples:\n  $ galileo up\n  $ galileo_redis_port=6380 galileo up\n')
    .action((_options: unknown, command: Command) =>
      run(async (ctx) => {
        if (!up) {
          if (command.args.includes('--help') || command.args.includes('-h')) {
            command.outputHelp();
            return 0;
          }
          throw new CliError(
            'galileo up is not part of this build yet: start the services one by one (npx nx run <service>:serve)',
          );
        }
        return up(command.args, ctx);
      }),
    );
}
