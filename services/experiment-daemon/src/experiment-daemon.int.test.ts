import { experimentSubjects } from '@galileo/events';
import { delay, waitFor } from '@galileo/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cancelExperiment } from '@galileo/experiment-queue';
import { rebuildExperimentsProjection } from './projection/experiments-projection.js';
import { daemonFixture, reasonOf, type DaemonFixture, type DbKind } from './test-support/daemon-fixture.js';

// Real processes, servers and seconds-long experiments on a shared machine: generous bounds.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

// galileo's README example, verbatim: the \n inside the JSON string are JSON escapes.
const README_EXAMPLE =
  '{"instructions": "spawn exphost squeezenet 1\\nsleep 2\\nrps exphost squeezenet 1\\nsleep 5\\nrps exphost squeezenet 0\\nsleep 2\\nclose exphost squeezenet"}';

describe.each<DbKind>(['sqlite', 'mariadb'])('experiment daemon with %s', (kind) => {
  let f: DaemonFixture;

  beforeAll(async () => {
    f = await daemonFixture(kind, `expd_${kind}`, { galileo_experimentd_max_message_size: '4KiB' });
    await f.startWorker('exphost');
    await f.startWorker('w2');
    await f.startDaemon('d1');
  });
  afterAll(async () => f?.cleanup());

  it('runs the README example pushed with redis-cli LPUSH on a real worker: FINISHED, traces carry its id', async () => {
    await f.lpush(README_EXAMPLE);
    const id = await f.idOfInstructions(
      'spawn exphost squeezenet 1\nsleep 2\nrps exphost squeezenet 1\nsleep 5\nrps exphost squeezenet 0\nsleep 2\nclose exphost squeezenet',
    );
    expect(id).toMatch(/^\d{12}-[0-9a-f]{4}$/);
    await f.waitForStatus(id, 'IN_PROGRESS');
    const row = await f.waitForStatus(id, 'FINISHED', 30_000);
    expect(row).toMatchObject({ id, name: id, creator: `galileo-${process.pid}`, status: 'FINISHED' });
    expect(row.start).toBeGreaterThanOrEqual(row.created!);
    expect(row.end! - row.start!).toBeGreaterThan(8.5);
    expect(await f.db.instructions.get(id)).toMatchObject({
      instructions: expect.stringContaining('spawn exphost squeezenet 1'),
    });

    const types = f.eventsOf(id).map((e) => e.type);
    expect(types[0]).toBe('ExperimentQueued');
    expect(types[1]).toBe('ExperimentStarted');
    expect(types.filter((t) => t === 'ExperimentCommandIssued')).toHaveLength(7);
    expect(types.filter((t) => t === 'ExperimentCommandAcknowledged')).toHaveLength(7);
    expect(types.at(-1)).toBe('ExperimentFinished');

    // rate 1 for 5 s on the squeezenet group: about five requests, every one attributed by id
    const mine = await waitFor(() => {
      const t = f.traces.filter((t) => t.service === 'squeezenet' && t.exp_id === id);
      return t.length >= 3 ? t : null;
    });
    expect(mine.length).toBeLessThanOrEqual(7);
    expect(mine.every((t) => t.correlationId === id && t.status === 200)).toBe(true);
    expect(f.traces.filter((t) => t.service === 'squeezenet' && t.exp_id !== id)).toEqual([]);

    await waitFor(() => f.galileoLines.some((l) => l.endsWith(` experiment_finished ${id}`)));
    const lines = f.galileoLines.filter((l) => l.endsWith(` ${id}`)).map((l) => l.split(' ')[1]);
    expect(lines).toEqual(['experiment_queued', 'experiment_start', 'experiment_finished']);
    expect(Number(f.galileoLines.find((l) => l.includes('experiment_start'))!.split(' ')[0])).toBeCloseTo(
      row.start!,
      0,
    );
    // nothing left behind in Redis
    expect(await f.ctx.redis.llen(f.queueKey)).toBe(0);
  });

  it('runs the configuration form (translated for the live workers) with its given id, name and creator', async () => {
    await f.lpush(
      JSON.stringify({
        experiment: { id: `conf-${kind}`, name: 'configured', creator: 'tester' },
        configuration: {
          duration: 1,
          interval: 0.5,
          workloads: [{ service: 'svc', ticks: [4, 2], clients_per_host: 2 }],
        },
      }),
    );
    const row = await f.waitForStatus(`conf-${kind}`, 'FINISHED');
    expect(row).toMatchObject({ name: 'configured', creator: 'tester' });
    const saved = await f.db.instructions.get(`conf-${kind}`);
    expect(saved!.instructions.split('\n')).toEqual([
      'spawn exphost svc 2',
      'spawn w2 svc 2',
      'rps exphost svc 2',
      'rps w2 svc 2',
      'sleep 0.5',
      'rps exphost svc 1',
      'rps w2 svc 1',
      'sleep 0.5',
      'rps exphost svc 0',
      'rps w2 svc 0',
      'close exphost svc',
      'close w2 svc',
    ]);
    expect(saved!.configuration).toMatchObject({ duration: 1, interval: 0.5 });
    const queued = f.eventsOf(`conf-${kind}`)[0]!;
    expect(queued.type === 'ExperimentQueued' && queued.data.form).toBe('configuration');
  });

  it('carries out every command and records what each returned', async () => {
    const text = [
      '# every command once',
      'ping',
      'workers',
      'workers w.*',
      'echo hello galileo',
      'spawn exphost svc 2 {"path": "/", "method": "get"}',
      'spawn w2 svc',
      'client_groups',
      'client_groups w2',
      'rps .* svc 20 arrival=expovariate seed=3',
      'sleep 0.3',
      'info',
      'logging off',
      'logging on',
      'rps exphost|w2 svc 0',
      'close .* svc',
      'exit',
      'echo never reached',
    ].join('\n');
    await f.lpush(JSON.stringify({ id: `cmds-${kind}`, instructions: text }));
    await f.waitForStatus(`cmds-${kind}`, 'FINISHED');
    const acks = new Map<string, unknown>();
    for (const e of f.eventsOf(`cmds-${kind}`))
      if (e.type === 'ExperimentCommandAcknowledged') acks.set(e.data.command, e.data.result);
    expect(acks.get('ping')).toEqual(expect.arrayContaining(['exphost', 'w2']));
    expect(acks.get('workers')).toEqual(['exphost', 'w2']);
    expect(acks.get('workers w.*')).toEqual(['w2']);
    expect(acks.get('echo hello galileo')).toBe('hello galileo');
    expect(acks.get('spawn exphost svc 2 {"path": "/", "method": "get"}')).toEqual([
      { worker: 'exphost', groupId: expect.stringMatching(/^exphost:svc:g/), clients: 2 },
    ]);
    expect(acks.get('client_groups')).toHaveLength(2);
    expect(acks.get('client_groups w2')).toEqual([
      expect.objectContaining({ worker: 'w2', service: 'svc', clients: 1 }),
    ]);
    expect(acks.get('rps .* svc 20 arrival=expovariate seed=3')).toEqual([
      { worker: 'exphost', rate: 20 },
      { worker: 'w2', rate: 20 },
    ]);
    expect(acks.get('info')).toEqual(
      expect.arrayContaining([expect.objectContaining({ worker: 'exphost', clients: 2 })]),
    );
    expect(acks.get('logging off')).toEqual(
      expect.arrayContaining([expect.objectContaining({ tracing: false })]),
    );
    expect(acks.get('logging on')).toEqual(
      expect.arrayContaining([expect.objectContaining({ tracing: true })]),
    );
    expect(acks.has('echo never reached')).toBe(false);
    expect(f.traces.some((t) => t.exp_id === `cmds-${kind}`)).toBe(true);
  });

  it.each([
    ['invalid JSON', '{"instructions": "spawn', /^the message is not valid JSON/],
    [
      'an unknown command',
      '{"instructions": "spawn exphost svc\\nlaunch rockets"}',
      /^invalid instructions:\nline 2, column 1: expected a command/,
    ],
    [
      'a bad argument',
      '{"instructions": "rps exphost svc lots"}',
      /line 1, column 17: expected a number of requests per second \(>= 0\), found "lots"/,
    ],
    [
      'no matching worker',
      '{"instructions": "spawn nobody.* svc 1"}',
      /line 1 \(spawn nobody\.\* svc 1\): no live worker matches "nobody\.\*" \(live workers: exphost, w2\)/,
    ],
    ['empty instructions', '{"instructions": "  \\n# just a comment\\n"}', /has no instructions/],
    [
      'a message over the size limit',
      JSON.stringify({ instructions: `echo ${'x'.repeat(5000)}` }),
      /^the message is \d+ bytes; the limit is 4096 bytes/,
    ],
    [
      'a rate without a group',
      '{"instructions": "rps exphost svc 5"}',
      /no client group for service 'svc' on exphost: spawn it first/,
    ],
  ])('records %s as FAILED with a readable reason and keeps running', async (_what, message, reason) => {
    const before = f.lifecycle.filter((e) => e.type === 'ExperimentQueued').length;
    await f.lpush(message);
    const queued = await waitFor(() => f.lifecycle.filter((e) => e.type === 'ExperimentQueued')[before]);
    const id = queued.correlationId!;
    await f.waitForStatus(id, 'FAILED');
    // the projection may write the row before this test's own subscriber sees the event
    expect(await waitFor(() => reasonOf(f.eventsOf(id)), { what: `the reason ${id} failed` })).toMatch(
      reason,
    );
    expect(await f.ctx.redis.llen(f.queueKey)).toBe(0);
    expect(await f.ctx.redis.llen(`${f.ctx.prefix}galileo:experiments:daemon:d1:processing`)).toBe(0);
  });

  it('fails an experiment whose worker does not answer, naming the worker', async () => {
    // registered like a Python worker (no heartbeat, so never pruned), but nobody reads its commands
    await f.ctx.redis.sadd(`${f.ctx.prefix}galileo:workers`, 'ghost');
    try {
      await f.lpush(JSON.stringify({ id: `ghost-${kind}`, instructions: 'spawn ghost svc 1\nsleep 1' }));
      await f.waitForStatus(`ghost-${kind}`, 'FAILED');
      expect(await waitFor(() => reasonOf(f.eventsOf(`ghost-${kind}`)))).toMatch(
        /^line 1 \(spawn ghost svc 1\): worker 'ghost' did not answer SpawnClientGroup: no reply/,
      );
    } finally {
      await f.ctx.redis.srem(`${f.ctx.prefix}galileo:workers`, 'ghost');
    }
  });

  it('gives a duplicate id its own experiment, recorded FAILED', async () => {
    await f.lpush(JSON.stringify({ id: `dup-${kind}`, instructions: 'echo one' }));
    await f.waitForStatus(`dup-${kind}`, 'FINISHED');
    const before = f.lifecycle.filter((e) => e.type === 'ExperimentQueued').length;
    await f.lpush(JSON.stringify({ id: `dup-${kind}`, instructions: 'echo two' }));
    const queued = await waitFor(() => f.lifecycle.filter((e) => e.type === 'ExperimentQueued')[before]);
    await f.waitForStatus(queued.correlationId!, 'FAILED');
    expect(await waitFor(() => reasonOf(f.eventsOf(queued.correlationId!)))).toBe(
      `an experiment with id "dup-${kind}" already exists (FINISHED); ids must be unique`,
    );
    expect((await f.db.experiments.get(`dup-${kind}`))!.status).toBe('FINISHED');
  });

  it('cancels a queued experiment (removed from the queue) and a running one (rate 0, groups closed)', async () => {
    const long = `cancel-run-${kind}`;
    const waiting = `cancel-queued-${kind}`;
    await f.lpush(
      JSON.stringify({
        id: long,
        instructions:
          'spawn exphost svc 1\nspawn exphost svc 3\nrps exphost svc 20\nsleep 60\nclose exphost svc',
      }),
    );
    await f.waitForStatus(long, 'IN_PROGRESS');
    await waitFor(() =>
      f.eventsOf(long).some((e) => e.type === 'ExperimentCommandIssued' && e.data.kind === 'sleep'),
    );
    await f.lpush(JSON.stringify({ id: waiting, name: 'waits', instructions: 'echo never' }));
    // galileo's rps is per group: the group <exphost>:svc spans two worker groups, 4 clients, 5/s each
    const { createWorkerClient } = await import('@galileo/workers');
    const during = await createWorkerClient(f.bus).info('exphost');
    const parts = during.groups.filter((g) => g.experimentId === long);
    expect(parts.map((g) => [g.clientIds.length, g.workload?.rate])).toEqual([
      [1, 5],
      [3, 5],
    ]);

    const queuedOutcome = await cancelExperiment(f.bus, f.ctx.redis, waiting, {
      prefix: f.ctx.prefix,
      reason: 'not needed',
    });
    expect(queuedOutcome).toEqual({ cancelled: true, id: waiting, was: 'queued', daemon: 'd1' });
    const cancelledRow = await f.waitForStatus(waiting, 'CANCELLED');
    expect(cancelledRow).toMatchObject({ name: 'waits', start: null });
    expect(await f.ctx.redis.llen(f.queueKey)).toBe(0);

    const started = Date.now();
    const runningOutcome = await cancelExperiment(f.bus, f.ctx.redis, long, { prefix: f.ctx.prefix });
    expect(runningOutcome).toEqual({ cancelled: true, id: long, was: 'running', daemon: 'd1' });
    expect(Date.now() - started).toBeLessThan(20_000);
    const row = await f.waitForStatus(long, 'CANCELLED');
    expect(row.end).not.toBeNull();
    expect(await waitFor(() => reasonOf(f.eventsOf(long)))).toBe('cancelled on request');
    // the worker runs nothing for it any more
    const info = await createWorkerClient(f.bus).info('exphost');
    expect(info.groups.filter((g) => g.experimentId === long)).toEqual([]);

    expect(
      await cancelExperiment(f.bus, f.ctx.redis, 'no-such-experiment', {
        prefix: f.ctx.prefix,
        timeoutMs: 3000,
      }),
    ).toMatchObject({
      cancelled: false,
      reason: expect.stringContaining('neither waiting in the queue nor running on any daemon'),
    });
  });

  it('rebuilds the experiments rows identically by replaying the lifecycle stream', async () => {
    // let the projection catch up with everything above, and let the daemon's bus trim (the stream is retained)
    const lifecycleCount = f.lifecycle.length;
    await waitFor(async () =>
      (await f.db.experiments.list()).every((r) => ['FINISHED', 'FAILED', 'CANCELLED'].includes(r.status)),
    );
    await delay(700);
    await f.bus.trim();
    const live = (await f.db.experiments.list()).sort((a, b) => a.id.localeCompare(b.id));
    expect(live.length).toBeGreaterThanOrEqual(12);
    const fresh = await f.database.fresh();
    const result = await rebuildExperimentsProjection(f.ctx.redis, f.bus, fresh);
    expect(result.events).toBeGreaterThanOrEqual(lifecycleCount);
    const rebuilt = (await fresh.experiments.list()).sort((a, b) => a.id.localeCompare(b.id));
    expect(rebuilt).toEqual(live);
    for (const r of live)
      expect(await fresh.instructions.get(r.id)).toEqual(await f.db.instructions.get(r.id));
    // rebuilding again into the same database changes nothing
    await rebuildExperimentsProjection(f.ctx.redis, f.bus, fresh);
    expect((await fresh.experiments.list()).sort((a, b) => a.id.localeCompare(b.id))).toEqual(live);
    // and the stream is still whole: the first event is the README experiment's queued event
    const first = await f.ctx.redis.xrange(
      f.bus.keys.stream(experimentSubjects.lifecycleStream),
      '-',
      '+',
      'COUNT',
      1,
    );
    expect(first[0]![1].join(' ')).toContain('ExperimentQueued');
  });
});
