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

/**
 * Subscribes `conn` to a channel or pattern and confirms it on the server (`CLIENT LIST ID`):
 * under load we saw a (P)SUBSCRIBE resolve on the client while Redis never registered it, which
 * would silently drop every message. Tries again until Redis shows the subscription.
 */
export async function subscribeConfirmed(
  conn: Redis,
  cmd: Redis,
  channel: string,
  pattern: boolean,
): Promise<void> {
  const clientId = await conn.client('ID');
  const field = pattern ? 'psub' : 'sub';
  for (let attempt = 1; ; attempt++) {
    await (pattern ? conn.psubscribe(channel) : conn.subscribe(channel));
    const info = String(await cmd.client('LIST', 'ID', String(clientId)));
    const count = Number(new RegExp(`\\b${field}=(\\d+)`).exec(info)?.[1] ?? 0);
    if (count > 0) return;
    if (attempt >= 10)
      throw new Error(`redis did not register the subscription to ${channel} after ${attempt} attempts`);
    await new Promise((r) => setTimeout(r, 20 * attempt));
  }
}
