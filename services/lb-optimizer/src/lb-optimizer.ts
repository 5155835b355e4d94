import { GALILEO_EVENTS_CHANNEL, formatGalileoEventLine, type Bus } from '@galileo/bus';
import type { GalileoContext } from '@galileo/context';
import {
  WEIGHT_UPDATE_EVENT,
  galileoSubjects,
  type GalileoCatalogue,
  type WeightUpdate,
} from '@galileo/events';
import { formatFunctionWeights, sameWeights, type FunctionWeights, type WeightStore } from '@galileo/kv';
import type { Logger } from '@galileo/logging';
import { Counter, Histogram, type Registry } from 'prom-client';
import { heuristicInput } from './context-input.js';
import { computeFunctionWeights, type HeuristicParams } from './weight-heuristic.js';

export interface LbOptimizerDeps {
  context: GalileoContext;
  store: WeightStore;
  /** Where `weight_update` GalileoEvents go. */
  bus: Bus<GalileoCatalogue>;
  logger: Logger;
  params: HeuristicParams;
  /** `osmotic_lb_opt_lookback` (s). */
  lookbackSeconds: number;
  /** `osmotic_lb_opt_reconcile_interval` in ms. */
  intervalMs: number;
  /** `osmotic_lb_opt_threshold_<fn>`; 1 (free CPU) for the others. */
  thresholds?: Readonly<Record<string, number>>;
  /**
   * Also publish each `weight_update` line on pub/sub `galileo/events` (`osmotic_lb_opt_mirror_events`),
   * marked like the bus mirror's lines so an ingest bridge does not feed it back.
   */
  mirrorEvents?: boolean;
  registry?: Registry;
  /** Epoch seconds for the event `ts` (default: the context's clock). */
  clock?: () => number;
}

export interface ReconcileReport {
  readonly functions: number;
  readonly computed: number;
  readonly written: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly failed: number;
  readonly durationMs: number;
}

export interface LbOptimizer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** One run now (the loop calls this every interval). */
  reconcile(): Promise<ReconcileReport>;
  /** What was last written (or found in the store) per `zone/fn`. */
  written(zone: string, fn: string): FunctionWeights | undefined;
  readonly lastReport: ReconcileReport | undefined;
}

/**
 * lb-opt (reference §4): every interval, weights per function and zone from the context with the
 * shipped heuristic (free CPU, or headroom below `osmotic_lb_opt_threshold_<fn>`, × the logistic
 * latency penalty; other zones' gateways), written to the weight store only when a value changed,
 * each write followed by a `weight_update` event.
 */
export function createLbOptimizer(deps: LbOptimizerDeps): LbOptimizer {
  const { context, store, bus, logger } = deps;
  const clock = deps.clock ?? (() => context.now());
  const thresholds = deps.thresholds ?? {};
  const known = new Map<string, FunctionWeights>();
  const loadedZones = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReconcileReport> | undefined;
  let stopped = true;
  let lastReport: ReconcileReport | undefined;

  const metrics = deps.registry && {
    duration: new Histogram({
      name: 'osmotic_lb_opt_reconcile_seconds',
      help: 'Duration of one reconcile run',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.2, 0.5, 1, 5],
      registers: [deps.registry],
    }),
    writes: new Counter({
      name: 'osmotic_lb_opt_writes_total',
      help: 'Weight values written',
      registers: [deps.registry],
    }),
    unchanged: new Counter({
      name: 'osmotic_lb_opt_unchanged_total',
      help: 'Weight values not written: unchanged',
      registers: [deps.registry],
    }),
    failures: new Counter({
      name: 'osmotic_lb_opt_write_failures_total',
      help: 'Writes that failed (retried next run)',
      registers: [deps.registry],
    }),
  };

  const key = (zone: string, fn: string) => `${zone}/${fn}`;

  const loadZone = async (zone: string) => {
    if (loadedZones.has(zone)) return;
    try {
      const listing = await store.list(zone);
      for (const e of listing.entries) if (!known.has(key(zone, e.fn))) known.set(key(zone, e.fn), e.weights);
      loadedZones.add(zone);
    } catch (e) {
      logger.warn(
        { zone, err: e },
        'could not read the stored weights; every value of the zone will be written',
      );
    }
  };

  const run = async (): Promise<ReconcileReport> => {
    const t0 = performance.now();
    const zones = context.zones();
    await Promise.all(zones.map(loadZone));
    const functions = context.functions();
    const cpuShares = new Map<string, number | undefined>();
    const changes: { zone: string; fn: string; weights: FunctionWeights }[] = [];
    let computed = 0;
    let unchanged = 0;
    let skipped = 0;
    for (const fn of functions) {
      const input = heuristicInput(context, fn, {
        params: deps.params,
        threshold: thresholds[fn] ?? 1,
        lookbackSeconds: deps.lookbackSeconds,
        zones,
        cpuShares,
      });
      for (const result of computeFunctionWeights(input)) {
        if (!result.weights) {
          skipped++; // never write an empty list
          continue;
        }
        computed++;
        if (sameWeights(known.get(key(result.zone, fn)), result.weights)) {
          unchanged++;
          continue;
        }
        changes.push({ zone: result.zone, fn, weights: result.weights });
      }
    }
    let written = 0;
    let failed = 0;
    const updates: WeightUpdate[] = [];
    await Promise.all(
      changes.map(async ({ zone, fn, weights }) => {
        try {
          await store.put(zone, fn, weights);
        } catch (e) {
          failed++;
          logger.warn({ zone, fn, err: e }, 'writing weights failed; retrying on the next run');
          return;
        }
        known.set(key(zone, fn), weights);
        written++;
        updates.push({
          ts: clock(),
          fn,
          zone,
          weights: { ips: [...weights.ips], weights: [...weights.weights] },
        });
        logger.debug({ zone, fn, weights: formatFunctionWeights(weights) }, 'weights written');
      }),
    );
    // One appended batch for the run's events (a bus script call each would dominate a large first run).
    for (let i = 0; i < updates.length; i += 500) {
      const batch = updates.slice(i, i + 500);
      try {
        await bus.publishBatch(
          batch.map((value) => ({
            subject: galileoSubjects.events(WEIGHT_UPDATE_EVENT),
            draft: {
              type: 'GalileoEvent' as const,
              data: { name: WEIGHT_UPDATE_EVENT, value, timestamp: value.ts },
            },
          })),
        );
        if (deps.mirrorEvents) {
          for (const value of batch) {
            const line = formatGalileoEventLine({ name: WEIGHT_UPDATE_EVENT, value, timestamp: value.ts });
            await bus.internals.markMirrored(GALILEO_EVENTS_CHANNEL, line);
            await bus.internals.cmd.publish(GALILEO_EVENTS_CHANNEL, line);
          }
        }
      } catch (e) {
        logger.warn({ err: e, events: batch.length }, 'publishing weight_update events failed');
      }
    }
    const durationMs = performance.now() - t0;
    metrics?.duration.observe(durationMs / 1000);
    metrics?.writes.inc(written);
    metrics?.unchanged.inc(unchanged);
    metrics?.failures.inc(failed);
    lastReport = { functions: functions.length, computed, written, unchanged, skipped, failed, durationMs };
    if (written > 0 || failed > 0) logger.info(lastReport, 'reconciled');
    return lastReport;
  };

  const reconcile = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      reconcile()
        .catch((e: unknown) => logger.error({ err: e }, 'reconcile run failed'))
        .finally(loop);
    }, deps.intervalMs);
  };

  return {
    reconcile,
    written: (zone, fn) => known.get(key(zone, fn)),
    get lastReport() {
      return lastReport;
    },
    async start() {
      stopped = false;
      loop();
      logger.info({ intervalMs: deps.intervalMs, store: store.kind, thresholds }, 'lb-optimizer started');
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
