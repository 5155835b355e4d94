import type { Readable } from 'node:stream';
import { UpstreamPool, type UpstreamConnection, type UpstreamExchange } from '@galileo/http1';
import type { FunctionWeights, WeightChange, WeightStore, WeightWatch } from '@galileo/kv';
import { sameWeights } from '@galileo/kv';
import type { Logger } from '@galileo/logging';
import { Counter, Gauge, type Registry } from 'prom-client';
import { buildRoute, gatewayTest, parseFunctionPath, type FunctionRoute } from './function-routes.js';
import {
  createInboundServer,
  type AbortListener,
  type InboundExchange,
  type InboundServer,
} from './inbound.js';

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

/** Request headers not passed on as they came: hop-by-hop, or set by the balancer itself. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  // the server has answered `100-continue` already
  'expect',
  'x-forwarded-for',
  'x-final-host',
]);

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

interface ProxyCounts {
  upstreamErrors: number;
}

/** One proxied request: the request head built once, the response headers amended on the way back. */
class ProxyExchange implements UpstreamExchange, AbortListener {
  connection: UpstreamConnection | null = null;
  finished = false;

  constructor(
    readonly head: string,
    readonly body: Readable | null,
    readonly chunkedBody: boolean,
    readonly headRequest: boolean,
    readonly retryable: boolean,
    private readonly pool: UpstreamPool,
    private readonly res: InboundExchange,
    private readonly host: string,
    private readonly now: string,
    private readonly forwardedFor: string,
    private readonly forwardedHostHeader: string,
    private readonly counts: ProxyCounts,
  ) {}

  /** The client went away: the backend exchange is abandoned. */
  clientGone(): void {
    if (!this.finished) {
      this.finished = true;
      this.pool.abandon(this);
    }
  }

  onResponseHead(status: number, reason: string, headers: string[]): void {
    let finalSeen = false;
    let forwardedForSeen = false;
    let stampSeen = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (name === 'x-final-host') {
        // the chain for traces: our target, then the next balancer's (the replica last)
        headers[i + 1] = `${this.host}, ${headers[i + 1]}`;
        finalSeen = true;
      } else if (name === 'x-forwarded-for') forwardedForSeen = true;
      else if (name === this.forwardedHostHeader) {
        headers[i + 1] = this.now;
        stampSeen = true;
      }
    }
    if (!finalSeen) headers.push('x-final-host', this.host);
    if (!stampSeen) headers.push(this.forwardedHostHeader, this.now);
    if (!forwardedForSeen) headers.push('x-forwarded-for', this.forwardedFor);
    try {
      this.res.writeHead(status, reason, headers);
    } catch (err) {
      this.pool.abandon(this);
      this.onError(new Error(`unusable response head: ${(err as Error).message}`), false);
    }
  }

  onResponseData(chunk: Buffer, resume: () => void): boolean {
    if (this.res.write(chunk)) return true;
    this.res.onceDrain(resume);
    return false;
  }

  onResponseEnd(last: Buffer | null): void {
    this.finished = true;
    if (last) this.res.end(last);
    else this.res.end();
  }

  onError(err: Error, timedOut: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.counts.upstreamErrors++;
    const res = this.res;
    if (!res.headersSent) res.plain(timedOut ? 504 : 502, `backend ${this.host} failed: ${err.message}\n`);
    else res.destroy();
    if (this.body) this.body.resume();
  }
}

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
  const pools = new Map<string, UpstreamPool>();
  let server: InboundServer | undefined;
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

  const poolFor = (host: string): UpstreamPool => {
    let pool = pools.get(host);
    if (!pool) {
      pool = new UpstreamPool(host, {
        connections,
        timeoutMs: timeout,
        keepAliveMs: 30_000,
        writeAtTurnEnd: true,
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

  const handle = (req: InboundExchange) => {
    const url = req.url;
    const parsed = parseFunctionPath(url);
    if (!parsed) {
      counts.notFound++;
      req.plain(404, `not found: expected /function/<function>[/<path>], got ${url}\n`);
      return;
    }
    counts.requests++;
    // one pass over the raw headers: what is passed on (as request-head lines), and what decides
    const raw = req.rawHeaders;
    let lines = '';
    let priorForwardedFor: string | undefined;
    let contentLength: string | undefined;
    let chunked = false;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      if (NOT_FORWARDED.has(lower) || lower === forwardedHostHeader) {
        if (lower === 'x-forwarded-for')
          priorForwardedFor =
            priorForwardedFor === undefined ? raw[i + 1]! : `${priorForwardedFor}, ${raw[i + 1]!}`;
        else if (lower === 'transfer-encoding') chunked = true;
        continue;
      }
      if (lower === 'content-length') {
        contentLength = raw[i + 1]!;
        continue;
      }
      lines += `${name}: ${raw[i + 1]!}\r\n`;
    }
    const route = routes.get(parsed.fn);
    const forwarded = priorForwardedFor !== undefined;
    const target = route?.next(forwarded);
    if (!route || !target) {
      counts.noReplica++;
      req.plain(
        503,
        `${route ? route.unavailable(forwarded) : `no weights for function ${parsed.fn} in zone ${zone}`}\n`,
      );
      return;
    }
    const now = ((performance.timeOrigin + performance.now()) / 1000).toFixed(7);
    const forwardedFor = priorForwardedFor ? `${priorForwardedFor}, ${nodeName}` : nodeName;
    const method = req.method;
    // a body: content-length as it came, anything else (chunked) re-sent chunked
    if (chunked) lines += 'transfer-encoding: chunked\r\n';
    else if (contentLength !== undefined) lines += `content-length: ${contentLength}\r\n`;
    const hasBody = req.body !== null;
    const head =
      `${method} ${target.gateway ? url : parsed.rest} HTTP/1.1\r\nhost: ${target.host}\r\n${lines}` +
      `x-forwarded-for: ${forwardedFor}\r\n${forwardedHostHeader}: ${now}\r\nx-final-host: ${target.host}\r\n\r\n`;
    const pool = poolFor(target.host);
    const exchange = new ProxyExchange(
      head,
      req.body,
      chunked,
      method === 'HEAD',
      !hasBody && RETRYABLE_METHODS.has(method),
      pool,
      req,
      target.host,
      now,
      forwardedFor,
      forwardedHostHeader,
      counts,
    );
    req.onAbort = exchange;
    pool.dispatch(exchange);
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
      server = createInboundServer(handle, {
        keepAliveTimeoutMs: 65_000,
        onHandlerError: (err, req) =>
          logger.error({ err, method: req.method, url: req.url }, 'request handler failed; answered 500'),
      });
      port = await server.listen(deps.port, deps.host ?? '0.0.0.0');
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
      // idle connections at once, busy ones after their response, all within 2 s
      await server?.close(2_000);
      for (const p of pools.values()) p.close();
      pools.clear();
    },
  };
}
