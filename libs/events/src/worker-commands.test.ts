import { describe, expect, it } from 'vitest';
import { createEvent, decodeEvent, encodeEvent } from './codec.js';
import { galileoCatalogue, galileoSubjects } from './galileo-events.js';
import { subjectProblem } from './subject.js';

const ctx = { subject: 'galileo.commands.worker.w1.spawn', source: 'test' };

describe('worker command events', () => {
  it.each([
    [
      'SpawnClientGroup',
      { service: 'squeezenet', clients: 2, client: null, parameters: { path: '/predict' } },
    ],
    ['SpawnClientGroup', { service: 'squeezenet' }],
    ['SetWorkload', { groupId: 'w1:squeezenet:g0', process: 'expovariate', params: [200], n: 1000, seed: 7 }],
    ['SetWorkload', { groupId: 'g', rate: 20, stages: [{ durationMs: 1000, target: 50 }], ramp: 'linear' }],
    ['PauseWorkload', { groupId: 'g' }],
    ['CloseClientGroup', { groupId: 'g' }],
    ['GetWorkerInfo', {}],
    ['GetWorkerInfo', { groupId: 'g' }],
    ['PingWorker', {}],
    ['StartTracing', {}],
    ['PauseTracing', {}],
    [
      'WorkloadDone',
      { worker: 'w1', groupId: 'g', service: 'svc', clientIds: ['w1:svc:0', 'w1:svc:1'], requests: 20 },
    ],
  ] as const)('%s round-trips %j', (type, data) => {
    const made = createEvent(
      galileoCatalogue,
      { type, data, correlationId: 'exp-1' } as Parameters<typeof createEvent<typeof galileoCatalogue>>[1],
      ctx,
    );
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    expect(made.value.correlationId).toBe('exp-1');
    expect(decodeEvent(galileoCatalogue, encodeEvent(made.value))).toEqual({ ok: true, value: made.value });
  });

  it.each([
    ['SpawnClientGroup', { clients: 1 }, 'service'],
    ['SpawnClientGroup', { service: 'svc', parameters: 'GET /' }, 'parameters'],
    ['SetWorkload', { rate: 5 }, 'groupId'],
    ['SetWorkload', { groupId: 'g', rate: '5' }, 'rate'],
    ['SetWorkload', { groupId: 'g', stages: [{ durationMs: 1 }] }, 'stages'],
    ['CloseClientGroup', { groupId: '' }, 'groupId'],
    ['WorkloadDone', { worker: 'w1', groupId: 'g', service: 's', clientIds: [], requests: -1 }, 'requests'],
  ] as const)('%s rejects %j naming %s', (type, data, field) => {
    const made = createEvent(
      galileoCatalogue,
      { type, data } as unknown as Parameters<typeof createEvent<typeof galileoCatalogue>>[1],
      ctx,
    );
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.error.message).toContain(field);
  });

  it('leaves the meaning to the worker: a negative rate or an unknown process is a valid shape', () => {
    const made = createEvent(
      galileoCatalogue,
      { type: 'SetWorkload', data: { groupId: 'g', rate: -5, process: 'zipf' } },
      ctx,
    );
    expect(made.ok).toBe(true);
  });
});

describe('worker command subjects', () => {
  it('route direct and broadcast commands to the galileo.commands stream, names as one token', () => {
    expect(galileoSubjects.workerCommand('w1', 'spawn')).toBe('galileo.commands.worker.w1.spawn');
    expect(galileoSubjects.workerCommand('node-1.cluster.local', 'info')).toBe(
      'galileo.commands.worker.node-1%2Ecluster%2Elocal.info',
    );
    expect(galileoSubjects.workersBroadcast('ping')).toBe('galileo.commands.workers.ping');
    expect(subjectProblem(galileoSubjects.workerCommand('a b.c*', 'x'))).toBeNull();
  });
});
