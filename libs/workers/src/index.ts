export {
  createWorkerClient,
  type BroadcastReply,
  type CommandOptions,
  type GroupRef,
  type WorkerClient,
} from './worker-client.js';
export {
  listLiveWorkers,
  pruneExpiredWorkers,
  readWorkerLabels,
  type WorkerListOptions,
} from './worker-list.js';
export { workerKeys, type WorkerKeys } from './worker-keys.js';
export type {
  ClientGroupInfo,
  ClientGroupState,
  LatencySummary,
  PingReply,
  TracingReply,
  WorkerInfo,
  WorkloadDescription,
} from './worker-replies.js';
