import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { createArrivalScheduler, DISPATCH_EARLY_MS } from './scheduler.js';

function* every(startMs: number, periodMs: number, count: number) {
  for (let k = 1; k <= count; k++) yield startMs + k * periodMs;
}

function run(schedules: Iterator<number, void, undefined>[]) {
  const due: { client: number; intended: number; now: number }[] = [];
  return new Promise<typeof due>((resolve) => {
    const scheduler = createArrivalScheduler({
      schedules,
      clock: systemClock,
      onDue: (client, intended, now) => due.push({ client, intended, now }),
      onExhausted: () => resolve(due),
    });
    scheduler.start();
  });
}

describe('arrival scheduler', () => {
  it('merges the clients’ schedules in intended-time order and sends each on time', async () => {
    const start = systemClock.now();
    const due = await run([every(start, 10, 20), every(start + 3, 7, 25), every(start + 1, 50, 3)]);
    expect(due).toHaveLength(48);
    const intended = due.map((d) => d.intended);
    expect(intended).toEqual([...intended].sort((a, b) => a - b));
    const errors = due.map((d) => d.now - d.intended);
    expect(Math.min(...errors)).toBeGreaterThanOrEqual(-DISPATCH_EARLY_MS);
    const sorted = [...errors].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]!).toBeLessThan(2); // median, even on a busy CI machine
  });

  it('catches up at once when behind: every overdue arrival is handed out, none is skipped', async () => {
    const start = systemClock.now() - 1_000; // a second behind: 1000 arrivals are overdue
    const due = await run([every(start, 1, 1_000)]);
    expect(due).toHaveLength(1_000);
    expect(due.every((d) => d.now - d.intended > 0)).toBe(true);
  });

  it('stops handing out arrivals after stop()', async () => {
    const start = systemClock.now();
    let count = 0;
    const scheduler = createArrivalScheduler({
      schedules: [every(start, 5, 1_000)],
      clock: systemClock,
      onDue: () => {
        if (++count === 5) scheduler.stop();
      },
      onExhausted: () => {
        throw new Error('not exhausted');
      },
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 80));
    expect(count).toBe(5);
    expect(scheduler.running).toBe(false);
  });
});
