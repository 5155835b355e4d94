import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import cors from '@fastify/cors';
import { registerBusMetrics, type Bus } from '@galileo/bus';
import type { GalileoDatabase } from '@galileo/db';
import type { GalileoCatalogue } from '@galileo/events';
import {
  createBusCanceller,
  createExperimentOperations,
  type ExperimentCanceller,
  type OperationError,
} from '@galileo/experiments';
import type { Logger } from '@galileo/logging';
import { computeReport, loadExperimentData, renderReportHtml } from '@galileo/report';
import { createRoutingTable } from '@galileo/routing';
import { listLiveWorkers } from '@galileo/workers';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { createAppRepository, isAppName } from './apps/app-repository.js';
import { authProblem, type ApiConfig } from './config.js';
import { DEFAULT_EVENTS_PATTERN, eventsPatternProblem, streamBusEvents } from './events-stream.js';
import { openApiDocument } from './openapi.js';

/** The database the API reads and writes: libs/db's repositories (a `GalileoDatabase`). */
export type ApiDatabase = Pick<
  GalileoDatabase,
  'experiments' | 'traces' | 'telemetry' | 'events' | 'nodeinfo'
> &
  Partial<Pick<GalileoDatabase, 'ping'>>;

export interface ApiDeps {
  redis: Redis;
  bus: Bus<GalileoCatalogue>;
  db: ApiDatabase;
  config: ApiConfig;
  logger: Logger;
  /** Defaults to the daemon's CancelExperiment command on the bus. */
  canceller?: ExperimentCanceller;
  now?: () => number;
}

export interface Api {
  /** The fastify instance (for `inject` in tests and for embedding). */
  readonly app: FastifyInstance;
  /** Listens on config.host:config.port; resolves to the URL (port 0 picks a free one). */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/** The routes `GET /api` lists, with galileo's resource class names (protocols §8). */
const ROUTES: { uri: string; type: string }[] = [
  { uri: '/api', type: 'ApiResource' },
  { uri: '/api/apps', type: 'AppsResource' },
  { uri: '/api/apps/{app_name}', type: 'AppResource' },
  { uri: '/api/apps/{app_name}/download', type: 'AppDownloadResource' },
  { uri: '/api/events', type: 'EventStreamResource' },
  { uri: '/api/experiments', type: 'ExperimentsResource' },
  { uri: '/api/experiments/{exp_id}', type: 'ExperimentResource' },
  { uri: '/api/experiments/{exp_id}/cancel', type: 'ExperimentCancelResource' },
  { uri: '/api/experiments/{exp_id}/report', type: 'ExperimentReportResource' },
  { uri: '/api/openapi.json', type: 'OpenApiResource' },
  { uri: '/api/services', type: 'ServicesResource' },
  { uri: '/api/worker', type: 'WorkerResource' },
];

const STATUS_OF: Record<OperationError['code'], number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'no-workers': 503,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: '400 Bad Request',
  401: '401 Unauthorized',
  404: '404 Not Found',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** falcon's error body (`{title, description}`), plus the field a 400 is about. */
function sendError(reply: FastifyReply, status: number, description: string, field?: string) {
  return reply
    .code(status)
    .type('application/json')
    .send({ title: TITLES[status] ?? String(status), description, ...(field ? { field } : {}) });
}

/**
 * The REST API: galileo's paths and bodies (protocols §8), plus reports, server-sent bus events,
 * an OpenAPI document, health and metrics. Never reads the environment.
 */
export function createApi(deps: ApiDeps): Api {
  const { config, logger, redis, bus } = deps;
  const problem = authProblem({ host: config.host }, config.token);
  if (problem) throw new Error(problem);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'galileo_api_' });
  registerBusMetrics(bus, registry);
  const requests = new Counter({
    name: 'galileo_api_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'galileo_api_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });

  const operations = createExperimentOperations({
    redis,
    bus,
    db: deps.db,
    canceller: deps.canceller ?? createBusCanceller(bus, { redis, prefix: config.keyPrefix }),
    listWorkers: () => listLiveWorkers(redis, { prefix: config.keyPrefix }),
    prefix: config.keyPrefix,
    now: deps.now,
    creator: 'galileo-api',
    cancelTimeoutMs: config.cancelTimeoutMs,
  });
  const apps = createAppRepository(config.appsRepoDir);
  const routing = createRoutingTable(redis, { prefix: config.keyPrefix });
  const corsHeaders = { 'access-control-allow-origin': config.corsOrigin };

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, forceCloseConnections: true });

  void app.register(cors, {
    origin: config.corsOrigin === '*' ? '*' : config.corsOrigin,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    maxAge: 86_400,
    strictPreflight: false,
  });

  app.addHook('onRequest', async (request, reply) => {
    (request as FastifyRequest & { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    if (!config.token || request.method === 'OPTIONS') return;
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/api') || path === '/api/openapi.json') return;
    if (!bearerMatches(request.headers.authorization, config.token)) {
      void reply.header('www-authenticate', 'Bearer realm="galileo"');
      return sendError(
        reply,
        401,
        'missing or wrong bearer token: send "Authorization: Bearer <galileo_api_token>"',
      );
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    const started = (request as FastifyRequest & { startedAt?: bigint }).startedAt;
    if (started !== undefined) {
      duration.observe({ method: request.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) logger.error({ err: error, url: request.url }, 'request failed');
    const description =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? `the body is not valid JSON: ${error.message}`
        : status >= 500
          ? `${error.message}: see the API's log`
          : error.message;
    return sendError(reply, status, description);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      404,
      `no route ${request.method} ${request.url.split('?')[0]}: GET /api lists the routes`,
    ),
  );

  // ---- operations --------------------------------------------------------------------------
  app.get('/healthz', async () => ({ healthy: true }));
  app.get('/readyz', async (_request, reply) => {
    const [redisOk, dbOk] = await Promise.all([
      redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      ),
      deps.db.ping ? deps.db.ping().catch(() => false) : Promise.resolve(true),
    ]);
    const ready = redisOk && dbOk;
    return reply.code(ready ? 200 : 503).send({ ready, redis: redisOk, db: dbOk });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );

  // ---- galileo's routes ----------------------------------------------------------------------
  app.get('/api', async () => ROUTES);
  app.get('/api/openapi.json', async () => openApiDocument());
  app.get('/api/worker', async () => listLiveWorkers(redis, { prefix: config.keyPrefix }));
  app.get('/api/services', async () => (await routing.listServices()).map((name) => ({ name })));

  app.get('/api/experiments', async () => operations.list());
  app.post('/api/experiments', async (request, reply) => {
    const result = await operations.submit(request.body);
    if (!result.ok) return fail(reply, result.error);
    logger.info(
      { experimentId: result.value.experiment.id, form: result.value.submission.form },
      'experiment queued',
    );
    return reply.type('application/json').send(JSON.stringify(result.value.experiment.id));
  });
  app.get<{ Params: { id: string } }>('/api/experiments/:id', async (request, reply) => {
    const experiment = await operations.get(request.params.id);
    if (!experiment) return notFound(reply, request.params.id);
    return experiment;
  });
  app.delete<{ Params: { id: string } }>('/api/experiments/:id', async (request, reply) => {
    const result = await operations.remove(request.params.id);
    if (!result.ok) return fail(reply, result.error);
    logger.info({ experimentId: result.value }, 'experiment deleted');
    return reply.type('application/json').send(JSON.stringify(result.value));
  });
  app.post<{ Params: { id: string }; Body: { reason?: unknown } | undefined }>(
    '/api/experiments/:id/cancel',
    async (request, reply) => {
      const reason = typeof request.body?.reason === 'string' ? request.body.reason : undefined;
      const result = await operations.cancel(request.params.id, reason);
      if (!result.ok) return fail(reply, result.error);
      logger.info({ experimentId: request.params.id }, 'experiment cancelled');
      return result.value;
    },
  );
  app.get<{ Params: { id: string }; Querystring: { format?: string } }>(
    '/api/experiments/:id/report',
    async (request, reply) => {
      const format = request.query.format ?? 'json';
      if (format !== 'json' && format !== 'html') {
        return sendError(reply, 400, `format must be json or html, got ${JSON.stringify(format)}`, 'format');
      }
      const data = await loadExperimentData(deps.db, request.params.id);
      if (!data) return notFound(reply, request.params.id);
      const report = computeReport(data);
      if (format === 'html') return reply.type('text/html; charset=utf-8').send(renderReportHtml(report));
      return report;
    },
  );

  app.get<{ Querystring: { pattern?: string; from?: string } }>('/api/events', async (request, reply) => {
    const pattern = request.query.pattern ?? DEFAULT_EVENTS_PATTERN;
    const patternError = eventsPatternProblem(pattern);
    if (patternError) return sendError(reply, 400, patternError, 'pattern');
    const from = request.query.from ?? 'new';
    let startAt: 'new' | 'beginning' | { time: number };
    if (from === 'new' || from === 'beginning') startAt = from;
    else if (/^\d+$/.test(from)) startAt = { time: Number(from) };
    else
      return sendError(
        reply,
        400,
        `from must be new, beginning or epoch milliseconds, got ${JSON.stringify(from)}`,
        'from',
      );
    reply.hijack();
    await streamBusEvents(bus, reply.raw, {
      pattern,
      startAt,
      headers: corsHeaders,
      onError: (e) => logger.warn({ err: e }, 'event stream cleanup failed'),
    });
  });

  // Apps: raw zip uploads (galileo's `galileo app deploy` posts the archive as the body).
  void app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.get('/api/apps', async () => apps.list());
    scope.post('/api/apps', async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        return sendError(
          reply,
          400,
          'expected a zip archive as the request body (with manifest.yml at its root)',
          'body',
        );
      }
      const saved = await apps.save(body);
      if (!saved.ok) return sendError(reply, 400, `invalid app archive: ${saved.error}`, 'body');
      logger.info({ app: saved.value.name }, 'app stored');
      return reply.code(201).send(saved.value);
    });
    scope.get<{ Params: { name: string } }>('/api/apps/:name', async (request, reply) => {
      const info = await apps.get(request.params.name);
      if (!info) return appNotFound(reply, request.params.name);
      return info;
    });
    scope.delete<{ Params: { name: string } }>('/api/apps/:name', async (request) =>
      apps.delete(request.params.name),
    );
    scope.get<{ Params: { name: string } }>('/api/apps/:name/download', async (request, reply) => {
      const name = request.params.name;
      const zip = isAppName(name) ? await apps.archive(name) : null;
      if (!zip) return appNotFound(reply, name);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${name}.zip"`)
        .send(zip);
    });
  });

  let listening = false;
  return {
    app,
    async start() {
      await app.listen({ host: config.host, port: config.port });
      listening = true;
      const port = (app.server.address() as AddressInfo).port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      logger.info({ host: config.host, port, auth: Boolean(config.token) }, 'api listening');
      return { url: `http://${host}:${port}`, port };
    },
    async stop() {
      if (listening || app.server.listening) await app.close();
      else await app.close().catch(() => undefined);
    },
  };
}

function fail(reply: FastifyReply, error: OperationError) {
  return sendError(
    reply,
    STATUS_OF[error.code],
    error.message,
    error.code === 'invalid' ? error.field : undefined,
  );
}

function notFound(reply: FastifyReply, id: string) {
  return sendError(reply, 404, `no experiment ${id}: GET /api/experiments lists them`);
}

function appNotFound(reply: FastifyReply, name: string) {
  return sendError(reply, 404, `no app ${name}: GET /api/apps lists them`);
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
