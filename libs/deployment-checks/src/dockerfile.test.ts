import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolvedCompose } from './compose.js';
import { renderKustomization } from './kustomize.js';
import { podWorkloads } from './policy.js';
import { imageServices, missingEntryPoints, repoPath } from './repo.js';

const dockerfile = readFileSync(repoPath('Dockerfile'), 'utf8');
const lines = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = lines.reduce<string[][]>((acc, l) => {
  if (/^FROM\s/i.test(l)) acc.push([l]);
  else acc[acc.length - 1]?.push(l);
  return acc;
}, []);
const final = stages[stages.length - 1]!;
const instruction = (stage: string[], name: string) =>
  stage.filter((l) => l.toUpperCase().startsWith(`${name} `));

describe('Dockerfile', () => {
  it('is multi-stage on a pinned slim Node 20 base', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const arg = /^ARG NODE_VERSION=(\S+)/m.exec(dockerfile);
    expect(arg?.[1]).toMatch(/^20\.\d+\.\d+$/);
    for (const stage of stages)
      expect(stage[0]).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim( AS \w+)?$/);
    expect(dockerfile).not.toMatch(/:latest\b/);
  });

  it('builds native addons in the build stage (python3, make, g++) and keeps the final stage free of them', () => {
    const build = stages[0]!.join('\n');
    for (const tool of ['python3', 'make', 'g++']) expect(build).toContain(tool);
    expect(final.join('\n')).not.toMatch(/apt-get install/);
  });

  it('ships production dependencies only, plus tsx, which runs the TypeScript sources', () => {
    const build = stages[0]!.join('\n');
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(build).toMatch(/for p in tsx esbuild @esbuild get-tsconfig resolve-pkg-maps/);
    // tsx's own dependencies are what it needs at run time: keep the list in step with the lockfile
    const lock = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string> }>;
    };
    const tsxDeps = Object.keys(lock.packages['node_modules/tsx']?.dependencies ?? {});
    const getTsconfigDeps = Object.keys(lock.packages['node_modules/get-tsconfig']?.dependencies ?? {});
    for (const dep of [...tsxDeps, ...getTsconfigDeps]) expect(build, `tsx needs ${dep}`).toContain(dep);
  });

  it('runs as a non-root user with a HEALTHCHECK and runs a service by name', () => {
    const users = instruction(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^USER\s+(root|0)(:|$)/);
    expect(instruction(final, 'HEALTHCHECK').join(' ')).toContain('/app/deployment/docker/healthcheck.mjs');
    expect(instruction(final, 'ENTRYPOINT')).toEqual([
      'ENTRYPOINT ["node", "/app/deployment/docker/entrypoint.mjs"]',
    ]);
    // the entry point registers tsx through its API for the services that run from source
    const tsx = JSON.parse(readFileSync(repoPath('node_modules', 'tsx', 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(tsx.exports['./esm/api']).toBeDefined();
    expect(readFileSync(repoPath('deployment', 'docker', 'entrypoint.mjs'), 'utf8')).toContain(
      "import('tsx/esm/api')",
    );
    // the worker's bundle is built in the image, and the entry point runs it
    expect(stages[0]!.join('\n')).toContain('RUN node scripts/bundle-service.mjs worker');
    expect(instruction(final, 'WORKDIR').pop()).toBe('WORKDIR /data');
  });

  it('has no architecture-specific step (one file for amd64, arm64, armv7)', () => {
    expect(dockerfile.replace(/^#.*$/gm, '')).not.toMatch(
      /amd64|arm64|armv7|arm\/v7|x86_64|aarch64|--platform/,
    );
    expect(dockerfile).toContain('docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7');
  });

  it('copies into the final image only what exists in the build context', () => {
    for (const l of instruction(final, 'COPY')) {
      const sources = l.replace(/--\S+/g, '').trim().split(/\s+/).slice(1, -1);
      for (const s of sources) {
        const path = s.replace(/^\/app\//, '');
        expect(existsSync(repoPath(path)), s).toBe(true);
      }
    }
  });

  it('leaves node_modules, dist, .git and local secrets out of the build context', () => {
    const ignore = readFileSync(repoPath('.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '**/.env']) expect(ignore).toContain(entry);
  });
});

describe('the image’s services', () => {
  const known = imageServices();

  it('include every service compose and the Kubernetes manifests run', () => {
    const compose = resolvedCompose(repoPath('compose', 'docker-compose.yml'), {
      profiles: ['influxdb', 'lb', 'optimizers', 'cli'],
    });
    const used = new Set<string>();
    for (const s of Object.values(compose.services)) {
      if (s.image?.startsWith('galileo:')) used.add((s.command as string[])[0]!);
    }
    for (const overlay of ['base', 'overlays/dev', 'overlays/edge']) {
      for (const w of podWorkloads(renderKustomization(repoPath('deployment', 'kubernetes', overlay)))) {
        for (const c of (w.podSpec.containers as { image: string; args?: string[] }[]) ?? []) {
          if (c.image.includes('/galileo:')) used.add(c.args![0]!);
        }
      }
    }
    expect([...used].filter((n) => !known[n])).toEqual([]);
    expect([...used].sort()).toEqual(Object.keys(known).sort());
  });

  it('have their entry points (services/<name>/src/main.ts) in the tree the image copies', () => {
    const missing = missingEntryPoints(Object.keys(known));
    expect(missing, `missing entry points: ${missing.join(', ')}`).toEqual([]);
  });

  it('entrypoint.mjs --check agrees, and --help lists them', () => {
    const check = spawnSync(
      process.execPath,
      [repoPath('deployment', 'docker', 'entrypoint.mjs'), '--check'],
      { encoding: 'utf8' },
    );
    const missing = missingEntryPoints(Object.keys(known));
    expect(check.status, check.stderr).toBe(missing.length === 0 ? 0 : 1);
    const help = spawnSync(process.execPath, [repoPath('deployment', 'docker', 'entrypoint.mjs'), '--help'], {
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    for (const name of Object.keys(known)) expect(help.stdout).toContain(name);
  });

  it('entrypoint.mjs refuses an unknown service, naming the known ones', () => {
    const r = spawnSync(process.execPath, [repoPath('deployment', 'docker', 'entrypoint.mjs'), 'nope'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown service 'nope': expected one of experiment-daemon");
  });
});

describe('healthcheck.mjs', () => {
  it('finds the service on the command line and its port in the environment', async () => {
    const { healthPort, serviceFromCommandLine } = (await import(
      repoPath('deployment', 'docker', 'healthcheck.mjs')
    )) as {
      healthPort: (name: string, env: Record<string, string>) => number | undefined;
      serviceFromCommandLine: (argv: string[]) => string | undefined;
    };
    expect(
      serviceFromCommandLine([
        'node',
        '--import',
        'tsx',
        '/app/deployment/docker/entrypoint.mjs',
        'recorder',
      ]),
    ).toBe('recorder');
    expect(
      serviceFromCommandLine([
        '/sbin/docker-init',
        '--',
        'node',
        '--import',
        'tsx',
        '/app/deployment/docker/entrypoint.mjs',
        'api',
      ]),
    ).toBe('api');
    expect(healthPort('recorder', {})).toBe(9104);
    expect(healthPort('recorder', { galileo_recorder_http_port: '7000' })).toBe(7000);
    expect(healthPort('api', { galileo_api_bind_addr: '0.0.0.0:5555' })).toBe(5555);
    expect(healthPort('cli', {})).toBeUndefined();
  });

  it('exits 0 against a healthy /healthz and 1 against a dead port', async () => {
    const { spawn } = await import('node:child_process');
    const { freePort } = await import('@galileo/testing');
    const port = await freePort();
    const check = () =>
      spawnSync(process.execPath, [repoPath('deployment', 'docker', 'healthcheck.mjs')], {
        env: {
          PATH: process.env.PATH ?? '',
          GALILEO_SERVICE: 'recorder',
          galileo_recorder_http_port: String(port),
        },
        encoding: 'utf8',
      }).status;
    // The server runs in a child: spawnSync blocks this process's event loop.
    const server = spawn(
      process.execPath,
      [
        '-e',
        `require('http').createServer((q,s)=>s.writeHead(q.url==='/healthz'?200:404).end()).listen(${port},'127.0.0.1',()=>console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((r) => server.stdout!.once('data', () => r()));
    try {
      expect(check()).toBe(0);
    } finally {
      server.kill();
    }
    await new Promise((r) => server.once('exit', r));
    expect(check()).toBe(1);
  });
});
