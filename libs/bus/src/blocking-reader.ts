import net from 'node:net';
import tls from 'node:tls';
import type { Redis } from 'ioredis';
import { watchConnection } from './connection-watch.js';
import {
  decodeReply,
  decodeStreamsReply,
  ReplyFramer,
  RespProtocolError,
  RespReplyError,
  type StreamRead,
} from './resp-reply.js';
import { readEntry } from './stream-entry.js';
import type { BusLogger } from './types.js';

/**
 * How a subscription reads its streams: one blocking XREADGROUP at a time on a connection of
 * its own.
 *
 * - `resp` (default): a socket of the bus's own with a small RESP2 reader that turns the reply
 *   bytes straight into entries (resp-reply.ts). It connects with the ioredis client's options.
 * - `ioredis`: a duplicate of the ioredis client, replies parsed by ioredis (the former path;
 *   kept for A/B comparisons, and used for setups the socket does not handle: Sentinel, a custom
 *   connector, ioredis's keyPrefix).
 */
export type BlockingReadMode = 'resp' | 'ioredis';

export interface ReadGroupRequest {
  group: string;
  consumer: string;
  count: number;
  blockMs: number;
  keys: readonly string[];
}

export interface BlockingReader {
  /** Connects (if need be); resolves when a read can be sent. */
  ready(): Promise<void>;
  /** The connection's id on the server (for CLIENT UNBLOCK); null while not connected. */
  clientId(): number | null;
  /** XREADGROUP … BLOCK … STREAMS keys > …: null when the block timed out; errors reject. */
  readGroup(request: ReadGroupRequest): Promise<StreamRead[] | null>;
  quit(): Promise<void>;
  disconnect(): void;
}

export interface BlockingReaderOptions {
  mode?: BlockingReadMode;
  connectionName: string;
  logger: BusLogger;
  role: string;
}

export function createBlockingReader(redis: Redis, options: BlockingReaderOptions): BlockingReader {
  const mode = options.mode ?? 'resp';
  const target = mode === 'resp' ? socketOptionsOf(redis, options.connectionName) : null;
  if (target) return new RespBlockingReader(target, options.logger, options.role);
  return new IoredisBlockingReader(
    watchConnection(
      redis.duplicate({ connectionName: options.connectionName }),
      options.logger,
      options.role,
    ),
  );
}

function readGroupArgs(r: ReadGroupRequest): (string | number)[] {
  const args: (string | number)[] = [
    'GROUP',
    r.group,
    r.consumer,
    'COUNT',
    r.count,
    'BLOCK',
    r.blockMs,
    'STREAMS',
  ];
  for (const k of r.keys) args.push(k);
  for (let i = 0; i < r.keys.length; i++) args.push('>');
  return args;
}

// ---- the former path: ioredis -----------------------------------------------------------------

type RawReply = [string, [string, string[] | null][]][] | null;

class IoredisBlockingReader implements BlockingReader {
  private id: number | null = null;

  constructor(private readonly conn: Redis) {}

  async ready(): Promise<void> {
    this.id = Number(await this.conn.client('ID'));
  }

  clientId(): number | null {
    return this.id;
  }

  async readGroup(request: ReadGroupRequest): Promise<StreamRead[] | null> {
    const reply = (await (this.conn.xreadgroup as (...a: (string | number)[]) => Promise<unknown>)(
      ...readGroupArgs(request),
    )) as RawReply;
    if (!reply) return null;
    return reply.map(([key, raw]) => {
      const entries = [];
      const deleted = [];
      for (const [id, fields] of raw) {
        const entry = readEntry(id, fields);
        if (entry) entries.push(entry);
        else deleted.push(id);
      }
      return { key, entries, deleted };
    });
  }

  async quit(): Promise<void> {
    await this.conn.quit().catch(() => this.conn.disconnect());
  }

  disconnect(): void {
    this.conn.disconnect();
  }
}

// ---- the lean path: a socket of our own -----------------------------------------------------------

export interface RespSocketOptions {
  host?: string;
  port?: number;
  path?: string;
  family?: number;
  tls?: tls.ConnectionOptions;
  username?: string;
  password?: string;
  db?: number;
  connectionName?: string;
  connectTimeout?: number;
  noDelay?: boolean;
  keepAlive?: number;
}

/**
 * The ioredis client's own connection settings, or null when they need what only ioredis does
 * (Sentinel, a custom connector, a key prefix it would add to every key).
 */
export function socketOptionsOf(redis: Redis, connectionName: string): RespSocketOptions | null {
  const o = redis.options as Redis['options'] & {
    sentinels?: unknown[] | null;
    Connector?: unknown;
    path?: string;
  };
  if ((o.sentinels && o.sentinels.length > 0) || o.Connector || o.keyPrefix) return null;
  return {
    host: o.host,
    port: o.port,
    path: o.path,
    family: o.family,
    tls: o.tls,
    username: o.username,
    password: o.password,
    db: o.db,
    connectionName,
    connectTimeout: o.connectTimeout,
    noDelay: o.noDelay,
    keepAlive: o.keepAlive,
  };
}

/** The connection went away (or never came): the read may be sent again once it is back. */
export class ConnectionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

interface Pending {
  readonly streams: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One socket and the commands in flight on it, in order. */
interface Link {
  readonly socket: net.Socket;
  readonly pending: Pending[];
  id: number | null;
}

/** Connection attempts of ready() (ioredis's default maxRetriesPerRequest is 20): about 30 s. */
const READY_ATTEMPTS = 20;

const encodeCommand = (args: readonly (string | number)[]): string => {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  }
  return out;
};

/**
 * A connection that only reads: it connects on the first command and again on the first command
 * after it was lost (the subscription's read loop retries with backoff, as ioredis would
 * reconnect). A command in flight when the socket closes rejects with ConnectionLostError. An
 * outage is logged once (then at most every 5 s) and its end, as watchConnection does.
 */
export class RespBlockingReader implements BlockingReader {
  private link: Link | null = null;
  private connecting: Promise<Link> | null = null;
  private closed = false;
  private down = false;
  private lastLog = 0;

  constructor(
    private readonly options: RespSocketOptions,
    private readonly logger: BusLogger,
    private readonly role: string,
    private readonly quietMs = 5_000,
  ) {}

  /**
   * Connects, trying again while Redis cannot be reached (as ioredis's CLIENT ID did before: a
   * subscription started while Redis restarts waits for it). A refusal (a wrong password) fails at once.
   */
  async ready(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connect();
        return;
      } catch (e) {
        if (!(e instanceof ConnectionLostError) || this.closed || attempt >= READY_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** (attempt - 1), 2_000)));
      }
    }
  }

  clientId(): number | null {
    return this.link?.id ?? null;
  }

  readGroup(request: ReadGroupRequest): Promise<StreamRead[] | null> {
    return this.command(['XREADGROUP', ...readGroupArgs(request)], true) as Promise<StreamRead[] | null>;
  }

  /** Sends one command (connecting first if need be). */
  private async command(args: readonly (string | number)[], streams = false): Promise<unknown> {
    const link = this.link ?? (await this.connect());
    return this.send(link, args, streams);
  }

  async quit(): Promise<void> {
    this.closed = true;
    const link = this.link;
    if (!link) return;
    await new Promise<void>((resolve) => {
      link.socket.once('close', () => resolve());
      link.socket.end();
      setTimeout(() => link.socket.destroy(), 2_000).unref();
    });
  }

  disconnect(): void {
    this.closed = true;
    this.link?.socket.destroy();
  }

  private send(link: Link, args: readonly (string | number)[], streams: boolean): Promise<unknown> {
    if (link.socket.destroyed) return Promise.reject(new ConnectionLostError('Connection is closed.'));
    return new Promise((resolve, reject) => {
      link.pending.push({ streams, resolve, reject });
      link.socket.write(encodeCommand(args));
    });
  }

  private connect(): Promise<Link> {
    if (this.closed) return Promise.reject(new ConnectionLostError('Connection is closed.'));
    if (!this.connecting) {
      this.connecting = this.open().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async open(): Promise<Link> {
    const o = this.options;
    const where: net.NetConnectOpts = o.path
      ? { path: o.path }
      : { host: o.host ?? '127.0.0.1', port: o.port ?? 6379, ...(o.family ? { family: o.family } : {}) };
    // As ioredis: the tls options are merged over host and port.
    const socket = o.tls
      ? tls.connect({ ...(where as tls.ConnectionOptions), ...o.tls })
      : net.createConnection(where);
    const link: Link = { socket, pending: [], id: null };
    let lastError: Error | null = null;
    const framer = new ReplyFramer((reply) => this.settle(link, reply));
    socket.on('data', (chunk: Buffer) => {
      try {
        framer.push(chunk);
      } catch (e) {
        socket.destroy(e as Error);
      }
    });
    socket.on('error', (e: Error) => {
      lastError = e;
      this.noteDown(e);
    });
    socket.once('close', () => {
      if (this.link === link) this.link = null;
      const why = new ConnectionLostError(
        lastError ? `Connection is closed: ${lastError.message}` : 'Connection is closed.',
      );
      for (const p of link.pending.splice(0)) p.reject(why);
      if (!lastError && !this.closed) this.noteDown(why);
    });

    try {
      await new Promise<void>((resolve, reject) => {
        const timer = o.connectTimeout
          ? setTimeout(() => socket.destroy(new Error('connect ETIMEDOUT')), o.connectTimeout)
          : null;
        const done = (e?: Error) => {
          if (timer) clearTimeout(timer);
          socket.off('close', onClose);
          if (e) reject(e);
          else resolve();
        };
        const onClose = () => done(new ConnectionLostError(lastError?.message ?? 'Connection is closed.'));
        socket.once(o.tls ? 'secureConnect' : 'connect', () => done());
        socket.once('close', onClose);
      });
      if (o.noDelay !== false) socket.setNoDelay(true);
      if (typeof o.keepAlive === 'number') socket.setKeepAlive(true, o.keepAlive);
      // The handshake ioredis makes (AUTH, SELECT, CLIENT SETNAME), pipelined, then our id.
      const steps: Promise<unknown>[] = [];
      if (o.password) {
        const auth = o.username ? ['AUTH', o.username, o.password] : ['AUTH', o.password];
        steps.push(
          this.send(link, auth, false).catch((e: Error) => {
            // ioredis goes on (with a warning) when the server wants no password.
            if (!/no password is set|without any password configured/i.test(e.message)) throw e;
          }),
        );
      }
      if (o.db) steps.push(this.send(link, ['SELECT', o.db], false));
      if (o.connectionName) steps.push(this.send(link, ['CLIENT', 'SETNAME', o.connectionName], false));
      steps.push(this.send(link, ['CLIENT', 'ID'], false));
      // Every reply is awaited, and the first failing step (a wrong password, not the NOAUTH of
      // the steps after it) is what the caller sees.
      const settled = await Promise.allSettled(steps);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      link.id = Number((settled[settled.length - 1] as PromiseFulfilledResult<unknown>).value);
    } catch (e) {
      socket.destroy();
      throw e instanceof RespReplyError || e instanceof ConnectionLostError
        ? e
        : new ConnectionLostError((e as Error).message);
    }
    if (this.closed) {
      socket.destroy();
      throw new ConnectionLostError('Connection is closed.');
    }
    this.link = link;
    if (this.down) this.logger.info({ role: this.role }, 'redis connection restored');
    this.down = false;
    return link;
  }

  private settle(link: Link, reply: Buffer): void {
    const p = link.pending.shift();
    if (!p) {
      link.socket.destroy(new RespProtocolError('a reply to no command'));
      return;
    }
    let value: unknown;
    try {
      value = p.streams ? decodeStreamsReply(reply) : decodeReply(reply);
    } catch (e) {
      p.reject(e as Error);
      link.socket.destroy(e as Error);
      return;
    }
    if (value instanceof RespReplyError) p.reject(value);
    else p.resolve(value);
  }

  private noteDown(e: Error): void {
    if (this.closed) return;
    const now = Date.now();
    if (!this.down || now - this.lastLog > this.quietMs) {
      this.logger.warn({ role: this.role, err: e.message }, 'redis connection error; reconnecting');
      this.lastLog = now;
    }
    this.down = true;
  }
}
