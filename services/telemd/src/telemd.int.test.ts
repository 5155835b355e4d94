import { existsSync, readFileSync } from 'node:fs';
import { createBus, ingestTelemd, type Bus } from '@galileo/bus';
import { galileoCatalogue, type GalileoCatalogue, type TelemetryReading } from '@galileo/events';
import { createTestLogger } from '@galileo/logging';
import { redisTestContext, startPrivateRedis, waitFor, type RedisTestContext } from '@galileo/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTelemdConfig, type TelemdConfig } from './config.js';
import { createTelemd, telemdKeys, type Telemd } from './telemd.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function config(node: string, prefix: string, extra: Record<string, string> = {}): TelemdConfig {
  const loaded = loadTelemdConfig(
    {
      telemd_nodename: node,
      telemd_redis_key_prefix: prefix,
      telemd_period_cpu: '100ms',
      telemd_period_ram: '100ms',
      telemd_period_load: '100ms',
      telemd_period_procs: '100ms',
      telemd_period_net: '100ms',
      telemd_period_disk: '100ms',
      telemd_period_psi_cpu: '100ms',
      telemd_period_freq: '100ms',
      ...extra,
    },
    { iniPath: '/nonexistent/config.ini' },
  );
  if (!loaded.ok) throw loaded.error;
  return loaded.value;
}

interface Setup {
  t: RedisTestContext;
  node: string;
  telemd: Telemd;
  bus: Bus<GalileoCatalogue>;
  messages: { channel: string; message: string }[];
}

async function setup(extra: Record<string, string> = {}): Promise<Setup> {
  const t = redisTestContext('telemd');
  const node = `tn-${t.prefix.split(':')[2]}`;
  const bus = createBus({
    redis: t.redis,
    catalogue: galileoCatalogue,
    source: 'telemd-test',
    prefix: t.prefix,
  });
  const listener = t.connect();
  const messages: { channel: string; message: string }[] = [];
  listener.on('pmessage', (_p: string, channel: string, message: string) =>
    messages.push({ channel, message }),
  );
  await listener.psubscribe(`telem/${node}/*`);
  const telemd = createTelemd({
    redis: t.connect(),
    bus,
    config: config(node, t.prefix, extra),
    logger: createTestLogger().logger,
  });
  cleanups.push(async () => {
    await telemd.stop();
    await bus.close();
    await t.cleanup();
  });
  return { t, node, telemd, bus, messages };
}

const PAYLOAD = /^\d{10}\.\d{9} -?\d+\.\d{6}$/;
const values = (s: Setup, topic: string) =>
  s.messages
    .filter((m) => m.channel === `telem/${s.node}/${topic}`)
    .map((m) => Number(m.message.split(' ')[1]));

describe('telemd (real Redis, this host /proc)', () => {
  it('publishes telem/<node>/<topic> with "<ts> <value>" and values that match /proc', async () => {
    const s = await setup();
    await s.telemd.start();
    await waitFor(
      () => values(s, 'cpu').length >= 2 && values(s, 'load1').length > 0 && values(s, 'ram').length > 0,
      {
        what: 'cpu, load1 and ram readings',
      },
    );
    for (const m of s.messages) expect(m.message).toMatch(PAYLOAD);
    const ts = Number(s.messages[0]!.message.split(' ')[0]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);

    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(meminfo)![1]);
    const used = kb('MemTotal') - kb('MemAvailable');
    const ram = values(s, 'ram').at(-1)!;
    expect(Math.abs(ram - used) / used).toBeLessThan(0.2);

    const [load1] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    expect(Math.abs(values(s, 'load1').at(-1)! - load1!)).toBeLessThan(1.5);
    for (const cpu of values(s, 'cpu')) {
      expect(cpu).toBeGreaterThanOrEqual(0);
      expect(cpu).toBeLessThanOrEqual(100);
    }

    const devices = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter((d) => d !== '' && d !== 'lo');
    await waitFor(
      () => devices.every((d) => values(s, `rx/${d}`).length > 0 && values(s, `tx/${d}`).length > 0),
      {
        what: 'rx/tx per device',
      },
    );
    expect(s.messages.some((m) => m.channel === `telem/${s.node}/rx/lo`)).toBe(false);
    if (existsSync('/proc/pressure/cpu')) {
      // kernels without PSI have no /proc/pressure, and telemd reports none
      await waitFor(() => values(s, 'psi_cpu/some').length > 0, { what: 'psi_cpu/some' });
      const psi = Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))![1]);
      expect(values(s, 'psi_cpu/some').at(-1)!).toBeLessThanOrEqual(psi);
    }
    await waitFor(() => s.messages.some((m) => m.channel.startsWith(`telem/${s.node}/rd/`)), {
      what: 'rd/<dev>',
    });
    expect(s.messages.some((m) => /\/rd\/loop/.test(m.channel))).toBe(false);
  });

  it('writes the info hash telemd.info:<node> and deletes it on stop', async () => {
    const s = await setup({ telemd_instruments_enable: 'ram' });
    await s.telemd.start();
    const info = await s.t.redis.hgetall(telemdKeys(s.t.prefix).info(s.node));
    expect(Object.keys(info).sort()).toEqual([
      'arch',
      'boot',
      'cpus',
      'disk',
      'hostname',
      'net',
      'netspeed',
      'ram',
    ]);
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    expect(info.ram).toBe(/^MemTotal:\s+(\d+)/m.exec(meminfo)![1]);
    expect(info.boot).toBe(/^btime\s+(\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    expect(Number(info.cpus)).toBe(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)!.length);
    expect(info.arch).toBe(process.arch === 'x64' ? 'amd64' : process.arch);
    expect(info.net!.split(' ')).not.toContain('lo');
    expect(info.disk!.split(' ').some((d) => d.startsWith('loop'))).toBe(false);
    await s.telemd.stop();
    expect(await s.t.redis.exists(telemdKeys(s.t.prefix).info(s.node))).toBe(0);
  });

  it('obeys pause, unpause and info on telemcmd/<node>', async () => {
    const s = await setup({ telemd_instruments_enable: 'ram procs' });
    await s.telemd.start();
    await waitFor(() => values(s, 'ram').length > 0, { what: 'first ram reading' });
    const pub = s.t.connect();
    await pub.publish(`telemcmd/${s.node}`, 'pause');
    await waitFor(() => s.telemd.status().pausedByCommand, { what: 'paused' });
    await new Promise((r) => setTimeout(r, 150)); // a reading in flight may still land
    const count = s.messages.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(s.messages.length).toBe(count);
    expect(s.messages.some((m) => m.channel.endsWith('/cpu'))).toBe(false); // not enabled

    await pub.publish(`telemcmd/${s.node}`, 'unpause');
    await waitFor(() => s.messages.length > count, { what: 'readings after unpause' });

    const key = telemdKeys(s.t.prefix).info(s.node);
    await s.t.redis.del(key);
    await pub.publish(`telemcmd/${s.node}`, 'info');
    await waitFor(async () => (await s.t.redis.hget(key, 'ram')) !== null, { what: 'info rewritten' });
    // Node discovery as telemc does it: PUBSUB CHANNELS telemcmd/*
    expect(await s.t.redis.pubsub('CHANNELS', 'telemcmd/*')).toContain(`telemcmd/${s.node}`);
  });

  it('puts the same readings on the bus, and an ingest bridge does not add them twice', async () => {
    const s = await setup({ telemd_instruments_enable: 'ram load' });
    const ingest = await ingestTelemd(s.bus);
    const seen: TelemetryReading[] = [];
    await s.bus.subscribe('galileo.telemetry.>', {
      group: 'test',
      startAt: 'beginning',
      handler: (e) => {
        if (e.type === 'TelemetryReported' && e.data.node === s.node) seen.push(e.data);
      },
    });
    await s.telemd.start();
    await waitFor(() => values(s, 'load5').length >= 2 && ingest.stats().echoesSkipped >= 3, {
      what: 'readings and skipped echoes',
    });
    await s.telemd.stop();
    await new Promise((r) => setTimeout(r, 300));
    const published = s.messages.length;
    await waitFor(() => seen.length >= published, { what: 'every reading on the bus' });
    expect(seen.length).toBe(published); // none twice
    const ram = seen.find((r) => r.metric === 'ram')!;
    expect(ram).toMatchObject({ node: s.node, subsystem: null });
    const line = s.messages.find((m) => m.channel.endsWith('/ram'))!;
    expect(ram.timestamp).toBe(Number(line.message.split(' ')[0]));
  });

  it('pauses while Redis is away and resumes (rewriting the info hash) when it is back', async () => {
    const server = await startPrivateRedis({ appendfsync: 'everysec' });
    cleanups.push(() => server.destroy());
    const node = `tn-restart-${Date.now()}`;
    const redis = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    const telemd = createTelemd({
      redis,
      bus: null,
      config: config(node, '', { telemd_instruments_enable: 'ram' }),
      logger: createTestLogger().logger,
    });
    cleanups.push(async () => {
      await telemd.stop();
      redis.disconnect();
    });
    await telemd.start();
    await server.kill();
    await waitFor(() => !telemd.status().connected, { what: 'telemd noticed Redis is away' });
    await server.start();
    const check = new Redis(server.url);
    cleanups.push(async () => void check.disconnect());
    await waitFor(() => telemd.status().connected, { what: 'reconnected', timeoutMs: 15_000 });
    const before = telemd.status().published;
    await waitFor(() => telemd.status().published > before, { what: 'readings resumed' });
    await waitFor(async () => (await check.hget(`telemd.info:${node}`, 'ram')) !== null, {
      what: 'info rewritten',
    });
  });
});
