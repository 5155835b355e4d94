import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import { Agent, request } from 'undici';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { InfluxConfig } from './config.js';

const gzipAsync = promisify(gzip);

/** A write that failed. `retryable`: the store is away or overloaded, try again; else the data was refused. */
export class InfluxWriteError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'InfluxWriteError';
  }
}

export type BucketOutcome = 'created' | 'exists' | 'unsupported';

export interface InfluxWriterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface InfluxWriter {
  /** POSTs lines to `/api/v2/write` (precision ns) in one request; throws InfluxWriteError. */
  write(bucket: string, lines: readonly string[]): Promise<void>;
  /** The same for a body of `points` lines already encoded (a LineBuffer's bytes). */
  writeBody(bucket: string, body: Uint8Array, points: number): Promise<void>;
  /**
   * Makes sure a bucket exists (GET then POST `/api/v2/buckets`). A server without the buckets API
   * (VictoriaMetrics) answers `unsupported`, and writes go on. Remembered per bucket.
   */
  ensureBucket(name: string): Promise<BucketOutcome>;
  /** The bucket an experiment's points go to: the fixed bucket, or the experiment id. */
  bucketFor(experimentId: string | null): string | null;
  /** `GET /health` answers 200 (or `/ping` 204). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface InfluxWriterOptions extends Omit<InfluxConfig, 'bucket'> {
  /** One fixed bucket for every experiment; unset: one bucket per experiment. */
  bucket?: string | undefined;
  logger?: InfluxWriterLogger;
  /** Compress bodies above this many bytes; 0 (the default) never: on a LAN, gzip costs more CPU than it saves. */
  gzipAboveBytes?: number;
}

/**
 * InfluxDB v2 writes. `write` (lines as strings) goes through @influxdata/influxdb-client's
 * transport (node:http, keep-alive, gzip above a threshold); `writeBody` (a LineBuffer's bytes, the
 * recorder's path) goes over undici as the bytes are, since that transport JSON-encodes anything
 * that is not a string. Either posts each batch as one request to `/api/v2/write` and resolves
 * when the store answered 204 — so the recorder knows exactly when a batch is durable and can
 * acknowledge it. (The library's WriteApi would buffer, retry and flush on its own schedule.)
 * The buckets API and /health go over undici too.
 */
export function createInfluxWriter(options: InfluxWriterOptions): InfluxWriter {
  const base = options.url.replace(/\/+$/, '');
  const agent = new Agent({ connections: 8, keepAliveTimeout: 30_000 });
  const auth = { authorization: `Token ${options.token}` };
  const gzipAbove = options.gzipAboveBytes ?? 0;
  const client = new InfluxDB({ url: base, token: options.token, timeout: options.timeoutMs });
  const known = new Map<string, Promise<BucketOutcome>>();
  let bucketsApi: boolean | null = null;

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ) {
    try {
      const res = await request(`${base}${path}`, {
        method,
        dispatcher: agent,
        headers: { ...auth, ...headers },
        ...(body !== undefined ? { body } : {}),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, text };
    } catch (e) {
      throw new InfluxWriteError(`InfluxDB at ${base} is not reachable: ${(e as Error).message}`, true, null);
    }
  }

  const createBucket = async (name: string): Promise<BucketOutcome> => {
    if (bucketsApi === false) return 'unsupported';
    const query = `/api/v2/buckets?name=${encodeURIComponent(name)}&orgID=${encodeURIComponent(options.orgId)}`;
    const found = await call('GET', query);
    if (found.status === 404 || found.status === 400 || found.status === 405) {
      if (bucketsApi === null)
        options.logger?.warn(
          { url: base, status: found.status },
          'the time-series store has no buckets API (e.g. VictoriaMetrics): writing without creating buckets',
        );
      bucketsApi = false;
      return 'unsupported';
    }
    if (found.status >= 500 || found.status === 401 || found.status === 403 || found.status === 429) {
      throw new InfluxWriteError(
        `listing buckets failed with HTTP ${found.status}: ${found.text.slice(0, 200)}`,
        true,
        found.status,
      );
    }
    bucketsApi = true;
    try {
      const list = JSON.parse(found.text) as { buckets?: { name: string }[] };
      if (list.buckets?.some((b) => b.name === name)) return 'exists';
    } catch {
      // an unreadable list: try to create, the server says whether it exists
    }
    const created = await call(
      'POST',
      '/api/v2/buckets',
      JSON.stringify({ orgID: options.orgId, name, retentionRules: [] }),
      { 'content-type': 'application/json' },
    );
    if (created.status === 201 || created.status === 200) {
      options.logger?.info({ bucket: name }, 'bucket created');
      return 'created';
    }
    if (created.status === 422 || created.status === 409) return 'exists';
    throw new InfluxWriteError(
      `creating bucket ${name} failed with HTTP ${created.status}: ${created.text.slice(0, 200)}`,
      created.status >= 500 || created.status === 429 || created.status === 401 || created.status === 403,
      created.status,
    );
  };

  const writePath = (bucket: string) =>
    `/api/v2/write?org=${encodeURIComponent(options.org)}&bucket=${encodeURIComponent(bucket)}&precision=ns`;

  const refused = (bucket: string, points: number, status: number, text: string) => {
    const retryable = status >= 500 || [401, 403, 404, 408, 429].includes(status);
    if (status === 404) known.delete(bucket);
    return new InfluxWriteError(
      `InfluxDB refused a write of ${points} points to bucket ${bucket} with HTTP ${status}: ${text.slice(0, 300)}`,
      retryable,
      status,
    );
  };

  /** Lines as a string, through the client library's transport. */
  async function post(bucket: string, body: string, points: number): Promise<void> {
    try {
      await client.transport.request(writePath(bucket), body, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: gzipAbove > 0 ? gzipAbove : Number.MAX_SAFE_INTEGER,
      });
    } catch (e) {
      if (!(e instanceof HttpError)) {
        throw new InfluxWriteError(
          `InfluxDB at ${base} is not reachable: ${(e as Error).message}`,
          true,
          null,
        );
      }
      throw refused(bucket, points, e.statusCode, e.body ?? e.message);
    }
  }

  /**
   * An encoded body, over undici (the library's transport would JSON-encode a Buffer): the bytes
   * go out as they are, gzipped only above `gzipAboveBytes`.
   */
  async function postBytes(bucket: string, body: Uint8Array, points: number): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    let payload = body;
    if (gzipAbove > 0 && body.length > gzipAbove) {
      payload = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
    }
    const res = await call(
      'POST',
      writePath(bucket),
      Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      headers,
    );
    if (res.status === 204 || res.status === 200) return;
    throw refused(bucket, points, res.status, res.text);
  }

  return {
    bucketFor: (experimentId) => options.bucket ?? experimentId,
    ensureBucket(name) {
      let pending = known.get(name);
      if (!pending) {
        pending = createBucket(name);
        known.set(name, pending);
        pending.catch(() => known.delete(name));
      }
      return pending;
    },
    async write(bucket, lines) {
      if (lines.length === 0) return;
      await post(bucket, lines.join('\n'), lines.length);
    },
    async writeBody(bucket, body, points) {
      if (points === 0) return;
      await postBytes(bucket, body, points);
    },
    async ping() {
      try {
        const res = await call('GET', '/health');
        if (res.status === 200) return true;
        return (await call('GET', '/ping')).status === 204;
      } catch {
        return false;
      }
    },
    close: () => agent.close(),
  };
}
