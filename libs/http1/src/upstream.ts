import { holdWritesUntilTurnEnd } from './turn-writes.js';
import { connect, type Socket } from 'node:net';

/**
 * A lean HTTP/1.1 client (first for the balancer's backends): keep-alive connections over `node:net`, one
 * request at a time per connection (no pipelining), a pre-built request head, and a minimal
 * response parser (status line, headers, then a content-length, chunked, or read-until-close
 * body). It exists because a general client (undici) spent most of the balancer's CPU per request
 * on options, objects and promise plumbing the proxy does not need.
 *
 * Correctness it keeps: request bodies (content-length as is, anything else re-sent chunked),
 * 1xx responses skipped, HEAD/204/304 without a body, `Connection: close` and HTTP/1.0 responses
 * not reused, `Keep-Alive: timeout=N` honoured (the connection is dropped before the backend drops
 * it), a request without a body retried once on a fresh connection when a reused one turns out to
 * be closed before any byte of the response, timeouts for the response head and between body bytes.
 *
 * For a load generator (the worker) it can also: hand on the headers as received, hop-by-hop ones
 * too (`headersAsReceived`), leave timeouts to the caller (`timeoutMs: 0`, no socket timer), and open
 * at most `newConnectionsPerTurn` connections per turn of the event loop.
 */

/** What the proxy does with one exchange; the client calls these in order, exactly once each end. */
export interface UpstreamExchange {
  /** The whole request head, `METHOD path HTTP/1.1\r\n…\r\n\r\n` (latin1). */
  readonly head: string;
  /** The request body source, or null without a body. `chunked`: re-encode its bytes as chunks. */
  readonly body: NodeJS.ReadableStream | null;
  readonly chunkedBody: boolean;
  /** HEAD request: the response has no body whatever its headers say. */
  readonly headRequest: boolean;
  /** May be sent again when a reused connection proves closed before any response byte. */
  readonly retryable: boolean;
  /** The connection serving it (set by the client; null while queued). */
  connection: UpstreamConnection | null;
  /** Response head. `headers` is flat: name, value, name, value (names as the backend wrote them). */
  onResponseHead(status: number, reason: string, headers: string[]): void;
  /** A piece of the body; return false to pause the backend until `resume` is called. */
  onResponseData(chunk: Buffer, resume: () => void): boolean;
  /** The response is complete; `last` is its final piece of body when that came with the end. */
  onResponseEnd(last: Buffer | null): void;
  /** The exchange failed; `timedOut` for a response that took too long (504 rather than 502). */
  onError(err: Error, timedOut: boolean): void;
}

export interface UpstreamPoolOptions {
  /** Most connections open at once to this backend; more requests wait in a queue. */
  connections: number;
  /** Longest wait for the response head, and between body bytes; 0: none (the caller sweeps). */
  timeoutMs: number;
  /** Idle keep-alive connections are closed after this long (unless the backend asks for less). */
  keepAliveMs?: number;
  /** Largest response head accepted. */
  maxHeadBytes?: number;
  /**
   * Connections opened per turn of the event loop at most (unlimited by default); more requests
   * wait for the next turn or a freed connection. Open loop, a stalled loop makes hundreds of
   * requests due at once, and a connection for each would stall it again.
   */
  newConnectionsPerTurn?: number;
  /**
   * Hand on every header as received, as undici does (a client recording responses): `connection`,
   * `keep-alive`, `transfer-encoding`, `proxy-connection`, `upgrade`, `trailer` and a chunked
   * response's `content-length` too, values with their trailing whitespace. By default those
   * headers are dropped (a proxy's hop-by-hop headers) and values trimmed of spaces and tabs.
   */
  headersAsReceived?: boolean;
  /**
   * Request heads are written at the end of the event loop's turn, with every other write of the
   * turn (`holdWritesUntilTurnEnd`): a proxy's choice — fewer wake-ups of the backends, a request
   * leaving up to one turn later. Off by default (a load generator sends when it means to).
   */
  writeAtTurnEnd?: boolean;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const LAST_CHUNK = '0\r\n\r\n';

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailers,
}

/** Why an exchange failed; `code` is the socket's (`ECONNREFUSED` …) when it came from one. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
    readonly code: string | undefined = undefined,
  ) {
    super(message);
  }
}

/** One keep-alive connection to the backend and the exchange it is serving. */
class Connection {
  readonly socket: Socket;
  exchange: UpstreamExchange | null = null;
  /** Has this connection already served a response? (A reused one may be stale.) */
  used = false;
  /** performance.now() after which an idle connection is not reused; 0: no limit known. */
  expiresAt = 0;
  /** performance.now() when it last became idle. */
  idleAt = 0;
  private head: Buffer | null = null;
  private gotHead = false;
  private gotBytes = false;
  private releasePending = false;
  private bodyMode = Body.None;
  private remaining = 0;
  private chunkState = Chunk.Size;
  private line = '';
  private reusable = true;
  private bodySent = true;
  private paused = false;
  private closed = false;
  private readonly resume = () => {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  };

  constructor(
    private readonly pool: UpstreamPool,
    host: string,
    port: number,
  ) {
    // reads land in the pool's one buffer (no stream machinery per read); whatever outlives the
    // callback is copied out of it
    const socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: pool.readBuffer,
        callback: (n: number, buf: Uint8Array) => {
          this.onData((buf as Buffer).subarray(0, n));
          return !this.paused;
        },
      },
    });
    this.socket = socket;
    if (pool.timeoutMs > 0) socket.setTimeout(pool.timeoutMs);
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => this.onClose(err));
    socket.on('close', () => this.onClose(null));
    socket.on('timeout', () => this.onTimeout());
  }

  start(exchange: UpstreamExchange): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.head = null;
    this.gotHead = false;
    this.gotBytes = false;
    this.bodyMode = Body.None;
    this.reusable = true;
    const socket = this.socket;
    const body = exchange.body;
    if (!body) {
      this.bodySent = true;
      if (this.pool.writeAtTurnEnd) holdWritesUntilTurnEnd(socket);
      socket.write(exchange.head, 'latin1');
      return;
    }
    this.bodySent = false;
    socket.write(exchange.head, 'latin1');
    const chunked = exchange.chunkedBody;
    const onData = (chunk: Buffer) => {
      if (this.exchange !== exchange || chunk.length === 0) return;
      let ok: boolean;
      if (chunked) {
        socket.cork();
        socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
        socket.write(chunk);
        ok = socket.write('\r\n', 'latin1');
        socket.uncork();
      } else ok = socket.write(chunk);
      if (!ok) {
        body.pause();
        socket.once('drain', () => body.resume());
      }
    };
    const onEnd = () => {
      if (this.exchange !== exchange) return;
      if (chunked) socket.write(LAST_CHUNK, 'latin1');
      this.bodySent = true;
    };
    const onAborted = () => {
      if (this.exchange === exchange && !this.bodySent)
        this.fail(new UpstreamError('client aborted the request body'));
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onAborted);
  }

  /** The client went away: the response cannot be finished, so the connection cannot be reused. */
  abandon(): void {
    if (this.exchange) this.exchange.connection = null;
    this.exchange = null;
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.pool.closed(this);
  }

  private onTimeout(): void {
    if (this.exchange) {
      this.fail(
        new UpstreamError(
          !this.gotHead
            ? `no response within ${this.pool.timeoutMs} ms`
            : `response stalled for ${this.pool.timeoutMs} ms`,
          true,
        ),
      );
    } else this.destroy();
  }

  private onEnd(): void {
    this.onClose(null);
  }

  private onClose(err: Error | null): void {
    const exchange = this.exchange;
    if (exchange) {
      if (this.gotHead && this.bodyMode === Body.UntilClose && !err) {
        this.finish(null);
      } else if (this.used && !this.gotBytes && exchange.retryable && exchange.body === null) {
        // a kept-alive connection the backend had closed meanwhile: once more on a fresh one
        this.exchange = null;
        this.destroy();
        this.pool.retry(exchange);
        return;
      } else {
        this.fail(
          new UpstreamError(
            err
              ? err.message
              : this.gotHead
                ? 'backend closed the connection mid-response'
                : 'backend closed the connection without a response',
            false,
            (err as NodeJS.ErrnoException | null)?.code,
          ),
        );
      }
    }
    this.destroy();
  }

  private fail(err: UpstreamError): void {
    const exchange = this.exchange;
    this.exchange = null;
    if (exchange) exchange.connection = null;
    this.destroy();
    exchange?.onError(err, err.timedOut);
  }

  /** The response is complete; the connection is released once its bytes are all accounted for. */
  private finish(last: Buffer | null): void {
    const exchange = this.exchange!;
    this.exchange = null;
    exchange.connection = null;
    this.used = true;
    if (this.reusable && this.bodySent) this.releasePending = true;
    exchange.onResponseEnd(last);
    if (!this.releasePending) this.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.exchange) {
      // bytes nobody asked for: the connection is out of step
      this.destroy();
      return;
    }
    this.gotBytes = true;
    let buf = chunk;
    if (this.head !== null) {
      buf = Buffer.concat([this.head, chunk]);
      this.head = null;
    }
    let offset = 0;
    while (offset < buf.length && this.exchange) {
      offset = this.gotHead ? this.readBody(buf, offset) : this.readHead(buf, offset);
      if (offset < 0) return; // waiting for more, or failed
    }
    if (this.releasePending) {
      this.releasePending = false;
      // bytes after the response (no pipelining was asked for): out of step, not reusable
      if (offset < buf.length || this.closed) this.destroy();
      else this.pool.release(this);
    }
  }

  /** Parses the response head; returns the offset after it, or -1 (need more bytes, or failed). */
  private readHead(buf: Buffer, offset: number): number {
    const end = buf.indexOf(CRLF2, offset);
    if (end < 0 || end - offset > this.pool.maxHeadBytes) {
      if (buf.length - offset > this.pool.maxHeadBytes) {
        this.fail(new UpstreamError(`response head larger than ${this.pool.maxHeadBytes} bytes`));
        return -1;
      }
      this.head = Buffer.from(buf.subarray(offset));
      return -1;
    }
    if (!this.parseHead(buf.toString('latin1', offset, end))) return -1;
    return end + 4;
  }

  /** Status line and headers; false (after failing the exchange) when unusable. */
  private parseHead(text: string): boolean {
    const exchange = this.exchange!;
    const eol = text.indexOf('\r\n');
    const statusLine = eol < 0 ? text : text.slice(0, eol);
    // HTTP/1.x NNN[ reason]
    if (
      statusLine.length < 12 ||
      !statusLine.startsWith('HTTP/1.') ||
      statusLine.charCodeAt(8) !== 32 ||
      (statusLine.length > 12 && statusLine.charCodeAt(12) !== 32)
    ) {
      this.fail(new UpstreamError(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 80))}`));
      return false;
    }
    const status = Number(statusLine.slice(9, 12));
    if (!Number.isInteger(status) || status < 100) {
      this.fail(new UpstreamError(`bad status code in ${JSON.stringify(statusLine.slice(0, 80))}`));
      return false;
    }
    const http10 = statusLine.charCodeAt(7) === 48; // '0'
    const headers: string[] = [];
    const keepHop = this.pool.headersAsReceived;
    let length = -1;
    let chunked = false;
    let close = http10;
    let keepAliveMs = 0;
    let pos = eol < 0 ? text.length : eol + 2;
    while (pos < text.length) {
      let next = text.indexOf('\r\n', pos);
      if (next < 0) next = text.length;
      const c0 = text.charCodeAt(pos);
      const colon = text.indexOf(':', pos);
      if (c0 === 32 || c0 === 9 || colon < 0 || colon > next || colon === pos) {
        this.fail(
          new UpstreamError(
            `malformed response header line ${JSON.stringify(text.slice(pos, Math.min(next, pos + 80)))}`,
          ),
        );
        return false;
      }
      // names lower-cased, as a general client (undici) hands them on too
      const lower = text.slice(pos, colon).toLowerCase();
      const value = headerValue(text, colon + 1, next, !keepHop);
      pos = next + 2;
      if (lower === 'content-length') {
        const n = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n) || (length >= 0 && length !== n)) {
          this.fail(new UpstreamError(`bad Content-Length ${JSON.stringify(value)}`));
          return false;
        }
        length = n;
      } else if (lower === 'transfer-encoding') {
        const v = value.toLowerCase();
        chunked = v === 'chunked' || v.endsWith(',chunked') || v.endsWith(', chunked');
        if (!chunked) close = true; // another coding last: the body runs until close
        if (!keepHop) continue;
      } else if (lower === 'connection') {
        if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) close = true;
        else if (http10 && /(?:^|,)\s*keep-alive\s*(?:,|$)/i.test(value)) close = false;
        if (!keepHop) continue;
      } else if (lower === 'keep-alive') {
        const m = /timeout\s*=\s*(\d+)/i.exec(value);
        if (m) keepAliveMs = Number(m[1]) * 1000;
        if (!keepHop) continue;
      } else if (!keepHop && (lower === 'proxy-connection' || lower === 'upgrade' || lower === 'trailer')) {
        continue;
      }
      headers.push(lower, value);
    }
    if (status < 200) {
      if (status === 101) {
        this.fail(new UpstreamError('the backend switched protocols (upgrades are not proxied)'));
        return false;
      }
      return true; // 100 Continue, 103 Early Hints…: the final response follows
    }
    this.gotHead = true;
    if (close) this.reusable = false;
    this.expiresAt = keepAliveMs > 0 ? performance.now() + keepAliveMs - 1000 : 0;
    if (exchange.headRequest || status === 204 || status === 304) this.bodyMode = Body.None;
    else if (chunked) {
      this.bodyMode = Body.Chunked;
      this.chunkState = Chunk.Size;
      this.line = '';
    } else if (length >= 0) {
      this.bodyMode = Body.Length;
      this.remaining = length;
    } else {
      this.bodyMode = Body.UntilClose;
      this.reusable = false;
    }
    // a chunked body is decoded here and sent on as the client's server decides
    if (chunked && length >= 0 && !keepHop) {
      for (let i = 0; i < headers.length; i += 2) {
        if (headers[i] === 'content-length') {
          headers.splice(i, 2);
          i -= 2;
        }
      }
    }
    exchange.onResponseHead(status, statusLine.length > 13 ? statusLine.slice(13) : '', headers);
    if (this.exchange !== exchange) return false; // the proxy gave up (e.g. bad headers)
    if (this.bodyMode === Body.None || (this.bodyMode === Body.Length && this.remaining === 0)) {
      this.finish(null);
    }
    return true;
  }

  /** Passes body bytes on; returns the offset after what it consumed, or -1 when stopped. */
  private readBody(chunk: Buffer, offset: number): number {
    const exchange = this.exchange!;
    switch (this.bodyMode) {
      case Body.None:
        // bytes after a complete bodyless response
        this.destroy();
        return -1;
      case Body.UntilClose:
        this.deliver(exchange, chunk.subarray(offset));
        return chunk.length;
      case Body.Length: {
        const n = Math.min(this.remaining, chunk.length - offset);
        const piece = offset === 0 && n === chunk.length ? chunk : chunk.subarray(offset, offset + n);
        this.remaining -= n;
        // the last piece goes with the end: one write to the client
        if (this.remaining === 0) this.finish(Buffer.from(piece));
        else this.deliver(exchange, piece);
        return offset + n;
      }
      case Body.Chunked:
        return this.readChunked(exchange, chunk, offset);
    }
  }

  private deliver(exchange: UpstreamExchange, data: Buffer): void {
    if (data.length === 0) return;
    if (!exchange.onResponseData(Buffer.from(data), this.resume) && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private readChunked(exchange: UpstreamExchange, chunk: Buffer, offset: number): number {
    while (offset < chunk.length) {
      switch (this.chunkState) {
        case Chunk.Size:
        case Chunk.Trailers: {
          const nl = chunk.indexOf(10, offset); // '\n'
          const end = nl < 0 ? chunk.length : nl;
          this.line += chunk.toString('latin1', offset, end);
          if (this.line.length > 8192) {
            this.fail(new UpstreamError('chunk size or trailer line too long'));
            return -1;
          }
          if (nl < 0) return chunk.length;
          offset = nl + 1;
          const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
          this.line = '';
          if (this.chunkState === Chunk.Trailers) {
            if (line === '') {
              this.finish(null);
              return offset;
            }
            continue; // trailers are dropped (hop-by-hop here)
          }
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          const size = /^[0-9a-fA-F]{1,12}$/.test(hex) ? parseInt(hex, 16) : NaN;
          if (!Number.isSafeInteger(size)) {
            this.fail(new UpstreamError(`bad chunk size ${JSON.stringify(line.slice(0, 40))}`));
            return -1;
          }
          if (size === 0) this.chunkState = Chunk.Trailers;
          else {
            this.remaining = size;
            this.chunkState = Chunk.Data;
          }
          break;
        }
        case Chunk.Data: {
          const n = Math.min(this.remaining, chunk.length - offset);
          this.remaining -= n;
          this.deliver(exchange, chunk.subarray(offset, offset + n));
          if (this.exchange !== exchange) return -1;
          offset += n;
          if (this.remaining === 0) {
            this.chunkState = Chunk.DataEnd;
            this.remaining = 2;
          }
          break;
        }
        case Chunk.DataEnd: {
          // the CRLF after a chunk's data
          const c = chunk[offset]!;
          if ((this.remaining === 2 && c !== 13) || (this.remaining === 1 && c !== 10)) {
            this.fail(new UpstreamError('chunk data not followed by CRLF'));
            return -1;
          }
          offset++;
          if (--this.remaining === 0) this.chunkState = Chunk.Size;
          break;
        }
      }
    }
    return offset;
  }
}

/** Keep-alive connections to one backend (`host:port`). */
export class UpstreamPool {
  readonly timeoutMs: number;
  readonly maxHeadBytes: number;
  readonly writeAtTurnEnd: boolean;
  readonly headersAsReceived: boolean;
  /** Where every connection's reads land (callbacks run one at a time). */
  readonly readBuffer = Buffer.allocUnsafe(65_536);
  private readonly keepAliveMs: number;
  private readonly newConnectionsPerTurn: number;
  private readonly host: string;
  private readonly port: number;
  /** A stack: the most recently freed connection is reused first, the others may expire. */
  private readonly idle: Connection[] = [];
  /** Exchanges waiting for a connection, oldest at `queueHead`; abandoned ones leave a null. */
  private queue: (UpstreamExchange | null)[] = [];
  private queueHead = 0;
  private open = 0;
  private openedThisTurn = 0;
  private closing = false;
  private readonly all = new Set<Connection>();

  constructor(
    readonly target: string,
    private readonly options: UpstreamPoolOptions,
  ) {
    this.timeoutMs = options.timeoutMs;
    this.keepAliveMs = options.keepAliveMs ?? 30_000;
    this.maxHeadBytes = options.maxHeadBytes ?? 65_536;
    this.writeAtTurnEnd = options.writeAtTurnEnd ?? false;
    this.newConnectionsPerTurn = options.newConnectionsPerTurn ?? Infinity;
    this.headersAsReceived = options.headersAsReceived ?? false;
    const colon = target.lastIndexOf(':');
    const host = colon < 0 ? target : target.slice(0, colon);
    this.host = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    this.port = colon < 0 ? 80 : Number(target.slice(colon + 1));
  }

  /** Sends the exchange on an idle connection, a new one, or queues it. */
  dispatch(exchange: UpstreamExchange): void {
    if (this.closing) {
      exchange.onError(new UpstreamError(POOL_CLOSED), false);
      return;
    }
    const now = performance.now();
    while (this.idle.length > 0) {
      const conn = this.idle.pop()!;
      if (this.expired(conn, now)) {
        conn.destroy();
        continue;
      }
      conn.start(exchange);
      return;
    }
    if (this.mayOpen()) this.fresh(exchange);
    else this.queue.push(exchange);
  }

  /**
   * Closes the idle connections past their keep-alive (without it they go when the backend closes
   * them, or when a request finds them); true when the pool holds no connection and no request.
   */
  closeExpired(now = performance.now()): boolean {
    const idle = this.idle;
    for (let i = idle.length - 1; i >= 0; i--) {
      const conn = idle[i]!;
      if (!this.expired(conn, now)) continue;
      idle.splice(i, 1);
      conn.destroy();
    }
    return this.open === 0 && this.queueHead >= this.queue.length;
  }

  private expired(conn: Connection, now: number): boolean {
    return (conn.expiresAt !== 0 && now > conn.expiresAt) || now - conn.idleAt > this.keepAliveMs;
  }

  /** Once more, on a new connection (the reused one was closed before the response). */
  retry(exchange: UpstreamExchange): void {
    if (this.closing) exchange.onError(new UpstreamError(POOL_CLOSED), false);
    else this.fresh(exchange);
  }

  /** The client went away: drops the exchange from the queue or closes its connection. */
  abandon(exchange: UpstreamExchange): void {
    if (exchange.connection) exchange.connection.abandon();
    else {
      const i = this.queue.indexOf(exchange, this.queueHead);
      if (i >= 0) this.queue[i] = null;
    }
  }

  private fresh(exchange: UpstreamExchange): void {
    const conn = new Connection(this, this.host, this.port);
    this.open++;
    this.all.add(conn);
    conn.start(exchange);
  }

  /** Below the connection cap and this turn's share of new connections (counted if so). */
  private mayOpen(): boolean {
    if (this.open >= this.options.connections || this.openedThisTurn >= this.newConnectionsPerTurn) {
      return false;
    }
    if (this.newConnectionsPerTurn !== Infinity && this.openedThisTurn++ === 0) {
      setImmediate(this.nextTurn);
    }
    return true;
  }

  /** A new turn of the event loop: queued exchanges may open connections again. */
  private readonly nextTurn = (): void => {
    this.openedThisTurn = 0;
    while (!this.closing && this.queueHead < this.queue.length && this.mayOpen()) {
      const next = this.dequeue();
      if (!next) return;
      this.fresh(next);
    }
  };

  /** The oldest exchange still waiting, or null. */
  private dequeue(): UpstreamExchange | null {
    while (this.queueHead < this.queue.length) {
      const queue = this.queue;
      const next = queue[this.queueHead];
      queue[this.queueHead++] = null;
      if (this.queueHead === queue.length) {
        this.queue = [];
        this.queueHead = 0;
      } else if (this.queueHead > 1024 && this.queueHead * 2 > queue.length) {
        // a queue that never drains: drop the consumed front now and then
        this.queue = queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      if (next) return next;
    }
    return null;
  }

  /** A connection finished a response and may be reused. */
  release(conn: Connection): void {
    const next = this.dequeue();
    if (next) {
      conn.start(next);
      return;
    }
    conn.idleAt = performance.now();
    this.idle.push(conn);
  }

  /** A connection is gone. */
  closed(conn: Connection): void {
    if (!this.all.delete(conn)) return;
    this.open--;
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.closing || this.queueHead >= this.queue.length || !this.mayOpen()) return;
    const next = this.dequeue();
    if (next) this.fresh(next);
  }

  /** Closes every connection (in-flight exchanges fail). */
  close(): void {
    this.closing = true;
    for (let next = this.dequeue(); next; next = this.dequeue()) {
      next.onError(new UpstreamError(POOL_CLOSED), false);
    }
    for (const conn of [...this.all]) {
      const exchange = conn.exchange;
      conn.abandon();
      exchange?.onError(new UpstreamError(POOL_CLOSED), false);
    }
  }
}

const POOL_CLOSED = 'the connection pool is closed';

/**
 * `text[start, end)` without the leading (and, if `trimEnd`, trailing) spaces and tabs — the
 * optional whitespace of RFC 9110, nothing else: `String.prototype.trim` would also cut a 0xA0 or
 * 0x85 byte (read as latin1), the end of a UTF-8 character such as `à`.
 */
function headerValue(text: string, start: number, end: number, trimEnd: boolean): string {
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  if (trimEnd)
    while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return text.slice(start, end);
}

export type UpstreamConnection = Connection;
