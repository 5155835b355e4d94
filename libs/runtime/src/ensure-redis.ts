import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';

export interface EnsureRedisOptions {
  host: string;
  port: number;
  password?: string;
  /** Where a Redis started here keeps its append-only file (created if missing). */
  dataDir: string;
  /** Told once what happened: found one, started one. */
  say: (message: string) => void;
  /** How long to wait for a started redis-server to answer (default 5 s). */
  startTimeoutMs?: number;
  /** How a server is probed (default: PING); tests replace it so they send nothing off this host. */
  answers?: (host: string, port: number, password?: string) => Promise<boolean>;
}

export interface EnsuredRedis {
  /** True when this call started the server (and `stop` ends it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Does a Redis answer PING there within a second? */
export async function redisAnswers(host: string, port: number, password?: string): Promise<boolean> {
  const probe = new Redis({
    host,
    port,
    ...(password ? { password } : {}),
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * The embedded mode needs only Node and a Redis: use the one that answers at host:port, or — on
 * a loopback address, with `redis-server` installed — start one for this process (append-only
 * file in `dataDir`, so a restart keeps queued experiments). Otherwise one error that says how to
 * get Redis.
 */
export async function ensureRedis(options: EnsureRedisOptions): Promise<EnsuredRedis> {
  const { host, port } = options;
  const answers = options.answers ?? redisAnswers;
  if (await answers(host, port, options.password)) {
    options.say(`using the Redis at ${host}:${port}`);
    return { started: false, stop: async () => undefined };
  }
  const howTo =
    'install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or point galileo_redis_host/galileo_redis_port at a running one';
  if (!LOOPBACK.has(host)) {
    throw new RedisUnavailableError(`no Redis answers at ${host}:${port}: start it there, or ${howTo}`);
  }
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new RedisUnavailableError(
      `no Redis answers at ${host}:${port} and redis-server is not installed: ${howTo}`,
    );
  }
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    host === 'localhost' ? '127.0.0.1' : host,
    '--dir',
    options.dataDir,
  ];
  args.push('--appendonly', 'yes', '--save', '', '--daemonize', 'no');
  if (options.password) args.push('--requirepass', options.password);
  // Its own process group: a terminal's Ctrl-C (sent to the whole foreground group) reaches only
  // this process, which drains its services first and then stops the server (`stop`). Should
  // this process end without `stop`, the exit hook still ends the server.
  const child: ChildProcess = spawn('redis-server', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + (options.startTimeoutMs ?? 5000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answers(host, port, options.password)) {
      options.say(
        `no Redis answered at ${host}:${port}: started redis-server for this run (data in ${options.dataDir})`,
      );
      return {
        started: true,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(
    `no Redis answered at ${host}:${port} and the redis-server started for it did not come up${stderr ? ` (${stderr.trim().split('\n').pop()})` : ''}: ${howTo}`,
  );
}
