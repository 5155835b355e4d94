import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { waitFor } from '@galileo/testing';
import { registerBusMetrics } from './metrics.js';
import { busFixture, note, type BusFixture } from './test-support/bus-fixture.js';

let fx: BusFixture;
afterEach(async () => fx?.cleanup());

describe('observability (real Redis)', () => {
  it('reports lag, deliveries, failures and dead letters as an object and through prom-client', async () => {
    fx = busFixture('metrics');
    const bus = fx.makeBus();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = await bus.subscribe('galileo.metrics.x', {
      group: 'obs',
      batchSize: 5,
      maxDeliveries: 1,
      handler: async (e) => {
        if (e.type === 'GalileoEvent' && e.data.name === 'bad') throw new Error('nope');
        await gate;
      },
    });
    await bus.publishBatch(
      [note('bad'), ...Array.from({ length: 19 }, () => note('ok'))].map((draft) => ({
        subject: 'galileo.metrics.x',
        draft,
      })),
    );
    await waitFor(() => sub.stats().deadLettered === 1 && sub.stats().inFlight === 1);
    const lag = await sub.lag();
    expect(lag.pending + lag.behind).toBe(19);
    expect(lag.behind).toBeGreaterThan(0);

    const registry = new Registry();
    registerBusMetrics(bus, registry);
    const text = await registry.metrics();
    expect(text).toContain('galileo_bus_dead_lettered_total{group="obs",pattern="galileo.metrics.x"} 1');
    expect(text).toContain('galileo_bus_handler_failures_total{group="obs",pattern="galileo.metrics.x"} 1');
    expect(text).toMatch(/galileo_bus_lag\{group="obs",pattern="galileo.metrics.x",kind="behind"\} \d+/);

    release();
    await waitFor(() => sub.stats().delivered === 19);
    await waitFor(async () => {
      const l = await sub.lag();
      return l.pending === 0 && l.behind === 0;
    });
    expect(await registry.metrics()).toContain(
      'galileo_bus_delivered_total{group="obs",pattern="galileo.metrics.x"} 19',
    );
  });
});
