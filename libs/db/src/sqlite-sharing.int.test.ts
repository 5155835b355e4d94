import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { testTarget, type TestTarget } from './test-support/targets.js';

// The embedded mode opens one SQLite file from several services in one process.
describe('one SQLite file opened by several services in a process', () => {
  let t: TestTarget;
  beforeAll(async () => {
    t = await testTarget('sqlite', 'sharing');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('shares one connection: a write waits for the other service transaction instead of blocking it', async () => {
    const daemon = await openDatabase(t.target);
    const recorder = await openDatabase(t.target);
    let releaseTx!: () => void;
    const txOpen = new Promise<void>((resolve) => (releaseTx = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const tx = daemon.transaction(async (repos) => {
      await repos.experiments.upsert({
        id: 'e',
        name: null,
        creator: null,
        start: null,
        end: null,
        created: 1,
        status: 'QUEUED',
      });
      entered();
      await txOpen;
      await repos.experiments.setStatus('e', 'IN_PROGRESS');
    });
    await inside;
    const write = recorder.events.insertMany([
      { experimentId: 'e', timestamp: 1, name: 'x', value: null, eventId: 'ev1' },
    ]);
    setTimeout(releaseTx, 50);
    await Promise.all([tx, write]);
    expect(await recorder.experiments.get('e')).toMatchObject({ status: 'IN_PROGRESS' });
    expect(await daemon.events.list({ experimentId: 'e' })).toHaveLength(1);

    await daemon.close();
    // The other user keeps working until it closes too.
    expect(await recorder.ping()).toBe(true);
    await recorder.close();
    const reopened = await openDatabase(t.target);
    expect(await reopened.experiments.get('e')).toBeDefined();
    await reopened.close();
  });
});
