import { z } from 'zod';
import { valueAt } from '@galileo/workload';

/** One HTTP request ready for the router and the HTTP client; `path` includes the query string. */
export interface HttpRequestSpec {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * What a request factory (the default one or a client app's `nextRequest`) may return. Either
 * the object form, or galileo's `next_request()` triple `[method, path, kwargs]`.
 *
 * - `method` (default `get`, any case), `path` (default `/`);
 * - `headers`, `query` (appended to the path);
 * - `body`: a string is sent as is, anything else as JSON (with `content-type: application/json`);
 * - `kwargs`: galileo's `requests` keyword arguments `params`, `data`, `json`, `headers`.
 */
export type AppRequest =
  | {
      method?: string;
      path?: string;
      headers?: Record<string, string | number>;
      query?: Record<string, string | number | boolean>;
      body?: unknown;
      kwargs?: GalileoKwargs;
    }
  | readonly [method: string, path: string, kwargs?: GalileoKwargs];

export interface GalileoKwargs {
  params?: Record<string, string | number | boolean>;
  data?: unknown;
  json?: unknown;
  headers?: Record<string, string | number>;
}

/** The requests of one emulated client. */
export interface ClientRequests {
  next(): HttpRequestSpec | Promise<HttpRequestSpec>;
}

export interface ClientIdentity {
  readonly worker: string;
  readonly service: string;
  readonly clientId: string;
}

/** Makes each client's request source: galileo's DefaultAppClient or a client app. */
export interface RequestFactory {
  /** The client app's name, or null for the default factory. */
  readonly app: string | null;
  forClient(client: ClientIdentity): ClientRequests;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const headerValues = z.record(z.string(), z.union([z.string(), z.number()]));
const kwargsSchema = z.strictObject({
  params: z.record(z.string(), scalar).optional(),
  data: z.unknown().optional(),
  json: z.unknown().optional(),
  headers: headerValues.optional(),
});
const httpMethod = z.string().regex(/^[A-Za-z]+$/, { error: 'must be an HTTP method such as get or POST' });

const appRequestObject = z.strictObject({
  method: httpMethod.optional(),
  path: z.string().optional(),
  headers: headerValues.optional(),
  query: z.record(z.string(), scalar).optional(),
  body: z.unknown().optional(),
  kwargs: kwargsSchema.optional(),
});
const appRequestTriple = z.tuple([httpMethod, z.string()], kwargsSchema.optional());

/** The default factory's parameters: the same request every time (galileo's DefaultAppClient, protocols §3.6). */
export const defaultParametersSchema = appRequestObject;

/** galileo's DefaultAppClient: every request is built once from the group's parameters. */
export function createDefaultRequestFactory(
  parameters: Readonly<Record<string, unknown>> | null | undefined,
): { ok: true; value: RequestFactory } | { ok: false; error: string } {
  const parsed = appRequestObject.safeParse(parameters ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: `Invalid request parameters: ${issuesOf(parsed.error, parameters)}. Expected ${EXPECTED_PARAMETERS}`,
    };
  }
  const request = toHttpRequest(parsed.data);
  if (!request.ok) return { ok: false, error: `Invalid request parameters: ${request.error}` };
  const constant = request.value;
  return { ok: true, value: { app: null, forClient: () => ({ next: () => constant }) } };
}

const EXPECTED_PARAMETERS =
  '{method?, path?, headers?, query?, body?} or galileo kwargs {params?, data?, json?, headers?}';

/**
 * Validates and normalizes what a factory returned; the error says what is wrong with it
 * (it becomes the response of a trace with status −1 when a client app returns garbage).
 */
export function toHttpRequest(
  raw: unknown,
): { ok: true; value: HttpRequestSpec } | { ok: false; error: string } {
  let request: z.infer<typeof appRequestObject>;
  if (Array.isArray(raw)) {
    if (raw.length > 3)
      return { ok: false, error: `[method, path, kwargs]: expected at most 3 items, got ${raw.length}` };
    const triple = appRequestTriple.safeParse(raw);
    if (!triple.success)
      return { ok: false, error: `[method, path, kwargs]: ${issuesOf(triple.error, raw)}` };
    const [method, path, kwargs] = triple.data;
    request = { method, path, ...(kwargs ? { kwargs } : {}) };
  } else {
    const object = appRequestObject.safeParse(raw);
    if (!object.success) return { ok: false, error: issuesOf(object.error, raw) };
    request = object.data;
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...request.kwargs?.headers, ...request.headers })) {
    headers[name.toLowerCase()] = String(value);
  }
  const query = { ...request.kwargs?.params, ...request.query };
  let path = request.path ?? '/';
  const search = new URLSearchParams(
    Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  if (search !== '') path += (path.includes('?') ? '&' : '?') + search;

  let body: string | undefined;
  const kwargs = request.kwargs;
  if (request.body !== undefined && request.body !== null) {
    body = typeof request.body === 'string' ? request.body : jsonBody(request.body, headers);
  } else if (kwargs?.json !== undefined) {
    body = jsonBody(kwargs.json, headers);
  } else if (kwargs?.data !== undefined && kwargs.data !== null) {
    body = formBody(kwargs.data, headers);
  }
  const method = (request.method ?? 'get').toUpperCase();
  return {
    ok: true,
    value: body === undefined ? { method, path, headers } : { method, path, headers, body },
  };
}

function jsonBody(value: unknown, headers: Record<string, string>): string {
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(value);
}

/** `requests`' `data=`: a string is sent as is, a dict form-encoded. */
function formBody(value: unknown, headers: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    return new URLSearchParams(
      Object.entries(value).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
  }
  return String(value);
}

function issuesOf(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        return `${where}unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      }
      const path = issue.path.map(String).join('.');
      const received = valueAt(input, issue.path);
      const got = received === undefined ? '' : `, got ${JSON.stringify(received)?.slice(0, 60)}`;
      return path === '' ? `${issue.message}${got}` : `${path}: ${issue.message}${got}`;
    })
    .join('; ');
}
