import type { SetWorkload } from '@galileo/events';
import {
  createSchedule,
  findArrivalProcess,
  prerecordedFromRedisList,
  type ArrivalSchedule,
} from '@galileo/workload';

/** What a SetWorkload asks of a group: a schedule per client, or a pause (galileo's `rps(0)`). */
export type WorkloadPlan = { kind: 'pause' } | { kind: 'schedules'; schedules: ArrivalSchedule[] };

export interface PlanContext {
  clientIds: readonly string[];
  /** Epoch ms the schedules start from (the first request leaves one interarrival later). */
  startMs: number;
  /** Reads the clients' prerecorded profiles (the Redis LIST named by each client id, LRANGE 0 -1). */
  readProfiles(clientIds: readonly string[]): Promise<string[][]>;
}

/**
 * Turns a SetWorkload into one arrival schedule per client, or an error value saying what was
 * wrong (an unknown process, bad parameters, a negative rate, an empty profile …). Pure apart from
 * reading profiles; nothing is started and no profile is consumed here.
 *
 * - `rate` is requests per second **per client** (galileo gives every client of a group the
 *   rate); `rate: 0` without stages pauses, as galileo's `rps(0)`;
 * - `process` defaults to `constant`; with neither rate, stages nor params there is nothing to say
 *   when requests leave, which is an error (galileo's client crashed on it);
 * - `prerecorded` replays each client's own profile; given params are ignored, as in galileo;
 * - `n` is per client: exactly n requests (galileo sent n − 1);
 * - client i draws from the seed `<seed>:<i>`, or from its client id when no seed is given.
 */
export async function planWorkload(
  workload: Omit<SetWorkload, 'groupId'>,
  context: PlanContext,
): Promise<{ ok: true; value: WorkloadPlan } | { ok: false; error: string }> {
  const process = workload.process ?? 'constant';
  if (workload.rate === 0 && workload.stages === undefined) return { ok: true, value: { kind: 'pause' } };
  const known = findArrivalProcess(process);
  const prerecorded = known?.name === 'prerecorded';
  if (
    known &&
    !prerecorded &&
    workload.rate === undefined &&
    workload.stages === undefined &&
    workload.params === undefined
  ) {
    return {
      ok: false,
      error: `Invalid workload: nothing says when requests leave; give rate (requests/s per client), stages, or params of '${process}' (${known.signature})`,
    };
  }

  let profiles: number[][] | null = null;
  if (prerecorded) {
    const lists = await context.readProfiles(context.clientIds);
    profiles = [];
    for (const [i, list] of lists.entries()) {
      const clientId = context.clientIds[i]!;
      if (list.length === 0) {
        return {
          ok: false,
          error: `Prerecorded profile of client '${clientId}' is empty: LPUSH its interarrival times (seconds) onto the Redis list '${clientId}' first`,
        };
      }
      const parsed = prerecordedFromRedisList(list);
      if (!parsed.ok) return { ok: false, error: `Client '${clientId}': ${parsed.error.message}` };
      profiles.push(parsed.value);
    }
  }

  const schedules: ArrivalSchedule[] = [];
  for (const [i, clientId] of context.clientIds.entries()) {
    const schedule = createSchedule({
      process,
      ...(profiles
        ? { params: profiles[i] }
        : workload.params !== undefined
          ? { params: workload.params }
          : {}),
      ...(workload.rate !== undefined && !prerecorded ? { rate: workload.rate } : {}),
      ...(workload.stages !== undefined ? { stages: workload.stages } : {}),
      ...(workload.ramp !== undefined ? { ramp: workload.ramp as 'linear' | 'step' } : {}),
      ...(workload.n !== undefined && workload.n !== null ? { n: workload.n } : {}),
      seed: workload.seed === undefined ? clientId : `${workload.seed}:${i}`,
      startMs: context.startMs,
    });
    if (!schedule.ok) return { ok: false, error: schedule.error.message };
    schedules.push(schedule.value);
  }
  return { ok: true, value: { kind: 'schedules', schedules } };
}
