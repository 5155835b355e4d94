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
 * Options for connections that enter subscriber mode. ioredis's ready check sends INFO, which
 * Redis refuses on a connection in subscriber mode ("only (P|S)SUBSCRIBE … allowed in this
 * context"); ioredis writes (P)SUBSCRIBE at once even during its handshake, so a subscription
 * made then fails the check, the connection is torn down, and the reconnect comes back without
 * it while the subscribe promise already resolved (seen on this machine under load, ioredis
 * 5.11). The check only matters for a server still loading its data; pub/sub does not care.
 */
export const SUBSCRIBER_OPTIONS = { enableReadyCheck: false } as const;

/** Resolves once the connection has finished its handshake. */
export async function whenReady(conn: Redis): Promise<Redis> {
  if (conn.status === 'ready') return conn;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      conn.off('end', onEnd);
      resolve();
    };
    const onEnd = () => {
      conn.off('ready', onReady);
      reject(new Error('redis connection ended before it was ready'));
    };
    conn.once('ready', onReady);
    conn.once('end', onEnd);
  });
  return conn;
}

/**
 * Subscribes `conn` (once it is ready) to a channel or pattern and confirms it on the server
 * (`CLIENT LIST ID`), trying again until Redis shows the subscription: a pub/sub bridge that
 * silently lost its subscription would drop every message.
 */
export async function subscribeConfirmed(
  conn: Redis,
  cmd: Redis,
  channel: string,
  pattern: boolean,
): Promise<void> {
  await whenReady(conn);
  const clientId = await conn.client('ID');
  const field = pattern ? 'psub' : 'sub';
  for (let attempt = 1; ; attempt++) {
    await (pattern ? conn.psubscribe(channel) : conn.subscribe(channel));
    const info = String(await cmd.client('LIST', 'ID', String(clientId)));
    const count = Number(new RegExp(`\\b${field}=(\\d+)`).exec(info)?.[1] ?? 0);
    if (count > 0) return;
    if (attempt >= 10) {
      throw new Error(`redis did not register the subscription to ${channel} after ${attempt} attempts`);
    }
    await new Promise((r) => setTimeout(r, 20 * attempt));
  }
}
