import {
  ingestFromPubSub,
  ingestGalileoEvents,
  ingestTelemd,
  type Bus,
  type Ingest,
  type Subscription,
  type SubscriptionLag,
} from '@galileo/bus';
import type { EventRecord, GalileoDatabase, TelemetryRecord, TraceRecord } from '@galileo/db';
import {
  decodeEvent,
  experimentSubjects,
  galileoSubjects,
  parseTraceLineFields,
  tracesOf,
  type CatalogueEvent,
  type GalileoCatalogue,
  type RequestTrace,
  type TelemetryReading,
} from '@galileo/events';
import type { Logger } from '@galileo/logging';
import { startHealthServer, type HealthServer } from '@galileo/runtime';
import type { InfluxWriter } from '@galileo/timeseries';
import type { Redis } from 'ioredis';
import CircuitBreaker from 'opossum';
import { Counter, Gauge, Registry } from 'prom-client';
import { createAttribution, evolveWindows, type ExperimentWindows } from './attribution.js';
import { createBatcher, type Batcher } from './batcher.js';
import type { RecorderConfig } from './config.js';
import {
  influxStore,
  sqlStore,
  type RecordKind,
  type RecordRows,
  type RecordStore,
  type StoreOutcome,
} from './stores.js';

export interface RecorderDeps {
  bus: Bus<GalileoCatalogue>;
  /** Reads the telemd info hashes (nodeinfo) and the lifecycle stream at start. Owned by the caller. */
  redis: Redis;
  /** The SQL store (MariaDB or SQLite); null with driver `influxdb`. Owned by the caller. */
  db: GalileoDatabase | null;
  /** The time-series store; null unless the driver is `mixed` or `influxdb`. Owned by the caller. */
  influx: InfluxWriter | null;
  config: RecorderConfig;
  logger: Logger;
}

export interface RecorderStats {
  /** Rows/points each store took, per kind. */
  readonly stored: Record<string, Record<RecordKind, number>>;
  readonly rejected: Record<string, number>;
  /** Telemetry and events that belong to no known experiment (not stored, as galileo). */
  readonly unattributed: number;
  /** Pub/sub lines that could not be read plus bus messages that could not be decoded. */
  readonly malformed: number;
  readonly breakers: Record<string, 'closed' | 'open' | 'half-open'>;
  /** How often each store's breaker opened (the store went away). */
  readonly breakerOpenings: Record<string, number>;
  readonly pending: number;
}

export interface Recorder {
  start(): Promise<void>;
  /** Stops reading, writes what it holds (if the stores allow), acknowledges, leaves. */
  stop(): Promise<void>;
  stats(): RecorderStats;
  /** Messages of the recorder's groups not yet acknowledged or not yet delivered. */
  lag(): Promise<SubscriptionLag>;
  readonly metrics: Registry;
  readonly httpPort: number | null;
}

interface Pending<T> {
  readonly data: T;
  readonly correlationId: string | null;
  readonly eventId: string;
}

/** Traces of one event (all of a TraceRecorded or TraceBatchRecorded, or the part that fit a batch). */
interface TraceChunk {
  readonly traces: readonly RequestTrace[];
  readonly correlationId: string | null;
}

const NO_TRACES: readonly RequestTrace[] = [];

type GuardedStore = {
  store: RecordStore;
  breaker: CircuitBreaker<[RecordKind, readonly unknown[]], StoreOutcome>;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * The recorder (galileo-db's Recorder, protocols §5.4, §6.5, §7): consumes traces, telemetry,
 * events and the experiment lifecycle from the bus with durable groups and turns them into
 * galileo-db's SQL rows and InfluxDB points. Batches are bounded in size and time; a message is
 * acknowledged only after every store took its batch. Each store sits behind a circuit breaker:
 * while one is down nothing is acknowledged, the backlog stays in the streams, and it drains when
 * the store returns. Writes are idempotent (natural keys, see libs/db and libs/timeseries).
 */
export function createRecorder(deps: RecorderDeps): Recorder {
  const { bus, redis, db, influx, config, logger } = deps;
  const prefix = config.redis.keyPrefix;
  const stores: RecordStore[] = [];
  if (db) stores.push(sqlStore(db));
  if (influx) stores.push(influxStore(influx));
  if (stores.length === 0) throw new Error('the recorder needs a store: a database, InfluxDB, or both');

  const metrics = new Registry();
  const storedCounter = new Counter({
    name: 'galileo_recorder_stored_total',
    help: 'Rows or points a store took.',
    labelNames: ['store', 'kind'],
    registers: [metrics],
  });
  const rejectedCounter = new Counter({
    name: 'galileo_recorder_rejected_total',
    help: 'Rows or points a store refused for their content.',
    labelNames: ['store', 'kind'],
    registers: [metrics],
  });
  const unattributedCounter = new Counter({
    name: 'galileo_recorder_unattributed_total',
    help: 'Telemetry and events outside every known experiment (not stored).',
    labelNames: ['kind'],
    registers: [metrics],
  });
  new Gauge({
    name: 'galileo_recorder_malformed',
    help: 'Pub/sub lines that could not be read and bus messages that could not be decoded.',
    registers: [metrics],
    collect() {
      this.set(malformed());
    },
  });
  new Gauge({
    name: 'galileo_recorder_store_open',
    help: '1 while a store circuit breaker is open.',
    labelNames: ['store'],
    registers: [metrics],
    collect() {
      for (const g of guarded) this.set({ store: g.store.name }, g.breaker.opened ? 1 : 0);
    },
  });

  const stored: Record<string, Record<RecordKind, number>> = {};
  const rejected: Record<string, number> = {};
  const openings: Record<string, number> = {};
  let unattributed = 0;
  let windows: ExperimentWindows = new Map();
  let stopping = false;
  let running = false;
  const subscriptions: Subscription[] = [];
  const ingests: Ingest[] = [];
  let health: HealthServer | null = null;

  const guarded: GuardedStore[] = stores.map((store) => {
    stored[store.name] = { traces: 0, telemetry: 0, events: 0 };
    rejected[store.name] = 0;
    openings[store.name] = 0;
    const breaker = new CircuitBreaker(
      (kind: RecordKind, rows: readonly unknown[]) => store.write(kind, rows as never),
      {
        name: store.name,
        // a write that hangs (a connection killed mid-query) must count as a failure
        timeout: config.storeTimeout,
        resetTimeout: config.breakerResetTimeout,
        errorThresholdPercentage: 50,
        volumeThreshold: 1,
        rollingCountTimeout: 10_000,
      },
    );
    breaker.on('open', () => {
      openings[store.name]!++;
      logger.warn({ store: store.name }, 'store unavailable: circuit open, nothing is acknowledged');
    });
    breaker.on('halfOpen', () =>
      logger.info({ store: store.name }, 'store circuit half-open: trying one batch'),
    );
    breaker.on('close', () =>
      logger.info({ store: store.name }, 'store back: circuit closed, the backlog drains'),
    );
    return { store, breaker };
  });

  /** Writes one batch into one store, trying again while it is down; throws only when stopping. */
  async function persist<K extends RecordKind>(
    g: GuardedStore,
    kind: K,
    rows: readonly RecordRows[K][],
  ): Promise<void> {
    if (rows.length === 0) return;
    let attempts = 0;
    for (;;) {
      try {
        const outcome = await g.breaker.fire(kind, rows);
        stored[g.store.name]![kind] += outcome.stored;
        storedCounter.inc({ store: g.store.name, kind }, outcome.stored);
        if (outcome.rejected.length > 0) {
          rejected[g.store.name]! += outcome.rejected.length;
          rejectedCounter.inc({ store: g.store.name, kind }, outcome.rejected.length);
          logger.warn(
            { store: g.store.name, kind, count: outcome.rejected.length, first: outcome.rejected[0]!.reason },
            'rows refused by the store (not retried)',
          );
        }
        return;
      } catch (e) {
        attempts++;
        if (stopping)
          throw new Error(
            `recorder stopping while ${g.store.name} is unavailable: batch left unacknowledged`,
          );
        if (attempts === 1 || attempts % 30 === 0) {
          logger.warn(
            { store: g.store.name, kind, rows: rows.length, attempts, err: (e as Error).message },
            'store write failed; holding the batch and trying again',
          );
        }
        await sleep(config.retryInterval);
      }
    }
  }

  const writeAll = async <K extends RecordKind>(kind: K, rows: readonly RecordRows[K][]) => {
    await Promise.all(guarded.map((g) => persist(g, kind, rows)));
  };

  const experimentAt = createAttribution();
  const attribute = (correlationId: string | null, timestamp: number) =>
    correlationId ?? experimentAt(windows, timestamp);

  const traceRow = (t: RequestTrace, correlationId: string | null): TraceRecord => ({
    requestId: t.request_id,
    client: t.client,
    service: t.service,
    created: t.created,
    sent: t.sent,
    done: t.done,
    status: t.status,
    server: t.server,
    experimentId: t.exp_id ?? attribute(correlationId, t.created),
    headers: t.headers,
    response: t.response,
  });

  const batcherOptions = { maxSize: config.batchSize, maxWaitMs: Math.min(config.flushInterval, 1000) };
  const traces: Batcher<TraceChunk> = createBatcher({
    ...batcherOptions,
    write: (chunks) => {
      const rows: TraceRecord[] = [];
      for (const { traces: carried, correlationId } of chunks)
        for (const t of carried) rows.push(traceRow(t, correlationId));
      return writeAll('traces', rows);
    },
  });

  /**
   * Adds the traces of one event, split where a batch fills (so no batch exceeds its size); the
   * event is acknowledged once every batch it went into is written. Consecutive events in one
   * batch return the same promise, which the bus settles for all of them at once.
   */
  const addTraces = (carried: readonly RequestTrace[], correlationId: string | null) => {
    let rest = carried;
    let first: Promise<void> | null = null;
    let more: Promise<void>[] | null = null;
    while (rest.length > 0) {
      const room = traces.room();
      const part = rest.length <= room ? rest : rest.slice(0, room);
      rest = part === rest ? NO_TRACES : rest.slice(room);
      const written = traces.add({ traces: part, correlationId }, part.length);
      if (first === null) first = written;
      else (more ??= [first]).push(written);
    }
    return more === null ? first : Promise.all(more).then(() => undefined);
  };
  const telemetry: Batcher<Pending<TelemetryReading>> = createBatcher({
    ...batcherOptions,
    write: async (items) => {
      const rows: TelemetryRecord[] = [];
      for (const { data: r, correlationId } of items) {
        const experimentId = attribute(correlationId, r.timestamp);
        if (experimentId === null) {
          unattributed++;
          unattributedCounter.inc({ kind: 'telemetry' });
          continue;
        }
        rows.push({
          experimentId,
          timestamp: r.timestamp,
          metric: r.metric,
          node: r.node,
          value: r.value,
          subsystem: r.subsystem,
        });
      }
      await writeAll('telemetry', rows);
    },
  });
  const events: Batcher<Pending<{ name: string; value: unknown; timestamp: number }>> = createBatcher({
    ...batcherOptions,
    write: async (items) => {
      const rows: EventRecord[] = [];
      for (const { data: e, correlationId, eventId } of items) {
        const experimentId = attribute(correlationId, e.timestamp);
        if (experimentId === null) {
          unattributed++;
          unattributedCounter.inc({ kind: 'events' });
          continue;
        }
        const value =
          e.value === null || e.value === undefined || e.value === ''
            ? null
            : typeof e.value === 'string'
              ? e.value
              : JSON.stringify(e.value);
        rows.push({ experimentId, timestamp: e.timestamp, name: e.name, value, eventId });
      }
      await writeAll('events', rows);
    },
  });

  // ---- lifecycle ------------------------------------------------------------------------------

  async function saveNodeInfos(experimentId: string): Promise<void> {
    if (!db) return;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}telemd.info:*`, 'COUNT', 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const records = [];
    for (const key of keys) {
      const info = await redis.hgetall(key);
      if (Object.keys(info).length > 0)
        records.push({ experimentId, node: key.slice(`${prefix}telemd.info:`.length), info });
    }
    if (records.length > 0) await db.nodeinfo.saveMany(records);
    logger.info({ experimentId, nodes: records.map((r) => r.node) }, 'node infos recorded');
  }

  async function onLifecycle(event: CatalogueEvent<GalileoCatalogue>): Promise<void> {
    windows = evolveWindows(windows, event);
    switch (event.type) {
      case 'ExperimentQueued': {
        const { experiment } = event.data;
        if (db && (await db.metadata.get(experiment.id)) === undefined) {
          await db.metadata.save(experiment.id, {
            name: experiment.name,
            creator: experiment.creator,
            created: experiment.created,
            form: event.data.form,
            ...(event.data.configuration !== undefined ? { configuration: event.data.configuration } : {}),
          });
        }
        break;
      }
      case 'ExperimentStarted': {
        const { id } = event.data;
        if (influx && !config.influx.bucket) await influx.ensureBucket(id);
        // Node infos describe the nodes as they are now: only for an experiment that is still
        // running (a replay of old lifecycle events must not stamp today's nodes on it), once.
        const ended = (windows.get(id)?.end ?? null) !== null;
        if (db && !ended && (await db.nodeinfo.list(id)).length === 0) await saveNodeInfos(id);
        break;
      }
      default:
        break;
    }
  }

  /** The lifecycle folded from the stream (the source of truth) and the experiments table, before data is read. */
  async function loadWindows(): Promise<void> {
    if (db) {
      for (const e of await db.experiments.list({ limit: 1000 })) {
        windows = new Map(windows).set(e.id, { id: e.id, start: e.start, end: e.end });
      }
    }
    const key = bus.keys.stream(experimentSubjects.lifecycleStream);
    let cursor = '-';
    for (;;) {
      const entries = (await redis.xrange(key, cursor, '+', 'COUNT', 1000)) as [string, string[]][];
      for (const [, fields] of entries) {
        const json = fields[fields.indexOf('e') + 1];
        if (json === undefined) continue;
        const decoded = decodeEvent(bus.catalogue, json);
        if (decoded.ok) windows = evolveWindows(windows, decoded.value);
      }
      if (entries.length < 1000) break;
      cursor = `(${entries[entries.length - 1]![0]}`;
    }
  }

  const malformed = () =>
    ingests.reduce((n, i) => n + i.stats().rejected, 0) +
    subscriptions.reduce((n, s) => n + s.stats().deadLettered, 0);

  const subscribeData = async (
    pattern: string,
    kind: RecordKind,
    handler: Parameters<Bus<GalileoCatalogue>['subscribe']>[1]['handler'],
    weight?: (event: CatalogueEvent<GalileoCatalogue>) => number,
  ) => {
    subscriptions.push(
      await bus.subscribe(pattern, {
        group: `${config.name}-${kind}`,
        ...(config.consumer ? { consumer: config.consumer } : {}),
        claimIdleMs: config.claimIdle,
        startAt: 'beginning',
        // two batches being written and one filling (in records: a batch event weighs its traces)
        concurrency: config.batchSize * 3,
        batchSize: Math.min(2000, config.batchSize),
        ...(weight ? { weight } : {}),
        // A store outage is waited out by the recorder itself; only our own bugs would come back here.
        maxDeliveries: 1000,
        handler,
      }),
    );
  };

  return {
    metrics,
    get httpPort() {
      return health?.port ?? null;
    },
    stats: () => ({
      stored: structuredClone(stored),
      rejected: { ...rejected },
      unattributed,
      malformed: malformed(),
      breakers: Object.fromEntries(
        guarded.map((g) => [
          g.store.name,
          g.breaker.opened ? 'open' : g.breaker.halfOpen ? 'half-open' : 'closed',
        ]),
      ),
      breakerOpenings: { ...openings },
      pending: traces.pending() + telemetry.pending() + events.pending(),
    }),
    async lag() {
      let pending = 0;
      let behind = 0;
      for (const s of subscriptions) {
        const l = await s.lag();
        pending += l.pending;
        behind += l.behind;
      }
      return { pending, behind };
    },
    async start() {
      if (running) return;
      running = true;
      stopping = false;
      await loadWindows();
      subscriptions.push(
        await bus.subscribe(experimentSubjects.allLifecycle, {
          group: `${config.name}-lifecycle`,
          ...(config.consumer ? { consumer: config.consumer } : {}),
          claimIdleMs: config.claimIdle,
          startAt: 'beginning',
          maxDeliveries: 1000,
          handler: (event) => onLifecycle(event),
        }),
      );
      await subscribeData(
        'galileo.traces.>',
        'traces',
        (event) => {
          const carried = tracesOf(event);
          if (carried.length === 0) return;
          return addTraces(carried, event.correlationId);
        },
        (event) => tracesOf(event).length,
      );
      await subscribeData('galileo.telemetry.>', 'telemetry', (event) => {
        if (event.type !== 'TelemetryReported') return;
        return telemetry.add({ data: event.data, correlationId: event.correlationId, eventId: event.id });
      });
      await subscribeData('galileo.events.>', 'events', (event) => {
        if (event.type !== 'GalileoEvent') return;
        return events.add({ data: event.data, correlationId: event.correlationId, eventId: event.id });
      });
      if (config.ingestPubSub) {
        ingests.push(await ingestGalileoEvents(bus));
        ingests.push(await ingestTelemd(bus, { timestamps: config.telemdTimestamps }));
      }
      if (config.ingestTraceLines) {
        ingests.push(
          await ingestFromPubSub(bus, {
            channel: `${prefix}galileo/results/traces`,
            toEvent: (_channel, line) => {
              const fields = parseTraceLineFields(line);
              if ('error' in fields) return fields;
              return {
                subject: galileoSubjects.traces(fields.service),
                draft: { type: 'TraceRecorded', data: fields, correlationId: fields.exp_id },
              };
            },
          }),
        );
      }
      if (config.httpPort > 0) {
        health = await startHealthServer({
          port: config.httpPort,
          host: '0.0.0.0',
          registry: metrics,
          health: () => ({ healthy: running }),
          ready: () => {
            const open = guarded.filter((g) => g.breaker.opened).map((g) => g.store.name);
            return { ready: running && open.length === 0, storesDown: open };
          },
        });
      }
      logger.info({ stores: stores.map((s) => s.name), group: config.name }, 'recorder started');
    },
    async stop() {
      if (!running) return;
      running = false;
      stopping = true;
      for (const i of ingests.splice(0)) await i.stop();
      // A stopping subscription waits for its handlers, i.e. for the batches they are in.
      await Promise.all([traces.flush(), telemetry.flush(), events.flush()]).catch(() => undefined);
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await Promise.all([traces.flush(), telemetry.flush(), events.flush()]).catch(() => undefined);
      for (const g of guarded) g.breaker.shutdown();
      await health?.close();
      health = null;
    },
  };
}
