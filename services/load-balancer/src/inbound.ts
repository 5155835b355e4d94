import { STATUS_CODES } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { holdWritesUntilTurnEnd } from '@galileo/http1';
import { Readable } from 'node:stream';
import {
  ChunkedDecoder,
  RequestBodyError,
  RequestHeadError,
  parseRequestHead,
  type RequestHead,
} from './request-parser.js';

/**
 * The balancer's own HTTP/1.1 server over `node:net`: what `node:http`'s server did for the proxy,
 * without a stream pair, event objects and header objects per request. Per connection one request
 * is served at a time; requests pipelined behind it wait (read ahead up to `maxPipelinedBytes`,
 * then the socket is paused) and are answered in order. The response head is written with the
 * first piece of body (one write for a small response), or at the end of the turn it was built in.
 *
 * What it takes over from node's server: limits on the head (431 over `maxHeaderBytes`, 400 with
 * a reason for a malformed one, then close), HTTP/1.0 and 1.1 keep-alive semantics, keep-alive,
 * headers and request timeouts, request bodies (content-length and chunked, `Expect: 100-continue`
 * answered, a body the handler did not read discarded), response framing (content-length as given,
 * otherwise chunked for HTTP/1.1 or until close for HTTP/1.0; none for HEAD, 1xx, 204, 304), a
 * `Date` header, header validation, backpressure, and a client that goes away (its exchange is
 * abandoned; a FIN from the client counts as going away, as it did for node's server).
 */

export interface InboundServerOptions {
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs?: number;
  /** Longest time from a request's first byte to the end of its head; then 408 and close. */
  headersTimeoutMs?: number;
  /** Longest time from a request's first byte to the end of its body; then 408 (or a cut) and close. */
  requestTimeoutMs?: number;
  /** Largest request head (request line and headers); larger: 431. */
  maxHeaderBytes?: number;
  /** Bytes read ahead on a connection while a request is in flight before reading pauses. */
  maxPipelinedBytes?: number;
  /** A handler threw (the request is answered 500). */
  onHandlerError?: (err: unknown, exchange: InboundExchange) => void;
}

export type InboundHandler = (exchange: InboundExchange) => void;

/** Who is told when a client goes away mid-exchange. */
export interface AbortListener {
  clientGone(): void;
}

export interface InboundServer {
  listen(port: number, host: string): Promise<number>;
  readonly port: number;
  /** Open client connections (tests). */
  readonly connections: number;
  /**
   * Stops accepting; idle connections close at once, busy ones after their response (which says
   * `Connection: close`), all after `graceMs` at the latest.
   */
  close(graceMs?: number): Promise<void>;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** Bodies up to this size go out with their head as one latin1 string (one write, no writev). */
const SMALL_BODY = 8192;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_BAD = /[^\t\x20-\x7e\x80-\xff]/;

let dateText = '';
let dateAt = 0;
/** The IMF-fixdate of now, recomputed at most once a second. */
function httpDate(): string {
  const now = Date.now();
  if (now - dateAt >= 1000 || now < dateAt) {
    dateAt = now - (now % 1000);
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

const enum Framing {
  /** No body (HEAD, 1xx, 204, 304). */
  None,
  /** Content-Length given by the handler. */
  Length,
  Chunked,
  /** HTTP/1.0 without a length: the body ends with the connection. */
  Close,
}

/** A request body as a Readable (what the upstream client reads); pauses the socket under backpressure. */
class RequestBody extends Readable {
  constructor(private readonly conn: InboundConnection) {
    super({ highWaterMark: 65_536 });
  }

  override _read(): void {
    this.conn.bodyWanted();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // as node's IncomingMessage: an abort is an error only for whoever listens for one
    cb(err && this.listenerCount('error') > 0 ? err : null);
  }
}

/** One request and its response. */
export class InboundExchange {
  readonly method: string;
  readonly url: string;
  /** 0: HTTP/1.0, 1: HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Flat: name (as sent), value, name, value… */
  readonly rawHeaders: string[];
  /** -1 without a Content-Length. */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** The request body, or null without one. */
  readonly body: Readable | null;
  /**
   * Told once if the client goes away (or the connection fails) before the response is complete.
   * An object rather than a callback: a proxy passes its exchange, no closure per request.
   */
  onAbort: AbortListener | null = null;
  /** Will the connection serve another request after this response? */
  keepAlive: boolean;
  /** end() was called, or the exchange was aborted: nothing more is written. */
  finished = false;
  private head: string | null = null;
  private headWritten = false;
  private framing = Framing.Length;
  private drainWaiting: (() => void) | null = null;

  constructor(
    private readonly conn: InboundConnection,
    head: RequestHead,
    withBody: boolean,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.minor = head.minor;
    this.rawHeaders = head.rawHeaders;
    this.contentLength = head.contentLength;
    this.chunked = head.chunked;
    this.keepAlive = head.keepAlive;
    this.body = withBody ? new RequestBody(conn) : null;
  }

  /** Has any byte of the response gone to the client? */
  get headersSent(): boolean {
    return this.headWritten;
  }

  /**
   * The response head; `headers` flat (name, value…). Content-Length, Transfer-Encoding,
   * Connection and Date are recognised in any case. Throws (writing nothing) for an invalid
   * header name or value, or when a head was sent already.
   */
  writeHead(status: number, reason: string, headers: readonly string[]): void {
    if (this.finished) return;
    if (this.headWritten) throw new Error('response head already sent');
    if (!Number.isInteger(status) || status < 200 || status > 999)
      throw new Error(`invalid response status ${status}`);
    if (HEADER_VALUE_BAD.test(reason))
      throw new Error(`invalid character in status reason ${JSON.stringify(reason)}`);
    let text = `HTTP/1.1 ${status} ${reason === '' ? (STATUS_CODES[status] ?? 'unknown') : reason}\r\n`;
    let hasLength = false;
    let hasChunked = false;
    let hasDate = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i]!;
      const value = headers[i + 1]!;
      if (!HEADER_NAME.test(name)) throw new Error(`invalid header name ${JSON.stringify(name)}`);
      if (HEADER_VALUE_BAD.test(value))
        throw new Error(`invalid character in the value of header ${JSON.stringify(name)}`);
      switch (name.length) {
        case 4:
          if (name.toLowerCase() === 'date') hasDate = true;
          break;
        case 10:
          if (name.toLowerCase() === 'connection') {
            // the server decides the connection's fate; a handler can only ask to close it
            if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) this.keepAlive = false;
            continue;
          }
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') hasLength = true;
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            if (!/(?:^|,)\s*chunked\s*$/i.test(value))
              throw new Error('a Transfer-Encoding must end with chunked');
            hasChunked = true;
          }
          break;
      }
      text += `${name}: ${value}\r\n`;
    }
    if (this.method === 'HEAD' || status === 204 || status === 304) this.framing = Framing.None;
    else if (hasChunked) this.framing = Framing.Chunked;
    else if (hasLength) this.framing = Framing.Length;
    else if (this.minor === 1) {
      this.framing = Framing.Chunked;
      text += 'Transfer-Encoding: chunked\r\n';
    } else {
      this.framing = Framing.Close;
      this.keepAlive = false;
    }
    if (hasChunked && this.minor === 0) throw new Error('a chunked response to an HTTP/1.0 request');
    if (!hasDate) text += `Date: ${httpDate()}\r\n`;
    if (this.conn.closing) this.keepAlive = false;
    text += this.keepAlive
      ? `Connection: keep-alive\r\nKeep-Alive: timeout=${this.conn.keepAliveSeconds}\r\n\r\n`
      : 'Connection: close\r\n\r\n';
    this.head = text;
    // written with the first body piece or the end; otherwise after this round of I/O events
    this.conn.server.deferHead(this);
  }

  /** Writes the head if it is still waiting (a response whose body comes later). */
  flushHead(): void {
    if (this.head === null || this.finished) return;
    const head = this.head;
    this.head = null;
    this.headWritten = true;
    this.conn.write(head);
  }

  /** A piece of body; false: the client is slow, wait for onceDrain before writing more. */
  write(chunk: Buffer): boolean {
    if (this.finished) return true;
    if (this.head === null && !this.headWritten) this.writeHead(200, '', []);
    if (this.framing === Framing.None || chunk.length === 0) {
      this.flushHead();
      return this.conn.socket.writableNeedDrain === false;
    }
    const chunked = this.framing === Framing.Chunked;
    let head = '';
    if (this.head !== null) {
      head = this.head;
      this.head = null;
      this.headWritten = true;
    }
    if (chunk.length <= SMALL_BODY) {
      const text = chunk.toString('latin1');
      return this.conn.write(chunked ? `${head}${chunk.length.toString(16)}\r\n${text}\r\n` : head + text);
    }
    const socket = this.conn.socket;
    socket.cork();
    if (chunked) this.conn.write(`${head}${chunk.length.toString(16)}\r\n`);
    else if (head !== '') this.conn.write(head);
    let ok = this.conn.write(chunk);
    if (chunked) ok = this.conn.write('\r\n');
    socket.uncork();
    return ok;
  }

  /** Calls `fn` once when the client has taken what was written (after write returned false). */
  onceDrain(fn: () => void): void {
    if (this.drainWaiting !== null) {
      const previous = this.drainWaiting;
      this.drainWaiting = () => {
        previous();
        fn();
      };
      return;
    }
    this.drainWaiting = fn;
    this.conn.socket.once('drain', () => {
      const f = this.drainWaiting;
      this.drainWaiting = null;
      f?.();
    });
  }

  /** Ends the response, `last` its final piece of body. */
  end(last?: Buffer | string | null): void {
    if (this.finished) return;
    if (this.head === null && !this.headWritten) this.writeHead(200, '', []);
    if (typeof last === 'string') last = Buffer.from(last);
    let head = '';
    if (this.head !== null) {
      head = this.head;
      this.head = null;
      this.headWritten = true;
    }
    const chunked = this.framing === Framing.Chunked;
    const body = this.framing === Framing.None || !last || last.length === 0 ? null : last;
    if (body === null) {
      const tail = chunked ? `${head}0\r\n\r\n` : head;
      if (tail !== '') this.conn.write(tail);
    } else if (body.length <= SMALL_BODY) {
      const text = body.toString('latin1');
      this.conn.write(chunked ? `${head}${body.length.toString(16)}\r\n${text}\r\n0\r\n\r\n` : head + text);
    } else {
      const socket = this.conn.socket;
      socket.cork();
      if (chunked) this.conn.write(`${head}${body.length.toString(16)}\r\n`);
      else if (head !== '') this.conn.write(head);
      this.conn.write(body);
      if (chunked) this.conn.write('\r\n0\r\n\r\n');
      socket.uncork();
    }
    this.finished = true;
    this.onAbort = null;
    this.conn.responseDone(this);
  }

  /** A plain-text answer with its length. */
  plain(status: number, text: string): void {
    if (this.finished || this.headWritten) return;
    const body = Buffer.from(text);
    this.head = null;
    this.writeHead(status, '', [
      'content-type',
      'text/plain; charset=utf-8',
      'content-length',
      String(body.length),
    ]);
    this.end(body);
  }

  /** Cuts the response (and the connection): what was sent stays incomplete. */
  destroy(): void {
    if (this.finished) return;
    this.finished = true;
    this.head = null;
    this.onAbort = null;
    this.conn.socket.destroy();
  }

  /** The client went away (or the connection failed): no response is possible any more. */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.head = null;
    const listener = this.onAbort;
    this.onAbort = null;
    listener?.clientGone();
  }
}

const enum Phase {
  /** Reading a request head (or idle between requests). */
  Head,
  /** Reading the body of the request `bodyOf`. */
  Body,
  /** Answered with an error or ending: input is ignored. */
  Closing,
}

class InboundConnection {
  readonly keepAliveSeconds: number;
  closing = false;
  /** The request being answered (its response not complete), or null. */
  current: InboundExchange | null = null;
  // times are the server's coarse clock (performance.now() of its last sweep): timeouts are
  // exact to one sweep interval, and a request costs no clock reads
  /** When the current head's first byte came; 0 between requests. */
  headStartedAt = 0;
  /** When the current request's first byte came, while its body is read; 0 otherwise. */
  requestStartedAt = 0;
  /** Since when the connection has been idle; 0 while busy. */
  idleSince: number;
  private phase = Phase.Head;
  private stash: Buffer | null = null;
  /** Where the search for the head's end resumes in the stash. */
  private scanFrom = 0;
  private bodyOf: InboundExchange | null = null;
  private bodyRemaining = 0;
  private decoder: ChunkedDecoder | null = null;
  private processing = false;
  private pausedForBody = false;
  private pausedForStash = false;
  private waitingDrain = false;
  private dead = false;

  constructor(
    readonly socket: Socket,
    readonly server: InboundServerImpl,
  ) {
    this.keepAliveSeconds = Math.round(server.keepAliveTimeoutMs / 1000);
    this.idleSince = server.clock;
    // as nginx's tcp_nodelay on keep-alive connections: a response is one write, never held back by
    // Nagle waiting for the client's ACK (A/B of bench:lb --quick: ~5 % less CPU per request)
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.gone());
    socket.on('error', () => this.gone());
    socket.on('close', () => {
      this.gone();
      server.connectionClosed(this);
    });
  }

  write(data: string | Buffer): boolean {
    if (this.dead) return true;
    // responses leave together at the end of the turn (why: libs/http1 turn-writes.ts)
    holdWritesUntilTurnEnd(this.socket);
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  /** Is it between requests, with nothing of the next one read? */
  get idle(): boolean {
    return (
      this.current === null && this.phase === Phase.Head && this.stash === null && this.headStartedAt === 0
    );
  }

  private onData(chunk: Buffer): void {
    if (this.dead || this.phase === Phase.Closing) return;
    if (this.stash !== null) {
      chunk = Buffer.concat([this.stash, chunk]);
      this.stash = null;
    }
    this.process(chunk, 0);
  }

  private process(buf: Buffer, offset: number): void {
    this.processing = true;
    try {
      while (offset < buf.length && !this.dead) {
        if (this.phase === Phase.Body) offset = this.readBody(buf, offset);
        else if (this.phase === Phase.Closing) return;
        else if (this.current !== null) {
          // the request before is still being answered: this one waits
          this.keep(buf, offset, false);
          return;
        } else offset = this.readHead(buf, offset);
        if (offset < 0) return;
      }
    } finally {
      this.processing = false;
    }
  }

  private keep(buf: Buffer, offset: number, partialHead: boolean): void {
    const rest = offset === 0 ? buf : buf.subarray(offset);
    this.stash = rest;
    this.scanFrom = partialHead ? Math.max(0, rest.length - 3) : 0;
    if (rest.length > this.server.maxPipelinedBytes && !this.pausedForStash) {
      this.pausedForStash = true;
      this.socket.pause();
    }
  }

  /** Reads a request head from `offset`; returns the offset after it, or -1 (incomplete, or failed). */
  private readHead(buf: Buffer, offset: number): number {
    const length = buf.length;
    if (this.headStartedAt === 0) {
      // empty lines before a request line are ignored (RFC 9112 §2.2)
      while (offset < length && (buf[offset] === 13 || buf[offset] === 10)) offset++;
      if (offset >= length) return length;
      this.headStartedAt = this.server.clock;
      this.idleSince = 0;
      this.scanFrom = 0;
    }
    const max = this.server.maxHeaderBytes;
    const end = buf.indexOf(CRLF2, offset + this.scanFrom);
    if (end < 0 || end + 4 - offset > max) {
      if (end >= 0 || length - offset > max) {
        this.fail(431, `request head larger than ${max} bytes`);
        return -1;
      }
      this.keep(buf, offset, true);
      return -1;
    }
    this.scanFrom = 0;
    let head: RequestHead;
    try {
      head = parseRequestHead(buf.toString('latin1', offset, end + 2));
    } catch (err) {
      if (err instanceof RequestHeadError) {
        this.fail(err.status, err.message);
        return -1;
      }
      throw err;
    }
    const startedAt = this.headStartedAt;
    this.headStartedAt = 0;
    const withBody = head.chunked || head.contentLength > 0;
    const exchange = new InboundExchange(this, head, withBody);
    if (this.closing) exchange.keepAlive = false;
    this.current = exchange;
    if (withBody) {
      this.phase = Phase.Body;
      this.bodyOf = exchange;
      this.requestStartedAt = startedAt;
      if (head.chunked) this.decoder = new ChunkedDecoder(this.server.maxHeaderBytes);
      else this.bodyRemaining = head.contentLength;
    }
    if (head.expectContinue) this.write(CONTINUE);
    this.server.dispatch(exchange);
    return end + 4;
  }

  private readonly pushBody = (piece: Buffer) => {
    const exchange = this.bodyOf!;
    const body = exchange.body!;
    // after the response (or an abort) the rest of the body is read and dropped
    if (exchange.finished || body.destroyed) return;
    if (!body.push(piece) && !this.pausedForBody) {
      this.pausedForBody = true;
      this.socket.pause();
    }
  };

  private readBody(buf: Buffer, offset: number): number {
    if (this.decoder !== null) {
      try {
        offset = this.decoder.decode(buf, offset, this.pushBody);
      } catch (err) {
        if (err instanceof RequestBodyError) {
          this.bodyFailed(err.message);
          return -1;
        }
        throw err;
      }
      if (this.decoder.done) this.bodyComplete();
      return offset;
    }
    const n = Math.min(this.bodyRemaining, buf.length - offset);
    this.bodyRemaining -= n;
    this.pushBody(offset === 0 && n === buf.length ? buf : buf.subarray(offset, offset + n));
    if (this.bodyRemaining === 0) this.bodyComplete();
    return offset + n;
  }

  private bodyComplete(): void {
    const exchange = this.bodyOf!;
    this.bodyOf = null;
    this.decoder = null;
    this.requestStartedAt = 0;
    this.phase = Phase.Head;
    if (!exchange.body!.destroyed) exchange.body!.push(null);
    if (this.pausedForBody) {
      this.pausedForBody = false;
      this.socket.resume();
    }
    if (this.current === null) {
      // answered before its body was all read (and dropped)
      if (this.closing) this.shutdown();
      else this.idleSince = this.server.clock;
    }
  }

  /** The body's reader wants more. */
  bodyWanted(): void {
    if (this.pausedForBody) {
      this.pausedForBody = false;
      if (!this.pausedForStash) this.socket.resume();
    }
  }

  private bodyFailed(reason: string, status = 400): void {
    const exchange = this.bodyOf!;
    this.bodyOf = null;
    this.decoder = null;
    const answering = this.current === exchange && !exchange.headersSent;
    const inFlight = this.current === exchange;
    exchange.abort();
    exchange.body!.destroy(new Error(`bad request body: ${reason}`));
    if (!inFlight || answering) this.fail(status, `bad request body: ${reason}`);
    else this.socket.destroy();
  }

  /** Answers a request the server cannot serve (`status`, the reason as body) and closes. */
  fail(status: number, reason: string): void {
    if (this.dead || this.phase === Phase.Closing) return;
    this.phase = Phase.Closing;
    this.stash = null;
    const current = this.current;
    if (current !== null && current.headersSent) {
      current.abort();
      this.socket.destroy();
      return;
    }
    current?.abort();
    this.current = null;
    const body = `${reason}\n`;
    this.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body, 'latin1')}\r\nDate: ${httpDate()}\r\nConnection: close\r\n\r\n${body}`,
    );
    this.shutdown();
  }

  /** Ends the connection after what was written; a client that does not close is cut after a second. */
  private shutdown(): void {
    this.phase = Phase.Closing;
    if (this.pausedForBody || this.pausedForStash) {
      // keep reading (and ignoring) so the client sees the answer rather than a reset
      this.pausedForBody = this.pausedForStash = false;
      this.socket.resume();
    }
    const socket = this.socket;
    socket.end();
    // the answer is with the kernel once 'finish' fires; a client that then does not close is cut
    socket.once('finish', () => setTimeout(() => socket.destroy(), 1000).unref());
  }

  /** The response of `exchange` is complete. */
  responseDone(exchange: InboundExchange): void {
    if (this.current !== exchange) return;
    this.current = null;
    if (this.dead) return;
    if (!exchange.keepAlive || this.closing) {
      this.shutdown();
      return;
    }
    if (this.phase === Phase.Body) return; // the rest of its body is read (and dropped) first
    this.idleSince = this.server.clock;
    this.next();
  }

  /** Serves what was read ahead (pipelined requests), once the client took the last response. */
  private next(): void {
    if (this.stash === null || this.processing || this.dead) {
      this.resumeStash();
      return;
    }
    if (this.socket.writableNeedDrain) {
      if (!this.waitingDrain) {
        this.waitingDrain = true;
        this.socket.once('drain', () => {
          this.waitingDrain = false;
          this.next();
        });
      }
      return;
    }
    const buf = this.stash;
    this.stash = null;
    this.process(buf, 0);
    if (this.current === null || this.stash === null) this.resumeStash();
  }

  private resumeStash(): void {
    if (this.pausedForStash && (this.stash === null || this.stash.length <= this.server.maxPipelinedBytes)) {
      this.pausedForStash = false;
      if (!this.pausedForBody) this.socket.resume();
    }
  }

  /** The client closed (or sent FIN, or the socket failed): whatever is in flight is abandoned. */
  private gone(): void {
    if (this.dead) return;
    this.dead = true;
    this.stash = null;
    const current = this.current;
    this.current = null;
    current?.abort();
    const bodyOf = this.bodyOf;
    this.bodyOf = null;
    bodyOf?.body?.destroy(new Error('client aborted the request body'));
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Timeouts, checked by the server's sweep. */
  check(now: number): void {
    const s = this.server;
    if (this.dead) return;
    if (this.idle) {
      if (this.idleSince > 0 && now - this.idleSince > s.keepAliveTimeoutMs) this.socket.destroy();
    } else if (this.headStartedAt > 0 && now - this.headStartedAt > s.headersTimeoutMs) {
      this.fail(408, `request head not complete within ${s.headersTimeoutMs} ms`);
    } else if (this.requestStartedAt > 0 && now - this.requestStartedAt > s.requestTimeoutMs) {
      this.bodyFailed(`not complete within ${s.requestTimeoutMs} ms`, 408);
    }
  }

  /** The server stops: close now if idle, else after the response in flight. */
  stop(): void {
    this.closing = true;
    if (this.idle) this.socket.destroy();
  }
}

class InboundServerImpl implements InboundServer {
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly maxPipelinedBytes: number;
  private readonly server: Server;
  private readonly conns = new Set<InboundConnection>();
  private sweep: NodeJS.Timeout | undefined;
  /** performance.now() at the last sweep (the connections' clock). */
  clock = performance.now();
  private heads: InboundExchange[] = [];
  private headsScheduled = false;
  private readonly flushHeads = () => {
    const heads = this.heads;
    this.heads = [];
    this.headsScheduled = false;
    for (const exchange of heads) exchange.flushHead();
  };
  private listeningPort = 0;
  private closed = false;

  constructor(
    private readonly handler: InboundHandler,
    private readonly options: InboundServerOptions,
  ) {
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 65_000;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
    this.maxHeaderBytes = options.maxHeaderBytes ?? 16_384;
    this.maxPipelinedBytes = options.maxPipelinedBytes ?? 65_536;
    this.server = createServer({ noDelay: true, allowHalfOpen: false }, (socket) => {
      if (this.closed) {
        socket.destroy();
        return;
      }
      this.conns.add(new InboundConnection(socket, this));
    });
  }

  get port(): number {
    return this.listeningPort;
  }

  get connections(): number {
    return this.conns.size;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.listeningPort = (this.server.address() as AddressInfo).port;
        const every = Math.max(
          10,
          Math.min(1000, Math.min(this.keepAliveTimeoutMs, this.headersTimeoutMs, this.requestTimeoutMs) / 4),
        );
        this.sweep = setInterval(() => {
          const now = (this.clock = performance.now());
          for (const c of this.conns) c.check(now);
        }, every).unref();
        resolve(this.listeningPort);
      });
    });
  }

  /** A head not sent with a body in its turn goes out after the current round of I/O callbacks. */
  deferHead(exchange: InboundExchange): void {
    this.heads.push(exchange);
    if (!this.headsScheduled) {
      this.headsScheduled = true;
      setImmediate(this.flushHeads);
    }
  }

  dispatch(exchange: InboundExchange): void {
    try {
      this.handler(exchange);
    } catch (err) {
      this.options.onHandlerError?.(err, exchange);
      if (!exchange.finished) {
        if (exchange.headersSent) exchange.destroy();
        else exchange.plain(500, 'internal error in the balancer\n');
      }
    }
  }

  connectionClosed(conn: InboundConnection): void {
    this.conns.delete(conn);
  }

  close(graceMs = 2_000): Promise<void> {
    this.closed = true;
    if (this.sweep) clearInterval(this.sweep);
    return new Promise<void>((resolve) => {
      const cap = setTimeout(() => {
        for (const c of this.conns) c.socket.destroy();
      }, graceMs).unref();
      this.server.close(() => {
        clearTimeout(cap);
        resolve();
      });
      for (const c of this.conns) c.stop();
    });
  }
}

/** The balancer's HTTP/1.1 server; `handler` answers each request through its exchange. */
export function createInboundServer(
  handler: InboundHandler,
  options: InboundServerOptions = {},
): InboundServer {
  return new InboundServerImpl(handler, options);
}
