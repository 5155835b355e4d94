// An app outside this repository imports these types from '@galileo/worker'.
import type { AppRequest, ClientAppContext } from '../../src/index.js';

/**
 * Every request of a client counts up: `GET /test?counter=1`, `…=2`, …. The group's parameters
 * may set `path` (default `/test`) and `method` (default `get`).
 */
export function nextRequest(context: ClientAppContext): AppRequest {
  const { path = '/test', method = 'get' } = context.parameters as { path?: string; method?: string };
  return { method, path, query: { counter: context.requestCount, client: context.clientId } };
}
