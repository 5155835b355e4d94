import { afterEach, describe, expect, it } from 'vitest';
import { createSampleApp, type SampleApp, type SampleAppOptions } from './sample-app.js';

const apps: SampleApp[] = [];

async function started(options: SampleAppOptions = {}): Promise<string> {
  const app = createSampleApp({ host: '127.0.0.1', ...options });
  apps.push(app);
  const { port } = await app.start();
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

const epochNow = () => Date.now() / 1000;

describe('sample app', () => {
  it('answers any path with X-Start ≤ X-End in epoch seconds and a JSON description', async () => {
    const base = await started({ name: 'fn-a' });
    for (const path of ['/', '/function/resnet', '/a/b?c=d']) {
      const before = epochNow();
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      const start = response.headers.get('x-start')!;
      const end = response.headers.get('x-end')!;
      expect(start).toMatch(/^\d{10}\.\d{6}$/);
      expect(end).toMatch(/^\d{10}\.\d{6}$/);
      expect(Number(start)).toBeLessThanOrEqual(Number(end));
      expect(Math.abs(Number(start) - before)).toBeLessThan(1);
      expect(response.headers.get('x-sample-app')).toBe('fn-a');
      expect(await response.json()).toMatchObject({ name: 'fn-a', method: 'GET', path: path.split('?')[0] });
    }
  });

  it('burns the configured CPU time, and a query parameter overrides it per request', async () => {
    const base = await started({ cpuWorkMs: 30 });
    const timed = async (url: string) => {
      const response = await fetch(url);
      await response.arrayBuffer();
      return Number(response.headers.get('x-end')) - Number(response.headers.get('x-start'));
    };
    expect(await timed(`${base}/`)).toBeGreaterThanOrEqual(0.029);
    expect(await timed(`${base}/?cpuMs=0`)).toBeLessThan(0.029);
    expect(await timed(`${base}/?cpuMs=60`)).toBeGreaterThanOrEqual(0.059);
  });

  it('does a fixed number of iterations deterministically', async () => {
    const base = await started({ cpuIterations: 1000 });
    const a = (await (await fetch(`${base}/`)).json()) as { checksum: number; cpuIterations: number };
    const b = (await (await fetch(`${base}/?cpuIterations=1000`)).json()) as { checksum: number };
    const c = (await (await fetch(`${base}/?cpuIterations=1001`)).json()) as { checksum: number };
    expect(a.cpuIterations).toBe(1000);
    expect(a.checksum).toBe(b.checksum);
    expect(a.checksum).not.toBe(c.checksum);
  });

  it('returns bodies of the configured size, overridable per request', async () => {
    const base = await started({ responseBytes: 1234 });
    const configured = await fetch(`${base}/function/x`);
    expect(configured.headers.get('content-length')).toBe('1234');
    expect((await configured.arrayBuffer()).byteLength).toBe(1234);
    const overridden = await fetch(`${base}/?responseBytes=100000`);
    expect((await overridden.arrayBuffer()).byteLength).toBe(100_000);
    const empty = await fetch(`${base}/?responseBytes=0`);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers /healthz with 200 and a bad override with 400 naming the parameter', async () => {
    const base = await started({ cpuWorkMs: 1000 });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    expect(health.headers.get('x-start')).not.toBeNull();
    const bad = await fetch(`${base}/?cpuMs=-5`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'query parameter cpuMs must be an integer between 0 and 60000, got "-5"',
    });
  });

  it('accepts request bodies and any method; HEAD gets headers only', async () => {
    const base = await started();
    const posted = await fetch(`${base}/function/echo`, { method: 'POST', body: 'x'.repeat(200_000) });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ method: 'POST', path: '/function/echo' });
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-end')).not.toBeNull();
    expect(await head.text()).toBe('');
  });

  it('starts on distinct ephemeral ports, is idempotent to start, and stops listening', async () => {
    const app = createSampleApp({ host: '127.0.0.1' });
    const first = await app.start();
    expect(await app.start()).toEqual(first);
    const other = await started();
    expect(other).not.toBe(`http://127.0.0.1:${first.port}`);
    await fetch(`http://127.0.0.1:${first.port}/`); // leave a keep-alive connection open
    await app.stop();
    await expect(fetch(`http://127.0.0.1:${first.port}/`)).rejects.toThrow();
    await app.stop();
  });

  it('rejects start when the port is taken', async () => {
    const base = await started();
    const port = Number(new URL(base).port);
    const clash = createSampleApp({ host: '127.0.0.1', port });
    await expect(clash.start()).rejects.toThrow(/EADDRINUSE/);
  });
});
