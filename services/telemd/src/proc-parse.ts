/**
 * Pure parsers of the /proc and /sys files telemd reads (protocols §6.2). Text in, numbers out;
 * the instruments do the reading and the deltas.
 */

/** The aggregate `cpu` line of /proc/stat: jiffies spent per state. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
}

export function parseProcStatCpu(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null;
  return { user: f[0]!, nice: f[1]!, system: f[2]!, idle: f[3]!, iowait: f[4] ?? 0 };
}

/** Boot time (`btime`, unix seconds) from /proc/stat. */
export function parseBootTime(text: string): number | null {
  const m = /^btime\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * CPU utilisation in percent between two samples, as telemd computes it:
 * (user + system) / (user + system + idle).
 */
export function cpuUtilisation(before: CpuTimes, after: CpuTimes): number | null {
  const busy = after.user + after.system - (before.user + before.system);
  const idle = after.idle - before.idle;
  const total = busy + idle;
  if (total <= 0) return null;
  return (busy / total) * 100;
}

/** /proc/meminfo as kB numbers by key (`MemTotal`, `MemAvailable`, …). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Used RAM in kB: MemTotal − MemAvailable. */
export function usedRamKb(meminfo: Map<string, number>): number | null {
  const total = meminfo.get('MemTotal');
  const available = meminfo.get('MemAvailable');
  return total === undefined || available === undefined ? null : total - available;
}

/** /proc/loadavg: load1, load5, and the running-process count (numerator of field 4). */
export function parseLoadavg(text: string): { load1: number; load5: number; running: number } | null {
  const f = text.trim().split(/\s+/);
  if (f.length < 4) return null;
  const load1 = Number(f[0]);
  const load5 = Number(f[1]);
  const running = Number(f[3]!.split('/')[0]);
  if (![load1, load5, running].every(Number.isFinite)) return null;
  return { load1, load5, running };
}

/** /proc/net/dev: cumulative received and transmitted bytes per device. */
export function parseNetDev(text: string): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const dev = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (dev === '' || f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    out.set(dev, { rx: f[0]!, tx: f[8]! });
  }
  return out;
}

/** /proc/diskstats: cumulative sectors read and written per block device. */
export function parseDiskstats(text: string): Map<string, { read: number; written: number }> {
  const out = new Map<string, { read: number; written: number }>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const read = Number(f[5]);
    const written = Number(f[9]);
    if (Number.isFinite(read) && Number.isFinite(written)) out.set(f[2]!, { read, written });
  }
  return out;
}

/** /proc/pressure/<resource>: the cumulative `total` stall time (µs) of `some` and, if present, `full`. */
export function parsePressure(text: string): { some: number | null; full: number | null } {
  const total = (kind: string) => {
    const m = new RegExp(`^${kind}\\b.*\\btotal=(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  return { some: total('some'), full: total('full') };
}

/** Sum of the `cpu MHz` lines of /proc/cpuinfo. */
export function sumCpuinfoMhz(text: string): number | null {
  let sum = 0;
  let seen = false;
  for (const m of text.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)) {
    sum += Number(m[1]);
    seen = true;
  }
  return seen ? sum : null;
}

/** Number of `processor` entries in /proc/cpuinfo. */
export function countCpuinfoProcessors(text: string): number {
  return [...text.matchAll(/^processor\s*:/gm)].length;
}

/** The device of the default route in /proc/net/route (destination 00000000), if any. */
export function defaultRouteDevice(text: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 2 && f[1] === '00000000') return f[0]!;
  }
  return null;
}

/** cgroup v2 `cpu.stat`: usage in nanoseconds (usage_usec × 1000, the unit of cgroup v1's cpuacct.usage). */
export function parseCgroupCpuStat(text: string): number | null {
  const m = /^usage_usec\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) * 1000 : null;
}

/** cgroup v2 `io.stat`: total bytes read and written over every device. */
export function parseCgroupIoStat(text: string): number {
  let sum = 0;
  for (const m of text.matchAll(/\b[rw]bytes=(\d+)/g)) sum += Number(m[1]);
  return sum;
}
