import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { imageServices, repoPath } from './repo.js';

/** The NODE_OPTIONS value a manifest gives a container, if any. */
type EnvList = { name: string; value?: string }[];

describe('node options of the services (deployment/docker/services.json)', () => {
  const withOptions = Object.entries(imageServices()).filter(([, s]) => s.nodeOptions !== undefined);

  it('the worker has some (its young generation kept small, no GC helper threads on its core)', () => {
    expect(withOptions.map(([name]) => name)).toContain('worker');
    expect(imageServices().worker?.nodeOptions).toMatch(/--max-semi-space-size=\d+/);
    expect(imageServices().worker?.nodeOptions).toMatch(/--single-threaded-gc/);
  });

  it.each(withOptions)('%s: compose and Kubernetes set the same NODE_OPTIONS', (name, service) => {
    const compose = parse(readFileSync(repoPath('compose', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    expect(compose.services[name]?.environment?.NODE_OPTIONS).toBe(service.nodeOptions);
    const docs = readFileSync(repoPath('deployment', 'kubernetes', 'base', `${name}.yaml`), 'utf8')
      .split(/^---$/m)
      .map(
        (d) => parse(d) as { spec?: { template?: { spec?: { containers?: { env?: EnvList }[] } } } } | null,
      );
    const env = docs.flatMap((d) => d?.spec?.template?.spec?.containers?.flatMap((c) => c.env ?? []) ?? []);
    expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(service.nodeOptions);
  });
});
