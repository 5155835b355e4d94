import { hostname } from 'node:os';
import {
  createKubernetesOrchestrator,
  createLocalOrchestrator,
  type Orchestrator,
} from '@galileo/orchestrator';
import type { Logger } from '@galileo/logging';
import type { PodCreatorConfig } from './config.js';

/** The orchestrator registry: `schedule_scale_opt_orchestrator` picks one. */
export function createConfiguredOrchestrator(config: PodCreatorConfig, logger: Logger): Orchestrator {
  if (config.orchestrator === 'kubernetes') {
    return createKubernetesOrchestrator({
      config: config.k8sConfig,
      namespace: config.namespace,
      breaker: { resetTimeoutMs: config.breakerReset, timeoutMs: config.k8sTimeout },
      logger,
    });
  }
  const node = config.localNode;
  return createLocalOrchestrator({
    maxPods: config.localMaxPods,
    env: { SAMPLE_APP_CPU_MS: String(config.localCpuMs) },
    nodeName: (zone) => (node ? node.replace('{zone}', zone) : hostname()),
    logger,
  });
}
