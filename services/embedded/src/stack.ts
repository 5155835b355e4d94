import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createApi } from '@galileo/api';
import { apiConfigFrom, authProblem, loadApiConfig } from '@galileo/api';
import { createBus, type Bus } from '@galileo/bus';
import { loadConfig, redisOptions, type ConfigError, type Environment, type Result } from '@galileo/config';
import {
  createGalileoContext,
  createLatencyGraph,
  feedContextFromBus,
  loadLatencyGraph,
  refreshContext,
  type ContextFeed,
  type GalileoContext,
} from '@galileo/context';
import { openDatabase, type GalileoDatabase } from '@galileo/db';
import { galileoCatalogue, type GalileoCatalogue } from '@galileo/events';
import { createExperimentDaemon, loadExperimentDaemonConfig } from '@galileo/experiment-daemon';
import { createRedisWeightStore, type WeightStore } from '@galileo/kv';
import { createLbOptimizer, lbOptimizerConfigSpec, thresholdsFromEnvironment } from '@galileo/lb-optimizer';
import { createLoadBalancer, loadBalancerConfigSpec, type LoadBalancer } from '@galileo/load-balancer';
import { createLogger, type Logger } from '@galileo/logging';
import type { Orchestrator } from '@galileo/orchestrator';
import { createConfiguredOrchestrator, createPodCreator, loadPodCreatorConfig } from '@galileo/pod-creator';
import { createRecorder, loadRecorderConfig } from '@galileo/recorder';
import { ensureRedis, startHealthServer, type EnsuredRedis, type HealthServer } from '@galileo/runtime';
import {
  createScaleScheduleOptimizer,
  loadOptimizerConfig,
  osmoticInputFromContext,
} from '@galileo/scale-schedule-optimizer';
import { createTelemd, loadTelemdConfig, type Telemd } from '@galileo/telemd';
import { createWorker, loadWorkerConfig } from '@galileo/worker';
import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { createEmulatedCluster, type EmulatedZone } from './cluster.js';
import { embeddedDefaults, loadEmbeddedConfig, nodeAllocatable, zoneNode } from './config.js';

export interface EmbeddedStackOptions {
  /** The environment (default process.env); it wins over every default. */
  env?: Environment;
  /** More defaults under the environment, over the embedded ones (the demo's tuning). */
  defaults?: Readonly<Record<string, string>>;
  /** Told what happens on the way up (the Redis used or started, where things are). */
  say?: (line: string) => void;
  /** Where the services' JSON logs go: a file (default `<dataDir>/logs/embedded.log`) or `stderr`. */
  logTo?: string | 'stderr';
}

export interface EmbeddedAddresses {
  readonly redis: string;
  /** The REST API, e.g. `http://127.0.0.1:5001` (paths under `/api`). */
  readonly api: string;
  /** The combined /healthz, /readyz, /metrics. */
  readonly health: string;
  /** `host:port` of each zone's load balancer. */
  readonly balancers: Readonly<Record<string, string>>;
  readonly sqlite: string;
  readonly dataDir: string;
  readonly logs: string | null;
}

export interface EmbeddedStack {
  readonly addresses: EmbeddedAddresses;
  /** The environment every service was configured from (defaults + environment). */
  readonly env: Readonly<Record<string, string>>;
  readonly keyPrefix: string;
  readonly zones: readonly EmulatedZone[];
  /** The worker's name (the first zone's node). */
  readonly workerName: string;
  /** The shared connections: use them, never close them (stop() does). */
  readonly redis: Redis;
  readonly bus: Bus<GalileoCatalogue>;
  readonly db: GalileoDatabase;
  readonly orchestrator: Orchestrator;
  readonly context: GalileoContext;
  readonly logger: Logger;
  /** Stops everything in the reverse order of its start; safe to call twice. */
  stop(): Promise<void>;
}

/** A start that cannot go on: one message that says what to do. */
export class EmbeddedStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedStartError';
  }
}

/** The longest one service may take to stop before the next one is stopped anyway. */
const STOP_STEP_TIMEOUT_MS = 20_000;

function need<T>(what: string, loaded: Result<T, ConfigError>): T {
  if (!loaded.ok) throw new EmbeddedStartError(`${what}: ${loaded.error.lines.join('; ')}`);
  return loaded.value;
}

/**
 * The embedded mode: every service's factory in this process on the embedded defaults
 * (DESIGN.md "Storage and orchestration"), sharing one Redis connection, one bus, one SQLite
 * database and one runtime context. Order of start: recorder, telemd per zone node, orchestrator +
 * pod-creator, a load balancer per zone, lb-optimizer and scale-schedule-optimizer on the shared
 * context, the worker, the experiment daemon, the API, the health endpoint.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
  const baseEnv = options.env ?? process.env;
  const say = options.say ?? (() => undefined);
  const embedded = need('embedded mode', loadEmbeddedConfig(baseEnv));
  const dataDir = resolve(embedded.dataDir);
  const merged: Record<string, string> = { ...embeddedDefaults(embedded, baseEnv), ...options.defaults };
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined) merged[k] = v;
  const env: Readonly<Record<string, string>> = merged;
  mkdirSync(dataDir, { recursive: true });

  const workerConfig = need('worker', loadWorkerConfig(env));

  // --- logs
  let logStream: WriteStream | null = null;
  const logPath =
    options.logTo === 'stderr' ? null : resolve(options.logTo ?? join(dataDir, 'logs', 'embedded.log'));
  if (logPath) {
    mkdirSync(dirname(logPath), { recursive: true });
    logStream = createWriteStream(logPath, { flags: 'a' });
  }
  const level = workerConfig.logging.level;
  const logger = createLogger({
    service: 'embedded',
    level,
    ...(logStream ? { destination: logStream } : {}),
  });
  const log = (service: string) => logger.child({ component: service });

  // every step that started something pushes its stop; stop() runs them backwards
  const stops: { what: string; stop: () => Promise<unknown> }[] = [];
  let stopping: Promise<void> | null = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const { what, stop } of stops.reverse()) {
        // a step that cannot finish (Redis gone, a store down) is given up after a while, so the
        // rest still stops and the process can exit
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_STEP_TIMEOUT_MS)));
        try {
          if ((await Promise.race([stop(), late])) === 'late')
            logger.warn({ what, timeoutMs: STOP_STEP_TIMEOUT_MS }, 'stopping took too long; going on');
        } catch (e) {
          logger.warn({ err: (e as Error).message, what }, 'stopping failed');
        } finally {
          clearTimeout(timer);
        }
      }
      stops.length = 0;
      await new Promise<void>((r) => (logStream ? logStream.end(() => r()) : r()));
    })());

  try {
    // --- Redis: the one that answers, or one started here
    const redisOpts = redisOptions(workerConfig.redis, { connectionName: 'galileo-embedded' });
    const keyPrefix = workerConfig.redis.keyPrefix;
    if (!workerConfig.redis.sentinels) {
      const host = redisOpts.host ?? '127.0.0.1';
      const port = redisOpts.port ?? 6379;
      let ensured: EnsuredRedis;
      try {
        ensured = await ensureRedis({
          host,
          port,
          ...(typeof redisOpts.password === 'string' ? { password: redisOpts.password } : {}),
          dataDir: join(dataDir, 'redis'),
          say,
        });
      } catch (e) {
        throw new EmbeddedStartError((e as Error).message);
      }
      stops.push({ what: 'redis-server', stop: () => ensured.stop() });
    }
    const redis = new Redis({
      ...redisOpts,
      // commands wait across reconnects (telemd pauses meanwhile); the worker's trace batches
      // are one script call each (see services/worker/src/main.ts)
      maxRetriesPerRequest: null,
      autoPipeliningIgnoredCommands: ['appendBatch'],
    });
    redis.on('error', (e: Error) => logger.debug({ err: e.message }, 'redis error'));
    stops.push({
      what: 'redis',
      stop: async () => {
        if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
        else redis.disconnect();
      },
    });
    // galileo/events lines carry the key prefix, as the experiment daemon's do, so stacks (and
    // tests) sharing a Redis do not read each other's
    const eventsChannel = `${keyPrefix}galileo/events`;
    const bus = createBus({
      redis,
      catalogue: galileoCatalogue,
      source: 'embedded',
      prefix: keyPrefix,
      logger: log('bus'),
      streams: { 'galileo.telemetry': { lossy: { maxAgeMs: 3_600_000 } } },
    });
    stops.push({ what: 'bus', stop: () => bus.close() });

    // --- the experiment database: SQLite in the data dir
    const recorderConfig = need('recorder', loadRecorderConfig(env));
    const sqlitePath = recorderConfig.db.driver === 'sqlite' ? resolve(recorderConfig.db.sqlitePath) : '';
    const db = await openDatabase(recorderConfig.db);
    stops.push({ what: 'database', stop: () => db.close() });

    // --- recorder (first: it records everything the others publish)
    const recorder = createRecorder({
      bus,
      redis,
      db,
      influx: null,
      config: recorderConfig,
      logger: log('recorder'),
    });
    await recorder.start();
    stops.push({ what: 'recorder', stop: () => recorder.stop() });

    // --- the emulated cluster: one node per zone, each with its telemd
    const zones: EmulatedZone[] = embedded.zones.map((zone) => ({ zone, node: zoneNode(zone) }));
    const cluster = createEmulatedCluster({
      bus,
      redis,
      keyPrefix,
      zones,
      allocatable: nodeAllocatable(embedded.podsPerNode),
      logger: log('cluster'),
    });
    await cluster.start();
    stops.push({ what: 'cluster', stop: () => cluster.stop() });
    const telemds: Telemd[] = [];
    for (const z of zones) {
      const config = need('telemd', loadTelemdConfig({ ...env, telemd_nodename: z.node }, { iniPath: '' }));
      const telemd = createTelemd({ redis, bus, config, logger: log('telemd').child({ node: z.node }) });
      await telemd.start();
      telemds.push(telemd);
      stops.push({ what: `telemd ${z.node}`, stop: () => telemd.stop() });
    }

    // --- orchestrator (local replicas) + pod-creator
    const podCreatorConfig = need('pod-creator', loadPodCreatorConfig(env));
    const orchestrator = createConfiguredOrchestrator(podCreatorConfig, log('orchestrator'));
    // the replicas stop (and pod/delete is published) while the pod-creator still watches
    stops.push({ what: 'orchestrator', stop: () => orchestrator.close() });
    const podCreator = createPodCreator({
      bus,
      redis,
      orchestrator,
      config: podCreatorConfig,
      logger: log('pod-creator'),
      mirrorChannel: eventsChannel,
    });
    await podCreator.start();
    stops.splice(stops.length - 1, 0, { what: 'pod-creator', stop: () => podCreator.stop() });

    // --- a load balancer per zone, weights in Redis; each is its zone's gateway, and each knows
    // the others (a forwarded request keeps its /function path there), so the ports come first
    const lbPorts = new Map<string, number>();
    for (const z of zones) lbPorts.set(z.zone, await freeLoopbackPort());
    const balancers: { zone: string; lb: LoadBalancer; store: WeightStore }[] = [];
    for (const z of zones) {
      const lbEnv = { eb_go_lb_listen_host: '127.0.0.1', ...env, eb_go_lb_zone: z.zone };
      const config = need('load-balancer', loadConfig(loadBalancerConfigSpec, lbEnv));
      const store = createRedisWeightStore({ redis, keyPrefix, prefix: config.keyPrefix });
      const lb = createLoadBalancer({
        store,
        zone: z.zone,
        nodeName: z.node,
        gateways: zones.filter((o) => o !== z).map((o) => `127.0.0.1:${lbPorts.get(o.zone)}`),
        handlerType: config.handlerType,
        port: lbPorts.get(z.zone)!,
        host: '127.0.0.1',
        logger: log('load-balancer').child({ zone: z.zone }),
        backendConnections: config.backendConnections,
        requestTimeoutMs: config.requestTimeout,
      });
      await lb.start();
      balancers.push({ zone: z.zone, lb, store });
      stops.push({ what: `load-balancer ${z.zone}`, stop: () => lb.stop().then(() => store.close()) });
      await cluster.announceGateway(z.zone, '127.0.0.1', lb.port);
    }

    // --- one runtime context for both optimizers
    const lbConfig = need('lb-optimizer', loadConfig(lbOptimizerConfigSpec, env));
    const thresholds = thresholdsFromEnvironment(env);
    if (!thresholds.ok) throw new EmbeddedStartError(thresholds.error.join('; '));
    const ssoLoaded = need('scale-schedule-optimizer', loadOptimizerConfig(env));
    const ctxConfig = lbConfig.context;
    let latencyGraph = createLatencyGraph({}, { maxLatency: ctxConfig.maxLatency });
    if (ctxConfig.latencyGraphJson) {
      const graph = await loadLatencyGraph(ctxConfig.latencyGraphJson, { maxLatency: ctxConfig.maxLatency });
      if (!graph.ok) throw new EmbeddedStartError(`galileo_context_latency_graph_json: ${graph.error}`);
      latencyGraph = graph.value;
    }
    const context = createGalileoContext({
      telemetryWindowSeconds: ctxConfig.telemetryWindowSeconds,
      traceWindowSeconds: ctxConfig.traceWindowSeconds,
      latencyGraph,
      ...(ctxConfig.zones ? { fallbackZones: ctxConfig.zones } : {}),
    });
    const refresh = refreshContext(context, {
      redis,
      keyPrefix,
      intervalMs: lbConfig.nodeInfoRefresh,
      logger: log('context'),
    });
    await refresh.refresh();
    stops.push({ what: 'context refresh', stop: async () => refresh.stop() });
    const feed: ContextFeed = await feedContextFromBus(bus, context, {
      group: 'embedded-context',
      logger: log('context'),
    });
    stops.push({ what: 'context feed', stop: () => feed.stop() });

    const lbStore = createRedisWeightStore({ redis, keyPrefix, prefix: lbConfig.keyPrefix });
    const lbOptimizer = createLbOptimizer({
      context,
      store: lbStore,
      bus,
      logger: log('lb-optimizer'),
      params: {
        a: lbConfig.a,
        b: lbConfig.b,
        c: lbConfig.c,
        midpoint: lbConfig.midpoint,
        offset: lbConfig.offset,
      },
      lookbackSeconds: lbConfig.lookback,
      intervalMs: lbConfig.reconcileInterval,
      thresholds: thresholds.value,
      mirrorEvents: lbConfig.mirrorEvents,
    });
    await lbOptimizer.start();
    stops.push({ what: 'lb-optimizer', stop: () => lbOptimizer.stop().then(() => lbStore.close()) });

    const ssoConfig = { ...ssoLoaded, instance: ssoLoaded.instance ?? 'embedded' };
    const scaleOptimizer = createScaleScheduleOptimizer({
      bus,
      redis,
      config: ssoConfig,
      logger: log('scale-schedule-optimizer'),
      mirrorChannel: eventsChannel,
      input: () =>
        osmoticInputFromContext(context, {
          lookbackSeconds: ssoConfig.lookback / 1000,
          targetTimeMeasure: ssoConfig.targetTimeMeasure,
        }),
    });
    await scaleOptimizer.start();
    stops.push({ what: 'scale-schedule-optimizer', stop: () => scaleOptimizer.stop() });

    // --- the worker of this machine
    const worker = createWorker({
      bus,
      redis,
      config: workerConfig,
      logger: log('worker').child({ worker: workerConfig.name }),
    });
    await worker.start();
    stops.push({ what: 'worker', stop: () => worker.stop() });

    // --- the experiment daemon (with its projection) last: it takes experiments only once
    // everything they need runs, and on stop it ends a running one while the worker still answers
    const daemonConfig = need('experiment-daemon', loadExperimentDaemonConfig(env));
    const daemon = createExperimentDaemon({
      bus,
      redis,
      config: daemonConfig,
      logger: log('experiment-daemon'),
      db,
    });
    await daemon.start();
    stops.push({ what: 'experiment-daemon', stop: () => daemon.stop() });

    // --- the REST API on loopback
    const apiEnv = need('api', loadApiConfig(env));
    const problem = authProblem(apiEnv.bind, apiEnv.token);
    if (problem) throw new EmbeddedStartError(problem);
    const api = createApi({ redis, bus, db, config: apiConfigFrom(apiEnv), logger: log('api') });
    const listening = await api.start().catch((e: Error) => {
      throw new EmbeddedStartError(
        `the REST API could not listen on ${apiEnv.bind.host}:${apiEnv.bind.port} (${e.message}): set galileo_api_bind_addr to a free address, e.g. 127.0.0.1:0`,
      );
    });
    stops.push({ what: 'api', stop: () => api.stop() });

    // --- one health endpoint for the process
    const registry = mergedRegistry(
      [
        worker.metrics,
        daemon.metrics,
        recorder.metrics,
        podCreator.metrics,
        scaleOptimizer.metrics,
        ...telemds.map((t) => t.metrics),
      ],
      logger,
    );
    const status = () => ({
      worker: worker.info().name,
      daemon: daemon.status(),
      telemd: telemds.map((t) => t.status()),
      recorder: recorder.stats(),
      balancers: Object.fromEntries(
        balancers.map((b) => [
          b.zone,
          { port: b.lb.port, ready: b.lb.ready, storeConnected: b.lb.storeConnected },
        ]),
      ),
      lbOptimizer: lbOptimizer.lastReport ?? null,
      context: context.stats(),
    });
    let health: HealthServer;
    try {
      health = await startHealthServer({
        port: embedded.healthPort,
        host: '127.0.0.1',
        ...(registry ? { registry } : {}),
        health: () => {
          const s = status();
          return { healthy: s.daemon.state === 'running', ...s };
        },
        ready: () => {
          const s = status();
          const ready =
            s.daemon.state === 'running' &&
            redis.status === 'ready' &&
            Object.values(s.balancers).every((b) => b.storeConnected) &&
            Object.values(s.recorder.breakers).every((b) => b === 'closed');
          return { ready, ...s };
        },
      });
    } catch (e) {
      throw new EmbeddedStartError(
        `the health endpoint could not listen on 127.0.0.1:${embedded.healthPort} (${(e as Error).message}): set galileo_embedded_health_port to a free port, or 0`,
      );
    }
    stops.push({ what: 'health', stop: () => health.close() });

    const addresses: EmbeddedAddresses = {
      redis: `${redisOpts.host ?? '127.0.0.1'}:${redisOpts.port ?? 6379}`,
      api: listening.url.replace(/\/$/, ''),
      health: `http://127.0.0.1:${health.port}`,
      balancers: Object.fromEntries(balancers.map((b) => [b.zone, `127.0.0.1:${b.lb.port}`])),
      sqlite: sqlitePath,
      dataDir,
      logs: logPath,
    };
    logger.info({ addresses }, 'embedded stack running');
    return {
      addresses,
      env,
      keyPrefix,
      zones,
      workerName: workerConfig.name,
      redis,
      bus,
      db,
      orchestrator,
      context,
      logger,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** One /metrics for the process; a name two services both register keeps the first one's. */
function mergedRegistry(registries: readonly Registry[], logger: Logger): Registry | undefined {
  try {
    return Registry.merge([...registries]) as Registry;
  } catch (e) {
    logger.debug({ err: (e as Error).message }, 'service metrics overlap; /metrics shows the worker’s');
    return registries[0];
  }
}

/** A port nobody listens on now, on 127.0.0.1 (the balancers must know each other's before they start). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
