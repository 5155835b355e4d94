import type { RequestTrace } from '@galileo/events';
import { waitFor } from '@galileo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkloadDescription } from '@galileo/workers';
import { tracesArrived, workerFixture, type WorkerFixture } from './test-support/worker-fixture.js';

let fx: WorkerFixture;
afterEach(async () => fx?.cleanup());

/** Interarrival times (s) of one client's intended send times, in request order. */
function interarrivals(traces: RequestTrace[], client: string): number[] {
  const created = traces
    .filter((t) => t.client === client)
    .sort((a, b) => Number(a.request_id.split(':')[1]) - Number(b.request_id.split(':')[1]))
    .map((t) => t.created);
  return created.slice(1).map((c, i) => c - created[i]!);
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

async function run(
  workload: WorkloadDescription,
  clients = 1,
): Promise<{ traces: RequestTrace[]; clientIds: string[] }> {
  const collected = await fx.collectTraces();
  const group = await fx.client.spawn('w1', { service: 'svc', clients });
  await fx.client.setWorkload(group, workload);
  const traces = await tracesArrived(collected, (workload.n ?? 0) * clients);
  await fx.client.close(group);
  return { traces: traces.map((t) => t.trace), clientIds: group.clientIds };
}

describe('arrival processes through the worker', () => {
  it.each([
    ['exponential (rate form)', { process: 'exponential', rate: 1_000, n: 400, seed: 1 }, 0.001],
    ['expovariate(lambd)', { process: 'expovariate', params: [800], n: 400, seed: 2 }, 1 / 800],
    ['uniform(a, b)', { process: 'uniform', params: [0.0005, 0.0025], n: 400, seed: 3 }, 0.0015],
    ['gammavariate(alpha, beta)', { process: 'gammavariate', params: [2, 0.0006], n: 400, seed: 4 }, 0.0012],
  ] as const)('%s has the expected mean interarrival', async (_name, workload, expectedMean) => {
    fx = await workerFixture('worker-processes');
    await fx.startWorker();
    const { traces, clientIds } = await run(workload);
    const gaps = interarrivals(traces, clientIds[0]!);
    expect(gaps).toHaveLength(399);
    // the draws are seeded, so this is exact to the schedule, not a statistical gamble on timing
    expect(mean(gaps)).toBeGreaterThan(expectedMean * 0.85);
    expect(mean(gaps)).toBeLessThan(expectedMean * 1.15);
    expect(Math.min(...gaps)).toBeGreaterThan(0);
  });

  it('ramps linearly through stages: 0 → 200 req/s over 500 ms is exactly 50 constant arrivals, then done', async () => {
    fx = await workerFixture('worker-ramp');
    await fx.startWorker();
    const collected = await fx.collectTraces();
    const events = await fx.collectWorkerEvents();
    const group = await fx.client.spawn('w1', { service: 'svc' });
    await fx.client.setWorkload(group, { rate: 0, stages: [{ durationMs: 500, target: 200 }] });
    await waitFor(() => events.some((e) => e.type === 'WorkloadDone'), { what: 'WorkloadDone' });
    const created = collected.traces.map((t) => t.trace.created).sort((a, b) => a - b);
    expect(created).toHaveLength(50);
    // Λ(t) = 200·t²/(2·0.5 s): the k-th arrival is at √(k/200) s, denser and denser
    const gaps = created.slice(1).map((c, i) => c - created[i]!);
    expect(gaps[0]!).toBeGreaterThan(gaps.at(-1)!);
    expect(created.at(-1)! - created[0]!).toBeCloseTo(Math.sqrt(50 / 200) - Math.sqrt(1 / 200), 4);
  });

  it('gives the same schedule for the same seed, another for another seed; each client its own', async () => {
    fx = await workerFixture('worker-seed');
    await fx.startWorker();
    const workload = { process: 'expovariate', params: [1_000], n: 50 } as const;
    const a = await run({ ...workload, seed: 'exp-1' }, 2);
    const b = await run({ ...workload, seed: 'exp-1' }, 2);
    const c = await run({ ...workload, seed: 'exp-2' }, 2);
    const gapsOf = (r: typeof a, i: number) => interarrivals(r.traces, r.clientIds[i]!);
    for (const i of [0, 1]) {
      const [x, y] = [gapsOf(a, i), gapsOf(b, i)];
      expect(x).toHaveLength(49);
      x.forEach((gap, k) => expect(gap).toBeCloseTo(y[k]!, 6));
      expect(gapsOf(c, i).slice(0, 5)).not.toEqual(x.slice(0, 5));
    }
    expect(gapsOf(a, 0)[0]).not.toBeCloseTo(gapsOf(a, 1)[0]!, 6);
  });
});
