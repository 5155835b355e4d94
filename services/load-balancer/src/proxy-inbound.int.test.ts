import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@galileo/testing';
import type { LoadBalancer } from './load-balancer.js';
import { createBalancerFixture } from './test-support/balancer-fixture.js';
import { RawClient } from './test-support/raw-client.js';

// The balancer's own server (inbound.ts) in front of its own client (upstream.ts), driven by a raw
// TCP client: what a client sends reaches the backend as it should, and the way back too.

const fixture = createBalancerFixture('lb-in');
const { cleanups, balancerTo } = fixture;
afterEach(() => fixture.afterEach());
afterAll(() => fixture.afterAll());

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A node backend: answers `{"url", "body"}`, chunked when the path says so. */
async function echoBackend() {
  const received: Received[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const text = JSON.stringify({ url: req.url, body });
      if (req.url!.startsWith('/chunked')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(text.slice(0, 5));
        setTimeout(() => res.end(text.slice(5)), 10);
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      }
    });
  });
  return { host: await fixture.listenHttp(server), received };
}

function client(lb: LoadBalancer): RawClient {
  const c = new RawClient(lb.port);
  cleanups.push(async () => c.close());
  return c;
}

describe('the balancer over its own HTTP/1.1 server', () => {
  it('forwards a chunked request body re-chunked, and a chunked response chunked with the trace headers', async () => {
    const backend = await echoBackend();
    const lb = await balancerTo(backend.host);
    const c = client(lb);
    await c.send(
      'POST /function/busy/chunked HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
    );
    await new Promise((r) => setTimeout(r, 20));
    await c.send('6;x=y\r\n world\r\n0\r\n\r\n');
    const [res] = await c.response();
    expect(res!.status).toBe(200);
    expect(res!.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(res!.body)).toEqual({ url: '/chunked', body: 'hello world' });
    expect(res!.headers['x-final-host']).toBe(backend.host);
    expect(res!.headers['x-forwarded-for']).toBe('lb-a');
    expect(backend.received[0]!.headers['transfer-encoding']).toBe('chunked');
    expect(backend.received[0]!.headers['x-forwarded-for']).toBe('lb-a');
  });

  it('answers 100 Continue itself and does not pass Expect on', async () => {
    const backend = await echoBackend();
    const lb = await balancerTo(backend.host);
    const c = client(lb);
    await c.send(
      'PUT /function/busy/up HTTP/1.1\r\nHost: lb\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n',
    );
    await c.until(() => c.received.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), '100 Continue');
    await c.send('abc');
    const [res] = await c.response();
    expect(JSON.parse(res!.body)).toEqual({ url: '/up', body: 'abc' });
    expect(backend.received[0]!.headers.expect).toBeUndefined();
    expect(backend.received[0]!.headers['content-length']).toBe('3');
  });

  it('serves pipelined requests in order and an HTTP/1.0 client until close', async () => {
    const backend = await echoBackend();
    const lb = await balancerTo(backend.host);
    const c = client(lb);
    await c.send(
      'GET /function/busy/chunked1 HTTP/1.1\r\nHost: lb\r\n\r\nGET /function/busy/two HTTP/1.1\r\nHost: lb\r\n\r\n' +
        'GET /nowhere HTTP/1.1\r\nHost: lb\r\n\r\nGET /function/busy/four HTTP/1.1\r\nHost: lb\r\n\r\n',
    );
    const res = await c.response(4);
    expect(res.map((r) => r.status)).toEqual([200, 200, 404, 200]);
    expect(
      res.filter((r) => r.status === 200).map((r) => (JSON.parse(r.body) as { url: string }).url),
    ).toEqual(['/chunked1', '/two', '/four']);
    const old = client(lb);
    await old.send('GET /function/busy/chunked HTTP/1.0\r\n\r\n');
    await old.waitClosed();
    const [res10] = await old.response();
    expect(res10!.headers['transfer-encoding']).toBeUndefined();
    expect(JSON.parse(res10!.body)).toEqual({ url: '/chunked', body: '' });
  });

  it('answers a malformed request 400 without reaching the backend', async () => {
    const backend = await echoBackend();
    const lb = await balancerTo(backend.host);
    const c = client(lb);
    await c.send(
      'POST /function/busy/x HTTP/1.1\r\nHost: lb\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const [res] = await c.response();
    expect(res!.status).toBe(400);
    await c.waitClosed();
    expect(backend.received).toEqual([]);
  });

  it('abandons the backend exchange when the client goes away mid-response', async () => {
    const backendSockets: Socket[] = [];
    let closedByBalancer = 0;
    const server = createServer((socket) => {
      backendSockets.push(socket);
      socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart'));
      socket.on('close', () => closedByBalancer++);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of backendSockets) s.destroy();
          server.close(() => r());
        }),
    );
    const lb = await balancerTo(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    const c = client(lb);
    await c.send('GET /function/busy/x HTTP/1.1\r\nHost: lb\r\n\r\n');
    await c.until(() => c.received.includes('part'), 'the start of the response');
    c.close();
    await waitFor(() => closedByBalancer === 1, { what: 'the backend connection closed' });
  });
});
