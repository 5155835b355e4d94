import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolvedCompose } from './compose.js';
import { renderKustomization } from './kustomize.js';
import { podWorkloads } from './policy.js';
import { imageServices, repoPath } from './repo.js';
import { declaredVariables, serviceSourceDirs } from './variables.js';

/**
 * The variables compose and the manifests set are the ones the services read: each service's
 * health port variable, and every variable given to a service, is declared by that service or a
 * library it can use (worker: any other galileo_* variable is a label, as in galileo).
 * Only services whose sources exist can be checked; dockerfile.test.ts lists the missing ones.
 */
const services = imageServices();
const present = Object.keys(services).filter((n) => existsSync(repoPath(services[n]!.main)));
const declaredBy = new Map(present.map((n) => [n, declaredVariables(serviceSourceDirs(services[n]!.main))]));
const allDeclared = new Set([...declaredBy.values()].flatMap((s) => [...s]));
const isWorkerLabel = (service: string, variable: string) =>
  service === 'worker' && variable.startsWith('galileo_');

/** Variables a Galileo service gets in compose and Kubernetes, by service: explicit ones, and shared ones. */
function givenVariables(): { explicit: Map<string, Set<string>>; shared: Set<string> } {
  const explicit = new Map<string, Set<string>>();
  const add = (service: string, variable: string) => {
    if (!explicit.has(service)) explicit.set(service, new Set());
    explicit.get(service)!.add(variable);
  };
  const shared = new Set<string>();
  const compose = resolvedCompose(repoPath('compose', 'docker-compose.yml'), {
    profiles: ['influxdb', 'lb', 'optimizers', 'cli'],
  });
  for (const s of Object.values(compose.services)) {
    if (!s.image?.startsWith('galileo:')) continue;
    for (const v of Object.keys(s.environment ?? {})) add((s.command as string[])[0]!, v);
  }
  for (const overlay of ['base', 'overlays/dev', 'overlays/edge']) {
    const objects = renderKustomization(repoPath('deployment', 'kubernetes', overlay));
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'galileo-config') as
      { data?: Record<string, string> } | undefined;
    for (const key of Object.keys(config?.data ?? {})) shared.add(key);
    for (const w of podWorkloads(objects)) {
      for (const c of (w.podSpec.containers as {
        image: string;
        args?: string[];
        env?: { name: string }[];
      }[]) ?? []) {
        if (!c.image.includes('/galileo:')) continue;
        for (const e of c.env ?? []) add(c.args![0]!, e.name);
      }
    }
  }
  return { explicit, shared };
}

describe('variables of the deployment files', () => {
  const { explicit, shared } = givenVariables();

  it.each(present.filter((n) => services[n]!.health))(
    '%s declares the health port variable the image, compose and Kubernetes use',
    (name) => {
      const variable = services[name]!.health!.variable;
      expect(declaredBy.get(name)!.has(variable), `${name} does not declare ${variable}`).toBe(true);
    },
  );

  it.each(present.filter((n) => explicit.has(n)))(
    '%s reads every variable compose and Kubernetes give it',
    (name) => {
      const unknown = [...explicit.get(name)!].filter(
        (v) =>
          v !== 'NODE_OPTIONS' && // node's own (services.json's nodeOptions)
          !declaredBy.get(name)!.has(v) &&
          !isWorkerLabel(name, v) &&
          !(name === 'cli' && allDeclared.has(v)),
      );
      // shared connection settings (the compose anchor) may be ones another service reads
      expect(
        unknown.filter((v) => !allDeclared.has(v) || !/^galileo_(redis|expdb|api_token|logging)/.test(v)),
      ).toEqual([]);
    },
  );

  it('the shared ConfigMap holds only variables some service reads (or worker labels)', () => {
    const unknown = [...shared].filter((v) => !allDeclared.has(v) && v !== 'galileo_zone');
    expect(unknown).toEqual([]);
  });
});
