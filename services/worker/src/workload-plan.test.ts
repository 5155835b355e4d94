import { describe, expect, it } from 'vitest';
import { planWorkload, type PlanContext } from './workload-plan.js';

const context = (profiles: string[][] = []): PlanContext => ({
  clientIds: ['w1:svc:0', 'w1:svc:1'],
  startMs: 1_000,
  readProfiles: async () => profiles,
});

const firstTimes = (schedule: Iterator<number>, count: number) =>
  Array.from({ length: count }, () => schedule.next().value as number);

describe('planning a SetWorkload', () => {
  it('gives every client the rate (galileo: rps per client), exactly n requests', async () => {
    const plan = await planWorkload({ rate: 100, n: 3 }, context());
    if (!plan.ok || plan.value.kind !== 'schedules') throw new Error('expected schedules');
    for (const schedule of plan.value.schedules) expect([...schedule]).toEqual([1_010, 1_020, 1_030]);
  });

  it('pauses on rate 0, like galileo rps(0)', async () => {
    expect(await planWorkload({ rate: 0 }, context())).toEqual({ ok: true, value: { kind: 'pause' } });
  });

  it('seeds each client differently but reproducibly', async () => {
    const run = async (seed?: string) => {
      const plan = await planWorkload(
        { process: 'expovariate', params: [10], ...(seed ? { seed } : {}) },
        context(),
      );
      if (!plan.ok || plan.value.kind !== 'schedules') throw new Error('expected schedules');
      return plan.value.schedules.map((s) => firstTimes(s, 3));
    };
    const [a, b, other, byClientId] = [await run('s'), await run('s'), await run('t'), await run()];
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    expect(other[0]).not.toEqual(a[0]);
    expect(byClientId).toEqual(await run());
  });

  it('replays each client its own prerecorded profile', async () => {
    const plan = await planWorkload({ process: 'prerecorded' }, context([['0.2', '0.1'], ['1']]));
    if (!plan.ok || plan.value.kind !== 'schedules') throw new Error('expected schedules');
    expect([...plan.value.schedules[0]!]).toEqual([1_100, 1_300]);
    expect([...plan.value.schedules[1]!]).toEqual([2_000]);
  });

  it('answers what is wrong', async () => {
    const cases: [Parameters<typeof planWorkload>[0], RegExp, string[][]?][] = [
      [{ rate: -1 }, /rate: must be ≥ 0/],
      [{ process: 'zipf', rate: 1 }, /Unknown arrival process 'zipf'/],
      [{ n: 5 }, /nothing says when requests leave/],
      [{ process: 'betavariate', params: [1] }, /beta: is required/],
      [{ rate: 10, ramp: 'linear' }, /ramp/],
      [{ rate: 10, ramp: 'zigzag', stages: [{ durationMs: 10, target: 1 }] }, /ramp/],
      [{ process: 'prerecorded' }, /w1:svc:0' is empty/, [[], []]],
      [{ process: 'prerecorded' }, /Client 'w1:svc:1': Prerecorded profile: element 0/, [['1'], ['x']]],
    ];
    for (const [workload, reason, profiles] of cases) {
      const plan = await planWorkload(workload, context(profiles));
      expect(plan.ok, String(reason)).toBe(false);
      if (!plan.ok) expect(plan.error).toMatch(reason);
    }
  });
});
