import { afterEach, describe, expect, it } from 'vitest';
import { createInboundServer, type InboundExchange, type InboundServerOptions } from './inbound.js';
import { RawClient } from './test-support/raw-client.js';

// The balancer's own HTTP/1.1 server (inbound.ts, request-parser.ts) over real sockets, with bytes
// sent exactly as written: malformed and oversized heads, smuggling attempts, pipelining, chunked
// bodies both ways, 100-continue, HTTP/1.0, keep-alive, timeouts, aborts and stop().

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Seen {
  method: string;
  url: string;
  minor: number;
  headers: string[];
  body: string;
}

/** A server whose handler answers by path: /echo, /slow/<ms>, /stream, /hold, /big, /ignore-body. */
async function server(options: InboundServerOptions = {}) {
  const seen: Seen[] = [];
  const aborted: string[] = [];
  const holding: InboundExchange[] = [];
  const s = createInboundServer((ex) => {
    ex.onAbort = { clientGone: () => aborted.push(ex.url) };
    const answer = (body: string) => {
      seen.push({ method: ex.method, url: ex.url, minor: ex.minor, headers: ex.rawHeaders, body });
      const path = ex.url;
      if (path.startsWith('/slow/')) {
        setTimeout(() => ex.plain(200, `slow ${path}`), Number(path.slice(6)));
      } else if (path === '/stream') {
        ex.writeHead(200, '', ['x-kind', 'stream']);
        ex.write(Buffer.from('one,'));
        setTimeout(() => {
          ex.write(Buffer.from('two,'));
          ex.end(Buffer.from('three'));
        }, 30);
      } else if (path === '/hold') {
        holding.push(ex);
      } else if (path === '/big') {
        const piece = Buffer.alloc(65_536, 'b');
        let left = 64;
        const pump = () => {
          while (left > 1) {
            left--;
            if (!ex.write(piece)) {
              ex.onceDrain(pump);
              return;
            }
          }
          ex.end(piece);
        };
        ex.writeHead(200, '', ['content-length', String(64 * 65_536)]);
        pump();
      } else if (path === '/no-content') {
        ex.writeHead(204, '', []);
        ex.end(Buffer.from('dropped'));
      } else if (path === '/bad-header') {
        try {
          ex.writeHead(200, '', ['x-bad', 'a\nb']);
        } catch (err) {
          ex.plain(500, (err as Error).message);
        }
      } else {
        ex.plain(200, JSON.stringify({ method: ex.method, url: ex.url, body }));
      }
    };
    if (ex.url === '/ignore-body' || !ex.body) {
      answer('');
      return;
    }
    const chunks: Buffer[] = [];
    ex.body.on('data', (c: Buffer) => chunks.push(c));
    ex.body.on('end', () => answer(Buffer.concat(chunks).toString('latin1')));
    ex.body.on('error', () => undefined);
  }, options);
  const port = await s.listen(0, '127.0.0.1');
  cleanups.push(() => s.close(100));
  const client = () => {
    const c = new RawClient(port);
    cleanups.push(() => c.close());
    return c;
  };
  return { s, port, seen, aborted, holding, client };
}

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: lb\r\n${extra}\r\n`;

describe('inbound HTTP/1.1 server: request heads', () => {
  it.each([
    ['no version', 'GET /\r\n\r\n', 400, /malformed request line/],
    ['garbage', 'HELLO\r\n\r\n', 400, /malformed request line/],
    [
      'extra space',
      'GET  / HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
      /malformed request line|invalid request target/,
    ],
    ['a relative target', 'GET foo HTTP/1.1\r\nHost: x\r\n\r\n', 400, /not an absolute path/],
    ['a bad method', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400, /invalid method/],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505, /not supported/],
    ['junk version', 'GET / HTTP/one\r\nHost: x\r\n\r\n', 400, /malformed HTTP version/],
    ['a header without colon', 'GET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n', 400, /without a colon/],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400, /invalid header name/],
    ['obsolete folding', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  2\r\n\r\n', 400, /folding/],
    ['a control character', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n', 400, /control character/],
    ['a bare LF inside', 'GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n', 400, /control character|CRLF/],
    ['no Host in HTTP/1.1', 'GET / HTTP/1.1\r\nX-A: b\r\n\r\n', 400, /missing Host/],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, /more than one Host/],
    ['CONNECT', 'CONNECT lb:443 HTTP/1.1\r\nHost: lb\r\n\r\n', 400, /absolute path|CONNECT/],
    ['an unknown expectation', GET('/', 'Expect: magic\r\n'), 417, /expectation/],
  ])('answers %s with an error status and a reason, then closes', async (_name, request, status, reason) => {
    const { client, seen } = await server();
    const c = client();
    await c.send(request);
    const [res] = await c.response();
    expect(res!.status).toBe(status);
    expect(res!.body).toMatch(reason);
    expect(res!.headers.connection).toBe('close');
    await c.waitClosed();
    expect(seen).toEqual([]);
  });

  it('answers 431 for a head over 16 KiB, whole or in small pieces', async () => {
    const { client } = await server();
    const big = GET('/', `X-Big: ${'a'.repeat(17_000)}\r\n`);
    const c = client();
    await c.send(big);
    const [res] = await c.response();
    expect(res!.status).toBe(431);
    await c.waitClosed();
    // without the end of the head ever arriving
    const d = client();
    await d.send('GET / HTTP/1.1\r\nHost: lb\r\n');
    for (let i = 0; i < 20 && !d.closed; i++) await d.send(`X-H${i}: ${'b'.repeat(1000)}\r\n`);
    const [res2] = await d.response();
    expect(res2!.status).toBe(431);
    await d.waitClosed();
  });

  it('accepts a 15 KiB head, methods, absolute-form and query targets, and skips empty lines before a request', async () => {
    const { client, seen } = await server();
    const c = client();
    await c.send(`\r\n${GET('/a?x=1&y=%20', `X-Big: ${'a'.repeat(15_000)}\r\n`)}`);
    await c.send('PATCH http://lb/b HTTP/1.1\r\nHost: lb\r\nContent-Length: 0\r\n\r\n');
    await c.send('OPTIONS * HTTP/1.1\r\nHost: lb\r\n\r\n');
    const res = await c.response(3);
    expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /a?x=1&y=%20',
      'PATCH http://lb/b',
      'OPTIONS *',
    ]);
    expect(seen[0]!.headers.slice(0, 2)).toEqual(['Host', 'lb']);
    expect(seen[0]!.headers[3]).toHaveLength(15_000);
  });

  it('answers 408 when a head does not complete within the headers timeout', async () => {
    const { client } = await server({ headersTimeoutMs: 150 });
    const c = client();
    await c.send('GET / HTTP/1.1\r\nHost: lb\r\n');
    const [res] = await c.response();
    expect(res!.status).toBe(408);
    await c.waitClosed();
  });
});

describe('inbound HTTP/1.1 server: request smuggling', () => {
  it.each([
    [
      'Content-Length and Transfer-Encoding',
      'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n',
      400,
      /both Content-Length and Transfer-Encoding/,
    ],
    [
      'two Content-Lengths',
      'Content-Length: 5\r\nContent-Length: 6\r\n',
      400,
      /more than one Content-Length/,
    ],
    ['a signed Content-Length', 'Content-Length: +5\r\n', 400, /bad Content-Length/],
    ['a list as Content-Length', 'Content-Length: 5, 5\r\n', 400, /bad Content-Length/],
    ['chunked not last', 'Transfer-Encoding: chunked, identity\r\n', 400, /does not end with chunked/],
    ['an unknown coding', 'Transfer-Encoding: gzip, chunked\r\n', 501, /not supported/],
    ['chunked twice', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', 400, /more than once/],
  ])('refuses %s', async (_name, headers, status, reason) => {
    const { client, seen } = await server();
    const c = client();
    await c.send(`POST /echo HTTP/1.1\r\nHost: lb\r\n${headers}\r\nhello`);
    const [res] = await c.response();
    expect(res!.status).toBe(status);
    expect(res!.body).toMatch(reason);
    await c.waitClosed();
    expect(seen).toEqual([]);
  });

  it.each([
    ['a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'],
    ['a space in the size', '5 \r\nhello\r\n0\r\n\r\n'],
    ['a bare LF after the size', '5\nhello\r\n0\r\n\r\n'],
    ['data longer than the size', '3\r\nhello\r\n0\r\n\r\n'],
  ])('answers 400 for a chunked body with %s and serves nothing after it', async (_name, body) => {
    const { client, seen } = await server();
    const c = client();
    await c.send(
      `POST /echo HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n${body}${GET('/smuggled')}`,
    );
    const [res] = await c.response();
    expect(res!.status).toBe(400);
    expect(res!.body).toMatch(/bad request body/);
    await c.waitClosed();
    expect(seen.map((s) => s.url)).not.toContain('/smuggled');
  });
});

describe('inbound HTTP/1.1 server: bodies, pipelining, connections', () => {
  it('answers pipelined requests in order, each after the one before', async () => {
    const { client, seen } = await server();
    const c = client();
    await c.send(
      GET('/slow/80') +
        GET('/fast') +
        GET('/slow/20') +
        'POST /echo HTTP/1.1\r\nHost: lb\r\nContent-Length: 3\r\n\r\nabc' +
        GET('/last'),
    );
    const res = await c.response(5);
    const what = (body: string) => (body.startsWith('{') ? (JSON.parse(body) as { url: string }).url : body);
    expect(res.map((r) => what(r.body))).toEqual([
      'slow /slow/80',
      '/fast',
      'slow /slow/20',
      '/echo',
      '/last',
    ]);
    expect(JSON.parse(res[3]!.body)).toMatchObject({ body: 'abc' });
    expect(seen.map((s) => s.url)).toEqual(['/slow/80', '/fast', '/slow/20', '/echo', '/last']);
    expect(c.closed).toBe(false);
  });

  it('holds pipelined requests behind one in flight (reading pauses), then answers them all in order', async () => {
    const { client, seen, holding } = await server();
    const c = client();
    const many = Array.from({ length: 3_000 }, (_, i) => GET(`/p${i}`, 'X-Pad: 0123456789\r\n')).join('');
    expect(many.length).toBeGreaterThan(100_000);
    await c.send(GET('/hold') + many);
    await c.until(() => holding.length === 1, 'the first request');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(1);
    holding[0]!.plain(200, 'first');
    const res = await c.response(3_001);
    expect(res[0]!.body).toBe('first');
    expect(res.slice(1).map((r) => (JSON.parse(r.body) as { url: string }).url)).toEqual(
      Array.from({ length: 3_000 }, (_, i) => `/p${i}`),
    );
  });

  it('answers 408 when a request body does not complete within the request timeout', async () => {
    const { client } = await server({ requestTimeoutMs: 150 });
    const c = client();
    await c.send('POST /echo HTTP/1.1\r\nHost: lb\r\nContent-Length: 10\r\n\r\nabc');
    const [res] = await c.response();
    expect(res!.status).toBe(408);
    await c.waitClosed();
  });

  it('reads a chunked request body (extensions, trailers, split anywhere) and a content-length one', async () => {
    const { client, seen } = await server();
    const c = client();
    const request =
      'POST /echo HTTP/1.1\r\nHost: lb\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=v\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (let i = 0; i < request.length; i += 7) await c.send(request.slice(i, i + 7));
    await c.send('PUT /echo HTTP/1.1\r\nHost: lb\r\nContent-Length: 11\r\n\r\nhello');
    await new Promise((r) => setTimeout(r, 20));
    await c.send(' there');
    const res = await c.response(2);
    expect(JSON.parse(res[0]!.body)).toMatchObject({ method: 'POST', body: 'hello, world' });
    expect(JSON.parse(res[1]!.body)).toMatchObject({ method: 'PUT', body: 'hello there' });
    expect(seen).toHaveLength(2);
  });

  it('drops a body the handler did not read and serves the next request', async () => {
    const { client } = await server();
    const c = client();
    await c.send(
      `POST /ignore-body HTTP/1.1\r\nHost: lb\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100_000)}${GET('/after')}`,
    );
    const res = await c.response(2);
    expect(res.map((r) => r.status)).toEqual([200, 200]);
    expect(JSON.parse(res[1]!.body)).toMatchObject({ url: '/after' });
  });

  it('answers Expect: 100-continue before the body is sent', async () => {
    const { client } = await server();
    const c = client();
    await c.send('POST /echo HTTP/1.1\r\nHost: lb\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
    await c.until(() => c.received.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), '100 Continue');
    await c.send('body');
    const [res] = await c.response();
    expect(JSON.parse(res!.body)).toMatchObject({ body: 'body' });
  });

  it('sends a response without a length chunked to HTTP/1.1 and until close to HTTP/1.0', async () => {
    const { client } = await server();
    const c = client();
    await c.send(GET('/stream'));
    const [res] = await c.response();
    expect(res!.headers['transfer-encoding']).toBe('chunked');
    expect(res!.body).toBe('one,two,three');
    expect(res!.raw).toMatch(/\r\n\r\n4\r\none,\r\n/);
    const d = client();
    await d.send('GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await d.waitClosed();
    const [res10] = await d.response();
    expect(res10!.headers['transfer-encoding']).toBeUndefined();
    expect(res10!.headers.connection).toBe('close');
    expect(res10!.body).toBe('one,two,three');
  });

  it('closes after an HTTP/1.0 response unless keep-alive was asked, and after Connection: close', async () => {
    const { client } = await server();
    const c = client();
    await c.send('GET /a HTTP/1.0\r\n\r\n');
    await c.waitClosed();
    expect((await c.response())[0]!.headers.connection).toBe('close');
    const d = client();
    await d.send('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [kept] = await d.response();
    expect(kept!.headers.connection).toBe('keep-alive');
    await d.send('GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(await d.response(2)).toHaveLength(2);
    expect(d.closed).toBe(false);
    const e = client();
    await e.send(GET('/a', 'Connection: close\r\n') + GET('/never'));
    await e.waitClosed();
    expect(await e.response()).toHaveLength(1);
  });

  it('reuses a kept-alive connection and closes it after the keep-alive timeout', async () => {
    const { client, s } = await server({ keepAliveTimeoutMs: 200 });
    const c = client();
    for (let i = 0; i < 5; i++) {
      await c.send(GET(`/r${i}`));
      await c.response(i + 1);
    }
    const res = c.responses();
    expect(
      res.every(
        (r) => r.headers.connection === 'keep-alive' && /^timeout=\d+$/.test(r.headers['keep-alive'] ?? ''),
      ),
    ).toBe(true);
    expect(res[0]!.headers.date).toMatch(/GMT$/);
    expect(s.connections).toBe(1);
    const t0 = Date.now();
    await c.waitClosed();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('sends HEAD and 204 responses without a body; refuses invalid response headers', async () => {
    const { client } = await server();
    const c = client();
    await c.send('HEAD /echo HTTP/1.1\r\nHost: lb\r\n\r\n');
    const [head] = await c.response();
    expect(head!.headers['content-length']).toBeDefined();
    await c.send(GET('/no-content'));
    const [, none] = await c.response(2);
    expect(none!.status).toBe(204);
    expect(none!.headers['transfer-encoding']).toBeUndefined();
    await c.send(GET('/bad-header'));
    const [, , bad] = await c.response(3);
    expect(bad!.status).toBe(500);
    expect(bad!.body).toMatch(/invalid character in the value of header "x-bad"/);
    await c.send(GET('/after'));
    const all = await c.response(4);
    // nothing else came: no stray body bytes between the responses
    expect(all[3]!.status).toBe(200);
    expect(c.received.endsWith(all[3]!.raw)).toBe(true);
  });

  it('writes a 4 MB response through backpressure to a client that reads late', async () => {
    const { client } = await server();
    const c = client();
    c.socket.pause();
    await c.send(GET('/big'));
    await new Promise((r) => setTimeout(r, 200));
    c.socket.resume();
    const [res] = await c.response();
    expect(res!.body.length).toBe(64 * 65_536);
    // closing after the response (HTTP/1.0) waits for the client to take it all
    const d = client();
    d.socket.pause();
    await d.send('GET /big HTTP/1.0\r\n\r\n');
    await new Promise((r) => setTimeout(r, 1_500));
    d.socket.resume();
    await d.waitClosed();
    const [res10] = await d.response();
    expect(res10!.body.length).toBe(64 * 65_536);
  });

  it('aborts the exchange when the client goes away mid-response (close or FIN)', async () => {
    const { client, aborted, holding } = await server();
    const c = client();
    await c.send(GET('/hold'));
    await c.until(() => holding.length === 1, 'the request');
    c.close();
    await c.until(() => aborted.length === 1, 'the abort');
    const d = client();
    await d.send(GET('/hold'));
    await d.until(() => holding.length === 2, 'the second request');
    d.socket.end();
    await d.until(() => aborted.length === 2, 'the abort after FIN');
    expect(aborted).toEqual(['/hold', '/hold']);
    holding[0]!.plain(200, 'late'); // no effect, no error
  });

  it('stop(): idle connections close at once, a busy one after its response (Connection: close)', async () => {
    const { client, s, holding } = await server();
    const idle = client();
    await idle.send(GET('/a'));
    await idle.response();
    const busy = client();
    await busy.send(GET('/hold'));
    await busy.until(() => holding.length === 1, 'the request');
    const stopped = s.close(2_000);
    await idle.waitClosed(500);
    expect(busy.closed).toBe(false);
    holding[0]!.plain(200, 'done');
    const [res] = await busy.response();
    expect(res!.body).toBe('done');
    expect(res!.headers.connection).toBe('close');
    await busy.waitClosed(1_000);
    await stopped;
  });

  it('stop() cuts a connection still busy after the grace time', async () => {
    const { client, s, holding } = await server();
    const busy = client();
    await busy.send(GET('/hold'));
    await busy.until(() => holding.length === 1, 'the request');
    const t0 = Date.now();
    await s.close(200);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await busy.waitClosed(500);
  });
});
