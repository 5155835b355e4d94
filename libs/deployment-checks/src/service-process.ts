import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import type { ImageService } from './repo.js';
import { repoPath } from './repo.js';

/** The local servers a service started by a test talks to instead of the stack's containers. */
export interface LocalServers {
  redisPrefix: string;
  mysqlDatabase: string;
  tmpDir: string;
  /** A free port for each listening variable (health port, proxy port, API address). */
  port: () => Promise<number>;
}

/**
 * A service's environment for a local run: the stack's environment for it (compose), with the
 * container host names pointed at this machine's Redis, MariaDB, etcd and VictoriaMetrics (the
 * InfluxDB v2 write API), a fresh Redis key prefix and database, and free ports.
 */
export async function localEnvironment(
  composeEnv: Record<string, string | null>,
  service: ImageService,
  servers: LocalServers,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(composeEnv)) if (v !== null) env[k] = v;
  const set = (name: string, value: string) => {
    if (name in env) env[name] = value;
  };
  set('galileo_redis_host', '127.0.0.1');
  set('galileo_redis_port', '6379');
  set('galileo_redis_password', '');
  set('galileo_redis_key_prefix', servers.redisPrefix);
  set('telemd_redis_host', '127.0.0.1');
  set('telemd_redis_port', '6379');
  set('telemd_redis_key_prefix', servers.redisPrefix);
  // telemd's channels are never prefixed: a node name of its own keeps its readings apart
  set('telemd_nodename', `test-${servers.redisPrefix.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`);
  set('telemd_proc_mount', '/proc');
  set('telemd_sys_mount', '/sys');
  set('telemd_cgroup_mount', '/sys/fs/cgroup');
  set('galileo_expdb_mysql_host', '127.0.0.1');
  set('galileo_expdb_mysql_port', '3306');
  set('galileo_expdb_mysql_user', 'root');
  set('galileo_expdb_mysql_password', '');
  set('galileo_expdb_mysql_db', servers.mysqlDatabase);
  set('galileo_expdb_influxdb_url', 'http://127.0.0.1:8428');
  set('eb_go_lb_etcd_host', '127.0.0.1:2379');
  set('eb_go_lb_key_prefix', servers.redisPrefix);
  set('osmotic_lb_opt_etcd_host', '127.0.0.1');
  set('eb_go_lb_listen_port', String(await servers.port()));
  set('galileo_apps_dir', repoPath('services', 'worker', 'apps'));
  env.galileo_apps_repo_dir = `${servers.tmpDir}/apps-repo`;
  env.galileo_expdb_sqlite_path = `${servers.tmpDir}/galileodb.sqlite`;
  env.galileo_logging_level = 'warn';
  if (service.health) {
    const port = await servers.port();
    env[service.health.variable] = service.health.form === 'host:port' ? `127.0.0.1:${port}` : String(port);
  }
  return env;
}

export interface RunningService {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a service the way the image does: `node deployment/docker/entrypoint.mjs <name>` (its
 * bundle where one is built, else its sources through tsx), in a working directory of its own (the
 * image's is /data, without tsconfig or node_modules).
 */
export function startService(name: string, env: Record<string, string>, cwd: string): RunningService {
  const child = spawn(process.execPath, [repoPath('deployment', 'docker', 'entrypoint.mjs'), name], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** GET a path on 127.0.0.1: the status code, or null when nothing answers. */
export function httpStatus(port: number, path: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}
