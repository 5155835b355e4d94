import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** The VictoriaMetrics every test writes to (InfluxDB v2 write API at /api/v2/write). */
export function testVictoriaMetricsUrl(): string {
  return process.env.GALILEO_TEST_VICTORIA_URL ?? 'http://127.0.0.1:8428';
}

export interface VictoriaSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** Flushes and exports the series matching a selector (`/api/v1/export?match[]=…`). */
export async function exportVictoriaSeries(url: string, match: string): Promise<VictoriaSeries[]> {
  await fetch(`${url}/internal/force_flush`);
  const res = await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(match)}`);
  if (!res.ok) throw new Error(`VictoriaMetrics export failed with HTTP ${res.status}: ${await res.text()}`);
  return (await res.text())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as VictoriaSeries);
}

export interface PrivateVictoriaMetrics {
  readonly url: string;
  destroy(): Promise<void>;
}

/**
 * A victoria-metrics of the test's own (binary `victoria-metrics`, Debian's package), on a free
 * port with its own data directory. `dedupMs` turns on its deduplication: one sample per series
 * and interval, which is how InfluxDB treats a point written again with the same series key and
 * timestamp (it overwrites). VictoriaMetrics stores ms timestamps.
 */
export async function startPrivateVictoriaMetrics(
  options: { dedupMs?: number } = {},
): Promise<PrivateVictoriaMetrics> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'galileo-vm-'));
  const args = ['-storageDataPath', dir, '-httpListenAddr', `127.0.0.1:${port}`, '-retentionPeriod', '1d'];
  if (options.dedupMs) args.push(`-dedup.minScrapeInterval=${options.dedupMs}ms`);
  const child: ChildProcess = spawn('victoria-metrics', args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`victoria-metrics exited with ${child.exitCode}`);
      return (await fetch(`${url}/health`).catch(() => null))?.ok ?? false;
    },
    { what: `victoria-metrics on port ${port}`, timeoutMs: 15_000, intervalMs: 50 },
  );
  return {
    url,
    async destroy() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
