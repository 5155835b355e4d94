export {
  createExperimentDaemon,
  cancelGroupOf,
  projectionGroupOf,
  LIFECYCLE_MIRROR_GROUP,
  RETENTION_GROUP,
  type Clock,
  type ExperimentDaemon,
  type ExperimentDaemonDeps,
  type ExperimentDaemonStatus,
} from './experiment-daemon.js';
export {
  experimentDaemonConfigSpec,
  loadExperimentDaemonConfig,
  envBytes,
  type ExperimentDaemonConfig,
  type ExperimentDaemonEnvironmentConfig,
} from './config.js';
export * from './lifecycle/experiment-lifecycle.js';
export {
  loadExperimentEvents,
  openExperimentStream,
  readLifecycleStream,
  type ExperimentStream,
  type StoredLifecycleEvent,
} from './lifecycle/lifecycle-store.js';
export { formatLifecycleLine, LIFECYCLE_EVENT_NAMES } from './lifecycle/lifecycle-line.js';
export {
  applyLifecycleEvent,
  rebuildExperimentsProjection,
  startExperimentsProjection,
  EXPERIMENTS_PROJECTION,
  EXPERIMENTS_PROJECTION_GROUP,
  type RebuildResult,
} from './projection/experiments-projection.js';
export {
  runInstructions,
  describeWorkerError,
  type RunOutcome,
  type RunnerDeps,
} from './runner/run-instructions.js';
