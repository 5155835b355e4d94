import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export type HealthStatus = { healthy: boolean } & Record<string, unknown>;
export type ReadinessStatus = { ready: boolean } & Record<string, unknown>;

export interface HealthServerOptions {
  port: number;
  host: string;
  /** Prometheus registry behind `/metrics`; without one `/metrics` is 404. */
  registry?: Registry;
  /** Liveness: is the process working at all (its loops running)? 503 restarts it. */
  health: () => HealthStatus;
  /** Readiness: can it do its job now (its stores reachable)? Defaults to liveness. */
  ready?: () => ReadinessStatus;
}

/**
 * Every service's operational HTTP surface: `GET /healthz` (liveness, 200 with a small JSON
 * status, 503 when not healthy), `GET /readyz` (readiness, 200 or 503) and `GET /metrics`
 * (Prometheus text). Everything else is 404. Kubernetes probes and compose healthchecks use it.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const ready =
    options.ready ??
    (() => {
      const status = options.health();
      return { ...status, ready: status.healthy };
    });
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const json = (code: number, body: unknown) =>
      response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      const status = options.health();
      json(status.healthy ? 200 : 503, status);
    } else if (path === '/readyz') {
      const status = ready();
      json(status.ready ? 200 : 503, status);
    } else if (path === '/metrics' && options.registry) {
      const registry = options.registry;
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (e: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)),
      );
    } else {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /healthz, /readyz or /metrics\n');
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
