// Diagnostics of worker.bench.ts (BENCH_WORKER_PROBE=1): loaded into the worker with --import, it
// prints once a second on stderr the event loop's delay and the GC pauses of that second.
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const gc = new Map<string, { count: number; totalMs: number; maxMs: number }>();
const kinds: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak', 16: 'all' };

/** GC pauses of the last 100 ms: (end, kind, ms), to tell GC stalls from others. */
const recentGc: [number, string, number][] = [];
const stalls: string[] = [];
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  const stall = now - lastTick - 2;
  lastTick = now;
  if (stall < 8) return;
  const gcIn = recentGc.filter(([end]) => end > now - stall - 5);
  const gcMs = gcIn.reduce((sum, [, , ms]) => sum + ms, 0);
  stalls.push(`${stall.toFixed(0)}ms(gc ${gcMs.toFixed(0)}${gcIn.map(([, k]) => k[0]).join('')})`);
}, 2).unref();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = kinds[entry.detail?.kind ?? 0] ?? 'other';
    recentGc.push([entry.startTime + entry.duration, kind, entry.duration]);
    while (recentGc.length > 0 && recentGc[0]![0] < performance.now() - 200) recentGc.shift();
    const s = gc.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
    s.count++;
    s.totalMs += entry.duration;
    s.maxMs = Math.max(s.maxMs, entry.duration);
    gc.set(kind, s);
  }
}).observe({ entryTypes: ['gc'] });

let lastCpu = process.cpuUsage();
let lastUsage = process.resourceUsage();
setInterval(() => {
  const heap = process.memoryUsage();
  const cpu = process.cpuUsage(lastCpu);
  const usage = process.resourceUsage();
  lastCpu = process.cpuUsage();
  const line = {
    probe: new Date().toISOString().slice(11, 19),
    loopMaxMs: Math.round(delay.max / 1e4) / 100,
    loopP99Ms: Math.round(delay.percentile(99) / 1e4) / 100,
    cpuPct: Math.round((cpu.user + cpu.system) / 1e4),
    involuntarySwitches: usage.involuntaryContextSwitches - lastUsage.involuntaryContextSwitches,
    heapMb: Math.round(heap.heapUsed / 1e6),
    rssMb: Math.round(heap.rss / 1e6),
    stalls: stalls.splice(0).join(' '),
    gc: Object.fromEntries(
      [...gc].map(([k, s]) => [k, `${s.count}×, ${s.totalMs.toFixed(1)} ms, max ${s.maxMs.toFixed(1)}`]),
    ),
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
  lastUsage = usage;
  delay.reset();
  gc.clear();
}, 1000).unref();

// BENCH_WORKER_HEAP_PROF=<file>: every allocation sampled (collected ones included) from 8 s to 20 s.
const heapProf = process.env.BENCH_WORKER_HEAP_PROF;
if (heapProf) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  setTimeout(async () => {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.BENCH_WORKER_HEAP_PROF_MINOR !== '0',
    });
    setTimeout(async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(heapProf, JSON.stringify(profile));
      process.stderr.write(`heap profile written to ${heapProf}\n`);
    }, 12_000);
  }, 8_000);
}

// BENCH_WORKER_HEAP_SNAPSHOT=<file>: one heap snapshot 8 s after the start.
const snapshot = process.env.BENCH_WORKER_HEAP_SNAPSHOT;
if (snapshot) {
  const { writeHeapSnapshot } = await import('node:v8');
  setTimeout(() => process.stderr.write(`heap snapshot written to ${writeHeapSnapshot(snapshot)}\n`), 8_000);
}
