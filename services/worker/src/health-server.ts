import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The worker's only HTTP surface: `GET /healthz` (200 with a small JSON status, 503 when not
 * healthy) and `GET /metrics` (Prometheus text). Everything else is 404.
 */
export async function startHealthServer(options: {
  port: number;
  host: string;
  registry: Registry;
  health: () => { healthy: boolean } & Record<string, unknown>;
}): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      const status = options.health();
      response
        .writeHead(status.healthy ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(status));
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (e: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
