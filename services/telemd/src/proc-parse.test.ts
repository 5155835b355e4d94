import { describe, expect, it } from 'vitest';
import {
  cpuUtilisation,
  defaultRouteDevice,
  parseBootTime,
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
} from './proc-parse.js';

describe('/proc parsers', () => {
  it('computes cpu utilisation as (user+system)/(user+system+idle) over a delta', () => {
    const a = parseProcStatCpu('cpu  100 5 50 850 10 0 0 0 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n')!;
    const b = parseProcStatCpu('cpu  160 5 90 950 10 0 0 0 0 0\n')!;
    expect(cpuUtilisation(a, b)).toBeCloseTo(50, 6); // busy 100, idle 100
    expect(parseBootTime('cpu 1 2 3 4\nbtime 1700000000\n')).toBe(1700000000);
  });

  it('reads meminfo, loadavg, net/dev, diskstats, pressure, cpuinfo and route', () => {
    const mem = parseMeminfo('MemTotal:       16000 kB\nMemFree:  1000 kB\nMemAvailable:   12000 kB\n');
    expect(usedRamKb(mem)).toBe(4000);
    expect(parseLoadavg('0.52 0.40 0.30 3/512 12345\n')).toEqual({ load1: 0.52, load5: 0.4, running: 3 });
    const net = parseNetDev(
      'Inter-|   Receive\n face |bytes packets\n    lo: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n',
    );
    expect(net.get('eth0')).toEqual({ rx: 1000, tx: 2000 });
    expect(parseDiskstats(' 254 0 vda 100 0 800 50 20 0 160 30 0 0 0\n').get('vda')).toEqual({
      read: 800,
      written: 160,
    });
    expect(
      parsePressure(
        'some avg10=0.00 avg60=0.00 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=45\n',
      ),
    ).toEqual({ some: 123, full: 45 });
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=9\n')).toEqual({
      some: 9,
      full: null,
    });
    expect(sumCpuinfoMhz('processor\t: 0\ncpu MHz\t\t: 1000.5\nprocessor\t: 1\ncpu MHz\t\t: 999.5\n')).toBe(
      2000,
    );
    expect(
      defaultRouteDevice('Iface\tDestination\tGateway\neth0\t00000000\t0102A8C0\neth0\t0002A8C0\t00000000\n'),
    ).toBe('eth0');
  });

  it('reads cgroup v2 cpu.stat (as ns) and io.stat', () => {
    expect(parseCgroupCpuStat('usage_usec 1500\nuser_usec 1000\n')).toBe(1_500_000);
    expect(parseCgroupIoStat('8:0 rbytes=100 wbytes=50 rios=1 wios=1\n8:16 rbytes=1 wbytes=2\n')).toBe(153);
  });
});
