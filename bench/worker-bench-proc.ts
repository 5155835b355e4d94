// Helpers of worker.bench.ts: prerequisites, /proc readings (CPU, RSS), connection counts, ports.
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

export const NGINX = '/usr/sbin/nginx';
export const WRK = '/usr/bin/wrk';

export function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

const wallClockMs = () => performance.timeOrigin + performance.now();
export const nowMs = wallClockMs;

/** The autocannon CLI script (a devDependency of the root package). */
export function autocannonScript(): string {
  return createRequire(import.meta.url).resolve('autocannon/autocannon.js');
}

/** Every tool the bench runs, each with how to get it; throws one message listing what is missing. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (!executable(NGINX)) missing.push(`${NGINX} (Debian: apt-get install -y nginx-light)`);
  if (!executable(WRK)) missing.push(`${WRK} (Debian: apt-get install -y wrk)`);
  const onPath = (name: string) => {
    try {
      execFileSync('which', [name], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!onPath('taskset')) missing.push('taskset (Debian: util-linux)');
  if (!onPath('ss')) missing.push('ss (Debian: apt-get install -y iproute2)');
  try {
    autocannonScript();
  } catch {
    missing.push('autocannon (npm install at the repository root: it is a devDependency)');
  }
  if (missing.length > 0) {
    throw new Error(
      `bench:worker needs, and does not install:\n  - ${missing.join('\n  - ')}\n` +
        'e.g. apt-get install -y nginx-light wrk && npm install',
    );
  }
}

let ticksPerSecond: number | null = null;

/** User + system CPU seconds of a process so far (/proc/<pid>/stat), or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "pid (comm) ": state is the first, utime the 12th, stime the 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM (peak) of a process in MB, or null once it is gone. */
export function memoryMb(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** The direct children of a process (e.g. nginx's worker process under its master). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Established TCP connections whose remote end is 127.0.0.1:<port>: the clients' side only. */
export function establishedTo(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('ss', ['-Htn', 'state', 'established', 'dport', '=', `:${port}`], (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.split('\n').filter((line) => line.trim() !== '').length);
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Pins every thread of a running process to one core. */
export function pin(pid: number, core: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', core, String(pid)], { stdio: 'ignore' });
}

/** The machine's own servers the bench talks to or that run beside it. */
const LOCAL_SERVERS = ['redis-server', 'victoria-metrics', 'mariadbd', 'etcd'];

/**
 * Moves the machine's local servers (Redis, which takes the worker's traces, and the others that
 * wake up now and then) off the worker's core for the run, so the worker has its core to itself
 * as its peers do: with Redis free to run on it, a step at 27,000 req/s was 2.9 % late against
 * 1.4 % with Redis on the other core (2 A/B pairs), and the worker's stalls ≥ 5 ms doubled.
 * Returns a function that gives every moved process its former affinity back (also run at exit).
 * Where the affinity cannot be changed (not root, not our process) that server stays and is named.
 */
export function moveLocalServersTo(core: string): { moved: string[]; restore: () => void } {
  const before: { pid: string; mask: string }[] = [];
  const moved: string[] = [];
  for (const name of LOCAL_SERVERS) {
    let pids: string[] = [];
    try {
      // pgrep -x matches the kernel's command name: its first 15 characters
      pids = execFileSync('pgrep', ['-x', name.slice(0, 15)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .split('\n')
        .filter(Boolean);
    } catch {
      continue; // not running
    }
    for (const pid of pids) {
      try {
        const mask = /mask: ([0-9a-f]+)/i.exec(
          execFileSync('taskset', ['-p', pid], { encoding: 'utf8' }),
        )?.[1];
        if (!mask) continue;
        execFileSync('taskset', ['-a', '-p', '-c', core, pid], { stdio: 'ignore' });
        before.push({ pid, mask });
        moved.push(`${name}(${pid})`);
      } catch {
        log(`could not move ${name} (pid ${pid}) off the worker's core; it may share it`);
      }
    }
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    for (const { pid, mask } of before) {
      try {
        execFileSync('taskset', ['-a', '-p', mask, pid], { stdio: 'ignore' });
      } catch {
        // it exited meanwhile
      }
    }
  };
  process.once('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      restore();
      process.kill(process.pid, signal); // the default action, now that this listener is gone
    });
  }
  return { moved, restore };
}

/** Resolves with the exit code once the child exited; SIGKILLs it after `graceMs` if needed. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? -1;
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Samples a process's CPU seconds every `everyMs`; `last()` is the latest (time, seconds) pair. */
export function cpuSampler(pid: number, everyMs = 200) {
  const first = { at: nowMs(), cpu: cpuSeconds(pid) ?? 0 };
  let last = first;
  const timer = setInterval(() => {
    const cpu = cpuSeconds(pid);
    if (cpu !== null) last = { at: nowMs(), cpu };
  }, everyMs);
  return {
    /** CPU % of one core between the first and the last sample. */
    stop(): number | null {
      clearInterval(timer);
      const cpu = cpuSeconds(pid);
      if (cpu !== null) last = { at: nowMs(), cpu };
      const seconds = (last.at - first.at) / 1000;
      return seconds > 0.5 ? ((last.cpu - first.cpu) / seconds) * 100 : null;
    },
  };
}

export const round = (x: number, digits = 0) => Number(x.toFixed(digits));
