import { createCachedRoutingTable } from '../cached-routing-table.js';
import { fail, ok, type RoutingResult } from '../result.js';
import { createRoutingTable } from '../routing-table.js';
import { createDebugRouter } from './debug-router.js';
import { DEFAULT_ROUTER_TYPE, routerTypes, type Router, type RouterDeps, type RouterType } from './router.js';
import { createStaticRouter } from './static-router.js';
import { createSymmetryRouter, type UrlForm } from './symmetry-routers.js';

type RouterFactory = (deps: RouterDeps) => Promise<RoutingResult<Router>>;

function symmetry(type: RouterType, urlForm: UrlForm): RouterFactory {
  return async ({ redis, prefix, balancer }) => {
    if (!redis) return fail(`${type} needs a Redis connection to read the routing table (deps.redis)`);
    return ok(
      createSymmetryRouter({ type, urlForm, records: createRoutingTable(redis, { prefix }), balancer }),
    );
  };
}

function cachingSymmetry(type: RouterType, urlForm: UrlForm): RouterFactory {
  return async ({ redis, subscriber, prefix, balancer }) => {
    if (!redis || !subscriber) {
      return fail(
        `${type} needs a Redis connection (deps.redis) and a dedicated pub/sub connection (deps.subscriber)`,
      );
    }
    const records = await createCachedRoutingTable(redis, subscriber, { prefix });
    return ok(createSymmetryRouter({ type, urlForm, records, balancer, onClose: () => records.close() }));
  };
}

/** Every router type by its `galileo_router_type` name (k6-style registry: one line per type). */
const factories: Record<RouterType, RouterFactory> = {
  CachingSymmetryHostRouter: cachingSymmetry('CachingSymmetryHostRouter', 'host'),
  SymmetryHostRouter: symmetry('SymmetryHostRouter', 'host'),
  CachingSymmetryServiceRouter: cachingSymmetry('CachingSymmetryServiceRouter', 'service'),
  SymmetryServiceRouter: symmetry('SymmetryServiceRouter', 'service'),
  StaticRouter: async ({ staticHost }) => createStaticRouter(staticHost),
  DebugRouter: async () => ok(createDebugRouter()),
};

export function isRouterType(name: string): name is RouterType {
  return (routerTypes as readonly string[]).includes(name);
}

/**
 * Builds the router named by `galileo_router_type` (default CachingSymmetryHostRouter). An unknown
 * name or missing dependencies come back as an error value.
 */
export async function createRouter(
  type: string | undefined = DEFAULT_ROUTER_TYPE,
  deps: RouterDeps = {},
): Promise<RoutingResult<Router>> {
  if (!isRouterType(type)) {
    return fail(
      `Unknown router type '${type}' (galileo_router_type); expected one of ${routerTypes.join(', ')}`,
    );
  }
  return factories[type](deps);
}
