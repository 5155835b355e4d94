import { absolutePath, type Route, type Router } from './router.js';

/** galileo's DebugRouter: no I/O; the worker answers every request with a fake 200 from `http://debughost<path>`. */
export function createDebugRouter(): Router {
  const toRoute = (path: string): Route => ({
    ok: true,
    url: `http://debughost${absolutePath(path)}`,
    host: 'debughost',
    simulated: true,
  });
  return {
    type: 'DebugRouter',
    route: async (_service, path) => toRoute(path),
    // from memory like the static router: no promise per request on the worker's path
    routeCached: (_service, path) => toRoute(path),
    close: async () => {},
  };
}
