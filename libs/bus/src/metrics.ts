import { Counter, Gauge, type Registry } from 'prom-client';
import type { Catalogue } from '@galileo/events';
import type { Bus } from './bus.js';
import type { SubscriptionStats } from './types.js';

const COUNTERS: [keyof SubscriptionStats, string, string][] = [
  ['delivered', 'galileo_bus_delivered_total', 'Messages handled and acknowledged.'],
  ['failed', 'galileo_bus_handler_failures_total', 'Handler calls that threw.'],
  ['retried', 'galileo_bus_retries_total', 'Redeliveries after a failed handler.'],
  ['deadLettered', 'galileo_bus_dead_lettered_total', 'Messages moved to a dead-letter stream.'],
  ['reclaimed', 'galileo_bus_reclaimed_total', 'Messages taken over from an idle consumer.'],
  ['expired', 'galileo_bus_expired_requests_total', 'Requests that arrived after their deadline.'],
];

/** Registers the bus's per-subscription figures (counters, lag, in-flight) with prom-client. */
export function registerBusMetrics<C extends Catalogue>(bus: Bus<C>, registry: Registry): void {
  const labelNames = ['group', 'pattern'] as const;
  const labels = (s: SubscriptionStats) => ({ group: s.group, pattern: s.pattern });
  for (const [field, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const sub of bus.subscriptions()) {
          const s = sub.stats();
          this.inc(labels(s), s[field] as number);
        }
      },
    });
  }
  new Gauge({
    name: 'galileo_bus_in_flight',
    help: 'Messages being handled or buffered by this process.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const sub of bus.subscriptions()) {
        const s = sub.stats();
        this.set(labels(s), s.inFlight + s.buffered);
      }
    },
  });
  new Gauge({
    name: 'galileo_bus_lag',
    help: 'Messages of the group not yet acknowledged: kind=pending (delivered) or behind (not yet delivered).',
    labelNames: [...labelNames, 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const sub of bus.subscriptions()) {
        const s = sub.stats();
        const lag = await sub.lag().catch(() => null);
        if (!lag) continue;
        this.set({ ...labels(s), kind: 'pending' }, lag.pending);
        this.set({ ...labels(s), kind: 'behind' }, lag.behind);
      }
    },
  });
}
