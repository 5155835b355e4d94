export {
  createExperimentQueue,
  DEFAULT_QUEUE,
  experimentQueueKeys,
  listLiveDaemons,
  removeQueuedMessage,
  stampMessage,
  unstampMessage,
  type ExperimentQueue,
  type ExperimentQueueKeys,
  type ExperimentQueueOptions,
  type StampedMessage,
} from './experiment-queue.js';
export {
  generateExperimentId,
  instructionsProblem,
  readQueueMessage,
  type QueueMessage,
  type ReadMessageContext,
} from './queue-message.js';
export { cancelExperiment, type CancelOptions } from './cancel-experiment.js';
