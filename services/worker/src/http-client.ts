import { Pool } from 'undici';
import type { HttpRequestSpec } from './request-factory.js';

/** What a request produced, as a trace records it. Transport errors are a status of −1, never thrown. */
export interface HttpOutcome {
  /** HTTP status, or −1 when no response arrived (connection refused, timeout, aborted …). */
  status: number;
  /** The response headers as a JSON object string, or null without a response. */
  headers: string | null;
  /** The response body (up to the configured limit), or the reason there was none. */
  body: string | null;
}

export interface HttpClient {
  send(url: string, request: HttpRequestSpec, signal?: AbortSignal): Promise<HttpOutcome>;
  /** Requests currently outstanding on all pools. */
  readonly inFlight: number;
  /** Waits for outstanding requests, then closes every pool. */
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Longest wait for the response headers and for each body chunk. */
  requestTimeoutMs: number;
  /** Characters of a body kept; the rest is read (so the connection is reused) and discarded. */
  responseLimit: number;
  /** Connections per origin; unlimited by default (the groups bound their outstanding requests). */
  connectionsPerOrigin?: number | null;
}

/**
 * HTTP over undici with one keep-alive Pool per origin (`http://host:port`), shared by every client
 * group of the worker.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const pools = new Map<string, Pool>();
  let inFlight = 0;

  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: options.connectionsPerOrigin ?? null,
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
        keepAliveTimeout: 30_000,
      });
      pools.set(origin, pool);
    }
    return pool;
  };

  return {
    async send(url, request, signal) {
      const target = splitUrl(url);
      if (!target) return { status: -1, headers: null, body: `invalid URL ${JSON.stringify(url)}` };
      inFlight++;
      try {
        const response = await poolFor(target.origin).request({
          path: target.path,
          method: request.method as 'GET',
          headers: request.headers,
          body: request.body,
          signal,
        });
        const body = await readLimited(response.body, options.responseLimit);
        return { status: response.statusCode, headers: headersJson(response.headers), body: body.trim() };
      } catch (e) {
        return { status: -1, headers: null, body: errorReason(e) };
      } finally {
        inFlight--;
      }
    },
    get inFlight() {
      return inFlight;
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((pool) => pool.close().catch(() => pool.destroy())));
    },
  };
}

/** `http://h:8080/a?b` → origin `http://h:8080`, path `/a?b`, without a URL object per request. */
function splitUrl(url: string): { origin: string; path: string } | null {
  const scheme = url.indexOf('://');
  if (scheme <= 0) return null;
  const slash = url.indexOf('/', scheme + 3);
  if (slash === -1) return { origin: url, path: '/' };
  return { origin: url.slice(0, slash), path: url.slice(slash) };
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of body) {
    if (kept >= limit) continue; // keep reading: an unread body would cost the connection
    chunks.push(chunk);
    kept += chunk.length;
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  return text.length > limit ? text.slice(0, limit) : text;
}

function headersJson(headers: Record<string, string | string[] | undefined>): string {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return JSON.stringify(flat);
}

function errorReason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  const cause = (e as { cause?: unknown }).cause;
  const causeText = cause instanceof Error && cause.message !== e.message ? ` (${cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${e.message}${causeText}`;
}
