import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionWeights, WeightChange, WeightStore, WeightWatch } from '@galileo/kv';
import { sameWeights } from '@galileo/kv';
import type { Logger } from '@galileo/logging';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Pool, type Dispatcher } from 'undici';
import {
  buildRoute,
  gatewayTest,
  parseFunctionPath,
  type FunctionRoute,
  type Target,
} from './function-routes.js';

export interface LoadBalancerDeps {
  store: WeightStore;
  zone: string;
  /** `eb_go_lb_node_name`: the name in the forwarding headers. */
  nodeName: string;
  /** `eb_go_lb_gateways`. */
  gateways?: readonly string[];
  /** `wrr` (default) or `dummy` (round robin, weights ignored). */
  handlerType?: 'wrr' | 'dummy';
  port: number;
  host?: string;
  logger: Logger;
  registry?: Registry;
  backendConnections?: number;
  requestTimeoutMs?: number;
}

export interface LoadBalancer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The port the proxy listens on (after start). */
  readonly port: number;
  /** The weights in force for a function (tests, /readyz). */
  weights(fn: string): FunctionWeights | undefined;
  /** Has the first snapshot of the zone arrived? */
  readonly ready: boolean;
  /** Is the weight store reachable? (The last weights stay in force while it is not.) */
  readonly storeConnected: boolean;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);

/**
 * The Controller: edgerun's go-load-balancer in TypeScript (reference §1). Routes
 * `/function/<fn>[/<rest>]` over the zone's weights with LVS interleaved WRR (libs/routing's
 * one implementation), follows the weight store's watch, keeps the last weights through a store
 * outage, logs and ignores unusable values, and answers 503 with a reason when a function has no
 * replica.
 */
export function createLoadBalancer(deps: LoadBalancerDeps): LoadBalancer {
  const { store, zone, nodeName, logger } = deps;
  const isGateway = gatewayTest(deps.gateways ?? []);
  const dummy = deps.handlerType === 'dummy';
  const timeout = deps.requestTimeoutMs ?? 60_000;
  const connections = deps.backendConnections ?? 128;
  const forwardedHostHeader = `x-forwarded-host-${nodeName.toLowerCase()}`;
  const routes = new Map<string, FunctionRoute>();
  const pools = new Map<string, Pool>();
  let server: Server | undefined;
  let watch: WeightWatch | undefined;
  let ready = false;
  let storeConnected = false;
  let port = deps.port;
  const counts = { requests: 0, noReplica: 0, notFound: 0, upstreamErrors: 0, updates: 0, invalid: 0 };

  const registry = deps.registry;
  if (registry) {
    const counter = (name: string, help: string, key: keyof typeof counts) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(counts[key]);
        },
      });
    counter('eb_go_lb_requests_total', 'Requests received on /function/…', 'requests');
    counter('eb_go_lb_no_replica_total', 'Requests answered 503: no replica to choose', 'noReplica');
    counter('eb_go_lb_not_found_total', 'Requests outside /function/<fn>[/<rest>] (404)', 'notFound');
    counter('eb_go_lb_upstream_errors_total', 'Requests whose backend failed (502/504)', 'upstreamErrors');
    counter('eb_go_lb_weight_updates_total', 'Weight values applied', 'updates');
    counter('eb_go_lb_invalid_values_total', 'Weight values rejected (logged, old weights kept)', 'invalid');
    new Gauge({
      name: 'eb_go_lb_store_connected',
      help: '1 while the weight store is reachable',
      registers: [registry],
      collect() {
        this.set(storeConnected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'eb_go_lb_functions',
      help: 'Functions with weights',
      registers: [registry],
      collect() {
        this.set(routes.size);
      },
    });
  }

  const poolFor = (host: string): Pool => {
    let pool = pools.get(host);
    if (!pool) {
      pool = new Pool(`http://${host}`, {
        connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      pools.set(host, pool);
    }
    return pool;
  };

  const apply = (fn: string, weights: FunctionWeights) => {
    const previous = routes.get(fn);
    if (previous && sameWeights(previous.weights, weights)) return;
    const effective = dummy ? { ips: weights.ips, weights: weights.weights.map(() => 1) } : weights;
    const route = buildRoute(fn, effective, isGateway, previous);
    routes.set(fn, dummy ? { ...route, weights } : route);
    counts.updates++;
    logger.debug({ zone, fn, ips: weights.ips, weights: weights.weights }, 'weights applied');
  };

  const onChange = (change: WeightChange) => {
    switch (change.type) {
      case 'snapshot':
        for (const e of change.entries) apply(e.fn, e.weights);
        for (const bad of change.invalid) {
          counts.invalid++;
          logger.warn(
            { zone, key: bad.key, reason: bad.error },
            'ignoring an unusable weight value; the last weights stay',
          );
        }
        ready = true;
        break;
      case 'put':
        apply(change.entry.fn, change.entry.weights);
        break;
      case 'invalid':
        counts.invalid++;
        logger.warn(
          { zone, key: change.key, value: change.raw.slice(0, 200), reason: change.error },
          'ignoring an unusable weight value; the last weights stay',
        );
        break;
      case 'delete':
        logger.info(
          { zone, fn: change.fn },
          'weights deleted in the store; keeping the last ones (as the Go balancer does)',
        );
        break;
      case 'status':
        storeConnected = change.connected;
        if (change.connected) logger.info({ zone, store: store.kind }, 'weight store reachable');
        else
          logger.warn(
            { zone, store: store.kind, detail: change.detail },
            'weight store unreachable; routing with the last weights',
          );
        break;
    }
  };

  const plain = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, target: Target, path: string) => {
    const now = ((performance.timeOrigin + performance.now()) / 1000).toFixed(7);
    const inHeaders = req.headers;
    const headers: Record<string, string | string[]> = {};
    for (const name in inHeaders) {
      if (HOP_BY_HOP.has(name)) continue;
      const v = inHeaders[name];
      if (v !== undefined) headers[name] = v;
    }
    const priorForwardedFor = inHeaders['x-forwarded-for'];
    const forwardedFor = priorForwardedFor ? `${priorForwardedFor}, ${nodeName}` : nodeName;
    headers['x-forwarded-for'] = forwardedFor;
    headers[forwardedHostHeader] = now;
    headers['x-final-host'] = target.host;
    headers.host = target.host;
    const method = req.method ?? 'GET';
    const te = inHeaders['transfer-encoding'];
    const length = inHeaders['content-length'];
    const hasBody =
      method !== 'GET' && method !== 'HEAD' && (te !== undefined || (length !== undefined && length !== '0'));
    // The dispatcher API without a Readable per response: chunks go straight to the client's
    // socket, pausing the backend while the client's socket is full.
    let controller: Dispatcher.DispatchController | undefined;
    let finished = false;
    res.once('close', () => {
      if (!finished) controller?.abort(new Error('client went away'));
    });
    poolFor(target.host).dispatch(
      { method, path, headers, body: hasBody ? req : null },
      {
        onRequestStart(c) {
          controller = c;
        },
        onResponseStart(_c, statusCode, upstream) {
          const out: Record<string, string | string[]> = {};
          for (const name in upstream) {
            if (HOP_BY_HOP.has(name)) continue;
            const v = upstream[name];
            if (v !== undefined) out[name] = v;
          }
          out[forwardedHostHeader] = now;
          const upstreamFinal = upstream['x-final-host'];
          out['x-final-host'] = upstreamFinal ? `${target.host}, ${String(upstreamFinal)}` : target.host;
          if (upstream['x-forwarded-for'] === undefined) out['x-forwarded-for'] = forwardedFor;
          res.writeHead(statusCode, out);
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) {
            c.pause();
            res.once('drain', () => c.resume());
          }
        },
        onResponseEnd() {
          finished = true;
          res.end();
        },
        onResponseError(_c, err) {
          finished = true;
          counts.upstreamErrors++;
          const timedOut = (err as { code?: string }).code?.includes('TIMEOUT') ?? false;
          if (!res.headersSent)
            plain(res, timedOut ? 504 : 502, `backend ${target.host} failed: ${err.message}\n`);
          else res.destroy(err);
          if (hasBody) req.resume();
        },
      },
    );
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const parsed = parseFunctionPath(req.url ?? '/');
    if (!parsed) {
      counts.notFound++;
      plain(res, 404, `not found: expected /function/<function>[/<path>], got ${req.url}\n`);
      return;
    }
    counts.requests++;
    const route = routes.get(parsed.fn);
    const forwarded = req.headers['x-forwarded-for'] !== undefined;
    const target = route?.next(forwarded);
    if (!route || !target) {
      counts.noReplica++;
      plain(
        res,
        503,
        `${route ? route.unavailable(forwarded) : `no weights for function ${parsed.fn} in zone ${zone}`}\n`,
      );
      req.resume();
      return;
    }
    forward(req, res, target, target.gateway ? (req.url ?? '/') : parsed.rest);
  };

  return {
    get port() {
      return port;
    },
    get ready() {
      return ready;
    },
    get storeConnected() {
      return storeConnected;
    },
    weights: (fn) => routes.get(fn)?.weights,
    async start() {
      watch = store.watch(zone, onChange);
      server = createServer({ keepAliveTimeout: 65_000 }, handle);
      server.on('clientError', (_e, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(deps.port, deps.host ?? '0.0.0.0', () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      // Serve at once (503 until weights arrive); wait briefly for the first snapshot so a fresh
      // balancer does not answer 503 for weights that exist.
      await Promise.race([watch.ready, new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (!ready)
        logger.warn(
          { zone, store: store.kind },
          'no weights read yet; answering 503 until the store is reachable',
        );
      logger.info(
        { zone, port, node: nodeName, store: store.kind, functions: routes.size },
        'load balancer listening',
      );
    },
    async stop() {
      await watch?.close();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
          setTimeout(() => s.closeAllConnections(), 2_000).unref();
        });
      }
      await Promise.all([...pools.values()].map((p) => p.close().catch(() => undefined)));
      pools.clear();
    },
  };
}
