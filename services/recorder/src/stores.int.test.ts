import { randomBytes } from 'node:crypto';
import type { TraceRecord } from '@galileo/db';
import { testVictoriaMetricsUrl } from '@galileo/testing';
import { createInfluxWriter, traceLine, type InfluxWriter } from '@galileo/timeseries';
import { afterEach, describe, expect, it } from 'vitest';
import { influxStore } from './stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const trace = (exp: string, i: number): TraceRecord => ({
  requestId: `${exp}-r${i}`,
  client: `c${i % 3}`,
  service: 'svc',
  created: 1_796_300_000 + i * 0.25,
  sent: 1_796_300_000 + i * 0.25 + 0.001,
  done: 1_796_300_000 + i * 0.25 + 0.0125,
  status: 200,
  server: '10.0.0.1:8080',
  experimentId: exp,
  headers: `{"n": "${'x'.repeat(i * 50)}"}`,
  response: 'ok',
});

describe('influxStore', () => {
  it('writes each batch as exactly its own points, also into a reused (grown) body', async () => {
    const real = createInfluxWriter({
      url: testVictoriaMetricsUrl(),
      token: 't',
      timeoutMs: 5000,
      org: 'galileo',
      orgId: 'o',
      bucket: 'recorder-stores-test',
    });
    cleanups.push(() => real.close());
    // the real store, and a copy of every body as it was when posted
    const posted: string[] = [];
    const writer: InfluxWriter = {
      ...real,
      writeBody: async (bucket, body, points) => {
        posted.push(Buffer.from(body).toString('utf8'));
        await real.writeBody(bucket, body, points);
      },
    };
    const store = influxStore(writer);
    const exp = `st-${randomBytes(4).toString('hex')}`;
    const large = Array.from({ length: 40 }, (_, i) => trace(exp, i)); // grows the first body
    const small = [trace(exp, 100)];
    for (const rows of [large, small, large.slice(0, 3)]) {
      const outcome = await store.write('traces', rows);
      expect(outcome).toEqual({ stored: rows.length, rejected: [] });
      expect(posted.at(-1)).toBe(rows.map((r) => traceLine(r)).join('\n'));
    }
  });
});
