import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './kustomize.js';

/** The kustomize version built into kubectl (`v5.5.0`), or null without kubectl. */
export function kubectlKustomizeVersion(): string | null {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return /Kustomize Version:\s*(v[0-9][^\s]*)/.exec(r.stdout ?? '')?.[1] ?? null;
}

/**
 * Whether a `kubectl kustomize` is here that knows the features the manifests use (`labels`
 * arrived in kustomize v4; Debian's kubernetes-client 1.20 carries v2): v5 or later. kubectl is
 * optional; the renderer stands in for it.
 */
export function kubectlKustomizeAvailable(): boolean {
  const version = kubectlKustomizeVersion();
  return version !== null && Number(/^v(\d+)/.exec(version)?.[1] ?? 0) >= 5;
}

/** `kubectl kustomize <dir>` parsed. */
export function kubectlKustomize(dir: string): K8sObject[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
}
