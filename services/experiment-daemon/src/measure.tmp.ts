import { waitFor } from '@galileo/testing';
import { daemonFixture } from './test-support/daemon-fixture.js';
const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'mariadb';
const f = await daemonFixture(kind, 'measure');
await f.startDaemon('m1');
const N = Number(process.argv[3] ?? 100);
const t0 = Date.now();
const pipeline = f.ctx.redis.pipeline();
for (let i = 0; i < N; i++)
  pipeline.lpush(f.queueKey, JSON.stringify({ id: `x${i}`, instructions: 'echo hi' }));
await pipeline.exec();
await waitFor(() => f.lifecycle.some((e) => e.type === 'ExperimentFinished' && e.data.id === `x${N - 1}`), {
  timeoutMs: 120_000,
});
const t1 = Date.now();
await f.waitForStatus(`x${N - 1}`, 'FINISHED', 120_000);
const t2 = Date.now();
console.log(
  JSON.stringify({ kind, experiments: N, busSeconds: (t1 - t0) / 1000, projectedSeconds: (t2 - t0) / 1000 }),
);
await f.cleanup();
process.exit(0);
