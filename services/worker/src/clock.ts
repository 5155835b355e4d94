/** Epoch time in milliseconds with sub-millisecond resolution; injectable for tests. */
export interface Clock {
  now(): number;
}

/**
 * `performance.timeOrigin + performance.now()`: monotonic within a process, so intended send
 * times and latencies are not disturbed by wall-clock steps, yet close to epoch time for traces.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};
