import { absolutePath, type Router } from './router.js';

/** galileo's DebugRouter: no I/O; the worker answers every request with a fake 200 from `http://debughost<path>`. */
export function createDebugRouter(): Router {
  return {
    type: 'DebugRouter',
    route: async (_service, path) => ({
      ok: true,
      url: `http://debughost${absolutePath(path)}`,
      host: 'debughost',
      simulated: true,
    }),
    close: async () => {},
  };
}
