import { readFile } from 'node:fs/promises';
import { arch, cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { listDiskDevices, listNetDevices, type InstrumentContext } from './instruments.js';
import { countCpuinfoProcessors, defaultRouteDevice, parseBootTime, parseMeminfo } from './proc-parse.js';

/** Node's `process.arch` → Go's GOARCH, which the Go agent writes. */
const GOARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips: 'mips',
  mipsel: 'mipsle',
  loong64: 'loong64',
};

const tryRead = (path: string) => readFile(path, 'utf8').catch(() => null);

/**
 * The fields of the hash `telemd.info:<node>` (protocols §6.3): arch, cpus, ram (kB), boot (unix
 * s), disk and net (space separated, lo excluded), hostname, netspeed (Mbps of the active device).
 */
export async function readNodeInfo(ctx: InstrumentContext): Promise<Record<string, string>> {
  const cpuinfo = await tryRead(join(ctx.procMount, 'cpuinfo'));
  const counted = cpuinfo ? countCpuinfoProcessors(cpuinfo) : 0;
  const meminfo = parseMeminfo((await tryRead(join(ctx.procMount, 'meminfo'))) ?? '');
  const boot = parseBootTime((await tryRead(join(ctx.procMount, 'stat'))) ?? '');
  const net = await listNetDevices(ctx);
  const disk = await listDiskDevices(ctx);
  const active =
    defaultRouteDevice((await tryRead(join(ctx.procMount, 'net/route'))) ?? '') ?? net[0] ?? null;
  let netspeed = '';
  if (active) {
    const speed = Number(((await tryRead(join(ctx.sysMount, 'class/net', active, 'speed'))) ?? '').trim());
    if (Number.isFinite(speed) && speed > 0) netspeed = String(speed);
  }
  return {
    arch: GOARCH[arch()] ?? arch(),
    cpus: String(counted > 0 ? counted : cpus().length),
    ram: String(meminfo.get('MemTotal') ?? ''),
    boot: boot === null ? '' : String(boot),
    disk: disk.join(' '),
    net: net.join(' '),
    hostname: hostname(),
    netspeed,
  };
}
