import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';

/** How to run compose here: the docker compose plugin, or Debian's standalone docker-compose. */
let found: string[] | null | undefined;
export function composeCommand(): string[] | null {
  if (found === undefined) found = probe();
  return found;
}

function probe(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0)
    return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return null;
}

export const COMPOSE_MISSING =
  'neither `docker compose` nor `docker-compose` is installed: apt-get install -y --no-install-recommends docker-compose (no Docker engine is needed for `config`)';

export interface ComposeRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `compose -f <file> [--profile p]… [--env-file f] <args>` with a clean environment (no stray variables). */
export function runCompose(
  file: string,
  args: string[],
  options: { profiles?: string[]; envFile?: string; env?: Record<string, string> } = {},
): ComposeRun {
  const command = composeCommand();
  if (!command) throw new Error(COMPOSE_MISSING);
  const global = ['-f', file, '-p', 'galileo'];
  for (const p of options.profiles ?? []) global.push('--profile', p);
  if (options.envFile) global.push('--env-file', options.envFile);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
  };
  Object.assign(env, options.env ?? {});
  const r = spawnSync(command[0]!, [...command.slice(1), ...global, ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }> | string[];
  profiles?: string[];
  ports?: unknown[];
  volumes?: unknown[];
  init?: boolean;
}

export interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The resolved configuration (`config`, interpolated) of a compose file. */
export function resolvedCompose(file: string, options: Parameters<typeof runCompose>[2] = {}): ComposeConfig {
  const r = runCompose(file, ['config'], options);
  if (r.status !== 0) throw new Error(`compose config failed: ${r.stderr}`);
  return parse(r.stdout) as ComposeConfig;
}
