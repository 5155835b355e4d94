export { bodyText } from './body-text.js';
export { HeadersJson } from './headers-json.js';
export { abortBySignal, IntrusiveList, type Linked, type SignalledItem } from './intrusive-list.js';
export {
  UpstreamError,
  UpstreamPool,
  type UpstreamConnection,
  type UpstreamExchange,
  type UpstreamPoolOptions,
} from './upstream.js';
export {
  createWholeResponseClient,
  type WholeRequest,
  type WholeResponse,
  type WholeResponseClient,
  type WholeResponseClientOptions,
} from './whole-response-client.js';
export { holdWritesUntilTurnEnd } from './turn-writes.js';
