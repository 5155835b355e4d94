import { ok, err } from '../result.js';
import { describeValue } from '../issue-messages.js';
import { clampInterarrival, type ArrivalProcess } from './arrival-process.js';

/**
 * galileo's `prerecorded` profile: a fixed list of interarrival times in seconds, replayed in order;
 * the schedule ends when the list is exhausted (galileo then publishes WorkloadDoneEvent).
 * galileo read the list from Redis itself; here the worker reads it (see
 * `prerecordedFromRedisList`) and passes the numbers as params. Zeros are clamped to 1e-11 s.
 */
export const prerecordedProcess: ArrivalProcess = {
  name: 'prerecorded',
  aliases: [],
  signature: 'prerecorded([ia0, ia1, …]): interarrival times in seconds, each ≥ 0, replayed in order',
  withParams(raw) {
    if (!Array.isArray(raw)) {
      return err([`params must be an array of interarrival times in seconds, got ${describeValue(raw)}`]);
    }
    const values: readonly unknown[] = raw;
    const issues: string[] = [];
    values.forEach((value, index) => {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        issues.push(`[${index}]: must be a finite number ≥ 0, got ${describeValue(value)}`);
      }
    });
    if (issues.length > 0) return err(issues);
    const interarrivals = (values as readonly number[]).map(clampInterarrival);
    return ok(() => interarrivals);
  },
};
