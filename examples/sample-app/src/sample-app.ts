import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { burnCpu } from './cpu-work.js';
import { parseRequestOverrides } from './request-overrides.js';

export interface SampleAppOptions {
  /** TCP port; 0 (the default) picks a free one, reported by `start()`. */
  port?: number;
  /** Address to bind; all interfaces by default. */
  host?: string;
  /** Reported in the `X-Sample-App` header and the JSON body. */
  name?: string;
  /** Busy CPU work per request, in milliseconds. */
  cpuWorkMs?: number;
  /** Fixed CPU work per request, in loop iterations (its duration grows with CPU contention). */
  cpuIterations?: number;
  /** Body size in bytes; when unset the body is a small JSON description of the request. */
  responseBytes?: number;
}

export interface SampleApp {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

/**
 * A tiny HTTP service standing in for the function pods galileo loads: answers any path and method,
 * burns the configured CPU, returns a body of the configured size, and stamps every response with
 * `X-Start` / `X-End` (epoch seconds with a fractional part) as the original functions did.
 * `/healthz` answers 200 without work.
 */
export function createSampleApp(options: SampleAppOptions = {}): SampleApp {
  const name = options.name ?? 'sample-app';
  const server = createServer((request, response) => {
    const start = epochSeconds();
    handle(request, response, start).catch((error: unknown) => {
      if (!response.headersSent) {
        send(response, request, 500, start, 'application/json', JSON.stringify({ error: String(error) }));
      } else {
        response.destroy(error instanceof Error ? error : undefined);
      }
    });
  });
  server.keepAliveTimeout = 65_000; // outlive typical client pools so load tests reuse sockets

  async function handle(request: IncomingMessage, response: ServerResponse, start: string) {
    await drain(request);
    const url = new URL(request.url ?? '/', 'http://sample-app');
    if (url.pathname === '/healthz') {
      send(response, request, 200, start, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    const overrides = parseRequestOverrides(url.searchParams);
    if (!overrides.ok) {
      send(response, request, 400, start, 'application/json', JSON.stringify({ error: overrides.error }));
      return;
    }
    const cpuMs = overrides.value.cpuMs ?? options.cpuWorkMs ?? 0;
    const cpuIterations = overrides.value.cpuIterations ?? options.cpuIterations ?? 0;
    const responseBytes = overrides.value.responseBytes ?? options.responseBytes;
    const checksum = burnCpu(cpuIterations, cpuMs);
    if (responseBytes === undefined) {
      const body = { name, method: request.method, path: url.pathname, cpuMs, cpuIterations, checksum };
      send(response, request, 200, start, 'application/json', JSON.stringify(body));
    } else {
      send(response, request, 200, start, 'application/octet-stream', Buffer.alloc(responseBytes, 'x'));
    }
  }

  function send(
    response: ServerResponse,
    request: IncomingMessage,
    status: number,
    start: string,
    contentType: string,
    body: string | Buffer,
  ) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    response.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': bytes.length,
      'X-Sample-App': name,
      'X-Start': start,
      'X-End': epochSeconds(),
    });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  }

  let listening: Promise<{ port: number }> | undefined;
  return {
    start() {
      listening ??= new Promise((resolve, reject) => {
        const fail = (error: Error) => {
          listening = undefined;
          reject(error);
        };
        server.once('error', fail);
        server.listen(options.port ?? 0, options.host, () => {
          server.off('error', fail);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
      return listening;
    },
    stop() {
      if (!listening) return Promise.resolve();
      listening = undefined;
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Epoch seconds with microseconds, e.g. `1700000000.123456`. */
function epochSeconds(): string {
  return ((performance.timeOrigin + performance.now()) / 1000).toFixed(6);
}

function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    request.on('error', reject);
    request.on('end', resolve);
    request.resume();
  });
}
