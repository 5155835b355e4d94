import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LoadBalancer } from './load-balancer.js';
import { createBalancerFixture } from './test-support/balancer-fixture.js';

// The balancer's own HTTP/1.1 client (upstream.ts) against backends that do what real ones do:
// chunked bodies, trailers, 1xx, Connection: close, closing kept-alive connections, stalling.

const fixture = createBalancerFixture('lb-up');
const { cleanups } = fixture;
const agent = new Agent({ connections: 8 });
afterEach(() => fixture.afterEach());
afterAll(async () => {
  await fixture.afterAll();
  await agent.close();
});

const balancerTo = (host: string, requestTimeoutMs?: number): Promise<LoadBalancer> =>
  fixture.balancerTo(host, requestTimeoutMs ? { requestTimeoutMs } : {});

/** A raw TCP backend: `onRequest(socket, head)` for each request head it reads (bodies are the test's business). */
async function rawBackend(onRequest: (socket: Socket, head: string, n: number) => void) {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        onRequest(socket, head, n++);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connections = { total: 0 };
  server.on('connection', () => connections.total++);
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { host, connections };
}

async function httpBackend(handler: Parameters<typeof createHttpServer>[1]) {
  return fixture.listenHttp(createHttpServer({ maxHeaderSize: 65_536 }, handler));
}

async function get(lb: LoadBalancer, path = '/function/busy/x', options: Parameters<typeof request>[1] = {}) {
  const res = await request(`http://127.0.0.1:${lb.port}${path}`, { dispatcher: agent, ...options });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe('the balancer as an HTTP/1.1 proxy (its own upstream client)', () => {
  it('passes a chunked response on, trailers dropped, and keeps the connection', async () => {
    const backend = await rawBackend((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Backend: raw\r\n\r\n5\r\nhello\r\n');
      setTimeout(() => socket.write('7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'), 20);
    });
    const lb = await balancerTo(backend.host);
    for (let i = 0; i < 3; i++) {
      const res = await get(lb);
      expect(res.status).toBe(200);
      expect(res.text).toBe('hello, world');
      expect(res.headers['x-backend']).toBe('raw');
      expect(res.headers['x-final-host']).toBe(backend.host);
    }
    expect(backend.connections.total).toBe(1);
  });

  it('skips 100 Continue, reads HEAD and 204 without a body, and reuses the connection', async () => {
    const backend = await rawBackend((socket, head) => {
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      else if (head.startsWith('DELETE')) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    });
    const lb = await balancerTo(backend.host);
    const head = await get(lb, '/function/busy/x', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1000');
    expect((await get(lb, '/function/busy/x', { method: 'DELETE' })).status).toBe(204);
    expect(await get(lb)).toMatchObject({ status: 201, text: 'ok' });
    expect(backend.connections.total).toBe(1);
  });

  it('forwards request bodies: content-length as sent, a stream without length chunked', async () => {
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const host = await httpBackend((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.end('done');
      });
    });
    const lb = await balancerTo(host);
    const big = 'y'.repeat(300_000);
    expect((await get(lb, '/function/busy/up', { method: 'PUT', body: big })).text).toBe('done');
    expect(received[0]!.body).toBe(big);
    expect(received[0]!.headers['content-length']).toBe(String(big.length));
    const stream = Readable.from(['part one, ', 'part two'], { objectMode: false });
    expect((await get(lb, '/function/busy/up', { method: 'POST', body: stream })).text).toBe('done');
    expect(received[1]!.body).toBe('part one, part two');
    expect(received[1]!.headers['transfer-encoding']).toBe('chunked');
  });

  it('carries large request and response headers', async () => {
    const big = 'v'.repeat(12_000);
    const host = await httpBackend((req, res) => {
      res.setHeader('x-big-back', `${String(req.headers['x-big'])}!`);
      res.end('ok');
    });
    const lb = await balancerTo(host);
    const res = await get(lb, '/function/busy/x', { headers: { 'x-big': big } });
    expect(res.status).toBe(200);
    expect(res.headers['x-big-back']).toBe(`${big}!`);
  });

  it('opens a new connection after Connection: close and after a read-until-close body', async () => {
    const backend = await rawBackend((socket, _head, n) => {
      if (n % 2 === 0) socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\none');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nuntil close');
    });
    const lb = await balancerTo(backend.host);
    expect((await get(lb)).text).toBe('one');
    expect((await get(lb)).text).toBe('until close');
    expect((await get(lb)).text).toBe('one');
    expect(backend.connections.total).toBe(3);
  });

  it('drops a kept-alive connection the backend closed while idle', async () => {
    const backend = await rawBackend((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.destroy(), 30);
    });
    const lb = await balancerTo(backend.host);
    expect((await get(lb)).text).toBe('ok');
    await new Promise((r) => setTimeout(r, 100));
    expect((await get(lb)).text).toBe('ok');
    expect(backend.connections.total).toBe(2);
  });

  it('sends a bodiless GET again on a fresh connection when a reused one closes before any response byte', async () => {
    const backend = await rawBackend((socket, _head, n) => {
      // the race of a keep-alive timeout: the backend closes as the second request arrives
      if (n === 1) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const lb = await balancerTo(backend.host);
    expect((await get(lb)).text).toBe('ok');
    expect(await get(lb)).toMatchObject({ status: 200, text: 'ok' });
    expect(backend.connections.total).toBe(2);
    // a POST is never sent twice: 502
    const posts = await rawBackend((socket, _head, n) => {
      if (n === 1) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const lb2 = await balancerTo(posts.host);
    expect((await get(lb2)).text).toBe('ok');
    expect((await get(lb2, '/function/busy/x', { method: 'POST', body: 'x' })).status).toBe(502);
    expect(posts.connections.total).toBe(1);
  });

  it('answers 502 with a reason when the backend refuses, closes without a response, or sends garbage', async () => {
    const refusing = await balancerTo('127.0.0.1:1');
    const refused = await get(refusing);
    expect(refused.status).toBe(502);
    expect(refused.text).toMatch(/backend 127\.0\.0\.1:1 failed: .*ECONNREFUSED/);

    const closing = await rawBackend((socket) => socket.destroy());
    const closed = await get(await balancerTo(closing.host), '/function/busy/x', {
      method: 'POST',
      body: 'x',
    });
    expect(closed.status).toBe(502);
    expect(closed.text).toMatch(/closed the connection without a response|ECONNRESET/);

    const garbage = await rawBackend((socket) => socket.end('SPDY/9 nonsense\r\n\r\n'));
    const bad = await get(await balancerTo(garbage.host));
    expect(bad.status).toBe(502);
    expect(bad.text).toMatch(/not an HTTP\/1\.x status line/);

    // the bad chunk with the head: nothing went to the client yet, so it is a 502
    const badChunkAtOnce = await rawBackend((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
    );
    const badAtOnce = await get(await balancerTo(badChunkAtOnce.host));
    expect(badAtOnce.status).toBe(502);
    expect(badAtOnce.text).toMatch(/bad chunk size "zz"/);
    const badChunk = await rawBackend((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      setTimeout(() => socket.write('zz\r\n'), 50);
    });
    // headers went out already: the client's response is cut, not turned into a 502
    await expect(get(await balancerTo(badChunk.host))).rejects.toThrow();
  });

  it('cuts the client response when the backend closes mid-body', async () => {
    const backend = await rawBackend((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
      setTimeout(() => socket.destroy(), 20);
    });
    const lb = await balancerTo(backend.host);
    await expect(get(lb)).rejects.toThrow();
    // and the balancer still serves
    const healthy = await rawBackend((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    );
    expect((await get(await balancerTo(healthy.host))).text).toBe('ok');
  });

  it('answers 504 when the backend does not answer in time', async () => {
    const backend = await rawBackend(() => undefined);
    const lb = await balancerTo(backend.host, 200);
    const t0 = performance.now();
    const res = await get(lb);
    expect(res.status).toBe(504);
    expect(res.text).toMatch(/no response within 200 ms/);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('streams a large response with backpressure, to a fast and to a stalled client', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const host = await httpBackend((_req, res) => {
      res.writeHead(200, { 'content-length': chunk.length * 64 });
      let i = 0;
      const pump = () => {
        while (i < 64) {
          i++;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const lb = await balancerTo(host);
    const res = await get(lb);
    expect(res.text.length).toBe(chunk.length * 64);
    // a client that stops reading for a while: the balancer pauses the backend, then resumes it
    const { connect } = await import('node:net');
    const client = connect({ host: '127.0.0.1', port: lb.port });
    client.write('GET /function/busy/x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    client.pause();
    await new Promise((r) => setTimeout(r, 300));
    let bytes = 0;
    await new Promise<void>((resolve, reject) => {
      client.on('data', (d: Buffer) => (bytes += d.length));
      client.on('end', () => resolve());
      client.on('error', reject);
      client.resume();
    });
    expect(bytes).toBeGreaterThan(chunk.length * 64);
  });
});
