import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { holdWritesUntilTurnEnd } from './turn-writes.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A TCP server collecting what each connection sends, and `n` connected client sockets. */
async function pairs(n: number): Promise<{ clients: Socket[]; received: string[] }> {
  const received: string[] = [];
  const server = createServer((socket) => {
    const i = received.push('') - 1;
    socket.on('data', (d) => (received[i] += d.toString('latin1')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const clients: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    clients.push(socket);
  }
  while (received.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
  cleanups.push(() => {
    clients.forEach((c) => c.destroy());
    server.close();
  });
  return { clients, received };
}

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));

describe('holdWritesUntilTurnEnd', () => {
  it('lets a turn’s writes go at its end, in order per socket, all of them', async () => {
    const { clients, received } = await pairs(2);
    const [a, b] = clients as [Socket, Socket];
    holdWritesUntilTurnEnd(a);
    a.write('one ');
    holdWritesUntilTurnEnd(b);
    b.write('x');
    holdWritesUntilTurnEnd(a); // already held: no second cork
    a.write('two');
    expect([a.writableLength, b.writableLength]).toEqual([7, 1]); // all still buffered, nothing left yet
    expect(a.writableCorked).toBe(1);
    await turnEnd();
    expect([a.writableCorked, b.writableCorked]).toEqual([0, 0]);
    while (received.join('|') !== 'one two|x') await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual(['one two', 'x']);
  });

  it('leaves a socket the caller corked to the caller, and ignores a destroyed one', async () => {
    const { clients, received } = await pairs(2);
    const [a, b] = clients as [Socket, Socket];
    a.cork();
    holdWritesUntilTurnEnd(a);
    a.write('held by the caller');
    await turnEnd();
    expect(a.writableCorked).toBe(1);
    a.uncork();
    b.destroy();
    expect(() => holdWritesUntilTurnEnd(b)).not.toThrow();
    while (received[0] !== 'held by the caller') await new Promise((resolve) => setTimeout(resolve, 5));
  });
});
