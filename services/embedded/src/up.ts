import type { Environment } from '@galileo/config';
import { EmbeddedStartError, startEmbeddedStack, type EmbeddedStack } from './stack.js';

/** What `galileo up` needs of the CLI (structurally its CliContext: the environment and the output). */
export interface UpContext {
  readonly env: Environment;
  readonly io: { out(text: string): void; err(text: string): void };
}

const HELP = `Usage: galileo up

Runs every galileo service in this process on the embedded defaults: the experiment database in
SQLite (<data dir>/galileo.sqlite), load-balancer weights in Redis, function replicas as local
sample-app processes, a worker and a telemd for this machine, the REST API on 127.0.0.1:5001.
Needs only a Redis: the one at galileo_redis_host:galileo_redis_port, or a redis-server started
for it. Ctrl-C stops everything.

Environment: galileo_embedded_data_dir (default .galileo), galileo_embedded_zones
(zone-a,zone-b), galileo_embedded_health_port (5002), and every service's own variables.

Examples:
  $ galileo up
  $ galileo_redis_port=6380 galileo up
  $ galileo_api_bind_addr=127.0.0.1:8080 galileo up
`;

/** Prints where everything is. */
export function describeStack(stack: EmbeddedStack): string {
  const a = stack.addresses;
  const lines = [
    `galileo is up (embedded mode)`,
    `  REST API        ${a.api}/api`,
    `  health          ${a.health}/healthz`,
    `  Redis           ${a.redis}${stack.keyPrefix ? ` (key prefix ${stack.keyPrefix})` : ''}`,
    `  database        ${a.sqlite}`,
    `  worker          ${stack.workerName}`,
    ...Object.entries(a.balancers).map(([zone, hostPort]) => `  load balancer   ${zone} at ${hostPort}`),
    ...(a.logs ? [`  logs            ${a.logs}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `galileo up`: the embedded stack until SIGINT/SIGTERM. Hand it to the CLI as
 * `runCli(argv, { io, up: runUp })`. Exit code 0 after a clean stop, 1 when it cannot start.
 */
export async function runUp(args: readonly string[], ctx: UpContext): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    ctx.io.out(HELP);
    return 0;
  }
  if (args.length > 0) {
    ctx.io.err(
      `galileo up takes no arguments (got ${args.join(' ')}): configure it with environment variables, see galileo up --help\n`,
    );
    return 2;
  }
  let stack: EmbeddedStack;
  try {
    stack = await startEmbeddedStack({ env: ctx.env, say: (line) => ctx.io.err(`${line}\n`) });
  } catch (e) {
    if (e instanceof EmbeddedStartError) {
      ctx.io.err(`galileo up: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  ctx.io.out(describeStack(stack));
  ctx.io.out('queue an experiment with: galileo run <file>   (Ctrl-C stops)\n');
  await new Promise<void>((resolveSignal) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolveSignal();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  ctx.io.err('stopping…\n');
  await stack.stop();
  return 0;
}
