import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  freePort,
  mariadbTestDatabase,
  testPrefix,
  type MariadbTestDatabase,
} from '@galileo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvedCompose, type ComposeService } from './compose.js';
import { imageServices, repoPath } from './repo.js';
import { httpStatus, localEnvironment, startService } from './service-process.js';

/**
 * Every service that exists is started the way the image starts it (entrypoint.mjs, tsx), with
 * the stack's environment for it pointed at this machine's real Redis, MariaDB, etcd and
 * VictoriaMetrics; once /healthz answers 200 it gets SIGTERM and must exit 0 within the
 * Kubernetes grace period (terminationGracePeriodSeconds: 30 in deployment/kubernetes).
 */

const GRACE_MS = 30_000;
const services = imageServices();
const names = Object.keys(services).filter((n) => n !== 'cli'); // the CLI is a one-shot command
const present = names.filter((n) => existsSync(repoPath(services[n]!.main)));
const absent = names.filter((n) => !present.includes(n));

let compose: Record<string, ComposeService> = {};
beforeAll(() => {
  compose = resolvedCompose(repoPath('compose', 'docker-compose.yml'), {
    profiles: ['influxdb', 'lb', 'optimizers'],
  }).services;
});

// At most three services start at once: tsx compiles each one's module graph on a small machine.
const STARTING_AT_ONCE = 3;
let starting = 0;
const waiting: (() => void)[] = [];
async function startSlot(): Promise<() => void> {
  while (starting >= STARTING_AT_ONCE) await new Promise<void>((r) => waiting.push(r));
  starting++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    starting--;
    waiting.shift()?.();
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('SIGTERM', () => {
  it('covers every service of the image (those without a main.ts yet are listed here)', () => {
    // Fails while a service has no entry point: the list says which.
    expect(absent, `services without src/main.ts: ${absent.join(', ')}`).toEqual([]);
  });

  it.concurrent.each(present)(
    '%s serves /healthz, then stops with exit code 0 within the grace period',
    async (name) => {
      const service = services[name]!;
      const composeService = Object.values(compose).find(
        (s) => Array.isArray(s.command) && s.command[0] === name,
      );
      expect(composeService, `${name} is in compose/docker-compose.yml`).toBeDefined();
      const tmpDir = await mkdtemp(join(tmpdir(), `galileo-sigterm-${name}-`));
      cleanups.push(() => rm(tmpDir, { recursive: true, force: true }));
      const prefix = testPrefix(`sigterm-${name}`);
      cleanups.push(async () => {
        const redis = connectTestRedis();
        await deleteKeysWithPrefix(redis, prefix);
        await redis.quit();
      });
      let database: MariadbTestDatabase | undefined;
      if (composeService!.environment?.galileo_expdb_mysql_db !== undefined) {
        database = await mariadbTestDatabase(`sigterm_${name}`);
        cleanups.push(() => database!.drop());
      }
      const env = await localEnvironment(composeService!.environment ?? {}, service, {
        redisPrefix: prefix,
        mysqlDatabase: database?.database ?? 'unused',
        tmpDir,
        port: freePort,
      });
      const healthPort = Number(env[service.health!.variable]!.split(':').pop());

      const release = await startSlot();
      cleanups.push(async () => release());
      const run = startService(name, env, tmpDir);
      cleanups.push(async () => {
        if (run.child.exitCode === null) run.child.kill('SIGKILL');
      });
      let exitedEarly: { code: number | null } | undefined;
      void run.exited.then((e) => (exitedEarly = e));
      const deadline = Date.now() + 120_000; // tsx compiles the sources at start; the machine is shared
      let status: number | null = null;
      while (Date.now() < deadline && !exitedEarly) {
        status = await httpStatus(healthPort, '/healthz');
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      release();
      expect(exitedEarly, `${name} exited before serving /healthz:\n${run.output()}`).toBeUndefined();
      expect(status, `${name} /healthz on ${healthPort}:\n${run.output()}`).toBe(200);

      const sent = Date.now();
      run.child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), GRACE_MS + 5_000).unref());
      const result = await Promise.race([run.exited, timeout]);
      expect(result, `${name} did not exit within ${GRACE_MS} ms of SIGTERM:\n${run.output()}`).not.toBe(
        'timeout',
      );
      expect(result, `${name} exit:\n${run.output()}`).toEqual({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(GRACE_MS);
    },
    300_000,
  );
});
