import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server answering 200 after `delayMs` without blocking the event loop (unlike CPU work). */
export async function startSlowServer(delayMs: number): Promise<{ host: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('slow ok\n'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
