import type { Redis } from 'ioredis';
import type { BusLogger } from './types.js';

/**
 * Gives a connection the bus opened an error listener (ioredis reconnects by itself; without a
 * listener it prints "Unhandled error event" for every attempt) and logs the outage once,
 * then at most every `quietMs`, and its end.
 */
export function watchConnection(conn: Redis, logger: BusLogger, role: string, quietMs = 5_000): Redis {
  let down = false;
  let lastLog = 0;
  conn.on('error', (e: Error) => {
    const now = Date.now();
    if (!down || now - lastLog > quietMs) {
      logger.warn({ role, err: e.message }, 'redis connection error; reconnecting');
      lastLog = now;
    }
    down = true;
  });
  conn.on('ready', () => {
    if (down) logger.info({ role }, 'redis connection restored');
    down = false;
  });
  return conn;
}
