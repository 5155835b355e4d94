import type { Bus, PublishItem } from '@galileo/bus';
import { galileoSubjects, recordingSubjects, type GalileoCatalogue } from '@galileo/events';
import type { Logger } from '@galileo/logging';
import { startHealthServer, type HealthServer } from '@galileo/runtime';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';
import type { TelemdConfig } from './config.js';
import { selectInstruments } from './config.js';
import {
  instruments as allInstruments,
  type InstrumentContext,
  type InstrumentDefinition,
  type Reading,
} from './instruments.js';
import { readNodeInfo } from './node-info.js';
import { formatTelemdPayload, formatTelemdTimestamp, telemdChannel, wallClockNs } from './payload.js';

export interface TelemdDeps {
  /** Commands and pub/sub publishing; duplicated for the command subscription. Owned by the caller. */
  redis: Redis;
  /** The bus, to publish readings as TelemetryReported too; null publishes on pub/sub only. */
  bus: Bus<GalileoCatalogue> | null;
  config: TelemdConfig;
  logger: Logger;
  /** Instrument definitions (tests add or replace some); telemd's own by default. */
  instruments?: readonly InstrumentDefinition[];
  /** Epoch nanoseconds of a reading (default: the wall clock). */
  clockNs?: () => bigint;
}

export interface TelemdStatus {
  readonly node: string;
  readonly running: boolean;
  /** Paused by a `pause` command (survives reconnects until `unpause`). */
  readonly pausedByCommand: boolean;
  /** Redis is reachable; while it is not, the instruments are paused. */
  readonly connected: boolean;
  readonly instruments: readonly string[];
  readonly published: number;
  readonly failedSamples: number;
}

export interface Telemd {
  start(): Promise<void>;
  /** Stops every instrument, leaves the command channel and deletes the info hash. */
  stop(): Promise<void>;
  status(): TelemdStatus;
  readonly metrics: Registry;
  readonly httpPort: number | null;
}

export const telemdKeys = (prefix: string) => ({
  info: (node: string) => `${prefix}telemd.info:${node}`,
  commands: (node: string) => `telemcmd/${node}`,
});

/**
 * The node agent (edgerun's telemd, protocols §6): every instrument on its own period publishes
 * `"<ts> <value>"` on `telem/<node>/<topic>` and, with a bus, the same readings as
 * TelemetryReported on `galileo.telemetry.<node>.<metric>`; writes `telemd.info:<node>`; obeys
 * `pause`, `unpause`, `info` on `telemcmd/<node>`; pauses while Redis is away.
 */
export function createTelemd(deps: TelemdDeps): Telemd {
  const { redis, bus, config, logger } = deps;
  const node = config.nodename;
  const keys = telemdKeys(config.keyPrefix);
  const clockNs = deps.clockNs ?? wallClockNs;
  const ctx: InstrumentContext = {
    procMount: config.procMount,
    sysMount: config.sysMount,
    cgroupMount: config.cgroupMount,
    netDevices: config.netDevices ?? null,
    diskDevices: config.diskDevices ?? null,
    monotonicMs: () => performance.now(),
  };
  const selected = selectInstruments(config.instrumentsEnable, config.instrumentsDisable);
  if (!selected.ok) throw new Error(selected.error);
  const definitions = (deps.instruments ?? allInstruments).filter((d) => selected.value.includes(d.name));

  const metrics = new Registry();
  const publishedCounter = new Counter({
    name: 'telemd_readings_published_total',
    help: 'Readings published on pub/sub.',
    labelNames: ['instrument'],
    registers: [metrics],
  });
  const failedCounter = new Counter({
    name: 'telemd_samples_failed_total',
    help: 'Instrument samples that failed (unreadable file, Redis error).',
    labelNames: ['instrument'],
    registers: [metrics],
  });
  new Gauge({
    name: 'telemd_paused',
    help: '1 while the instruments are paused (command or Redis away).',
    registers: [metrics],
    collect() {
      this.set(active() ? 0 : 1);
    },
  });

  let running = false;
  let pausedByCommand = false;
  let connected = redis.status === 'ready';
  let published = 0;
  let failedSamples = 0;
  let commandConn: Redis | null = null;
  let health: HealthServer | null = null;
  const timers = new Map<string, NodeJS.Timeout>();
  const knownChannels = new Set<string>();
  const onReady = () => {
    connected = true;
    logger.info({ node }, 'redis reachable: instruments resume');
    void writeInfo().catch((e: Error) => logger.warn({ err: e.message }, 'writing node info failed'));
    schedule();
  };
  const onClose = () => {
    if (!connected) return;
    connected = false;
    logger.warn({ node }, 'redis unreachable: instruments pause until it is back');
    unschedule();
  };

  const active = () => running && connected && !pausedByCommand;

  async function writeInfo(): Promise<void> {
    const info = await readNodeInfo(ctx);
    const key = keys.info(node);
    await redis.multi().del(key).hset(key, info).exec();
    if (bus) {
      await bus.publish(recordingSubjects.nodeInfo(node), { type: 'NodeInfoReported', data: { node, info } });
    }
  }

  async function publishReadings(instrument: string, readings: Reading[]): Promise<void> {
    if (readings.length === 0) return;
    const ns = clockNs();
    const timestamp = Number(formatTelemdTimestamp(ns));
    const lines = readings.map((r) => ({
      reading: r,
      channel: telemdChannel(node, r.topic),
      payload: formatTelemdPayload(ns, r.value),
    }));
    if (bus) {
      // Marked as mirrored first, so a telem/* ingest bridge does not put them on the bus twice.
      const fresh = lines.map((l) => l.channel).filter((c) => !knownChannels.has(c));
      if (fresh.length > 0) {
        await bus.internals.cmd.sadd(bus.keys.mirroredChannels, ...fresh);
        for (const c of fresh) knownChannels.add(c);
      }
      await Promise.all(lines.map((l) => bus.internals.markMirrored(l.channel, l.payload)));
    }
    const pipeline = redis.pipeline();
    for (const l of lines) pipeline.publish(l.channel, l.payload);
    await pipeline.exec();
    if (bus) {
      const items: PublishItem<GalileoCatalogue>[] = lines.map(({ reading }) => {
        const slash = reading.topic.indexOf('/');
        const metric = slash === -1 ? reading.topic : reading.topic.slice(0, slash);
        const subsystem = slash === -1 ? null : reading.topic.slice(slash + 1);
        return {
          subject: galileoSubjects.telemetry(node, metric),
          draft: {
            type: 'TelemetryReported',
            data: { node, metric, subsystem, timestamp, value: reading.value },
          },
        };
      });
      await bus.publishBatch(items);
    }
    published += lines.length;
    publishedCounter.inc({ instrument }, lines.length);
  }

  const samplers = new Map(definitions.map((d) => [d.name, d.create(ctx)]));
  const busy = new Set<string>();

  function tick(def: InstrumentDefinition): void {
    if (!active() || busy.has(def.name)) return;
    busy.add(def.name);
    samplers.get(def.name)!()
      .then((readings) => (active() ? publishReadings(def.name, readings) : undefined))
      .catch((e: Error) => {
        failedSamples++;
        failedCounter.inc({ instrument: def.name });
        logger.warn({ instrument: def.name, err: e.message }, 'sample failed');
      })
      .finally(() => busy.delete(def.name));
  }

  function schedule(): void {
    if (!active()) return;
    for (const def of definitions) {
      if (timers.has(def.name)) continue;
      const period = config.periods[def.name] ?? def.defaultPeriodMs;
      tick(def);
      const t = setInterval(() => tick(def), period);
      t.unref();
      timers.set(def.name, t);
    }
  }

  function unschedule(): void {
    for (const t of timers.values()) clearInterval(t);
    timers.clear();
  }

  function onCommand(channel: string, message: string): void {
    if (channel !== keys.commands(node)) return;
    const command = message.trim();
    logger.info({ command }, 'command received');
    if (command === 'pause') {
      pausedByCommand = true;
      unschedule();
    } else if (command === 'unpause') {
      pausedByCommand = false;
      schedule();
    } else if (command === 'info') {
      void writeInfo().catch((e: Error) => logger.warn({ err: e.message }, 'writing node info failed'));
    } else {
      logger.warn({ command }, 'unknown command: expected pause, unpause or info');
    }
  }

  return {
    metrics,
    get httpPort() {
      return health?.port ?? null;
    },
    status: () => ({
      node,
      running,
      pausedByCommand,
      connected,
      instruments: definitions.map((d) => d.name),
      published,
      failedSamples,
    }),
    async start() {
      if (running) return;
      running = true;
      redis.on('ready', onReady);
      redis.on('close', onClose);
      redis.on('end', onClose);
      if (redis.status !== 'ready') await new Promise<void>((r) => redis.once('ready', () => r()));
      connected = true;
      await writeInfo();
      commandConn = redis.duplicate({ maxRetriesPerRequest: null, enableReadyCheck: false });
      commandConn.on('error', () => undefined);
      commandConn.on('message', onCommand);
      await commandConn.subscribe(keys.commands(node));
      if (config.httpPort > 0) {
        health = await startHealthServer({
          port: config.httpPort,
          host: '0.0.0.0',
          registry: metrics,
          health: () => ({ healthy: running, node }),
          ready: () => ({ ready: running && connected, connected, pausedByCommand }),
        });
      }
      schedule();
      logger.info({ node, instruments: definitions.map((d) => d.name) }, 'telemd started');
    },
    async stop() {
      if (!running) return;
      running = false;
      unschedule();
      redis.off('ready', onReady);
      redis.off('close', onClose);
      redis.off('end', onClose);
      while (busy.size > 0) await new Promise((r) => setTimeout(r, 10));
      if (commandConn) {
        await commandConn.quit().catch(() => commandConn?.disconnect());
        commandConn = null;
      }
      await health?.close();
      health = null;
      await redis.del(keys.info(node)).catch(() => undefined);
    },
  };
}
