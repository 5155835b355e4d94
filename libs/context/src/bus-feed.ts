import type { Bus, BusLogger, StartAt, Subscription } from '@galileo/bus';
import { tracesOf, type GalileoCatalogue } from '@galileo/events';
import type { Redis } from 'ioredis';
import type { GalileoContext } from './galileo-context.js';
import { NODE_INFO_KEY_PREFIX, parseNodeInfo, type NodeInfo } from './node-info.js';
import { parsePod, type PodInfo } from './pods.js';

export interface ContextFeedOptions {
  /**
   * Consumer-group name prefix: each context instance needs its own groups (every instance sees
   * every event). Groups `<group>:traces`, `<group>:telemetry`, `<group>:events` are created.
   */
  group: string;
  /** Where new groups start; default: the oldest point still inside the larger window. */
  startAt?: StartAt;
  logger?: BusLogger;
}

export interface ContextFeed {
  readonly subscriptions: readonly Subscription[];
  stop(): Promise<void>;
}

/**
 * Feeds a context from the bus: `TraceRecorded` on `galileo.traces.>`, `TelemetryReported` on
 * `galileo.telemetry.>`, `GalileoEvent` (pod lifecycle, scale_schedule) on `galileo.events.>`.
 * Handlers are synchronous writes into the in-memory model.
 */
export async function feedContextFromBus(
  bus: Bus<GalileoCatalogue>,
  context: GalileoContext,
  options: ContextFeedOptions,
): Promise<ContextFeed> {
  const window = Math.max(context.telemetryWindowSeconds, context.traceWindowSeconds);
  const startAt: StartAt = options.startAt ?? { time: Math.floor((context.now() - window) * 1000) };
  const common = { startAt, concurrency: 1, batchSize: 500, maxDeliveries: 2 } as const;
  const subscriptions = await Promise.all([
    bus.subscribe('galileo.traces.>', {
      ...common,
      group: `${options.group}:traces`,
      handler: (event) => {
        for (const trace of tracesOf(event)) context.recordTrace(trace);
      },
    }),
    bus.subscribe('galileo.telemetry.>', {
      ...common,
      group: `${options.group}:telemetry`,
      handler: (event) => {
        if (event.type === 'TelemetryReported') context.recordTelemetry(event.data);
      },
    }),
    bus.subscribe('galileo.events.>', {
      ...common,
      group: `${options.group}:events`,
      handler: (event) => {
        if (event.type === 'GalileoEvent') context.applyGalileoEvent(event.data.name, event.data.value);
      },
    }),
  ]);
  return {
    subscriptions,
    async stop() {
      await Promise.all(subscriptions.map((s) => s.stop()));
    },
  };
}

/** Reads every `telemd.info:<node>` hash (with the test/deployment key prefix). */
export async function loadNodeInfos(redis: Redis, options: { keyPrefix?: string } = {}): Promise<NodeInfo[]> {
  const prefix = (options.keyPrefix ?? '') + NODE_INFO_KEY_PREFIX;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  const results = (await pipeline.exec()) ?? [];
  const infos: NodeInfo[] = [];
  keys.forEach((key, i) => {
    const [error, hash] = results[i] ?? [];
    if (error || !hash || typeof hash !== 'object') return;
    infos.push(parseNodeInfo(key.slice(prefix.length), hash as Record<string, string>));
  });
  return infos.sort((a, b) => (a.node < b.node ? -1 : 1));
}

/** What the context needs of an orchestrator (libs/orchestrator's adapters satisfy it structurally). */
export interface PodSource {
  /** Pods in the adapter's JSON shape (`pod/<event>` payloads) or already parsed. */
  listPods(): Promise<readonly unknown[]>;
}

const isPodInfo = (v: unknown): v is PodInfo =>
  typeof v === 'object' && v !== null && 'url' in v && 'cpuRequestMillis' in v;

/** Replaces the context's pods with the orchestrator's listing; returns how many were read. */
export async function syncPods(context: GalileoContext, source: PodSource): Promise<number> {
  const listed = await source.listPods();
  const pods: PodInfo[] = [];
  for (const raw of listed) {
    if (isPodInfo(raw)) pods.push(raw);
    else {
      const parsed = parsePod(raw);
      if (parsed.ok) pods.push(parsed.value);
    }
  }
  context.replacePods(pods);
  return pods.length;
}

export interface ContextRefresh {
  /** Runs one refresh now (node infos, and pods when a source is given). */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Re-reads node infos (and the orchestrator's pods) every `intervalMs` — galileo-context read
 * the node list once and never again, so nodes that joined later were invisible.
 */
export function refreshContext(
  context: GalileoContext,
  options: { redis: Redis; keyPrefix?: string; pods?: PodSource; intervalMs: number; logger?: BusLogger },
): ContextRefresh {
  let running: Promise<void> | undefined;
  const refresh = async () => {
    running ??= (async () => {
      try {
        const infos = await loadNodeInfos(options.redis, { keyPrefix: options.keyPrefix });
        if (infos.length > 0) context.replaceNodeInfos(infos);
        if (options.pods) await syncPods(context, options.pods);
      } catch (e) {
        options.logger?.warn({ err: e }, 'context refresh failed; keeping the last node infos and pods');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void refresh(), options.intervalMs);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
