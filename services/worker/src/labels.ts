import { isSecretName, maskUrlCredentials, type Environment } from '@galileo/config';

/**
 * A worker's labels: every `galileo_*` variable (protocols §3.1), e.g. `galileo_zone=A`, which
 * galileo's `g.spawn(…, worker_labels=…)` selects workers by. Unlike galileo, variables named like
 * secrets (`isSecretName`: passwords, tokens, keys) are left out, and passwords inside URLs
 * (`galileo_redis_url=redis://:pw@host`) are masked, because the label hash is readable by anyone
 * with access to Redis.
 */
export function labelsFromEnvironment(env: Environment): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('galileo_') || value === undefined || isSecretName(name)) continue;
    labels[name] = maskUrlCredentials(value);
  }
  return labels;
}
