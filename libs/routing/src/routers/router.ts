import type { Redis } from 'ioredis';
import type { HostBalancer } from '../host-balancer.js';

/**
 * Where one request goes: its URL and the chosen host, or why it cannot be routed (the worker
 * records such a request as a trace with status −1). `simulated` marks the DebugRouter, whose
 * requests are not sent but answered with a fake 200.
 */
export type Route = { ok: true; url: string; host: string; simulated?: true } | { ok: false; error: string };

/** A request router as selected by `galileo_router_type`. */
export interface Router {
  readonly type: RouterType;
  route(service: string, path: string): Promise<Route>;
  /**
   * The same route without waiting, when the router can answer from memory (a cached record, a
   * static host); undefined when it cannot, and then `route` is the way. Saves a promise and a
   * microtask per request on the worker's hot path.
   */
  routeCached?(service: string, path: string): Route | undefined;
  /** Releases what the router holds (the caching routers' subscription); connections stay open. */
  close(): Promise<void>;
}

export const routerTypes = [
  'CachingSymmetryHostRouter',
  'SymmetryHostRouter',
  'CachingSymmetryServiceRouter',
  'SymmetryServiceRouter',
  'StaticRouter',
  'DebugRouter',
] as const;

export type RouterType = (typeof routerTypes)[number];

/** galileo's default `galileo_router_type`. */
export const DEFAULT_ROUTER_TYPE: RouterType = 'CachingSymmetryHostRouter';

/** galileo's default `galileo_router_static_host`. */
export const DEFAULT_STATIC_HOST = 'http://localhost';

/** What routers may need; each router type says which parts it requires. */
export interface RouterDeps {
  /** Reads the routing table (Symmetry* routers). */
  redis?: Redis;
  /** A connection dedicated to pub/sub for the routing-table updates (Caching* routers). */
  subscriber?: Redis;
  /** Key prefix of the routing table (tests); empty by default. */
  prefix?: string;
  /** StaticRouter's URL prefix (`galileo_router_static_host`), default `http://localhost`. */
  staticHost?: string;
  /** How Symmetry* routers pick a host; weighted round robin by default, as in galileo. */
  balancer?: HostBalancer;
}

/** galileo requests carry absolute paths; a missing leading slash is added rather than gluing it to the host. */
export function absolutePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}
