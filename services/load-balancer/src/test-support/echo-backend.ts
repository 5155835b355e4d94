import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoBackend {
  readonly host: string;
  readonly name: string;
  /** Requests it received: url and headers. */
  readonly received: { url: string; method: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** A backend that answers `{"name", "url", "headers"}` and stamps X-Start/X-End like a function pod. */
export async function startEchoBackend(
  name: string,
  options: { keep?: boolean; extraHeaders?: Record<string, string> } = {},
): Promise<EchoBackend> {
  const received: EchoBackend['received'] = [];
  const server: Server = createServer((req, res) => {
    const start = (Date.now() / 1000).toFixed(6);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (options.keep !== false) {
        received.push({
          url: req.url ?? '',
          method: req.method ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
      }
      const body = JSON.stringify({ name, url: req.url, headers: req.headers });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-backend': name,
        'x-start': start,
        'x-end': (Date.now() / 1000).toFixed(6),
        ...options.extraHeaders,
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    name,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** The LVS interleaved WRR as the go-load-balancer's wrr.go runs it, transcribed independently. */
export function referenceWrrSequence(weights: readonly number[], n: number): number[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = weights.reduce(gcd);
  const max = Math.max(...weights);
  let i = -1;
  let cw = 0;
  const out: number[] = [];
  while (out.length < n) {
    i = (i + 1) % weights.length;
    if (i === 0) {
      cw = cw - g;
      if (cw <= 0) {
        cw = max;
        if (cw === 0) continue;
      }
    }
    if (weights[i]! >= cw) out.push(i);
  }
  return out;
}
