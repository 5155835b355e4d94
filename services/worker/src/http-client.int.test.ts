import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  httpClientImplementations,
  type HttpClient,
  type HttpClientImplementation,
} from './http-client.js';
import { startSlowServer } from './test-support/slow-server.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function client(
  implementation: HttpClientImplementation,
  options: { requestTimeoutMs?: number; responseLimit?: number; connectionsPerOrigin?: number } = {},
): HttpClient {
  const http = createHttpClient({
    requestTimeoutMs: 5_000,
    responseLimit: 65_536,
    implementation,
    ...options,
  });
  closers.push(() => http.close());
  return http;
}

async function slow(delayMs: number): Promise<string> {
  const server = await startSlowServer(delayMs);
  closers.push(() => server.close());
  return `http://${server.host}/`;
}

/** Echoes method, path, headers and body as JSON; `/big` answers 100 000 'x' in chunks. */
async function echoServer(connections = { count: 0 }): Promise<string> {
  const server = createServer((request, response) => {
    if (request.url === '/big') {
      response.writeHead(200, { 'content-type': 'text/plain', 'x-multi': ['a', 'b'] });
      for (let i = 0; i < 10; i++) response.write('x'.repeat(10_000));
      response.end();
      return;
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }),
      );
    });
  });
  server.on('connection', () => connections.count++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw TCP server answering every request head it reads with `respond(socket, head)`. */
async function rawServer(respond: (socket: Socket, head: string) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        respond(socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Chunked, with repeated, hop-by-hop and non-ASCII headers, and a UTF-8 body. */
const RAW_RESPONSE = Buffer.concat([
  Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nSet-Cookie: a=1\r\nConnection: keep-alive\r\n' +
      'Keep-Alive: timeout=5\r\nX-Text:  grüße \r\nSet-Cookie: b=2\r\nTransfer-Encoding: chunked\r\n\r\n',
    'utf8',
  ),
  ...['  grüß', 'e  '].map((piece) =>
    Buffer.from(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`),
  ),
  Buffer.from('0\r\n\r\n'),
]);

describe.each(httpClientImplementations)('http client (%s)', (implementation) => {
  it('sends method, path, headers and body; returns status, headers as JSON and the body', async () => {
    const origin = await echoServer();
    const http = client(implementation);
    const outcome = await http.send(`${origin}/a?b=1`, {
      method: 'POST',
      path: '/a?b=1',
      headers: { 'x-test': 'yes' },
      body: 'hello',
    });
    expect(outcome.status).toBe(201);
    expect(JSON.parse(outcome.headers!)).toMatchObject({ 'content-type': 'application/json' });
    expect(JSON.parse(outcome.body!)).toMatchObject({
      method: 'POST',
      url: '/a?b=1',
      headers: { 'x-test': 'yes' },
      body: 'hello',
    });
    expect(http.inFlight).toBe(0);
  });

  it('keeps the body up to the limit, joins repeated headers, and reuses the connection', async () => {
    const origin = await echoServer();
    const http = client(implementation, { responseLimit: 15_000 });
    for (let i = 0; i < 3; i++) {
      const outcome = await http.send(`${origin}/big`, { method: 'GET', path: '/big', headers: {} });
      expect(outcome.status).toBe(200);
      expect(outcome.body).toBe('x'.repeat(15_000));
      expect(JSON.parse(outcome.headers!)).toMatchObject({ 'x-multi': 'a, b' });
    }
  });

  it('turns transport errors and bad URLs into status −1 with the reason', async () => {
    const http = client(implementation);
    const refused = await http.send('http://127.0.0.1:1/', { method: 'GET', path: '/', headers: {} });
    expect(refused).toMatchObject({ status: -1, headers: null });
    expect(refused.body).toMatch(/ECONNREFUSED/);
    expect(await http.send('nonsense', { method: 'GET', path: '/', headers: {} })).toEqual({
      status: -1,
      headers: null,
      body: 'invalid URL "nonsense"',
      queuedMs: 0,
    });
  });

  it('times out a request that waits longer than the timeout for its headers', async () => {
    const url = await slow(2_000);
    const http = client(implementation, { requestTimeoutMs: 200 });
    const started = Date.now();
    const outcome = await http.send(url, { method: 'GET', path: '/', headers: {} });
    expect(outcome).toMatchObject({ status: -1, headers: null });
    // undici's error, or the lean client's words for it
    expect(outcome.body).toMatch(/UND_ERR_HEADERS_TIMEOUT|timeout: no response head within 200 ms/);
    // checked every timeout / 4
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(http.inFlight).toBe(0);
  });

  it('aborts every outstanding request of a signal, and refuses new ones', async () => {
    const url = await slow(2_000);
    const http = client(implementation);
    const abort = new AbortController();
    const other = new AbortController();
    const request = { method: 'GET', path: '/', headers: {} };
    const pending = [1, 2, 3].map(() => http.send(url, request, abort.signal));
    const unaffected = http.send(url, request, other.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(http.inFlight).toBe(4);
    abort.abort(new Error('client group closed'));
    for (const outcome of await Promise.all(pending)) {
      expect(outcome).toMatchObject({ status: -1, headers: null, body: 'client group closed' });
    }
    expect(await http.send(url, request, abort.signal)).toEqual({
      status: -1,
      headers: null,
      body: 'client group closed',
      queuedMs: 0,
    });
    expect(await unaffected).toMatchObject({ status: 200, body: 'slow ok' });
    expect(http.inFlight).toBe(0);
  });

  it('meets a burst with the connections it has, opening at most 8 more per turn of the loop', async () => {
    const connections = { count: 0 };
    const origin = await echoServer(connections);
    const http = client(implementation);
    const request = { method: 'GET', path: '/', headers: {} };
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => http.send(`${origin}/`, request)));
    expect(outcomes.every((o) => o.status === 201)).toBe(true);
    // undici's Pool would open one per request; here the server shares our event loop, so it answers
    // only between turns, each of which may open 8 more
    expect(connections.count).toBeLessThan(200);
    expect(http.inFlight).toBe(0);
  });

  it('still opens a connection for every concurrent request to a slow server, within a few turns', async () => {
    const url = await slow(300);
    const http = client(implementation);
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 64 }, () => http.send(url, { method: 'GET', path: '/', headers: {} })),
    );
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    // 64 requests of 300 ms each, all at once: well under two server times
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('opens no more than connectionsPerOrigin connections; the other requests wait for one and succeed', async () => {
    const connections = { count: 0 };
    const origin = await echoServer(connections);
    const http = client(implementation, { connectionsPerOrigin: 3 });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        http.send(`${origin}/n${i}`, { method: 'GET', path: '/', headers: {} }),
      ),
    );
    expect(outcomes.every((o) => o.status === 201)).toBe(true);
    expect(connections.count).toBe(3);
  });

  it('reports how long a request waited for a connection (queuedMs), 0 for one that found it free', async () => {
    const url = await slow(150);
    const http = client(implementation, { connectionsPerOrigin: 1 });
    const [first, second] = await Promise.all([
      http.send(url, { method: 'GET', path: '/', headers: {} }),
      http.send(url, { method: 'GET', path: '/', headers: {} }),
    ]);
    expect([first!.status, second!.status]).toEqual([200, 200]);
    expect(first!.queuedMs).toBeLessThan(20);
    expect(second!.queuedMs).toBeGreaterThanOrEqual(140);
    const refused = await http.send('http://127.0.0.1:1/', { method: 'GET', path: '/', headers: {} });
    expect(refused).toMatchObject({ status: -1, queuedMs: expect.any(Number) });
    expect(refused.queuedMs).toBeLessThan(20);
  });

  it('reads a chunked UTF-8 body, and a HEAD response without one', async () => {
    const origin = await rawServer((socket, head) => {
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      else socket.write(RAW_RESPONSE);
    });
    const http = client(implementation);
    for (let i = 0; i < 2; i++) {
      expect(await http.send(`${origin}/`, { method: 'GET', path: '/', headers: {} })).toMatchObject({
        status: 200,
        body: 'grüße',
      });
      const head = await http.send(`${origin}/`, { method: 'HEAD', path: '/', headers: {} });
      expect(head).toMatchObject({ status: 200, body: '' });
      expect(JSON.parse(head.headers!)).toEqual({ 'content-length': '1000' });
    }
  });

  it('times out a response whose body stalls', async () => {
    const origin = await rawServer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'),
    );
    const http = client(implementation, { requestTimeoutMs: 200 });
    const outcome = await http.send(`${origin}/`, { method: 'GET', path: '/', headers: {} });
    expect(outcome).toMatchObject({ status: -1, headers: null });
    expect(outcome.body).toMatch(/UND_ERR_BODY_TIMEOUT|timeout: response stalled for 200 ms/);
    expect(http.inFlight).toBe(0);
  });

  it('sends a UTF-8 body with its length in bytes', async () => {
    const origin = await echoServer();
    const http = client(implementation);
    const outcome = await http.send(`${origin}/u`, {
      method: 'PUT',
      path: '/u',
      headers: {},
      body: 'héllo ✓',
    });
    expect(JSON.parse(outcome.body!)).toMatchObject({ body: 'héllo ✓', headers: { 'content-length': '10' } });
  });

  it('close() waits for the outstanding requests', async () => {
    const url = await slow(200);
    const http = createHttpClient({ requestTimeoutMs: 5_000, responseLimit: 100, implementation });
    const pending = http.send(url, { method: 'GET', path: '/', headers: {} });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await http.close();
    expect(await pending).toMatchObject({ status: 200, body: 'slow ok' });
  });
});

describe('both http clients', () => {
  it('record the same headers JSON for the same response', async () => {
    const origin = await rawServer((socket) => socket.write(RAW_RESPONSE));
    const [lean, undici] = await Promise.all(
      (['lean', 'undici'] as const).map((implementation) =>
        client(implementation).send(`${origin}/`, { method: 'GET', path: '/', headers: {} }),
      ),
    );
    expect(lean!.headers).toBe(undici!.headers);
    // as undici has them: values as latin1, trailing whitespace kept, repeated ones joined, hop-by-hop ones kept
    expect(JSON.parse(lean!.headers!)).toMatchObject({
      'set-cookie': 'a=1, b=2',
      'x-text': Buffer.from('grüße ').toString('latin1'),
      'transfer-encoding': 'chunked',
    });
    expect(lean!.body).toBe(undici!.body);
  });
});
