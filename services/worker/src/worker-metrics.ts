import { registerBusMetrics, type Bus } from '@galileo/bus';
import type { GalileoCatalogue } from '@galileo/events';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ClientGroupInfo } from '@galileo/workers';
import type { TraceBatcherStats } from './trace-batcher.js';

export interface WorkerMetricsSource {
  groups(): ClientGroupInfo[];
  traces(): TraceBatcherStats;
}

const GROUP_COUNTERS: [keyof ClientGroupInfo, string, string][] = [
  ['requests', 'galileo_worker_requests_total', 'Requests sent (routing failures included).'],
  ['failures', 'galileo_worker_failures_total', 'Requests with status < 0 or >= 300.'],
  [
    'late',
    'galileo_worker_late_requests_total',
    'Requests sent later than the lateness threshold after their intended time.',
  ],
  [
    'dropped',
    'galileo_worker_dropped_requests_total',
    'Requests not sent: due while the group was at its bound of outstanding requests.',
  ],
];

const QUANTILES: [string, 'p50' | 'p90' | 'p99' | 'p999' | 'max'][] = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
  ['1', 'max'],
];

/**
 * The worker's Prometheus metrics, read from the groups' own counters and histograms when scraped
 * (nothing is updated per request). Counters of closed groups leave with them.
 */
export function createWorkerMetrics(source: WorkerMetricsSource, bus?: Bus<GalileoCatalogue>): Registry {
  const registry = new Registry();
  const labelNames = ['service', 'group'] as const;
  const labels = (g: ClientGroupInfo) => ({ service: g.service, group: g.groupId });

  for (const [field, name, help] of GROUP_COUNTERS) {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const g of source.groups()) this.inc(labels(g), g[field] as number);
      },
    });
  }
  new Gauge({
    name: 'galileo_worker_in_flight',
    help: 'Requests outstanding.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const g of source.groups()) this.set(labels(g), g.inFlight);
    },
  });
  new Gauge({
    name: 'galileo_worker_achieved_rate',
    help: 'Requests per second of the current workload.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const g of source.groups()) this.set(labels(g), g.achievedRate);
    },
  });
  new Gauge({
    name: 'galileo_worker_latency_seconds',
    help: 'Latency quantiles from the HdrHistograms: measure=service_time (from the actual send) or response_time (from the intended send time, free of coordinated omission).',
    labelNames: [...labelNames, 'measure', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of source.groups()) {
        for (const [measure, summary] of [
          ['service_time', g.latencyMs.serviceTime],
          ['response_time', g.latencyMs.responseTime],
        ] as const) {
          if (summary.count === 0) continue;
          for (const [quantile, key] of QUANTILES) {
            this.set({ ...labels(g), measure, quantile }, summary[key] / 1000);
          }
        }
      }
    },
  });
  for (const [field, name, help] of [
    ['published', 'galileo_worker_traces_published_total', 'Traces published on the bus.'],
    ['dropped', 'galileo_worker_traces_dropped_total', 'Traces dropped because the buffer was full.'],
    ['failed', 'galileo_worker_traces_failed_total', 'Traces lost because publishing failed.'],
    [
      'flushes',
      'galileo_worker_trace_flushes_total',
      'Trace batches published (publishBatch calls); published / flushes is the mean batch.',
    ],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(source.traces()[field]);
      },
    });
  }
  new Gauge({
    name: 'galileo_worker_traces_buffered',
    help: 'Traces waiting to be published.',
    registers: [registry],
    collect() {
      this.set(source.traces().buffered);
    },
  });
  if (bus) registerBusMetrics(bus, registry);
  collectDefaultMetrics({ register: registry });
  return registry;
}
