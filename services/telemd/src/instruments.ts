import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { discoverContainers, firstPid, type ContainerRuntime } from './cgroups.js';
import {
  cpuUtilisation,
  parseCgroupCpuStat,
  parseCgroupIoStat,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parsePressure,
  parseProcStatCpu,
  sumCpuinfoMhz,
  usedRamKb,
  type CpuTimes,
} from './proc-parse.js';

/** One reading of an instrument: topic `<metric>[/<subsystem>]` and its value. */
export interface Reading {
  readonly topic: string;
  readonly value: number;
}

/** Where an instrument reads from (the mounts are configurable, as telemd_proc_mount). */
export interface InstrumentContext {
  readonly procMount: string;
  readonly sysMount: string;
  readonly cgroupMount: string;
  /** Network devices to report; null = every device except `lo`. */
  readonly netDevices: readonly string[] | null;
  /** Block devices to report; null = every device in /sys/block except `loop*`. */
  readonly diskDevices: readonly string[] | null;
  /** Monotonic milliseconds, for rates. */
  readonly monotonicMs: () => number;
}

/** A sampler: each call returns the readings of one tick (none when there is nothing to say yet). */
export type Sampler = () => Promise<Reading[]>;

export interface InstrumentDefinition {
  /** telemd's instrument name, used in telemd_period_<name> and the enable/disable lists. */
  readonly name: string;
  /** telemd's default period in ms (protocols §6.2). */
  readonly defaultPeriodMs: number;
  readonly description: string;
  create(ctx: InstrumentContext): Sampler;
}

const read = (path: string) => readFile(path, 'utf8');
const tryRead = (path: string) => readFile(path, 'utf8').catch(() => null);

/** Rates between ticks: (now − before) / seconds elapsed; the first tick only remembers. */
function rateTracker() {
  let before: { at: number; values: Map<string, number> } | null = null;
  return (at: number, values: Map<string, number>): Map<string, number> => {
    const out = new Map<string, number>();
    if (before && at > before.at) {
      const seconds = (at - before.at) / 1000;
      for (const [k, v] of values) {
        const b = before.values.get(k);
        if (b !== undefined && v >= b) out.set(k, (v - b) / seconds);
      }
    }
    before = { at, values };
    return out;
  };
}

export async function listNetDevices(ctx: InstrumentContext): Promise<string[]> {
  if (ctx.netDevices) return [...ctx.netDevices];
  const text = await tryRead(join(ctx.procMount, 'net/dev'));
  return text ? [...parseNetDev(text).keys()].filter((d) => d !== 'lo') : [];
}

export async function listDiskDevices(ctx: InstrumentContext): Promise<string[]> {
  if (ctx.diskDevices) return [...ctx.diskDevices];
  const names = await readdir(join(ctx.sysMount, 'block')).catch(() => [] as string[]);
  return names.filter((d) => !d.startsWith('loop')).sort();
}

const cpu: InstrumentDefinition = {
  name: 'cpu',
  defaultPeriodMs: 500,
  description: 'CPU utilisation % since the previous tick: (user+system)/(user+system+idle) from /proc/stat',
  create(ctx) {
    let before: CpuTimes | null = null;
    return async () => {
      const now = parseProcStatCpu(await read(join(ctx.procMount, 'stat')));
      if (!now) return [];
      const prev = before;
      before = now;
      const value = prev ? cpuUtilisation(prev, now) : null;
      return value === null ? [] : [{ topic: 'cpu', value }];
    };
  },
};

const freq: InstrumentDefinition = {
  name: 'freq',
  defaultPeriodMs: 500,
  description:
    'sum of the current CPU frequencies in kHz (scaling_cur_freq; /proc/cpuinfo MHz × 1000 without cpufreq)',
  create(ctx) {
    return async () => {
      const base = join(ctx.sysMount, 'devices/system/cpu');
      const cpus = (await readdir(base).catch(() => [] as string[])).filter((d) => /^cpu\d+$/.test(d));
      let sum = 0;
      let seen = false;
      for (const c of cpus) {
        const text = await tryRead(join(base, c, 'cpufreq/scaling_cur_freq'));
        if (text !== null && Number.isFinite(Number(text.trim()))) {
          sum += Number(text.trim());
          seen = true;
        }
      }
      if (seen) return [{ topic: 'freq', value: sum }];
      const mhz = sumCpuinfoMhz((await tryRead(join(ctx.procMount, 'cpuinfo'))) ?? '');
      return mhz === null ? [] : [{ topic: 'freq', value: mhz * 1000 }];
    };
  },
};

const ram: InstrumentDefinition = {
  name: 'ram',
  defaultPeriodMs: 1000,
  description: 'used RAM in kB: MemTotal − MemAvailable',
  create(ctx) {
    return async () => {
      const used = usedRamKb(parseMeminfo(await read(join(ctx.procMount, 'meminfo'))));
      return used === null ? [] : [{ topic: 'ram', value: used }];
    };
  },
};

const load: InstrumentDefinition = {
  name: 'load',
  defaultPeriodMs: 5000,
  description: 'load averages `load1` and `load5` from /proc/loadavg',
  create(ctx) {
    return async () => {
      const l = parseLoadavg(await read(join(ctx.procMount, 'loadavg')));
      return l
        ? [
            { topic: 'load1', value: l.load1 },
            { topic: 'load5', value: l.load5 },
          ]
        : [];
    };
  },
};

const procs: InstrumentDefinition = {
  name: 'procs',
  defaultPeriodMs: 500,
  description: 'currently running processes (numerator of field 4 of /proc/loadavg)',
  create(ctx) {
    return async () => {
      const l = parseLoadavg(await read(join(ctx.procMount, 'loadavg')));
      return l ? [{ topic: 'procs', value: l.running }] : [];
    };
  },
};

const net: InstrumentDefinition = {
  name: 'net',
  defaultPeriodMs: 500,
  description: '`rx/<dev>`, `tx/<dev>`: network rate per device in kB/s (bytes per second ÷ 1000)',
  create(ctx) {
    const rates = rateTracker();
    return async () => {
      const wanted = new Set(await listNetDevices(ctx));
      const at = ctx.monotonicMs();
      const values = new Map<string, number>();
      for (const [dev, c] of parseNetDev(await read(join(ctx.procMount, 'net/dev')))) {
        if (!wanted.has(dev)) continue;
        values.set(`rx/${dev}`, c.rx);
        values.set(`tx/${dev}`, c.tx);
      }
      return [...rates(at, values)].map(([topic, perSec]) => ({ topic, value: perSec / 1000 }));
    };
  },
};

const disk: InstrumentDefinition = {
  name: 'disk',
  defaultPeriodMs: 500,
  description:
    '`rd/<dev>`, `wr/<dev>`: block device read/write rate in kB/s (sectors × 512 per second ÷ 1000)',
  create(ctx) {
    const rates = rateTracker();
    return async () => {
      const wanted = new Set(await listDiskDevices(ctx));
      const at = ctx.monotonicMs();
      const values = new Map<string, number>();
      for (const [dev, c] of parseDiskstats(await read(join(ctx.procMount, 'diskstats')))) {
        if (!wanted.has(dev)) continue;
        values.set(`rd/${dev}`, c.read * 512);
        values.set(`wr/${dev}`, c.written * 512);
      }
      return [...rates(at, values)].map(([topic, perSec]) => ({ topic, value: perSec / 1000 }));
    };
  },
};

function pressure(resource: 'cpu' | 'io' | 'memory'): InstrumentDefinition {
  return {
    name: `psi_${resource}`,
    defaultPeriodMs: 500,
    description: `\`psi_${resource}/some\`, \`psi_${resource}/full\`: cumulative stall time (µs, \`total\`) from /proc/pressure/${resource}`,
    create(ctx) {
      return async () => {
        const text = await tryRead(join(ctx.procMount, 'pressure', resource));
        if (text === null) return [];
        const p = parsePressure(text);
        const out: Reading[] = [];
        if (p.some !== null) out.push({ topic: `psi_${resource}/some`, value: p.some });
        if (p.full !== null) out.push({ topic: `psi_${resource}/full`, value: p.full });
        return out;
      };
    },
  };
}

type CgroupMetric = 'cpu' | 'memory' | 'blkio' | 'net';

function containerInstrument(runtime: ContainerRuntime, metric: CgroupMetric): InstrumentDefinition {
  const name = `${runtime}_cgrp_${metric}`;
  const what: Record<CgroupMetric, string> = {
    cpu: 'CPU usage time in ns (cgroup v2 cpu.stat usage_usec × 1000)',
    memory: 'memory usage in bytes (memory.current)',
    blkio: 'block I/O bytes read and written (io.stat)',
    net: 'network bytes of the container: total, `<cid>/<iface>`, `<cid>/<iface>/rx` and `/tx` (/proc/<pid>/net/dev)',
  };
  return {
    name,
    defaultPeriodMs: 1000,
    description: `\`${name}/<cid>\`: ${what[metric]}, cgroup v2, for every ${runtime === 'docker' ? 'docker container' : 'Kubernetes pod container'}`,
    create(ctx) {
      return async () => {
        const out: Reading[] = [];
        for (const c of await discoverContainers(ctx.cgroupMount, runtime)) {
          if (metric === 'cpu') {
            const v = parseCgroupCpuStat((await tryRead(join(c.path, 'cpu.stat'))) ?? '');
            if (v !== null) out.push({ topic: `${name}/${c.id}`, value: v });
          } else if (metric === 'memory') {
            const v = Number(((await tryRead(join(c.path, 'memory.current'))) ?? '').trim());
            if (Number.isFinite(v) && v >= 0) out.push({ topic: `${name}/${c.id}`, value: v });
          } else if (metric === 'blkio') {
            const text = await tryRead(join(c.path, 'io.stat'));
            if (text !== null) out.push({ topic: `${name}/${c.id}`, value: parseCgroupIoStat(text) });
          } else {
            const pid = await firstPid(c.path);
            const text = pid === null ? null : await tryRead(join(ctx.procMount, String(pid), 'net/dev'));
            if (text === null) continue;
            let total = 0;
            for (const [iface, n] of parseNetDev(text)) {
              if (iface === 'lo') continue;
              total += n.rx + n.tx;
              out.push({ topic: `${name}/${c.id}/${iface}`, value: n.rx + n.tx });
              out.push({ topic: `${name}/${c.id}/${iface}/rx`, value: n.rx });
              out.push({ topic: `${name}/${c.id}/${iface}/tx`, value: n.tx });
            }
            out.push({ topic: `${name}/${c.id}`, value: total });
          }
        }
        return out;
      };
    },
  };
}

/** Every instrument, by telemd's names (protocols §6.2). Wi-Fi (iw) instruments are not built. */
export const instruments: readonly InstrumentDefinition[] = [
  cpu,
  freq,
  ram,
  load,
  procs,
  net,
  disk,
  pressure('cpu'),
  pressure('io'),
  pressure('memory'),
  ...(['docker', 'kubernetes'] as const).flatMap((rt) =>
    (['cpu', 'blkio', 'net', 'memory'] as const).map((m) => containerInstrument(rt, m)),
  ),
];

export const instrumentNames = instruments.map((i) => i.name);
