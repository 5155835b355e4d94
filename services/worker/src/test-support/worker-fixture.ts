import { createBus, type Bus } from '@galileo/bus';
import {
  galileoCatalogue,
  tracesOf,
  type CatalogueEvent,
  type GalileoCatalogue,
  type RequestTrace,
} from '@galileo/events';
import { createLogger, createTestLogger, type Logger, type TestLogger } from '@galileo/logging';
import { createRoutingTable, type RoutingTable } from '@galileo/routing';
import { createSampleApp, type SampleApp } from '@galileo/sample-app';
import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { loadWorkerConfig, type WorkerConfig } from '../config.js';
import { createWorker, type Worker } from '../worker.js';
import { createWorkerClient, type WorkerClient } from '@galileo/workers';

export interface CollectedTrace {
  trace: RequestTrace;
  correlationId: string | null;
}

export interface WorkerFixture {
  readonly ctx: RedisTestContext;
  /** The test's own bus (the "experiment daemon" side). */
  readonly bus: Bus<GalileoCatalogue>;
  readonly client: WorkerClient;
  readonly table: RoutingTable;
  /** `127.0.0.1:<port>` of the sample app, routed as service `svc`. */
  readonly appHost: string;
  /** Starts a worker on its own connection and bus; stopped by cleanup unless stopped before. */
  startWorker(options?: { name?: string; env?: Record<string, string>; logger?: Logger }): Promise<Worker>;
  /** Collects every trace published from now on (subscribe before starting a workload). */
  collectTraces(): Promise<{ traces: CollectedTrace[] }>;
  /** Collects every event on `galileo.workers.>`. */
  collectWorkerEvents(): Promise<CatalogueEvent<GalileoCatalogue>[]>;
  testLogger(): TestLogger;
  cleanup(): Promise<void>;
}

export function workerTestConfig(prefix: string, env: Record<string, string> = {}): WorkerConfig {
  const loaded = loadWorkerConfig({
    galileo_redis_key_prefix: prefix,
    galileo_logging_level: 'silent',
    galileo_worker_trace_flush_interval: '50ms',
    ...env,
  });
  if (!loaded.ok) throw loaded.error;
  return loaded.value;
}

/** A real Redis slice, a sample app routed as `svc`, and workers on demand — all cleaned up. */
export async function workerFixture(label: string, app?: SampleApp): Promise<WorkerFixture> {
  const ctx = redisTestContext(label);
  const buses: Bus<GalileoCatalogue>[] = [];
  const workers: Worker[] = [];
  const makeBus = (source: string) => {
    const bus = createBus({
      redis: ctx.redis,
      catalogue: galileoCatalogue,
      source,
      prefix: ctx.prefix,
      trimIntervalMs: 0,
      streamRefreshMs: 100,
    });
    buses.push(bus);
    return bus;
  };
  const bus = makeBus('test');
  const sampleApp = app ?? createSampleApp({ host: '127.0.0.1' });
  const { port } = await sampleApp.start();
  const table = createRoutingTable(ctx.redis, { prefix: ctx.prefix });
  await table.setRecord({ service: 'svc', hosts: [`127.0.0.1:${port}`] });
  let groupCounter = 0;

  return {
    ctx,
    bus,
    client: createWorkerClient(bus),
    table,
    appHost: `127.0.0.1:${port}`,
    async startWorker(options = {}) {
      const name = options.name ?? 'w1';
      const redis = ctx.connect();
      const workerBus = createBus({
        redis,
        catalogue: galileoCatalogue,
        source: `worker/${name}`,
        prefix: ctx.prefix,
        trimIntervalMs: 0,
        streamRefreshMs: 100,
      });
      buses.push(workerBus);
      const worker = createWorker({
        bus: workerBus,
        redis,
        config: workerTestConfig(ctx.prefix, { galileo_worker_name: name, ...options.env }),
        logger: options.logger ?? createLogger({ service: 'worker', level: 'silent' }),
      });
      await worker.start();
      workers.push(worker);
      return worker;
    },
    async collectTraces() {
      const collected = { traces: [] as CollectedTrace[] };
      await bus.subscribe('galileo.traces.>', {
        group: `test-traces-${groupCounter++}`,
        startAt: 'new',
        concurrency: 1,
        batchSize: 1000,
        blockMs: 100,
        handler: (event) => {
          for (const trace of tracesOf(event))
            collected.traces.push({ trace, correlationId: event.correlationId });
        },
      });
      return collected;
    },
    async collectWorkerEvents() {
      const events: CatalogueEvent<GalileoCatalogue>[] = [];
      await bus.subscribe('galileo.workers.>', {
        group: `test-workers-${groupCounter++}`,
        startAt: 'new',
        blockMs: 100,
        handler: (event) => void events.push(event),
      });
      return events;
    },
    testLogger: () => createTestLogger({ service: 'worker', level: 'info' }),
    async cleanup() {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(buses.map((b) => b.close()));
      await sampleApp.stop();
      await ctx.cleanup();
    },
  };
}

/** Waits until `count` traces arrived (and returns them). */
export async function tracesArrived(
  collected: { traces: CollectedTrace[] },
  count: number,
  timeoutMs = 10_000,
): Promise<CollectedTrace[]> {
  await waitFor(() => collected.traces.length >= count, {
    timeoutMs,
    what: `${count} traces (have ${collected.traces.length})`,
  });
  return collected.traces;
}
