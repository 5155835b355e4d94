import { fail, ok, type RoutingResult } from '../result.js';
import { absolutePath, DEFAULT_STATIC_HOST, type Router } from './router.js';

/** galileo's StaticRouter: every request goes to `<staticHost><path>`, whatever the service. */
export function createStaticRouter(staticHost: string = DEFAULT_STATIC_HOST): RoutingResult<Router> {
  let host: string;
  try {
    const url = new URL(staticHost);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    host = url.host;
  } catch {
    return fail(
      `StaticRouter needs an http(s) URL prefix in galileo_router_static_host (e.g. http://localhost:8080), got '${staticHost}'`,
    );
  }
  const prefix = staticHost.replace(/\/+$/, '');
  const toRoute = (path: string) => ({ ok: true as const, url: `${prefix}${absolutePath(path)}`, host });
  return ok({
    type: 'StaticRouter',
    route: async (_service, path) => toRoute(path),
    routeCached: (_service, path) => toRoute(path),
    close: async () => {},
  });
}
