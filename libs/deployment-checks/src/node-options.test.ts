import { spawnSync } from 'node:child_process';
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
    expect(imageServices().worker?.nodeFlags).toMatch(/--single-threaded-gc/);
  });

  it('NODE_OPTIONS holds only what node allows there (it exits on the others)', () => {
    for (const [name, service] of withOptions) {
      const run = spawnSync(process.execPath, ['-e', '0'], {
        env: { ...process.env, NODE_OPTIONS: service.nodeOptions },
        encoding: 'utf8',
      });
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
    }
  });

  const withFlags = Object.entries(imageServices()).filter(([, s]) => s.nodeFlags !== undefined);
  it.each(withFlags)(
    '%s: compose and Kubernetes put its nodeFlags on the node command line',
    (name, service) => {
      const entry = ['node', ...service.nodeFlags!.split(' '), '/app/deployment/docker/entrypoint.mjs'];
      const compose = parse(readFileSync(repoPath('compose', 'docker-compose.yml'), 'utf8')) as {
        services: Record<string, { entrypoint?: string[]; command?: string[] }>;
      };
      expect(compose.services[name]?.entrypoint).toEqual(entry);
      expect(compose.services[name]?.command?.[0]).toBe(name);
      const docs = readFileSync(repoPath('deployment', 'kubernetes', 'base', `${name}.yaml`), 'utf8')
        .split(/^---$/m)
        .map(
          (d) =>
            parse(d) as {
              spec?: { template?: { spec?: { containers?: { command?: string[]; args?: string[] }[] } } };
            } | null,
        );
      const container = docs.flatMap((d) => d?.spec?.template?.spec?.containers ?? [])[0];
      expect(container?.command).toEqual(entry);
      expect(container?.args?.[0]).toBe(name);
      // and node accepts them there
      const run = spawnSync(process.execPath, [...service.nodeFlags!.split(' '), '-e', '0'], {
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
    },
  );

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
