import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@galileo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { traceLine } from './galileo-points.js';
import { createInfluxWriter, InfluxWriteError } from './influx-writer.js';

const VM = process.env.GALILEO_TEST_VICTORIA_URL ?? 'http://127.0.0.1:8428';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const writerFor = (url: string, extra: { bucket?: string } = {}) => {
  const w = createInfluxWriter({
    url,
    token: 't0k',
    timeoutMs: 5000,
    org: 'galileo',
    orgId: 'org-1',
    ...extra,
  });
  cleanups.push(() => w.close());
  return w;
};

async function exportSeries(match: string): Promise<{ metric: Record<string, string>; values: number[] }[]> {
  await fetch(`${VM}/internal/force_flush`);
  const res = await fetch(`${VM}/api/v1/export?match[]=${encodeURIComponent(match)}`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[] });
}

describe('InfluxDB v2 writes (VictoriaMetrics as the write API)', () => {
  it('writes galileo trace points that read back with their tags and numeric fields', async () => {
    const exp = `ts-${randomBytes(4).toString('hex')}`;
    const w = createInfluxWriter({
      url: VM,
      token: 't',
      timeoutMs: 5000,
      org: 'galileo',
      orgId: 'o',
      gzipAboveBytes: 65_536,
    });
    cleanups.push(() => w.close());
    const now = Date.now() / 1000;
    const lines = Array.from({ length: 300 }, (_, i) =>
      traceLine({
        requestId: `r${i}`,
        client: 'c1',
        service: 'svc',
        created: now + i * 0.002,
        sent: now + i * 0.002 + 0.0001,
        done: now + i * 0.002 + 0.01,
        status: 200,
        server: 'h:1',
        experimentId: exp,
        headers: '{"a": "b"}',
        response: 'x'.repeat(500), // 300 × ~0.8 KB: gzip kicks in
      }),
    );
    await w.write(exp, lines);
    // VictoriaMetrics makes new series searchable about a second after a flush.
    const series = await waitFor(
      async () => {
        const s = await exportSeries(`traces_done{exp_id="${exp}"}`);
        return s.length > 0 && s[0]!.values.length >= 300 ? s : null;
      },
      { what: 'the points in VictoriaMetrics' },
    );
    expect(series).toHaveLength(1);
    expect(series[0]!.metric).toMatchObject({
      exp_id: exp,
      service: 'svc',
      client: 'c1',
      status: '200',
      server: 'h:1',
    });
    expect(series[0]!.values).toHaveLength(300);
  });

  it('reports an unreachable store as retryable', async () => {
    const w = writerFor('http://127.0.0.1:1');
    const e = await w.write('b', ['m v=1 1']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InfluxWriteError);
    expect((e as InfluxWriteError).retryable).toBe(true);
    expect(await w.ping()).toBe(false);
    expect(await writerFor(VM).ping()).toBe(true);
  });
});

describe('bucket per experiment (buckets API)', () => {
  // An HTTP double of InfluxDB's /api/v2/buckets: VictoriaMetrics has no buckets API, so the test
  // speaks the two calls the writer makes (GET ?name=&orgID=, POST {orgID, name, retentionRules}).
  it('creates a missing bucket once and finds an existing one', async () => {
    const buckets = new Set(['existing']);
    const calls: string[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push(`${req.method} ${req.url} ${req.headers.authorization}`);
        const url = new URL(req.url!, 'http://x');
        if (url.pathname === '/api/v2/buckets' && req.method === 'GET') {
          const name = url.searchParams.get('name')!;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              buckets: buckets.has(name) ? [{ name, orgID: url.searchParams.get('orgID') }] : [],
            }),
          );
        } else if (url.pathname === '/api/v2/buckets' && req.method === 'POST') {
          const b = JSON.parse(body) as { name: string; orgID: string; retentionRules: unknown[] };
          if (b.orgID !== 'org-1' || !Array.isArray(b.retentionRules)) return void res.writeHead(400).end();
          if (buckets.has(b.name)) return void res.writeHead(422).end('{"code":"conflict"}');
          buckets.add(b.name);
          res
            .writeHead(201, { 'content-type': 'application/json' })
            .end(JSON.stringify({ id: '1', name: b.name }));
        } else res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const w = writerFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect(await w.ensureBucket('exp-42')).toBe('created');
    expect(await w.ensureBucket('exp-42')).toBe('created'); // remembered: no second call
    expect(await w.ensureBucket('existing')).toBe('exists');
    expect(buckets.has('exp-42')).toBe(true);
    expect(calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(calls.every((c) => c.endsWith('Token t0k'))).toBe(true);
    expect(w.bucketFor('exp-42')).toBe('exp-42');
    expect(writerFor('http://x', { bucket: 'fixed' }).bucketFor('exp-42')).toBe('fixed');
  });

  it('goes on without buckets on a store that has no buckets API', async () => {
    const w = writerFor(VM);
    expect(await w.ensureBucket('anything')).toBe('unsupported');
  });
});
