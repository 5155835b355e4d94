// Helper of worker.bench.ts: nginx as the target, `return 200 "ok"`, a child process pinned to one core.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids, freePort, NGINX, stopChild } from './worker-bench-proc.js';

export interface Nginx {
  readonly port: number;
  readonly url: string;
  /** The master process. */
  readonly pid: number;
  /** The single worker process (the one that serves). */
  readonly workerPid: number;
  stop(): Promise<void>;
}

/**
 * A whole nginx.conf for one foreground worker process with its files in `dir`: the settings every
 * bench's nginx shares (keep-alive, no access log, temp paths inside `dir`) around `httpBody`.
 */
export function nginxConfig(dir: string, writtenBy: string, httpBody: string): string {
  const temp = (name: string) => {
    mkdirSync(join(dir, name), { recursive: true });
    return join(dir, name);
  };
  return `# written by ${writtenBy}
daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections 8192;
  multi_accept on;
}
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 600s;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
${httpBody}}
`;
}

function config(dir: string, port: number): string {
  return nginxConfig(
    dir,
    'bench/worker.bench.ts',
    `  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      default_type text/plain;
      return 200 "ok";
    }
  }
`,
  );
}

async function waitUntilServing(url: string, timeoutMs: number, failed: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = failed();
    if (reason) throw new Error(reason);
    try {
      const response = await fetch(url);
      const body = await response.text();
      if (response.status === 200 && body === 'ok') return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts nginx (`daemon off`, one worker process) pinned to `core`, on a free loopback port. */
export async function startNginx(core: string): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'galileo-bench-nginx-'));
  const port = await freePort();
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config(dir, port));
  const child = spawn('taskset', ['-c', core, NGINX, '-p', dir, '-e', join(dir, 'error.log'), '-c', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8').trim();
    } catch {
      return '';
    }
  };
  const url = `http://127.0.0.1:${port}/`;
  await waitUntilServing(url, 5_000, () =>
    child.exitCode !== null ? `nginx exited with ${child.exitCode}: ${stderr.trim()} ${errorLog()}` : null,
  );
  const workers = childPids(child.pid!);
  if (workers.length !== 1) throw new Error(`expected one nginx worker process, found ${workers.length}`);
  return {
    port,
    url,
    pid: child.pid!,
    workerPid: workers[0]!,
    async stop() {
      await stopChild(child, 'SIGTERM', 5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
