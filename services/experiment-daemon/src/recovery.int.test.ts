import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { experimentSubjects } from '@galileo/events';
import { waitFor } from '@galileo/testing';
import { createWorkerClient } from '@galileo/workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newExperimentStream } from './lifecycle/lifecycle-store.js';
import { rebuildExperimentsProjection } from './projection/experiments-projection.js';
import { experimentQueueKeys, stampMessage } from '@galileo/experiment-queue';
import { daemonFixture, reasonOf, type DaemonFixture, type DbKind } from './test-support/daemon-fixture.js';

// Real processes, servers and seconds-long experiments on a shared machine: generous bounds.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

let f: DaemonFixture | null = null;
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await f?.cleanup();
  f = null;
});

/** `node --import tsx services/experiment-daemon/src/main.ts`, configured only through its environment. */
function startDaemonProcess(name: string, prefix: string): ChildProcess {
  const p = spawn(process.execPath, ['--import', 'tsx', 'services/experiment-daemon/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      galileo_redis_host: '127.0.0.1',
      galileo_redis_key_prefix: prefix,
      galileo_experimentd_name: name,
      galileo_experimentd_lease: '1s',
      galileo_experimentd_projection: 'false',
      galileo_logging_level: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  p.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  p.on('exit', (code) => {
    if (code !== 0 && code !== null && stderr) console.error(stderr);
  });
  return p;
}

const LONG = 'spawn w1 svc 1\nrps w1 svc 10\nsleep 60\nclose w1 svc';

describe.each<DbKind>(['sqlite', 'mariadb'])('recovery with %s', (kind) => {
  it('a daemon SIGKILLed mid-experiment: restarted under its name, the experiment ends FAILED with a reason, the next one runs', async () => {
    f = await daemonFixture(kind, `expd_kill_${kind}`);
    await f.startWorker('w1');
    child = startDaemonProcess('dk', f.ctx.prefix);
    await f.lpush(JSON.stringify({ id: 'killed', instructions: LONG }));
    await f.lpush(JSON.stringify({ id: 'after', instructions: 'echo still here' }));
    await waitFor(
      () =>
        f!.eventsOf('killed').some((e) => e.type === 'ExperimentCommandIssued' && e.data.kind === 'sleep'),
      {
        timeoutMs: 20_000,
        what: 'the child daemon to run the experiment',
      },
    );
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));

    await f.startDaemon('dk');
    const row = await f.waitForStatus('killed', 'FAILED');
    expect(row.end).not.toBeNull();
    // the restarted 'dk' waits for the killed instance's lease, then ends what it left (its projection catches up from the beginning)
    expect(await waitFor(() => reasonOf(f!.eventsOf('killed')))).toBe(
      "the daemon 'dk' restarted while the experiment was running after line 2; its client groups were closed",
    );
    const info = await createWorkerClient(f.bus).info('w1');
    expect(info.groups.filter((g) => g.experimentId === 'killed')).toEqual([]);
    await f.waitForStatus('after', 'FINISHED');
    expect(f.eventsOf('after').filter((e) => e.type === 'ExperimentQueued')).toHaveLength(1);
  });

  it('another daemon recovers a dead one after its lease expired: its running experiment FAILED, its taken messages re-queued', async () => {
    f = await daemonFixture(kind, `expd_lease_${kind}`);
    await f.startWorker('w1');
    child = startDaemonProcess('doomed', f.ctx.prefix);
    await waitFor(
      async () => (await f!.ctx.redis.exists(experimentQueueKeys(f!.ctx.prefix).lease('doomed'))) === 1,
      {
        timeoutMs: 20_000,
        what: 'the child daemon to start',
      },
    );
    await f.lpush(JSON.stringify({ id: 'orphan', instructions: LONG }));
    await waitFor(
      () =>
        f!.eventsOf('orphan').some((e) => e.type === 'ExperimentCommandIssued' && e.data.kind === 'sleep'),
      {
        timeoutMs: 20_000,
      },
    );
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    // a message the dead daemon had taken but not yet recorded
    const keys = experimentQueueKeys(f.ctx.prefix);
    await f.ctx.redis.lpush(
      keys.processing('doomed'),
      JSON.stringify({ id: 'taken', instructions: 'echo rescued' }),
    );

    await f.startDaemon('survivor');
    await f.waitForStatus('orphan', 'FAILED');
    expect(await waitFor(() => reasonOf(f!.eventsOf('orphan')))).toBe(
      "the daemon 'doomed' stopped (its lease expired) while the experiment was running after line 2; its client groups were closed",
    );
    await f.waitForStatus('taken', 'FINISHED');
    expect(await f.ctx.redis.exists(keys.processing('doomed'), keys.current('doomed'))).toBe(0);
    expect(await f.ctx.redis.sismember(keys.daemons, 'doomed')).toBe(0);
  });

  it('a message left in its own processing list is run once, also when its queued event was already published', async () => {
    f = await daemonFixture(kind, `expd_resume_${kind}`);
    const keys = experimentQueueKeys(f.ctx.prefix);
    // crashed before publishing the queued event (stamped only)
    await f.ctx.redis.lpush(
      keys.processing('dr'),
      stampMessage('{"instructions": "echo one"}', 'stamped-1', 1000),
    );
    // crashed after publishing it, before the message left the list
    const raw = '{"instructions": "echo two", "name": "second"}';
    await f.ctx.redis.lpush(keys.processing('dr'), stampMessage(raw, 'stamped-2', 1001));
    await newExperimentStream(f.bus, 'stamped-2').handle({
      type: 'QueueExperiment',
      experiment: { id: 'stamped-2', name: 'second', creator: 'galileo-1', created: 1001 },
      instructions: 'echo two',
      form: 'instructions',
      daemon: 'dr',
    });
    await f.startDaemon('dr');
    const one = await f.waitForStatus('stamped-1', 'FINISHED');
    expect(one.created).toBe(1000);
    await f.waitForStatus('stamped-2', 'FINISHED');
    for (const id of ['stamped-1', 'stamped-2']) {
      expect(f.eventsOf(id).filter((e) => e.type === 'ExperimentQueued')).toHaveLength(1);
      expect(f.eventsOf(id).filter((e) => e.type === 'ExperimentStarted')).toHaveLength(1);
    }
    expect(await f.ctx.redis.llen(keys.processing('dr'))).toBe(0);
  });

  it('a clean stop ends the running experiment FAILED with a reason and closes its groups', async () => {
    f = await daemonFixture(kind, `expd_stop_${kind}`);
    await f.startWorker('w1');
    const daemon = await f.startDaemon('ds');
    await f.lpush(JSON.stringify({ id: 'stopped', instructions: LONG }));
    await waitFor(() =>
      f!.eventsOf('stopped').some((e) => e.type === 'ExperimentCommandIssued' && e.data.kind === 'sleep'),
    );
    await daemon.stop();
    expect(daemon.status().state).toBe('stopped');
    const failed = await waitFor(() => f!.eventsOf('stopped').find((e) => e.type === 'ExperimentFailed'));
    expect(failed.type === 'ExperimentFailed' && failed.data.reason).toBe(
      "the daemon 'ds' was stopped while the experiment was running",
    );
    const info = await createWorkerClient(f.bus).info('w1');
    expect(info.groups.filter((g) => g.experimentId === 'stopped')).toEqual([]);
    // it gave its name up
    const keys = experimentQueueKeys(f.ctx.prefix);
    expect(await f.ctx.redis.exists(keys.lease('ds'), keys.current('ds'))).toBe(0);
  });

  it('two daemons take each message once', async () => {
    f = await daemonFixture(kind, `expd_two_${kind}`);
    await f.startDaemon('a');
    await f.startDaemon('b');
    const ids = Array.from({ length: 6 }, (_, i) => `m${i}`);
    for (const id of ids) await f.lpush(JSON.stringify({ id, instructions: `echo ${id}\nsleep 0.05` }));
    for (const id of ids) await f.waitForStatus(id, 'FINISHED');
    const daemons = new Set<string>();
    for (const id of ids) {
      const events = f.eventsOf(id);
      expect(events.filter((e) => e.type === 'ExperimentQueued')).toHaveLength(1);
      const started = events.filter((e) => e.type === 'ExperimentStarted');
      expect(started).toHaveLength(1);
      if (started[0]!.type === 'ExperimentStarted') daemons.add(started[0]!.data.daemon);
    }
    expect([...daemons].every((d) => d === 'a' || d === 'b')).toBe(true);
    // a cancel answered by the first reply (as the API's bus.request does) is the owner's
    await f.lpush(JSON.stringify({ id: 'long', instructions: 'sleep 60' }));
    await f.waitForStatus('long', 'IN_PROGRESS');
    const outcome = await f.bus.request(
      experimentSubjects.cancel,
      { type: 'CancelExperiment', data: { id: 'long' }, correlationId: 'long' },
      { timeoutMs: 10_000 },
    );
    expect(outcome).toMatchObject({ cancelled: true, id: 'long', was: 'running' });
    await f.waitForStatus('long', 'CANCELLED');
    // both daemons projected every event; the rows equal a replay of the stream
    const live = (await f.db.experiments.list()).sort((x, y) => x.id.localeCompare(y.id));
    const fresh = await f.database.fresh();
    await rebuildExperimentsProjection(f.ctx.redis, f.bus, fresh);
    expect((await fresh.experiments.list()).sort((x, y) => x.id.localeCompare(y.id))).toEqual(live);
    // queue order per daemon: each started its experiments in the order they were pushed
    const starts = f.lifecycle.filter((e) => e.type === 'ExperimentStarted');
    for (const d of daemons) {
      const order = starts
        .filter((e) => e.type === 'ExperimentStarted' && e.data.daemon === d)
        .map((e) => Number(e.correlationId!.slice(1)));
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
  });
});
