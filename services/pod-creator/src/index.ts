export {
  createPodCreator,
  scheduleToJob,
  jobIdOf,
  GALILEO_EVENTS,
  type Decision,
  type PodCreator,
  type PodCreatorDeps,
  type PodJob,
} from './pod-creator.js';
export { podCreatorConfigSpec, loadPodCreatorConfig, type PodCreatorConfig } from './config.js';
export { createConfiguredOrchestrator } from './orchestrator-from-config.js';
