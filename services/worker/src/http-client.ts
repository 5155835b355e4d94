import { createLeanHttpClient } from './http-client-lean.js';
import { createUndiciHttpClient } from './http-client-undici.js';
import type { WholeResponse } from '@galileo/http1';
import type { HttpRequestSpec } from './request-factory.js';

/**
 * What a request produced, as a trace records it (status −1 with the reason for a transport error,
 * never thrown; `queuedMs` the wait for a connection): the same shape from either client.
 */
export type HttpOutcome = WholeResponse;

export interface HttpClient {
  send(url: string, request: HttpRequestSpec, signal?: AbortSignal): Promise<HttpOutcome>;
  /** `send` without a promise: `done` is called exactly once, with the outcome (hot path). */
  dispatch(
    url: string,
    request: HttpRequestSpec,
    signal: AbortSignal | null,
    done: (outcome: HttpOutcome) => void,
  ): void;
  /** Requests currently outstanding on all origins (sent, or waiting for a connection). */
  readonly inFlight: number;
  /** Waits for outstanding requests, then closes every pool. */
  close(): Promise<void>;
}

/** `lean`: `@galileo/http1` over `node:net`; `undici`: undici's Client per connection. */
export const httpClientImplementations = ['lean', 'undici'] as const;
export type HttpClientImplementation = (typeof httpClientImplementations)[number];

export interface HttpClientOptions {
  /** Longest wait for the response headers and for each body chunk. */
  requestTimeoutMs: number;
  /** Characters of a body kept; the rest is read (so the connection is reused) and discarded. */
  responseLimit: number;
  /** Connections per origin; unlimited by default (the groups bound their outstanding requests). */
  connectionsPerOrigin?: number | null;
  /** Which client sends the requests (`galileo_worker_http_client`); `lean` by default. */
  implementation?: HttpClientImplementation;
}

/**
 * The worker's HTTP client, shared by all its client groups: one pool of keep-alive connections
 * per origin, at most 8 new connections per origin per turn of the event loop, the request timeout
 * checked by one periodic sweep, one abort listener per signal. Both implementations meet the same
 * tests (`http-client.int.test.ts`); they differ in CPU per request.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  return options.implementation === 'undici'
    ? createUndiciHttpClient(options)
    : createLeanHttpClient(options);
}
