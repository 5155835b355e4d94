import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './kustomize.js';

/** Whether `kubectl kustomize` works here (kubectl is optional; the renderer stands in for it). */
export function kubectlKustomizeAvailable(): boolean {
  return spawnSync('kubectl', ['kustomize', '--help'], { stdio: 'ignore' }).status === 0;
}

/** `kubectl kustomize <dir>` parsed. */
export function kubectlKustomize(dir: string): K8sObject[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
}
