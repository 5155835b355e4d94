import type { Environment } from '@galileo/config';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createCliContext, type CliContext, type CliOutput } from './cli-context.js';
import { CliError } from './cli-error.js';
import { registerUpCommand, type UpRunner } from './commands/up.js';

// Command modules load on use: `--help` or `rtbl ls` should not load Prisma, fastify and the rest.
const experimentsCommands = () => import('./commands/experiments.js');
const rtblCommands = () => import('./commands/rtbl.js');

export interface CliDeps {
  io: CliOutput;
  env?: Environment;
  /** The embedded mode behind `galileo up`; absent until it is built (see commands/up.ts). */
  up?: UpRunner;
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
};

/**
 * Runs the `galileo` command line and resolves to its exit code: 0 success, 1 failure, 2 usage
 * error. Errors are printed as one line that says what to do; nothing calls process.exit here.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  let context: CliContext | null = null;
  let code = 0;
  const run = async (action: (ctx: CliContext) => Promise<number | void>) => {
    context ??= createCliContext({ env: deps.env ?? process.env, io });
    const result = await action(context);
    if (typeof result === 'number') code = result;
  };

  const program = new Command('galileo')
    .description(
      'galileo: queue and follow load-testing experiments, inspect workers, routes, events and reports',
    )
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .addHelpText(
      'after',
      `${examples('galileo run experiment.yml', 'galileo experiments ls', 'galileo report 202401011200-ab12')}
Environment: galileo_redis_host, galileo_redis_port, galileo_redis_key_prefix, galileo_expdb_driver, galileo_expdb_* (see services/cli/README.md)
Exit codes: 0 success, 1 failure, 2 usage error
`,
    );

  program
    .command('run')
    .description('queue an experiment (instructions, or the configuration form as YAML/JSON) and follow it')
    .argument('<file>', 'experiment file, or - for stdin')
    .option('--id <id>', 'experiment id (generated when absent)')
    .option('--name <name>', 'experiment name (default: the id)')
    .option('--creator <creator>', 'who runs it')
    .option('--no-follow', 'queue it and exit, printing the id')
    .addOption(
      new Option('--progress-interval <ms>', 'ms between progress lines when not on a terminal')
        .argParser(positiveInt)
        .default(2000),
    )
    .addHelpText(
      'after',
      `${examples(
        'galileo run experiment.yml',
        "printf 'spawn .* svc 2\\nrps .* svc 10\\nsleep 30\\nclose .* svc\\n' | galileo run - --name ramp",
        'galileo run config.json --no-follow',
      )}
The progress line shows elapsed/planned seconds, requests, the achieved rate and p99 of the last 5 s, and errors.
Ctrl-C asks the daemon to cancel the experiment; a second Ctrl-C leaves it running.
`,
    )
    .action(
      (
        file: string,
        options: { id?: string; name?: string; creator?: string; follow: boolean; progressInterval: number },
      ) => run(async (ctx) => (await import('./commands/run.js')).runExperiment(ctx, file, options)),
    );

  const experiments = program
    .command('experiments')
    .alias('exp')
    .description('list, show, cancel and delete experiments')
    .addHelpText(
      'after',
      examples(
        'galileo experiments ls',
        'galileo experiments show 202401011200-ab12',
        'galileo experiments cancel 202401011200-ab12',
      ),
    );
  experiments
    .command('ls')
    .description('list every experiment (the table and the queue)')
    .option('--json', 'print JSON')
    .option('--status <statuses>', 'only these statuses, comma-separated (e.g. QUEUED,IN_PROGRESS)')
    .addHelpText(
      'after',
      examples('galileo experiments ls', 'galileo experiments ls --status FINISHED --json'),
    )
    .action((options: { json?: boolean; status?: string }) =>
      run(async (ctx) => (await experimentsCommands()).listExperiments(ctx, options)),
    );
  experiments
    .command('show')
    .description('one experiment: its row, queue position, trace count and instructions')
    .argument('<id>')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('galileo experiments show 202401011200-ab12'))
    .action((id: string, options: { json?: boolean }) =>
      run(async (ctx) => (await experimentsCommands()).showExperiment(ctx, id, options)),
    );
  experiments
    .command('cancel')
    .description('cancel a queued or running experiment (the row stays, CANCELLED)')
    .argument('<id>')
    .option('--reason <text>', 'why, recorded with the cancel')
    .addHelpText('after', examples('galileo experiments cancel 202401011200-ab12 --reason "wrong rate"'))
    .action((id: string, options: { reason?: string }) =>
      run(async (ctx) => (await experimentsCommands()).cancelExperiment(ctx, id, options)),
    );
  experiments
    .command('rm')
    .description(
      "delete experiments (cancelled first when queued or running; traces, telemetry and events stay, as galileo-db's delete)",
    )
    .argument('<ids...>')
    .addHelpText('after', examples('galileo experiments rm 202401011200-ab12 202401011300-cd34'))
    .action((ids: string[]) => run(async (ctx) => (await experimentsCommands()).removeExperiment(ctx, ids)));

  program
    .command('workers')
    .description('the workers: names, labels, liveness, client groups')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('galileo workers', 'galileo workers --json'))
    .action((options: { json?: boolean }) =>
      run(async (ctx) => (await import('./commands/workers.js')).listWorkers(ctx, options)),
    );

  const rtbl = program
    .command('rtbl')
    .description("the routing table (galileo's routing:* keys)")
    .addHelpText(
      'after',
      examples('galileo rtbl ls', 'galileo rtbl set svc host1:8080,host2:8080 1,2', 'galileo rtbl rm svc'),
    );
  rtbl
    .command('ls')
    .description("print every record in galileo's table format")
    .option('--json', 'print JSON')
    .addHelpText('after', examples('galileo rtbl ls'))
    .action((options: { json?: boolean }) =>
      run(async (ctx) => (await rtblCommands()).listRoutes(ctx, options)),
    );
  rtbl
    .command('set')
    .description('create or overwrite the record of a service (weights default to 1 each)')
    .argument('<service>')
    .argument('<hosts>', 'comma-separated host:port list')
    .argument('[weights]', 'comma-separated weights, one per host')
    .addHelpText(
      'after',
      examples(
        'galileo rtbl set svc 10.0.0.1:8080,10.0.0.2:8080',
        'galileo rtbl set svc 10.0.0.1:8080,10.0.0.2:8080 1,3',
      ),
    )
    .action((service: string, hosts: string, weights?: string) =>
      run(async (ctx) => (await rtblCommands()).setRoute(ctx, service, hosts, weights)),
    );
  rtbl
    .command('rm')
    .description('remove the records of services')
    .argument('<services...>')
    .addHelpText('after', examples('galileo rtbl rm svc'))
    .action((services: string[]) => run(async (ctx) => (await rtblCommands()).removeRoute(ctx, services)));

  const events = program
    .command('events')
    .description('bus events')
    .addHelpText('after', examples('galileo events tail', 'galileo events tail "galileo.experiments.>"'));
  events
    .command('tail')
    .description('print bus events as they arrive, until Ctrl-C (traces and telemetry only when asked)')
    .argument('[pattern]', 'NATS-style subject pattern', 'galileo.>')
    .option('--json', 'print each envelope as JSON')
    .option('--from <when>', 'new (default), beginning, epoch ms or an ISO time')
    .addOption(new Option('--count <n>', 'stop after n events').argParser(positiveInt))
    .option('--all', 'include traces and telemetry')
    .addHelpText(
      'after',
      examples(
        'galileo events tail',
        'galileo events tail "galileo.events.*" --json',
        'galileo events tail "galileo.experiments.>" --from beginning --count 20',
      ),
    )
    .action((pattern: string, options: { json?: boolean; from?: string; count?: number; all?: boolean }) =>
      run(async (ctx) => (await import('./commands/events.js')).tailEvents(ctx, pattern, options)),
    );

  program
    .command('report')
    .description(
      'summarize an experiment (or compare two) and write a self-contained HTML report with charts',
    )
    .argument('<id>')
    .argument('[other]', 'a second experiment to compare with')
    .option('--html <file>', 'where the HTML report goes (default galileo-report-<id>.html)')
    .option('--no-html', 'no HTML file')
    .option('--json', 'print the report as JSON instead of the summary')
    .addHelpText(
      'after',
      `${examples('galileo report 202401011200-ab12', 'galileo report 202401011200-ab12 202401011300-cd34 --html compare.html', 'galileo report 202401011200-ab12 --json --no-html')}
Latency counts from the intended send time to the end of the response; a request failed when its status is < 0 or ≥ 300.
`,
    )
    .action((id: string, other: string | undefined, options: { html?: string | boolean; json?: boolean }) =>
      run(async (ctx) =>
        (await import('./commands/report.js')).printReport(ctx, other ? [id, other] : [id], options),
      ),
    );

  program
    .command('export')
    .description(
      'write the traces, telemetry and events of an experiment as CSV or JSON lines (pandas reads them as they are)',
    )
    .argument('<id>')
    .addOption(new Option('--format <format>', 'csv or jsonl').choices(['csv', 'jsonl']).default('csv'))
    .option('--out <dir>', 'directory (default galileo-export-<id>)')
    .addHelpText(
      'after',
      `${examples('galileo export 202401011200-ab12', 'galileo export 202401011200-ab12 --format jsonl --out /tmp/e1')}
In Python: pandas.read_csv('galileo-export-<id>/traces.csv') or pandas.read_json('traces.jsonl', lines=True)
`,
    )
    .action((id: string, options: { format: string; out?: string }) =>
      run(async (ctx) => (await import('./commands/export.js')).exportExperiment(ctx, id, options)),
    );

  program
    .command('shell')
    .description("interactive shell with galileo's objects g, show, exp, rtbl, telemd")
    .option('--source <file>', 'run a script with the same objects, then exit')
    .addHelpText(
      'after',
      `${examples('galileo shell', 'galileo shell --source script.js')}
In the shell: usage, help(g), await g.workers(), c = await g.spawn('svc', 2), await c.rps(5), await rtbl.print()
`,
    )
    .action((options: { source?: string }) =>
      run(async (ctx) => (await import('./shell/repl.js')).runShell(ctx, options)),
    );

  registerUpCommand(program, run, deps.up);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      // commander printed the message already.
      return 2;
    }
    if (e instanceof CliError) {
      io.err(`galileo: ${e.message}\n`);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`galileo: ${message.split('\n')[0]}: run again with galileo_logging_level=debug, or report it\n`);
    return 1;
  } finally {
    if (context) await (context as CliContext).close();
  }
}
