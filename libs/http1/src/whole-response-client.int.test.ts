import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWholeResponseClient,
  type WholeResponseClient,
  type WholeResponseClientOptions,
} from './whole-response-client.js';

// The whole-response client against raw TCP servers that do what real ones do (and what they should not).

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function client(options: Partial<WholeResponseClientOptions> = {}): WholeResponseClient {
  const http = createWholeResponseClient({ requestTimeoutMs: 5_000, responseLimit: 65_536, ...options });
  closers.push(() => http.close());
  return http;
}

const send = (http: WholeResponseClient, url: string, method = 'GET', headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: string | null; body: string | null }>((resolve) =>
    http.dispatch(url, { method, headers }, null, resolve),
  );

/** A server answering each request head with `respond(socket, head, connection)`; counts its connections. */
async function rawServer(respond: (socket: Socket, head: string, connection: number) => void) {
  const sockets = new Set<Socket>();
  const stats = { connections: 0, closed: 0, url: '' };
  const server = createServer((socket) => {
    const connection = stats.connections++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stats.closed++;
    });
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        respond(socket, head, connection);
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
  stats.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stats;
}

const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe('whole-response client', () => {
  it('keeps the body up to the limit, reads the rest, and reuses the connection', async () => {
    const server = await rawServer((socket) => socket.write(ok('x'.repeat(100_000))));
    const http = client({ responseLimit: 10 });
    for (let i = 0; i < 3; i++) expect((await send(http, `${server.url}/`)).body).toBe('x'.repeat(10));
    expect(server.connections).toBe(1);
  });

  it('sends the request again on a fresh connection when a kept-alive one was closed meanwhile', async () => {
    const server = await rawServer((socket, _head, connection) => {
      socket.write(ok(`c${connection}`));
      socket.end(); // closes after every response, without saying so
    });
    const http = client();
    expect((await send(http, `${server.url}/`)).body).toBe('c0');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await send(http, `${server.url}/`)).body).toBe('c1');
  });

  it('opens a new connection after Connection: close', async () => {
    const server = await rawServer((socket) => socket.write(ok('ok', 'Connection: close\r\n')));
    const http = client();
    for (let i = 0; i < 3; i++) expect((await send(http, `${server.url}/`)).status).toBe(200);
    expect(server.connections).toBe(3);
  });

  it('reuses the most recently freed connection, and serves waiting requests oldest first', async () => {
    const order: string[] = [];
    const server = await rawServer((socket, head, connection) => {
      const path = head.slice(head.indexOf(' ') + 1, head.indexOf(' HTTP/'));
      order.push(path);
      setTimeout(() => socket.write(ok(String(connection))), path === '/slow' ? 100 : 5);
    });
    const http = client({ connectionsPerOrigin: 2 });
    const slow = send(http, `${server.url}/slow`);
    const queued = ['/a', '/b', '/c', '/d'].map((path) => send(http, `${server.url}${path}`));
    const answers = await Promise.all(queued);
    // one connection is held by /slow: the other serves the queue in order
    expect(order).toEqual(['/slow', '/a', '/b', '/c', '/d']);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    await slow;
    // two idle now; the last freed (the slow one's) comes first
    expect((await send(http, `${server.url}/e`)).body).toBe((await slow).body);
    expect(server.connections).toBe(2);
  });

  it('opens at most 8 connections per turn of the event loop', async () => {
    const server = await rawServer((socket) => socket.write(ok('ok')));
    const http = client();
    const pending = Array.from({ length: 200 }, () => send(http, `${server.url}/`));
    expect((await Promise.all(pending)).every((r) => r.status === 200)).toBe(true);
    // the server shares our loop: it answers between turns, each of which may open 8 more
    expect(server.connections).toBeLessThan(200);
    expect(http.inFlight).toBe(0);
  });

  it('aborts a request still waiting for a connection; the others go on', async () => {
    const server = await rawServer((socket) => setTimeout(() => socket.write(ok('ok')), 50));
    const http = client({ connectionsPerOrigin: 1 });
    const abort = new AbortController();
    const first = send(http, `${server.url}/`);
    const waiting = new Promise((resolve) =>
      http.dispatch(`${server.url}/`, { method: 'GET', headers: {} }, abort.signal, resolve),
    );
    const third = send(http, `${server.url}/`);
    abort.abort(new Error('group stopped'));
    expect(await waiting).toEqual({ status: -1, headers: null, body: 'group stopped', queuedMs: 0 });
    expect((await first).status).toBe(200);
    expect((await third).status).toBe(200);
    expect(server.connections).toBe(1);
  });

  it('serves a long queue with aborted holes oldest first, each request once', async () => {
    const served: string[] = [];
    const server = await rawServer((socket, head) => {
      served.push(head.slice(head.indexOf(' ') + 1, head.indexOf(' HTTP/')));
      socket.write(ok('ok'));
    });
    const http = client({ connectionsPerOrigin: 1 });
    const aborts = new AbortController();
    const outcomes = Array.from(
      { length: 2_500 },
      (_, i) =>
        new Promise<number>((resolve) =>
          http.dispatch(
            `${server.url}/${i}`,
            { method: 'GET', headers: {} },
            i % 3 === 1 ? aborts.signal : null,
            (r) => resolve(r.status),
          ),
        ),
    );
    aborts.abort(new Error('holes'));
    const statuses = await Promise.all(outcomes);
    const expected = statuses.flatMap((status, i) => (i % 3 === 1 ? [] : [`/${i}`]));
    // the first was sent before the abort; the aborted ones never left the queue
    expect(served).toEqual(expected);
    expect(statuses.every((status, i) => status === (i % 3 === 1 ? -1 : 200))).toBe(true);
  });

  it('closes idle connections after keepAliveMs, and opens a new one when needed again', async () => {
    const server = await rawServer((socket) => socket.write(ok('ok')));
    const http = client({ keepAliveMs: 100, requestTimeoutMs: 200 }); // swept every 50 ms
    expect((await send(http, `${server.url}/`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.closed).toBe(1);
    expect((await send(http, `${server.url}/`)).status).toBe(200);
    expect(server.connections).toBe(2);
  });

  it('refuses invalid requests and URLs as a status −1, and reports transport errors with their code', async () => {
    const http = client();
    expect(await send(http, 'https://example.org/')).toEqual({
      status: -1,
      headers: null,
      body: 'invalid URL "https://example.org/"',
      queuedMs: 0,
    });
    expect((await send(http, 'http://127.0.0.1:99999/')).body).toBe('invalid URL "http://127.0.0.1:99999/"');
    expect((await send(http, 'http://127.0.0.1:1/', 'GET', { 'x-a': 'b\r\nx-injected: 1' })).body).toMatch(
      /^invalid value of header x-a/,
    );
    expect((await send(http, 'http://127.0.0.1:1/', 'G ET')).body).toBe('invalid method "G ET"');
    expect((await send(http, 'http://127.0.0.1:1/a b')).body).toBe('invalid path "/a b"');
    expect((await send(http, 'http://127.0.0.1:1/')).body).toBe(
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('fails a response that is not HTTP, and one cut before its end', async () => {
    const garbage = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n\r\n'));
    const cut = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    const http = client();
    expect((await send(http, `${garbage.url}/`)).body).toMatch(/^not an HTTP\/1.x status line/);
    expect((await send(http, `${cut.url}/`)).body).toBe('backend closed the connection mid-response');
  });
});
