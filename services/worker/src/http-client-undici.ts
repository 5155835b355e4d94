import { abortBySignal, bodyText, HeadersJson, IntrusiveList } from '@galileo/http1';
import { Client, errors, type Dispatcher } from 'undici';
import type { HttpClient, HttpClientOptions, HttpOutcome } from './http-client.js';

/**
 * HTTP over undici with one pool of keep-alive connections per origin (`http://host:port`), shared
 * by every client group of the worker. A request takes the most recently freed connection, or opens
 * one — at most 8 per origin per turn of the event loop; beyond that it waits for the next turn or
 * for a connection to free up. Open loop, a stall of the loop makes hundreds of requests due at
 * once: undici's Pool opened a connection for each (measured: 30 → 756 connections in one burst,
 * whose opening — and closing, idle, together 30 s later — stalled the loop again by 20–50 ms,
 * and cost ~50 MB of RSS). To a slow server, connections still grow by thousands per second.
 *
 * Every request is one `dispatch` with a small handler object: the body is gathered from the
 * parser's chunks as they arrive, without a Readable stream, an async iterator or an abort listener
 * per request. A signal gets one listener however many requests it covers.
 *
 * Outstanding requests are an `IntrusiveList`, not a Set (why: intrusive-list.ts).
 *
 * The request timeout is checked by one sweep of that list every min(1 s, timeout / 4) instead of
 * by undici's timers, which replace a timer object on every request of a keep-alive connection.
 */
export function createUndiciHttpClient(options: HttpClientOptions): HttpClient {
  const pools = new Map<string, OriginPool>();
  const outstanding = new IntrusiveList<ResponseHandler>();
  const timeoutMs = options.requestTimeoutMs;
  let sweeper: NodeJS.Timeout | null = null;

  /** Aborts requests that waited longer than the timeout for their headers or for a body chunk. */
  const sweep = () => {
    const now = performance.now();
    outstanding.forEach((handler) => {
      if (now - handler.activeAt > timeoutMs) {
        handler.abort(handler.responded ? new errors.BodyTimeoutError() : new errors.HeadersTimeoutError());
      }
    });
  };

  const poolFor = (origin: string): OriginPool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new OriginPool(origin, options.connectionsPerOrigin ?? null);
      pools.set(origin, pool);
    }
    return pool;
  };

  /** One listener per signal: aborting it aborts every outstanding request sent with it. */
  const listenTo = abortBySignal(outstanding, abortReason, (handler, reason) => handler.abort(reason));

  const settle = (handler: ResponseHandler, outcome: HttpOutcome): void => {
    outstanding.remove(handler);
    handler.done(outcome);
  };

  const dispatch: HttpClient['dispatch'] = (url, request, signal, done) => {
    const target = splitUrl(url);
    if (!target) return done(failure(`invalid URL ${JSON.stringify(url)}`));
    if (signal?.aborted) return done(failure(abortReason(signal)));
    if (signal) listenTo(signal);
    if (timeoutMs > 0 && sweeper === null) {
      sweeper = setInterval(sweep, Math.max(1, Math.min(1_000, timeoutMs / 4)));
      sweeper.unref();
    }
    const options_: Dispatcher.DispatchOptions = {
      path: target.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
    };
    if (request.body !== undefined) options_.body = request.body;
    const handler = new ResponseHandler(options_, options.responseLimit, signal, settle, done);
    outstanding.add(handler);
    poolFor(target.origin).dispatch(handler);
  };

  return {
    dispatch,
    send: (url, request, signal) =>
      new Promise<HttpOutcome>((resolve) => dispatch(url, request, signal ?? null, resolve)),
    get inFlight() {
      return outstanding.size;
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((pool) => pool.close()));
    },
  };
}

/** Connections an origin's pool opens per turn of the event loop, at most. */
const NEW_CONNECTIONS_PER_TURN = 8;

const clientOptions: Client.Options = {
  // 0: no undici timers per request; the client's sweep enforces the request timeout
  headersTimeout: 0,
  bodyTimeout: 0,
  keepAliveTimeout: 30_000,
};

/**
 * The keep-alive connections to one origin, one request at a time each (undici Clients, which
 * reconnect by themselves when used after the server closed them). Idle connections are a stack,
 * so the busiest ones are reused and the others may time out.
 */
class OriginPool {
  /** The JSON of the origin's last response headers, reused while they repeat. */
  readonly headers = new HeadersJson();
  /** Scratch for flatHeaders. */
  readonly flatHeaders: string[] = [];
  private readonly all: Client[] = [];
  private readonly idle: Client[] = [];
  /** Requests waiting for a connection, oldest first (`head` is the next). */
  private waiting: (ResponseHandler | undefined)[] = [];
  private head = 0;
  private openedThisTurn = 0;

  constructor(
    private readonly origin: string,
    private readonly max: number | null,
  ) {}

  dispatch(handler: ResponseHandler): void {
    const client = this.idle.pop() ?? this.open();
    if (client) handler.start(this, client);
    else this.waiting.push(handler);
  }

  /** The request on `client` ended: the oldest waiting request takes the connection. */
  release(client: Client): void {
    const next = this.nextWaiting();
    if (next) next.start(this, client);
    else this.idle.push(client);
  }

  async close(): Promise<void> {
    for (let next = this.nextWaiting(); next; next = this.nextWaiting()) {
      next.onResponseError(null, new errors.ClientClosedError());
    }
    await Promise.all(this.all.map((client) => client.close().catch(() => client.destroy())));
  }

  private open(): Client | null {
    if (this.max !== null && this.all.length >= this.max) return null;
    if (this.openedThisTurn >= NEW_CONNECTIONS_PER_TURN) return null;
    if (this.openedThisTurn++ === 0) setImmediate(this.nextTurn);
    const client = new Client(this.origin, clientOptions);
    this.all.push(client);
    return client;
  }

  private readonly nextTurn = (): void => {
    this.openedThisTurn = 0;
    while (this.head < this.waiting.length) {
      const client = this.open();
      if (!client) return;
      const next = this.nextWaiting();
      if (!next) {
        this.idle.push(client);
        return;
      }
      next.start(this, client);
    }
  };

  /** The oldest waiting request that has not ended meanwhile (aborted, timed out). */
  private nextWaiting(): ResponseHandler | null {
    while (this.head < this.waiting.length) {
      const handler = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined;
      if (this.head === this.waiting.length) {
        this.waiting = [];
        this.head = 0;
      }
      if (!handler.settled) return handler;
    }
    return null;
  }
}

/**
 * One request's response: status, headers as JSON, and the body up to the limit (the rest is
 * read and dropped, so the connection is reused). Settles exactly once, with an error as status −1.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  prev: ResponseHandler | null = null;
  next: ResponseHandler | null = null;
  /** `performance.now()` of the send, of the headers, of the last body chunk. */
  activeAt = performance.now();
  /** The final response's headers arrived. */
  responded = false;
  private controller: Dispatcher.DispatchController | null = null;
  /** The connection it runs on, given back to its pool when the request ends. */
  private pool: OriginPool | null = null;
  private client: Client | null = null;
  private abortedWith: Error | null = null;
  private status = -1;
  /** `performance.now()` of the dispatch, and of the start on a connection (0 until then). */
  private readonly createdAt = this.activeAt;
  private startedAt = 0;
  private headers: string | null = null;
  private first: Buffer | null = null;
  private chunks: Buffer[] | null = null;
  private kept = 0;
  settled = false;

  constructor(
    private readonly options: Dispatcher.DispatchOptions,
    private readonly limit: number,
    readonly signal: AbortSignal | null,
    private readonly settle: (handler: ResponseHandler, outcome: HttpOutcome) => void,
    /** The caller's callback, called once by `settle`. */
    readonly done: (outcome: HttpOutcome) => void,
  ) {}

  /** Sends the request on `client` (of `pool`). */
  start(pool: OriginPool, client: Client): void {
    this.startedAt = performance.now();
    this.pool = pool;
    this.client = client;
    try {
      client.dispatch(this.options, this);
    } catch (e) {
      // dispatch reports its own errors to the handler; anything else ends the request here
      this.onResponseError(null, e as Error);
    }
  }

  abort(reason: Error): void {
    if (this.settled) return;
    if (this.controller) {
      this.controller.abort(reason);
      return;
    }
    // still queued in the pool: it ends now, and is aborted if it ever starts
    this.abortedWith = reason;
    this.onResponseError(null, reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortedWith) controller.abort(this.abortedWith);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.activeAt = performance.now();
    if (statusCode < 200) return; // informational (1xx): the response follows
    this.responded = true;
    this.status = statusCode;
    const json = this.pool ? this.pool.headers : new HeadersJson();
    this.headers = json.json(flatHeaders(headers, this.pool ? this.pool.flatHeaders : []));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.activeAt = performance.now();
    if (this.kept >= this.limit) return; // keep reading: an unread body would cost the connection
    this.kept += chunk.length;
    if (this.first === null) this.first = chunk;
    else (this.chunks ??= [this.first]).push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    const body = bodyText(this.first, this.chunks, this.limit);
    this.release();
    this.settle(this, {
      status: this.status,
      headers: this.headers,
      body,
      queuedMs: this.queuedMs(),
    });
  }

  /** Gives the connection back and drops what the response held. */
  private release(): void {
    this.controller = null;
    this.first = this.chunks = null;
    const { pool, client } = this;
    this.pool = this.client = null;
    if (pool && client) pool.release(client);
  }

  private queuedMs(): number {
    return this.startedAt === 0 ? 0 : this.startedAt - this.createdAt;
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.release();
    this.settle(this, failure(error, this.queuedMs()));
  }
}

const failure = (e: unknown, queuedMs = 0): HttpOutcome => ({
  status: -1,
  headers: null,
  body: errorReason(e),
  queuedMs,
});

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new Error(reason === undefined ? 'Request aborted' : String(reason));
}

/** `http://h:8080/a?b` → origin `http://h:8080`, path `/a?b`, without a URL object per request. */
function splitUrl(url: string): { origin: string; path: string } | null {
  const scheme = url.indexOf('://');
  if (scheme <= 0) return null;
  const slash = url.indexOf('/', scheme + 3);
  if (slash === -1) return { origin: url, path: '/' };
  return { origin: url.slice(0, slash), path: url.slice(slash) };
}

/**
 * undici's headers (names lower case, a repeated header as an array) as the flat name/value list
 * HeadersJson reads; `into` is reused from response to response.
 */
function flatHeaders(headers: Record<string, string | string[] | undefined>, into: string[]): string[] {
  let n = 0;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    into[n++] = name;
    into[n++] = Array.isArray(value) ? value.join(', ') : value;
  }
  into.length = n;
  return into;
}

function errorReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  const cause = (e as { cause?: unknown }).cause;
  const causeText = cause instanceof Error && cause.message !== e.message ? ` (${cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${e.message}${causeText}`;
}
