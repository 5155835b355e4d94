import type { Bus, MessageContext, Subscription } from '@galileo/bus';
import {
  encodeToken,
  galileoSubjects,
  type CatalogueEvent,
  type GalileoCatalogue,
  type RequestTrace,
} from '@galileo/events';
import { forExperiment, type Logger } from '@galileo/logging';
import { createRouter, type Router } from '@galileo/routing';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { createClientAppLoader } from './client-apps.js';
import { pruneExpiredWorkers, workerKeys, type WorkerInfo } from '@galileo/workers';
import { createClientGroup, type ClientGroup } from './client-group.js';
import { systemClock, type Clock } from './clock.js';
import { createCommandHandlers } from './command-handlers.js';
import type { WorkerConfig } from './config.js';
import { startHealthServer, type HealthServer } from '@galileo/runtime';
import { HEARTBEAT_TTL_INTERVALS, startHeartbeat } from './heartbeat.js';
import { createHttpClient, type HttpClient } from './http-client.js';
import { createWorkerRegistration } from './registration.js';
import { createTraceBatcher, type TraceBatcher } from './trace-batcher.js';
import { createWorkerMetrics } from './worker-metrics.js';

export interface WorkerDeps {
  bus: Bus<GalileoCatalogue>;
  /** Commands (registration, profiles, the routing table, the trace mirror); duplicated for the router's pub/sub. */
  redis: Redis;
  config: WorkerConfig;
  logger: Logger;
  clock?: Clock;
}

export interface Worker {
  readonly name: string;
  /** Subscribes to its commands, registers, starts the heartbeat (and /healthz, /metrics). */
  start(): Promise<void>;
  /**
   * Unregisters at once, stops taking commands, lets outstanding requests finish (up to the
   * shutdown timeout), flushes the traces and releases everything it opened. The bus and the
   * Redis connection belong to the caller and stay open.
   */
  stop(): Promise<void>;
  info(): WorkerInfo;
  readonly metrics: Registry;
  /** The port of /healthz and /metrics once started, or null when they are off. */
  readonly httpPort: number | null;
}

/** Subject patterns a worker listens on: its own commands, and the broadcast to every worker. */
export const workerCommandPatterns = (name: string) => ({
  direct: `galileo.commands.worker.${encodeToken(name)}.>`,
  broadcast: 'galileo.commands.workers.>',
});

/** The consumer groups of a worker on `galileo.commands`: its own commands, and the broadcasts. */
const commandGroups = (name: string) =>
  [`worker-${encodeToken(name)}`, `worker-${encodeToken(name)}-broadcast`] as const;

/**
 * The load generator of one client node (galileo's worker daemon, protocols §3): driven only by
 * commands on the bus, it runs client groups that send requests at their intended times and
 * turns each request into a trace on `galileo.traces.<service>`.
 */
export function createWorker(deps: WorkerDeps): Worker {
  const { bus, redis, config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const name = config.name;
  const prefix = config.redis.keyPrefix;
  const keys = workerKeys(prefix);
  const groups = new Map<string, ClientGroup>();
  const apps = createClientAppLoader(config.appsDir);
  const registration = createWorkerRegistration(redis, {
    name,
    labels: config.labels,
    keys,
    heartbeatTtlMs: HEARTBEAT_TTL_INTERVALS * config.heartbeatInterval,
  });
  const http: HttpClient = createHttpClient({
    requestTimeoutMs: config.requestTimeout,
    responseLimit: config.traceResponseLimit,
    connectionsPerOrigin: config.connectionsPerOrigin,
    implementation: config.httpClient,
  });
  const traces: TraceBatcher = createTraceBatcher({
    bus,
    flushSize: config.traceFlush,
    flushIntervalMs: config.traceFlushInterval,
    mirror: config.traceLogging === 'redis' ? { redis, channel: keys.tracesChannel } : null,
    logger,
  });
  const metrics = createWorkerMetrics(
    { groups: () => [...groups.values()].map((g) => g.info()), traces: () => traces.stats() },
    bus,
  );

  let tracing = true;
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  let router: Router | null = null;
  let routerConnection: Redis | null = null;
  let subscriptions: Subscription[] = [];
  let heartbeat: { stop(): Promise<void> } | null = null;
  let healthServer: HealthServer | null = null;
  const startedMs = clock.now();

  const recordTrace = (trace: RequestTrace, experimentId: string | null) => {
    if (tracing) traces.add(trace, experimentId);
  };

  const handlers = createCommandHandlers({
    name,
    clock,
    groups,
    apps,
    defaultMaxInFlight: config.maxInFlight,
    shutdownTimeoutMs: config.shutdownTimeout,
    startedMs,
    isStopping: () => state === 'stopping' || state === 'stopped',
    tracing: () => tracing,
    async setTracing(on) {
      tracing = on;
      // galileo's PAUSE also flushes what was buffered
      if (!on) await traces.flush();
    },
    createGroup(spec) {
      if (!router) throw new Error('the worker is not started');
      return createClientGroup(spec, {
        clock,
        router,
        http,
        logger: logger.child({ groupId: spec.id }),
        lateThresholdMs: config.lateThreshold,
        recordTrace,
        onWorkloadDone(group, done) {
          const log = done.experimentId ? forExperiment(logger, done.experimentId) : logger;
          log.info({ groupId: group.id, requests: done.requests }, 'workload done');
          // traces first, so whoever waits for WorkloadDone finds them all on the bus
          void traces
            .flush()
            .then(() =>
              bus.publish(galileoSubjects.workers(name, 'workload-done'), {
                type: 'WorkloadDone',
                data: {
                  worker: name,
                  groupId: group.id,
                  service: group.service,
                  clientIds: [...group.clientIds],
                  requests: done.requests,
                },
                correlationId: done.experimentId,
              }),
            )
            .catch((e: unknown) =>
              log.error({ err: e, groupId: group.id }, 'publishing WorkloadDone failed'),
            );
        },
      });
    },
    registerClients: (clients) => registration.addClients(clients),
    unregisterClients: (ids) => registration.removeClients(ids),
    async readProfiles(clientIds) {
      const tx = redis.multi();
      for (const id of clientIds) tx.lrange(keys.prerecorded(id), 0, -1);
      const replies = (await tx.exec()) ?? [];
      return replies.map(([e, list]) => {
        if (e) throw e;
        return list as string[];
      });
    },
    async consumeProfiles(clientIds) {
      if (clientIds.length > 0) await redis.del(...clientIds.map((id) => keys.prerecorded(id)));
    },
  });

  async function onCommand(event: CatalogueEvent<GalileoCatalogue>, ctx: MessageContext) {
    const log = event.correlationId ? forExperiment(logger, event.correlationId) : logger;
    let outcome;
    try {
      outcome = await handlers.handle(event);
    } catch (e) {
      // a bug or an infrastructure failure (Redis): still answered, with what went wrong
      log.error({ err: e, command: event.type, eventId: event.id }, 'command failed');
      outcome = {
        ok: false as const,
        error: `worker '${name}' failed on ${event.type}: ${(e as Error).message}`,
      };
    }
    if (outcome.ok) {
      log.info({ command: event.type, eventId: event.id }, 'command done');
      await ctx.reply?.(outcome.result);
    } else {
      log.warn({ command: event.type, eventId: event.id, reason: outcome.error }, 'command rejected');
      await ctx.replyError?.(outcome.error);
    }
  }

  /**
   * Removes a worker's consumer groups on `galileo.commands`: the stream is only trimmed below what
   * every group acknowledged, so a departed worker's groups would hold it back forever. A worker
   * that comes back under the same name recreates them (commands sent meanwhile were requests whose
   * deadlines passed anyway).
   */
  async function forgetCommandGroups(worker: string): Promise<void> {
    for (const group of commandGroups(worker)) {
      await bus.deleteGroup('galileo.commands', group).catch(() => undefined);
    }
  }

  async function reportExpired(): Promise<void> {
    const expired = await pruneExpiredWorkers(redis, { prefix });
    for (const dead of expired) {
      logger.warn({ worker: dead }, 'worker heartbeat expired: removed from galileo:workers');
      await forgetCommandGroups(dead);
      await bus.publish(galileoSubjects.workers(dead, 'unregistered'), {
        type: 'WorkerUnregistered',
        data: { name: dead, reason: 'expired' },
      });
    }
  }

  const info = (): WorkerInfo => ({ name, tracing, groups: [...groups.values()].map((g) => g.info()) });

  return {
    name,
    metrics,
    info,
    get httpPort() {
      return healthServer?.port ?? null;
    },

    async start() {
      if (state !== 'new') throw new Error(`worker '${name}' was already started`);
      state = 'starting';
      routerConnection = redis.duplicate({ connectionName: `galileo-worker-routing:${name}` });
      const created = await createRouter(config.routerType, {
        redis,
        subscriber: routerConnection,
        prefix,
        staticHost: config.routerStaticHost,
      });
      if (!created.ok) throw new Error(created.error);
      router = created.value;

      const patterns = workerCommandPatterns(name);
      const [direct, broadcast] = commandGroups(name);
      const common = { consumer: 'worker', concurrency: 8, handler: onCommand } as const;
      subscriptions = [
        await bus.subscribe(patterns.direct, { ...common, group: direct }),
        await bus.subscribe(patterns.broadcast, { ...common, group: broadcast }),
      ];

      await registration.register();
      heartbeat = startHeartbeat({
        intervalMs: config.heartbeatInterval,
        beat: async () => {
          await registration.beat();
          await reportExpired();
        },
        onError: (e) => logger.warn({ err: e }, 'heartbeat failed; retrying at the next interval'),
      });
      await bus.publish(galileoSubjects.workers(name, 'registered'), {
        type: 'WorkerRegistered',
        data: { name, labels: { ...config.labels } },
      });
      if (config.httpPort > 0) {
        healthServer = await startHealthServer({
          port: config.httpPort,
          host: config.httpHost,
          registry: metrics,
          health: () => ({
            healthy: state === 'running' && redis.status === 'ready',
            name,
            state,
            redis: redis.status,
            groups: groups.size,
            tracing,
          }),
        });
      }
      state = 'running';
      logger.info(
        {
          worker: name,
          router: config.routerType,
          httpPort: healthServer?.port ?? null,
          labels: Object.keys(config.labels),
        },
        'worker started',
      );
    },

    async stop() {
      if (state === 'stopping' || state === 'stopped' || state === 'new') return;
      state = 'stopping';
      await heartbeat?.stop();
      await registration.unregister().catch((e: unknown) => logger.error({ err: e }, 'unregistering failed'));
      await bus
        .publish(galileoSubjects.workers(name, 'unregistered'), {
          type: 'WorkerUnregistered',
          data: { name, reason: 'shutdown' },
        })
        .catch((e: unknown) => logger.error({ err: e }, 'publishing WorkerUnregistered failed'));
      await Promise.all(subscriptions.map((s) => s.stop()));
      await forgetCommandGroups(name);
      const open = [...groups.values()];
      // closed groups stay listed: info() after stop() reports the final counters
      await Promise.all(open.map((g) => g.close(config.shutdownTimeout)));
      await traces.close();
      await http.close();
      await router?.close();
      await routerConnection?.quit().catch(() => routerConnection?.disconnect());
      await healthServer?.close();
      state = 'stopped';
      const sent = open.reduce((sum, g) => sum + g.info().requests, 0);
      logger.info(
        { worker: name, groups: open.length, requests: sent, traces: traces.stats() },
        'worker stopped',
      );
    },
  };
}
