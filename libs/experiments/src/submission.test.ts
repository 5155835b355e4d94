import { describe, expect, it } from 'vitest';
import { parseSubmission, plannedDurationSeconds, queueMessage } from './submission.js';

const config = {
  duration: '1m',
  interval: '30s',
  workloads: [{ service: 'svc', ticks: [1, 2], clients_per_host: 1, arrival_pattern: 'constant' }],
};

describe('parseSubmission', () => {
  it("fills in galileo's defaults and converts durations to seconds", () => {
    const r = parseSubmission({ configuration: config }, { now: () => 1_600_000_000_000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.experiment).toMatchObject({
      name: r.value.experiment.id,
      status: 'QUEUED',
      created: 1_600_000_000,
      start: null,
      end: null,
    });
    expect(queueMessage(r.value)).toMatchObject({ configuration: { duration: 60, interval: 30 } });
    expect(plannedDurationSeconds(r.value)).toBe(60);
  });

  it('reads the instruction form and its planned length from the sleeps', () => {
    const r = parseSubmission({ instructions: 'spawn a b 1\nsleep 2\nsleep 60', id: 'x' });
    expect(r.ok && plannedDurationSeconds(r.value)).toBe(62);
    expect(r.ok && queueMessage(r.value)).toMatchObject({
      id: 'x',
      name: 'x',
      instructions: 'spawn a b 1\nsleep 2\nsleep 60',
    });
  });

  it.each([
    [{ configuration: { ...config, duration: 0 } }, 'configuration.duration'],
    [{ configuration: config, experiment: { id: 'has space' } }, 'experiment.id'],
    [{ configuration: config, extra: 1 }, 'extra'],
    [
      { configuration: { ...config, workloads: [{ ...config.workloads[0], ticks: ['a', 'b'] }] } },
      'configuration.workloads[0].ticks[0]',
    ],
    [null, '(body)'],
    [{ instructions: 'spawn w1 svc 1\nrps w1 svc fast' }, 'instructions'],
  ])('names the field of a bad submission (%#)', (body, field) => {
    const r = parseSubmission(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe(field);
  });
});
