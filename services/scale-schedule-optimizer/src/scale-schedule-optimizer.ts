import { hostname } from 'node:os';
import type { Bus } from '@galileo/bus';
import type { GalileoCatalogue } from '@galileo/events';
import type { Logger } from '@galileo/logging';
import {
  runOsmoticRound,
  type OsmoticInput,
  type OsmoticParameters,
  type OsmoticSkip,
} from '@galileo/osmotic';
import { startHealthServer, type HealthServer } from '@galileo/runtime';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OptimizerConfig } from './config.js';
import { createLeaderLease } from './leader-lease.js';
import { publishRecords } from './publish-records.js';

export interface ScaleScheduleOptimizerDeps {
  bus: Bus<GalileoCatalogue>;
  /** Commands: the leader lease and the `galileo/events` mirror. */
  redis: Redis;
  config: OptimizerConfig;
  logger: Logger;
  /** The values of one round; main.ts passes the adapter over an embedded libs/context. */
  input: () => OsmoticInput | Promise<OsmoticInput>;
  /** Five characters for new pod names (default random hex). */
  podSuffix?: () => string;
  /** The mirror's pub/sub channel (default `galileo/events`; tests use their own). */
  mirrorChannel?: string;
}

export interface RoundSummary {
  /** False when another replica holds the lease: this one did nothing. */
  leader: boolean;
  rows: number;
  records: number;
  creates: number;
  deletes: number;
  skips: OsmoticSkip[];
  computeMs: number;
  dryRun: boolean;
}

export interface ScaleScheduleOptimizer {
  start(): Promise<void>;
  /** Stops the loop after the running round and releases the lease. */
  stop(): Promise<void>;
  /** One round now (the loop calls it every reconcile interval). */
  runRound(): Promise<RoundSummary>;
  readonly metrics: Registry;
  readonly httpPort: number | null;
}

export function optimizerParameters(config: OptimizerConfig, podSuffix?: () => string): OsmoticParameters {
  const weights = config.pressureWeights ? Object.fromEntries(config.pressureWeights) : undefined;
  return {
    maxThreshold: config.maxThreshold,
    minThreshold: config.minThreshold,
    pressures: config.pressures,
    ...(weights ? { weights } : {}),
    logistic: { a: config.a, b: config.b, c: config.c, d: config.d, offset: config.offset },
    percentile: config.percentile,
    targetTimeMeasure: config.targetTimeMeasure,
    latencyRequirement: (fn) => config.latencyRequirements[fn] ?? config.defaultLatencyRequirement,
    maxReplicas: config.maxReplicas,
    duplicateLatencyRequirement: true,
    ...(podSuffix ? { podSuffix } : {}),
  };
}

/**
 * The osmotic scale-schedule optimizer (reference §5): every reconcile interval, the replica that
 * holds the lease reads the context, computes every gateway's pressure, decides scale-ups and
 * scale-downs, and publishes the records and `scale_schedule` events. The pod-creator acts on them.
 */
export function createScaleScheduleOptimizer(deps: ScaleScheduleOptimizerDeps): ScaleScheduleOptimizer {
  const { bus, redis, config, logger } = deps;
  const params = optimizerParameters(config, deps.podSuffix);
  const owner = config.instance ?? `${hostname()}:${process.pid}`;
  const lease = createLeaderLease(redis, {
    key: `${config.redis.keyPrefix}scale-schedule-optimizer:leader`,
    owner,
    ttlMs: Math.max(5_000, 3 * config.reconcileInterval),
  });
  const registry = new Registry();
  const rounds = new Counter({
    name: 'galileo_optimizer_rounds_total',
    help: 'Rounds run, by role.',
    labelNames: ['role'],
    registers: [registry],
  });
  const actions = new Counter({
    name: 'galileo_optimizer_actions_total',
    help: 'scale_schedule events published.',
    labelNames: ['action'],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'galileo_optimizer_skips_total',
    help: 'Items a round left out.',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'galileo_optimizer_round_failures_total',
    help: 'Rounds that failed.',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'galileo_optimizer_round_seconds',
    help: 'Compute time of a round.',
    registers: [registry],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5],
  });
  const leaderGauge = new Gauge({
    name: 'galileo_optimizer_leader',
    help: '1 while this replica holds the lease.',
    registers: [registry],
  });

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;
  let lastRoundAt = 0;
  let health: HealthServer | null = null;

  const runRound = async (): Promise<RoundSummary> => {
    const empty = {
      rows: 0,
      records: 0,
      creates: 0,
      deletes: 0,
      skips: [],
      computeMs: 0,
      dryRun: config.dryRun,
    };
    const leader = await lease.acquire();
    leaderGauge.set(leader ? 1 : 0);
    lastRoundAt = Date.now();
    if (!leader) {
      rounds.inc({ role: 'follower' });
      return { leader: false, ...empty };
    }
    const input = await deps.input();
    const t0 = performance.now();
    const round = runOsmoticRound(input, params);
    const computeMs = performance.now() - t0;
    duration.observe(computeMs / 1000);
    const records = await publishRecords(bus, redis, round.records(), {
      dryRun: config.dryRun,
      mirror: config.mirror,
      ...(config.records ? { only: new Set<string>(config.records) } : {}),
      ...(deps.mirrorChannel ? { channel: deps.mirrorChannel } : {}),
    });
    const creates = round.actions.filter((a) => !a.delete).length;
    const deletes = round.actions.length - creates;
    rounds.inc({ role: 'leader' });
    actions.inc({ action: 'create' }, creates);
    actions.inc({ action: 'delete' }, deletes);
    skipped.inc(round.skips.length);
    for (const a of round.actions) {
      logger.info(
        {
          fn: a.fn,
          pod: a.pod.pod_name,
          origin_zone: a.origin_zone,
          dest_zone: a.dest_zone,
          delete: a.delete,
          value: a.value,
          dryRun: config.dryRun,
        },
        a.delete ? 'scale down' : 'scale up',
      );
    }
    for (const s of round.skips) logger.debug({ ...s }, `skipped: ${s.reason}`);
    const noHost = round.skips.filter((s) => s.reason.startsWith('no zone can host'));
    if (noHost.length > 0)
      logger.warn(
        { count: noHost.length, first: noHost[0] },
        'scale-ups skipped: no zone can host another replica',
      );
    return {
      leader: true,
      rows: round.rowCount,
      records,
      creates,
      deletes,
      skips: round.skips,
      computeMs,
      dryRun: config.dryRun,
    };
  };

  const loop = () => {
    if (stopped) return;
    const started = Date.now();
    running = runRound()
      .catch((e: unknown) => {
        failures.inc();
        logger.error({ err: e }, 'optimizer round failed; trying again next interval');
      })
      .finally(() => {
        running = null;
        if (stopped) return;
        timer = setTimeout(loop, Math.max(0, config.reconcileInterval - (Date.now() - started)));
      });
  };

  return {
    get metrics() {
      return registry;
    },
    get httpPort() {
      return health?.port ?? null;
    },
    runRound,
    async start() {
      stopped = false;
      if (config.httpPort > 0) {
        health = await startHealthServer({
          port: config.httpPort,
          host: config.httpHost,
          registry,
          health: () => ({
            healthy:
              !stopped &&
              (lastRoundAt === 0 || Date.now() - lastRoundAt < 3 * config.reconcileInterval + 30_000),
            lastRoundAt: lastRoundAt ? new Date(lastRoundAt).toISOString() : null,
          }),
        });
      }
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await lease.release().catch(() => undefined);
      await health?.close();
      health = null;
    },
  };
}
