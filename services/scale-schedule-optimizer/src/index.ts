export {
  createScaleScheduleOptimizer,
  optimizerParameters,
  type RoundSummary,
  type ScaleScheduleOptimizer,
  type ScaleScheduleOptimizerDeps,
} from './scale-schedule-optimizer.js';
export {
  optimizerConfigSpec,
  loadOptimizerConfig,
  latencyRequirementsFromEnvironment,
  LATENCY_REQUIREMENT_PREFIX,
  type OptimizerConfig,
} from './config.js';
export { osmoticInputFromContext, type ContextInputOptions } from './context-input.js';
export { createLeaderLease, type LeaderLease } from './leader-lease.js';
export { publishRecords, DRY_RUN_SCALE_SCHEDULE_SUBJECT, GALILEO_EVENTS } from './publish-records.js';
