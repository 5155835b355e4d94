// Diagnostics of bench:worker (worker-bench-fixed.ts --stalls): what stalls the worker's event loop.
//
// One loop probe, loaded into the worker (`--import data:…`, no tsx) and run as a separate tiny
// process pinned to the worker's core (the host probe: its stalls are the machine's, not the
// worker's): a 2 ms interval timer whose gaps are the loop's stalls. Each stall ≥ STALL_MS is
// written (JSON lines, epoch ms) with what the loop's thread did meanwhile, from schedstat: `runMs`
// on the CPU, `waitMs` runnable but not running; the CPU time of the process's other threads
// (`othersMs`: V8's GC helpers, pinned to the same core); and the GC pauses that overlap it. The
// late requests come from the traces (sent − created > the late threshold); `correlateStalls`
// groups them into bursts and names each burst's stalls, `stallCause` says what a stall was.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Loop gaps beyond the 2 ms tick by at least this much are written. */
const STALL_MS = 3;

/** The probe (plain JS, so that it runs in the bundled worker without tsx); BENCH_STALLS_FILE names its output. */
const probeSource = `
import { appendFileSync, openSync, readSync, readdirSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
const file = process.env.BENCH_STALLS_FILE;
const withGc = process.env.BENCH_STALLS_GC === '1';
const TICK = 2, STALL = ${STALL_MS};
const origin = performance.timeOrigin;
const fd = openSync('/proc/thread-self/schedstat', 'r');
const buf = Buffer.alloc(96);
const sched = () => {
  const n = readSync(fd, buf, 0, 96, 0);
  const [run, wait] = buf.toString('latin1', 0, n).split(' ');
  return [Number(run) / 1e6, Number(wait) / 1e6];
};
// the process's other threads (V8's GC and compiler helpers, libuv's pool): their CPU time in a stall
const threads = new Map();
const runMsOf = (fd) => {
  const n = readSync(fd, buf, 0, 96, 0);
  return Number(buf.toString('latin1', 0, n).split(' ')[0]) / 1e6;
};
const scanThreads = () => {
  for (const tid of readdirSync('/proc/self/task')) {
    if (tid === String(process.pid) || threads.has(tid)) continue;
    try {
      const fd = openSync('/proc/self/task/' + tid + '/schedstat', 'r');
      threads.set(tid, { fd, run: runMsOf(fd) });
    } catch {}
  }
};
const otherThreads = () => {
  let total = 0;
  for (const [tid, t] of threads) {
    try {
      const run = runMsOf(t.fd);
      total += run - t.run;
      t.run = run;
    } catch { threads.delete(tid); }
  }
  return total;
};
scanThreads();
setInterval(scanThreads, 1000).unref();
let lines = [];
const gcs = [];
const kinds = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak', 16: 'all' };
if (withGc) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const at = origin + e.startTime;
      const kind = kinds[e.detail?.kind ?? 0] ?? 'other';
      gcs.push([at, e.duration, kind]);
      lines.push(JSON.stringify({ t: 'gc', at, ms: e.duration, kind }));
    }
  }).observe({ entryTypes: ['gc'] });
}
const mono = () => Number(process.hrtime.bigint() / 1000n); // µs, the clock of V8's CPU profiles
let last = performance.now();
let lastMono = mono();
let [lastRun, lastWait] = sched();
setInterval(() => {
  const now = performance.now();
  const nowMono = mono();
  const [run, wait] = sched();
  const othersMs = otherThreads();
  const gap = now - last;
  if (gap - TICK >= STALL) {
    const from = origin + last, to = origin + now;
    let gcMs = 0, gcKinds = '';
    for (const [at, ms, kind] of gcs) {
      if (at < to && at + ms > from) { gcMs += Math.min(at + ms, to) - Math.max(at, from); gcKinds += kind[0]; }
    }
    lines.push(JSON.stringify({ t: 'stall', at: from, monoUs: [lastMono, nowMono], ms: gap, runMs: run - lastRun, waitMs: wait - lastWait, othersMs, gcMs, gc: gcKinds }));
  }
  while (gcs.length > 0 && gcs[0][0] < origin + now - 1000) gcs.shift();
  last = now; lastMono = nowMono; lastRun = run; lastWait = wait;
}, TICK).unref();
const write = () => {
  if (lines.length === 0) return;
  appendFileSync(file, lines.join('\\n') + '\\n');
  lines = [];
};
setInterval(write, 1000).unref();
process.on('exit', write);
`;

/** Node flags that load the probe into a process (with BENCH_STALLS_FILE, and BENCH_STALLS_GC=1 for GC). */
export const stallProbeFlags = (): string[] => [
  '--import',
  `data:text/javascript,${encodeURIComponent(probeSource)}`,
];

/** The separate host probe: the loop probe alone, pinned to `core`, writing to `file`. */
export function startHostProbe(core: string, file: string): ChildProcess {
  return spawn(
    'taskset',
    ['-c', core, process.execPath, ...stallProbeFlags(), '-e', 'setInterval(() => {}, 1 << 30)'],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BENCH_STALLS_FILE: file } },
  );
}

export interface Stall {
  at: number;
  /** The stall in the monotonic clock of V8's CPU profiles (µs). */
  monoUs: [number, number];
  ms: number;
  runMs: number;
  waitMs: number;
  /** CPU time of the process's other threads meanwhile (V8's GC helpers …). */
  othersMs: number;
  gcMs: number;
  gc: string;
}
export interface GcPause {
  at: number;
  ms: number;
  kind: string;
}

export function readProbeFile(file: string): { stalls: Stall[]; gcs: GcPause[] } {
  const stalls: Stall[] = [];
  const gcs: GcPause[] = [];
  if (!existsSync(file)) return { stalls, gcs };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as ({ t: 'stall' } & Stall) | ({ t: 'gc' } & GcPause);
    if (record.t === 'stall') stalls.push(record);
    else gcs.push(record);
  }
  return { stalls, gcs };
}

/** A late request: its intended time and how late it left (ms). */
export interface LateSend {
  intendedMs: number;
  lateMs: number;
}

/**
 * What stalled the loop for `ms`: the time its thread was off the CPU went first to the process's
 * other threads (`threads`: V8's concurrent GC helpers on the same core, whether the loop waited
 * runnable or blocked on them), then to other processes or the VM (`host`: the rest of `waitMs`,
 * runnable but not running), then to the kernel (`kernel`: blocked or asleep); the time on the CPU
 * to GC on the loop's thread (`gc`) or its own JavaScript and syscalls (`own`). The largest wins.
 * `gc` counts only the pauses node reports (scavenges, the mark-compact's final pause): the steps
 * of incremental marking (V8 runs them on the loop's thread when it allocates, and as tasks between
 * callbacks; ~20 ms per mark-compact with --single-threaded-gc) are not reported, so they count
 * as `own` — `perf record -k CLOCK_MONOTONIC` of the worker (`--perf`) tells them apart.
 */
export function stallCause(s: Stall): 'threads' | 'host' | 'gc' | 'own' | 'kernel' {
  const offCpu = Math.max(0, s.ms - s.runMs);
  const threads = Math.min(s.othersMs, offCpu);
  const host = Math.min(s.waitMs, offCpu - threads);
  const gc = Math.min(s.gcMs, s.runMs);
  const shares: [ReturnType<typeof stallCause>, number][] = [
    ['threads', threads],
    ['host', host],
    ['kernel', offCpu - threads - host],
    ['gc', gc],
    ['own', s.runMs - gc],
  ];
  return shares.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * What ran on the loop's thread during each stall of at least `minMs` (its share in a V8 CPU
 * profile of the worker, `node --cpu-prof`, written while the probe ran): the top functions by
 * self time, with `(idle)`/`(program)`/`(garbage collector)` as V8 names them; and `turns`, the
 * stall as a sequence of what the loop entered (the profile's top frames: `listOnTimeout` the
 * timers, `onStreamRead` a socket's data, `processImmediate` the setImmediate callbacks …) with
 * the time in each, consecutive samples of one entry merged (a finer `--cpu-prof-interval` shows
 * more).
 */
export function stallProfiles(profileFile: string, stalls: readonly Stall[], minMs = 10, top = 4) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\//, '');
    return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
  };
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  // the loop's entry of every node: the frame just below the root (the first JS frame under a
  // native one, e.g. processTimers → listOnTimeout)
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const rootId = profile.nodes.find((n) => !parentOf.has(n.id))!.id;
  const entryCache = new Map<number, string>();
  const notEntries = new Set(['processTimers', 'runNextTicks', '']);
  const entryOf = (id: number): string => {
    let entry = entryCache.get(id);
    if (entry !== undefined) return entry;
    const path: number[] = [];
    for (let cur: number | undefined = id; cur !== undefined && cur !== rootId; cur = parentOf.get(cur)) {
      path.push(cur);
    }
    const names = path.reverse().map((n) => byId.get(n)!.callFrame.functionName);
    entry = names.find((name) => !notEntries.has(name)) ?? names[0] ?? '(root)';
    entryCache.set(id, entry);
    return entry;
  };
  return stalls
    .filter((s) => s.ms >= minMs && s.monoUs[0] >= profile.startTime)
    .map((s) => {
      const self = new Map<string, number>();
      const turns: [string, number][] = [];
      let sampled = 0;
      for (let i = 0; i < times.length; i++) {
        if (times[i]! < s.monoUs[0] || times[i]! > s.monoUs[1]) continue;
        const dt = (times[i + 1] ?? times[i]!) - times[i]!;
        const name = label(profile.samples[i]!);
        self.set(name, (self.get(name) ?? 0) + dt);
        sampled += dt;
        const entry = entryOf(profile.samples[i]!);
        const last = turns.at(-1);
        if (last && last[0] === entry) last[1] += dt;
        else turns.push([entry, dt]);
      }
      const ranked = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
      return {
        at: new Date(s.at).toISOString().slice(11, 23),
        ms: round2(s.ms),
        cause: stallCause(s),
        sampledMs: round2(sampled / 1000),
        top: ranked.map(([name, us]) => `${name} ${round2(us / 1000)}ms`),
        turns: turns.map(([entry, us]) => `${entry} ${round2(us / 1000)}`).join(' → '),
      };
    });
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Late sends grouped into bursts (intended times less than `gapMs` apart), each with the worker's
 * and the host probe's stalls overlapping it (from `reachMs` before its first intended time to its
 * last send); and the stalls ≥ `bigMs` of the window by cause, late or not.
 */
export function correlateStalls(
  late: readonly LateSend[],
  worker: { stalls: Stall[]; gcs: GcPause[] },
  host: { stalls: Stall[] },
  window: [number, number],
  options = { gapMs: 20, reachMs: 5, bigMs: 10 },
) {
  const sorted = [...late].sort((a, b) => a.intendedMs - b.intendedMs);
  const bursts: { from: number; to: number; lastSent: number; count: number; maxLateMs: number }[] = [];
  for (const l of sorted) {
    const b = bursts.at(-1);
    const sent = l.intendedMs + l.lateMs;
    if (b && l.intendedMs - b.to < options.gapMs) {
      b.to = l.intendedMs;
      b.count++;
      b.maxLateMs = Math.max(b.maxLateMs, l.lateMs);
      b.lastSent = Math.max(b.lastSent, sent);
    } else
      bursts.push({ from: l.intendedMs, to: l.intendedMs, lastSent: sent, count: 1, maxLateMs: l.lateMs });
  }
  const overlapping = (stalls: Stall[], from: number, to: number) =>
    stalls.filter((s) => s.at < to && s.at + s.ms > from);
  const describe = (s: Stall) =>
    `${s.ms.toFixed(1)}ms ${stallCause(s)} (run ${s.runMs.toFixed(1)}, wait ${s.waitMs.toFixed(1)}, threads ${s.othersMs.toFixed(1)}, gc ${s.gcMs.toFixed(1)}${s.gc ? ` ${s.gc}` : ''})`;
  const inWindow = (s: { at: number }) => s.at >= window[0] && s.at <= window[1];
  const big = worker.stalls.filter((s) => inWindow(s) && s.ms >= options.bigMs);
  const byCause: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  for (const s of big) {
    const c = (byCause[stallCause(s)] ??= { count: 0, totalMs: 0, maxMs: 0 });
    c.count++;
    c.totalMs = round2(c.totalMs + s.ms);
    c.maxMs = round2(Math.max(c.maxMs, s.ms));
  }
  const gcInWindow = worker.gcs.filter(inWindow);
  const gcSummary: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
  for (const g of gcInWindow) {
    const c = (gcSummary[g.kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    c.count++;
    c.totalMs = round2(c.totalMs + g.ms);
    c.maxMs = round2(Math.max(c.maxMs, g.ms));
  }
  /** Every worker stall of the window (≥ STALL_MS) by cause and duration. */
  const buckets = [5, 10, 20, Infinity];
  const histogram: Record<string, number[]> = {};
  for (const s of worker.stalls.filter(inWindow)) {
    const row = (histogram[stallCause(s)] ??= buckets.map(() => 0));
    row[buckets.findIndex((b) => s.ms < b)]!++;
  }
  const hostBig = host.stalls.filter((s) => inWindow(s) && s.ms >= options.bigMs);
  return {
    lateBursts: bursts.map((b) => ({
      at: new Date(b.from).toISOString().slice(11, 23),
      count: b.count,
      spanMs: round2(b.to - b.from),
      maxLateMs: round2(b.maxLateMs),
      worker: overlapping(worker.stalls, b.from - options.reachMs, b.lastSent).map(describe),
      host: overlapping(host.stalls, b.from - options.reachMs, b.lastSent).map(describe),
    })),
    workerStalls: {
      atLeastMs: options.bigMs,
      byCause,
      /** Counts of stalls < 5, 5–10, 10–20 and ≥ 20 ms, by cause. */
      histogram,
    },
    hostStalls: {
      atLeastMs: options.bigMs,
      count: hostBig.length,
      maxMs: round2(Math.max(0, ...hostBig.map((s) => s.ms))),
    },
    gc: gcSummary,
  };
}
