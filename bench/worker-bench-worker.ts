// The bench's worker process (bench:worker and its diagnostics): started as the image starts it,
// pinned to one core, and waited for on the bus.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkerClient } from '@galileo/workers';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * The node options of the worker: BENCH_WORKER_NODE_FLAGS when set, else those the image's
 * manifests give it (deployment/docker/services.json; source maps left out).
 */
export function workerNodeOptions(): string[] {
  let flags = process.env.BENCH_WORKER_NODE_FLAGS;
  if (flags === undefined) {
    const file = fileURLToPath(new URL('../deployment/docker/services.json', import.meta.url));
    const { services } = JSON.parse(readFileSync(file, 'utf8')) as {
      services: Record<string, { nodeOptions?: string; nodeFlags?: string }>;
    };
    const worker = services.worker;
    flags = `${(worker?.nodeOptions ?? '').replace('--enable-source-maps', '')} ${worker?.nodeFlags ?? ''}`;
  }
  return flags.split(' ').filter((f) => f !== '');
}

export interface BenchWorkerOptions {
  /** The bundle (or entry) to run. */
  main: string;
  /** taskset CPU list. */
  core: string;
  name: string;
  redisUrl: string;
  prefix: string;
  /** Node options before `main`. */
  nodeFlags: readonly string[];
  /** Diagnostics: the worker-bench-probe.ts event-loop and GC probe (brings tsx's hooks along). */
  probe?: boolean;
  /** More worker environment. */
  env?: Record<string, string>;
}

/** Starts the worker; its log lines (pino, stdout) go to our stderr, so our stdout is the JSON line alone. */
export function startBenchWorker(o: BenchWorkerOptions): ChildProcess {
  const node = [
    ...o.nodeFlags,
    ...(o.probe
      ? ['--import', 'tsx', '--import', fileURLToPath(new URL('./worker-bench-probe.ts', import.meta.url))]
      : []),
  ];
  return spawn('taskset', ['-c', o.core, process.execPath, ...node, o.main], {
    cwd: repoRoot,
    stdio: ['ignore', 2, 2],
    env: {
      ...process.env,
      galileo_redis_url: o.redisUrl,
      galileo_redis_key_prefix: o.prefix,
      galileo_worker_name: o.name,
      galileo_logging_level: process.env.galileo_logging_level ?? 'warn',
      ...o.env,
    },
  });
}

/** Until the worker answers a ping (30 s at most; its exit while starting is an error). */
export async function waitForWorker(client: WorkerClient, worker: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (worker.exitCode !== null) throw new Error(`the worker exited with ${worker.exitCode} while starting`);
    try {
      await client.ping(name, { timeoutMs: 500 });
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`the worker did not answer a ping within 30 s: ${String(e)}`);
    }
  }
}
