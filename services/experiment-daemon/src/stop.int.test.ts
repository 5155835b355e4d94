import { createBus } from '@galileo/bus';
import { galileoCatalogue } from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { delay } from '@galileo/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createExperimentDaemon } from './experiment-daemon.js';
import { experimentQueueKeys } from '@galileo/experiment-queue';
import { daemonFixture, type DaemonFixture } from './test-support/daemon-fixture.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let f: DaemonFixture | null = null;
afterEach(async () => {
  await f?.cleanup();
  f = null;
});

/** A daemon on a connection of the test's own, so the test can order its commands with the daemon's. */
function daemonOn(fixture: DaemonFixture, name: string) {
  const redis = fixture.ctx.connect();
  const bus = createBus({
    redis,
    catalogue: galileoCatalogue,
    source: `experiment-daemon/${name}`,
    prefix: fixture.ctx.prefix,
    trimIntervalMs: 0,
    streamRefreshMs: 100,
  });
  const daemon = createExperimentDaemon({
    bus,
    redis,
    config: fixture.daemonConfig({ galileo_experimentd_name: name }),
    logger: createLogger({ service: 'experiment-daemon', level: 'silent' }),
    db: fixture.db,
  });
  return { redis, bus, daemon };
}

describe('experiment daemon stop', () => {
  it('takes no message pushed while it stops: the blocking read is unblocked, the message waits for the next daemon', async () => {
    f = await daemonFixture('sqlite', 'expd_stop_push');
    const { redis, bus, daemon } = daemonOn(f, 'ds1');
    await daemon.start();
    await delay(200); // the queue loop is blocked in BLMOVE now
    const message = JSON.stringify({ id: 'pushed-while-stopping', instructions: 'echo hello' });
    const stopping = daemon.stop();
    await f.ctx.redis.lpush(f.queueKey, message);
    await stopping;
    await delay(300);
    expect(await f.ctx.redis.lrange(f.queueKey, 0, -1)).toEqual([message]);
    expect(await f.ctx.redis.llen(experimentQueueKeys(f.ctx.prefix).processing('ds1'))).toBe(0);
    expect(f.eventsOf('pushed-while-stopping')).toEqual([]);
    expect(daemon.status()).toMatchObject({ state: 'stopped', ended: 0 });
    await bus.close();
    redis.disconnect();

    // The next daemon runs it.
    await f.startDaemon('ds2');
    await f.waitForStatus('pushed-while-stopping', 'FINISHED');
  });

  it('puts a message its in-flight BLMOVE took during stop back at the head of the queue, never FAILED', async () => {
    f = await daemonFixture('sqlite', 'expd_stop_taken');
    const { redis, bus, daemon } = daemonOn(f, 'ds3');
    await daemon.start();
    await delay(200);
    const first = JSON.stringify({ id: 'taken-while-stopping', instructions: 'echo first' });
    // Both on the daemon's own connection: LPUSH reaches Redis before stop's CLIENT UNBLOCK, so
    // the blocked BLMOVE has moved the message into the processing list when the daemon stops.
    const pushed = redis.lpush(f.queueKey, first);
    const stopping = daemon.stop();
    await pushed;
    await stopping;
    await delay(300);
    expect(await f.ctx.redis.lrange(f.queueKey, 0, -1)).toEqual([first]);
    expect(await f.ctx.redis.llen(experimentQueueKeys(f.ctx.prefix).processing('ds3'))).toBe(0);
    expect(f.eventsOf('taken-while-stopping')).toEqual([]);
    expect(daemon.status()).toMatchObject({ state: 'stopped', ended: 0 });
    await bus.close();
    redis.disconnect();

    await f.startDaemon('ds4');
    const row = await f.waitForStatus('taken-while-stopping', ['FINISHED', 'FAILED', 'CANCELLED']);
    expect(row.status).toBe('FINISHED');
  });

  it('a stop during start leaves the queue unread', async () => {
    f = await daemonFixture('sqlite', 'expd_stop_start');
    const message = JSON.stringify({ id: 'before-start', instructions: 'echo waiting' });
    await f.ctx.redis.lpush(f.queueKey, message);
    const { redis, bus, daemon } = daemonOn(f, 'ds5');
    const started = daemon.start();
    await daemon.stop();
    await started;
    await delay(300);
    expect(daemon.status().state).toBe('stopped');
    expect(await f.ctx.redis.lrange(f.queueKey, 0, -1)).toEqual([message]);
    expect(f.eventsOf('before-start')).toEqual([]);
    await bus.close();
    redis.disconnect();
  });
});
