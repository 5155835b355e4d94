import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** The etcd every test talks to (v3 API, no auth); GALILEO_TEST_ETCD_HOST overrides. */
export function testEtcdHost(): string {
  return process.env.GALILEO_TEST_ETCD_HOST ?? '127.0.0.1:2379';
}

/** A unique etcd key prefix per test (`test/<label>/<random>/`). */
export function testEtcdPrefix(label = 't'): string {
  return `test/${label}/${randomBytes(5).toString('hex')}/`;
}

export interface PrivateEtcd {
  /** `127.0.0.1:<client port>`. */
  readonly host: string;
  /** Stops the server (SIGKILL by default) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and data directory. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function etcdHealthy(host: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

/** An etcd of the test's own (binary `etcd`, e.g. /usr/bin/etcd), on free ports with its own data dir. */
export async function startPrivateEtcd(options: { binary?: string } = {}): Promise<PrivateEtcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'galileo-etcd-'));
  const host = `127.0.0.1:${clientPort}`;
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      options.binary ?? 'etcd',
      [
        '--name',
        'test',
        '--data-dir',
        join(dir, 'data'),
        '--listen-client-urls',
        `http://${host}`,
        '--advertise-client-urls',
        `http://${host}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-cluster',
        `test=http://127.0.0.1:${peerPort}`,
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => etcdHealthy(host), { timeoutMs: 20_000, intervalMs: 50, what: `etcd on ${host}` });
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  await start();
  return {
    host,
    kill,
    start,
    async destroy() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
