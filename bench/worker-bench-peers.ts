// Helper of worker.bench.ts: the closed-loop peers, autocannon and wrk, pinned to the worker's core.
import { spawn } from 'node:child_process';
import { autocannonScript, cpuSampler, WRK } from './worker-bench-proc.js';

export interface PeerResult {
  reqPerSec: number;
  requests: number;
  /** Responses that were not 2xx, plus errors and timeouts. */
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** CPU % of one core (sampled from /proc while it ran). */
  cpuPct: number | null;
}

function run(
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; cpuPct: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const sampler = cpuSampler(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const cpuPct = sampler.stop();
      if (code === 0) resolve({ stdout, stderr, cpuPct });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

interface AutocannonJson {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
}

/** autocannon's CLI (one thread, pipelining 1), `--json`; its rate is its own average of per-second samples. */
export async function runAutocannon(url: string, connections: number, seconds: number, core: string) {
  const { stdout, cpuPct } = await run('taskset', [
    '-c',
    core,
    process.execPath,
    autocannonScript(),
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '--json',
    url,
  ]);
  const json = JSON.parse(stdout.trim().split('\n').at(-1)!) as AutocannonJson;
  return {
    reqPerSec: json.requests.average,
    requests: json.requests.total,
    errors: json.errors + json.timeouts + json.non2xx,
    p50Ms: json.latency.p50,
    p99Ms: json.latency.p99,
    cpuPct,
  } satisfies PeerResult;
}

/** `2.50ms`, `812.00us`, `1.02s` → ms. */
function durationMs(text: string | undefined): number | null {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  if (!m) return null;
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * factor;
}

/** `wrk -t1 -c<connections> --latency`: one thread (one core), keep-alive, closed loop. */
export async function runWrk(url: string, connections: number, seconds: number, core: string) {
  const { stdout, cpuPct } = await run('taskset', [
    '-c',
    core,
    WRK,
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    url,
  ]);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!rate) throw new Error(`could not read wrk's output:\n${stdout}`);
  const total = /(\d+) requests in/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const percentile = (p: string) => durationMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(stdout)?.[1]);
  return {
    reqPerSec: Number(rate[1]),
    requests: Number(total?.[1] ?? 0),
    errors:
      Number(non2xx?.[1] ?? 0) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
    p50Ms: percentile('50'),
    p99Ms: percentile('99'),
    cpuPct,
  } satisfies PeerResult;
}
