import { afterEach, describe, expect, it } from 'vitest';
import { tracesArrived, workerFixture, type WorkerFixture } from './test-support/worker-fixture.js';

let fx: WorkerFixture;
afterEach(async () => fx?.cleanup());

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

describe('rate accuracy (real HTTP against the sample app)', () => {
  it('holds 200 req/s within 2 % over 10 s and sends each request within about a millisecond of its time', async () => {
    fx = await workerFixture('worker-rate');
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    const started = Date.now();
    await fx.client.setWorkload(group, { rate: 200 });
    await new Promise((resolve) => setTimeout(resolve, 10_000 - (Date.now() - started)));
    const paused = await fx.client.pause(group);
    const traces = (await tracesArrived(collected, paused.requests)).map((t) => t.trace);

    // the count over 10 s, and the rate between the first and the last send
    expect(paused.requests).toBeGreaterThanOrEqual(2_000 * 0.98);
    expect(paused.requests).toBeLessThanOrEqual(2_000 * 1.02);
    const sent = traces.map((t) => t.sent).sort((a, b) => a - b);
    const rate = (sent.length - 1) / (sent.at(-1)! - sent[0]!);
    expect(rate).toBeGreaterThan(200 * 0.98);
    expect(rate).toBeLessThan(200 * 1.02);
    expect(paused.achievedRate).toBeCloseTo(200, -1);

    // open loop: every request left at its intended time, none was dropped or late
    const errorsMs = traces.map((t) => (t.sent - t.created) * 1000).sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        requests: paused.requests,
        rate: Number(rate.toFixed(2)),
        sendErrorMs: {
          p50: quantile(errorsMs, 0.5),
          p90: quantile(errorsMs, 0.9),
          p99: quantile(errorsMs, 0.99),
          max: errorsMs.at(-1),
        },
        late: paused.late,
        dropped: paused.dropped,
        latencyMs: paused.latencyMs,
      }),
    );
    expect(paused).toMatchObject({ failures: 0, dropped: 0 });
    expect(Math.abs(quantile(errorsMs, 0.5))).toBeLessThan(1);
    expect(quantile(errorsMs, 0.9)).toBeLessThan(2);
    expect(traces.every((t) => t.status === 200)).toBe(true);
  }, 30_000);
});
