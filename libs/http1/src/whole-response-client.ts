import { bodyText } from './body-text.js';
import { HeadersJson } from './headers-json.js';
import { abortBySignal, IntrusiveList } from './intrusive-list.js';
import { UpstreamPool, type UpstreamConnection, type UpstreamExchange } from './upstream.js';

/** A request as a load generator sends it (the path is the URL's); a body goes with a content-length. */
export interface WholeRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What a request produced. Transport errors are a status of −1, never thrown. */
export interface WholeResponse {
  /** HTTP status, or −1 when no response arrived (connection refused, timeout, aborted …). */
  status: number;
  /** The response headers as a JSON object string (see HeadersJson), or null without a response. */
  headers: string | null;
  /** The response body, trimmed, up to the limit — or the reason there was none. */
  body: string | null;
  /**
   * How long the request waited for a connection before it was written (ms; 0 when one was free,
   * and for a request that was never written): the caller's send time plus this is when it left.
   */
  queuedMs: number;
}

export interface WholeResponseClientOptions {
  /** Longest wait for the response head and for each piece of the body; 0: no limit. */
  requestTimeoutMs: number;
  /** Characters of a body kept; the rest is read (so the connection is reused) and discarded. */
  responseLimit: number;
  /** Connections per origin at most; unlimited when null or absent. */
  connectionsPerOrigin?: number | null;
  /** New connections per origin per turn of the event loop (default 8). */
  newConnectionsPerTurn?: number;
  /** Idle connections are not reused after this long (default 30 s). */
  keepAliveMs?: number;
}

export interface WholeResponseClient {
  /** Sends the request; `done` is called exactly once, with the response or the failure. */
  dispatch(
    url: string,
    request: WholeRequest,
    signal: AbortSignal | null,
    done: (response: WholeResponse) => void,
  ): void;
  /** Requests currently outstanding on all origins (sent, or waiting for a connection). */
  readonly inFlight: number;
  /** Waits for the outstanding requests, then closes every connection. */
  close(): Promise<void>;
}

/**
 * HTTP/1.1 requests answered as a whole (status, headers as JSON, body text up to a limit), over
 * one UpstreamPool of keep-alive connections per origin (`http://host:port`): idle connections a
 * stack, requests waiting for one in FIFO, at most `newConnectionsPerTurn` opened per origin per turn
 * of the event loop. Open loop, a stall of the loop makes hundreds of requests due at once: a
 * connection for each (undici's Pool: 30 → 756 connections in one burst) stalled the loop again.
 *
 * Outstanding requests are an `IntrusiveList`, not a Set (why: intrusive-list.ts).
 *
 * The request timeout is one sweep of that list every min(1 s, timeout / 4), not a timer per
 * request; an AbortSignal gets one listener however many requests it covers.
 */
export function createWholeResponseClient(options: WholeResponseClientOptions): WholeResponseClient {
  const origins = new Map<string, Origin>();
  const outstanding = new IntrusiveList<WholeExchange>();
  const timeoutMs = options.requestTimeoutMs;
  const poolOptions = {
    connections: options.connectionsPerOrigin ?? Infinity,
    timeoutMs: 0, // the sweep below enforces the request timeout
    keepAliveMs: options.keepAliveMs ?? 30_000,
    newConnectionsPerTurn: options.newConnectionsPerTurn ?? 8,
    headersAsReceived: true,
  };
  let sweeper: NodeJS.Timeout | null = null;
  /** close() calls waiting for the outstanding requests to end. */
  const drainWaiters: (() => void)[] = [];

  /** Times out what waited too long; closes expired idle connections, forgets unused origins. */
  const sweep = () => {
    const now = performance.now();
    outstanding.forEach((exchange) => {
      if (now - exchange.activeAt > timeoutMs) {
        exchange.abort(
          exchange.responded
            ? `timeout: response stalled for ${timeoutMs} ms`
            : `timeout: no response head within ${timeoutMs} ms`,
        );
      }
    });
    for (const [key, origin] of origins) if (origin.pool.closeExpired(now)) origins.delete(key);
  };

  /** The origin of `http://host:port/…` (validated once), or null for a URL this client cannot serve. */
  const originOf = (url: string, slash: number): Origin | null => {
    const key = slash === -1 ? url : url.slice(0, slash);
    let known = origins.get(key);
    if (!known) {
      const authority = key.slice(HTTP.length);
      if (!url.startsWith(HTTP) || !validAuthority(authority)) return null;
      known = { authority, pool: new UpstreamPool(authority, poolOptions), headers: new HeadersJson() };
      origins.set(key, known);
    }
    return known;
  };

  /** One listener per signal: aborting it aborts every outstanding request sent with it. */
  const listenTo = abortBySignal(outstanding, abortReason, (exchange, reason) => exchange.abort(reason));

  const settle = (exchange: WholeExchange, response: WholeResponse): void => {
    outstanding.remove(exchange);
    if (outstanding.size === 0 && drainWaiters.length > 0) {
      for (const drained of drainWaiters.splice(0)) drained();
    }
    exchange.done(response);
  };

  const dispatch: WholeResponseClient['dispatch'] = (url, request, signal, done) => {
    const slash = url.indexOf('/', HTTP.length);
    const origin = originOf(url, slash);
    if (!origin) return done(failure(`invalid URL ${JSON.stringify(url)}`));
    if (signal?.aborted) return done(failure(abortReason(signal)));
    const head = requestHead(request, slash === -1 ? '/' : url.slice(slash), origin.authority);
    if (head instanceof InvalidRequest) return done(failure(head.reason));
    if (signal) listenTo(signal);
    if (timeoutMs > 0 && sweeper === null) {
      sweeper = setInterval(sweep, Math.max(1, Math.min(1_000, timeoutMs / 4)));
      sweeper.unref();
    }
    const exchange = new WholeExchange(
      head,
      request.method,
      origin,
      options.responseLimit,
      signal,
      settle,
      done,
    );
    outstanding.add(exchange);
    try {
      origin.pool.dispatch(exchange);
    } catch (e) {
      // e.g. net.connect refusing its options: this request fails, nothing else
      exchange.onError(e as Error);
    }
  };

  return {
    dispatch,
    get inFlight() {
      return outstanding.size;
    },
    async close() {
      // requests sent meanwhile are waited for too; after close the client opens new pools again
      if (outstanding.size > 0) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
      for (const origin of origins.values()) origin.pool.close();
      origins.clear();
    },
  };
}

/** One origin's connections and the JSON of its last response headers. */
interface Origin {
  /** `host:port` as the URL gave it (the `host` header). */
  readonly authority: string;
  readonly pool: UpstreamPool;
  readonly headers: HeadersJson;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * One request and its whole response; settles exactly once. The request body, if any, is part of
 * `head` (encoded so that its latin1 write sends the UTF-8 bytes), so that a reused connection
 * found closed may send it again.
 */
class WholeExchange implements UpstreamExchange {
  readonly body = null;
  readonly chunkedBody = false;
  readonly headRequest: boolean;
  readonly retryable: boolean;
  private conn: UpstreamConnection | null = null;
  /** `performance.now()` of the dispatch, and of the write on a connection (0 until then). */
  private readonly createdAt = performance.now();
  private startedAt = 0;
  prev: WholeExchange | null = null;
  next: WholeExchange | null = null;
  /** `performance.now()` of the send, of the response head, of the last body piece. */
  activeAt = performance.now();
  /** The final response's head arrived. */
  responded = false;
  private status = -1;
  private headers: string[] | null = null;
  private first: Buffer | null = null;
  private chunks: Buffer[] | null = null;
  private kept = 0;
  private settled = false;

  constructor(
    readonly head: string,
    method: string,
    private readonly origin: Origin,
    private readonly limit: number,
    readonly signal: AbortSignal | null,
    private readonly settle: (exchange: WholeExchange, response: WholeResponse) => void,
    /** The caller's callback, called once by `settle`. */
    readonly done: (response: WholeResponse) => void,
  ) {
    this.headRequest = method === 'HEAD';
    this.retryable = IDEMPOTENT.has(method);
  }

  /** The connection serving it; the pool sets it when it writes the request. */
  get connection(): UpstreamConnection | null {
    return this.conn;
  }

  set connection(conn: UpstreamConnection | null) {
    if (conn && this.startedAt === 0) this.startedAt = performance.now();
    this.conn = conn;
  }

  private queuedMs(): number {
    return this.startedAt === 0 ? 0 : this.startedAt - this.createdAt;
  }

  /** Ends the request now with `reason` (its connection, if it has one, is closed). */
  abort(reason: string): void {
    if (this.settled) return;
    this.origin.pool.abandon(this);
    this.fail(reason);
  }

  onResponseHead(status: number, _reason: string, headers: string[]): void {
    this.activeAt = performance.now();
    this.responded = true;
    this.status = status;
    this.headers = headers;
  }

  onResponseData(chunk: Buffer): boolean {
    this.activeAt = performance.now();
    this.keep(chunk);
    return true;
  }

  onResponseEnd(last: Buffer | null): void {
    if (this.settled) return;
    this.settled = true;
    if (last) this.keep(last);
    const body = bodyText(this.first, this.chunks, this.limit);
    const headers = this.origin.headers.json(this.headers ?? []);
    this.first = this.chunks = this.headers = null;
    this.settle(this, { status: this.status, headers, body, queuedMs: this.queuedMs() });
  }

  onError(err: Error): void {
    const code = (err as { code?: unknown }).code;
    this.fail(typeof code === 'string' ? `${code}: ${err.message}` : err.message);
  }

  /** Keeps body bytes up to the limit; the rest is read and dropped (the connection stays usable). */
  private keep(piece: Buffer): void {
    if (this.kept >= this.limit || piece.length === 0) return;
    this.kept += piece.length;
    if (this.first === null) this.first = piece;
    else (this.chunks ??= [this.first]).push(piece);
  }

  private fail(reason: string): void {
    if (this.settled) return;
    this.settled = true;
    this.first = this.chunks = this.headers = null;
    this.settle(this, failure(reason, this.queuedMs()));
  }
}

class InvalidRequest {
  constructor(readonly reason: string) {}
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_PATH = /[^\u0021-\u00ff]/;
const INVALID_VALUE = /[\r\n\0]/;

/** `METHOD path HTTP/1.1`, `host`, the request's headers, and the body with its content-length. */
function requestHead(request: WholeRequest, path: string, authority: string): string | InvalidRequest {
  const { method, headers, body } = request;
  if (!TOKEN.test(method)) return new InvalidRequest(`invalid method ${JSON.stringify(method)}`);
  if (path[0] !== '/' || INVALID_PATH.test(path)) {
    return new InvalidRequest(`invalid path ${JSON.stringify(path)}`);
  }
  let lines = '';
  let host = true;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (!TOKEN.test(name)) return new InvalidRequest(`invalid header name ${JSON.stringify(name)}`);
    if (INVALID_VALUE.test(value)) {
      return new InvalidRequest(`invalid value of header ${name}: ${JSON.stringify(value)}`);
    }
    if (name.length === 4 && name.toLowerCase() === 'host') host = false;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') continue; // ours
    lines += `${name}: ${value}\r\n`;
  }
  const start = host
    ? `${method} ${path} HTTP/1.1\r\nhost: ${authority}\r\n`
    : `${method} ${path} HTTP/1.1\r\n`;
  if (body === undefined) return `${start}${lines}\r\n`;
  const length = Buffer.byteLength(body);
  // ASCII as is; otherwise the UTF-8 bytes as latin1 characters, which the latin1 write sends as bytes
  const bytes = length === body.length ? body : Buffer.from(body, 'utf8').toString('latin1');
  return `${start}${lines}content-length: ${length}\r\n\r\n${bytes}`;
}

const HTTP = 'http://';

/** `host`, `host:port`, `[v6]:port` — what net.connect may be given. */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]]+)(?::(\d{1,5}))?$/;

function validAuthority(authority: string): boolean {
  const match = AUTHORITY.exec(authority);
  if (!match) return false;
  const port = match[1];
  return port === undefined || (Number(port) > 0 && Number(port) < 65_536);
}

const failure = (reason: string, queuedMs = 0): WholeResponse => ({
  status: -1,
  headers: null,
  body: reason,
  queuedMs,
});

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) {
    const code = (reason as { code?: unknown }).code;
    // an AbortSignal's own reason (DOMException AbortError) reads as undici's would
    return typeof code === 'string' ? `${code}: ${reason.message}` : reason.message;
  }
  return reason === undefined ? 'Request aborted' : String(reason);
}
