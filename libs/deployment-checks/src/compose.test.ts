import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COMPOSE_MISSING,
  composeCommand,
  resolvedCompose,
  runCompose,
  type ComposeConfig,
  type ComposeService,
} from './compose.js';
import { imageServices, repoPath } from './repo.js';

const composeFiles = readdirSync(repoPath('compose'))
  .filter((f) => /^docker-compose.*\.ya?ml$/.test(f))
  .map((f) => repoPath('compose', f));
const mainFile = repoPath('compose', 'docker-compose.yml');
const PROFILES = ['influxdb', 'lb', 'optimizers', 'cli'];
const all = { profiles: PROFILES };

/** The Galileo services of the image and the data stores the stack must have. */
const GALILEO = [
  'experiment-daemon',
  'worker',
  'telemd',
  'recorder',
  'lb-optimizer',
  'load-balancer',
  'scale-schedule-optimizer',
  'pod-creator',
  'api',
];
const STORES = ['redis', 'mariadb', 'influxdb', 'etcd'];

describe('compose files', () => {
  it('has a compose implementation to check them with', () => {
    expect(composeCommand(), COMPOSE_MISSING).not.toBeNull();
  });

  it.each(composeFiles)(
    '%s passes `config -q` without a .env, with .env.example, and with every profile',
    (file) => {
      // docker-compose v1 takes seconds per run: the bare file, and everything switched on.
      for (const options of [{}, { ...all, envFile: repoPath('compose', '.env.example') }]) {
        const r = runCompose(file, ['config', '-q'], options);
        expect(r.stderr, JSON.stringify(options)).toBe('');
        expect(r.status, `${JSON.stringify(options)}: ${r.stderr}`).toBe(0);
      }
    },
  );

  it('rejects a broken file (the check is real)', () => {
    const r = runCompose(repoPath('libs', 'deployment-checks', 'src', 'fixtures', 'broken-compose.yml'), [
      'config',
      '-q',
    ]);
    expect(r.status).not.toBe(0);
  });
});

describe('the dev stack (compose/docker-compose.yml)', () => {
  let services: ComposeConfig['services'] = {};
  let galileoServices: [string, ComposeService][] = [];
  beforeAll(() => {
    services = resolvedCompose(mainFile, all).services;
    galileoServices = Object.entries(services).filter(([, s]) => s.image?.startsWith('galileo:'));
  });

  it('has the data stores, every Galileo service, telemd and a sample app', () => {
    for (const name of [...STORES, ...GALILEO, 'sample-app']) expect(Object.keys(services)).toContain(name);
  });

  it('pins every image tag (never latest)', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/^[^:]+(:[^:]+)?:[\w][\w.-]*$/);
      const tag = s.image!.slice(s.image!.lastIndexOf(':') + 1);
      expect(tag, name).not.toBe('latest');
      expect(tag, `${name}: pin a version`).toMatch(/\d/);
    }
  });

  it('gives every long-running service a healthcheck, and depends only on healthy services', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name === 'cli') continue; // one-shot
      expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      expect(s.healthcheck?.disable, name).not.toBe(true);
    }
    for (const [name, s] of Object.entries(services)) {
      const deps = s.depends_on ?? {};
      expect(Array.isArray(deps), `${name}: depends_on must give conditions`).toBe(false);
      for (const [dep, how] of Object.entries(deps as Record<string, { condition?: string }>)) {
        expect(how.condition, `${name} → ${dep}`).toBe('service_healthy');
        expect(services[dep]?.healthcheck, `${name} → ${dep} has a healthcheck`).toBeDefined();
        // a service in no profile must not wait for one that only a profile starts
        if (!s.profiles?.length) expect(services[dep]?.profiles ?? [], `${name} → ${dep}`).toEqual([]);
      }
    }
  });

  it('runs each Galileo service from the one image, by a name the image knows', () => {
    const known = imageServices();
    for (const [name, s] of galileoServices) {
      const command = Array.isArray(s.command) ? s.command : String(s.command).split(' ');
      expect(known[command[0]!], `${name}: ${command[0]}`).toBeDefined();
      expect(s.build, `${name} builds the root Dockerfile`).toBeDefined();
      expect(s.init, `${name}: init reaps child processes`).toBe(true);
    }
  });

  it('sets each service’s health port to the one its healthcheck reads', () => {
    const known = imageServices();
    for (const [name, s] of galileoServices) {
      const command = Array.isArray(s.command) ? s.command : [String(s.command)];
      const health = known[command[0]!]?.health;
      if (!health || name === 'cli') continue;
      expect(s.environment?.[health.variable], `${name} ${health.variable}`).toBeDefined();
    }
  });

  it('keeps Redis append-only, sets up InfluxDB 2, and puts optional parts behind profiles', () => {
    expect(JSON.stringify(services.redis!.command)).toContain('--appendonly yes');
    const influx = services.influxdb!.environment ?? {};
    for (const v of ['MODE', 'USERNAME', 'PASSWORD', 'ORG', 'BUCKET', 'ADMIN_TOKEN']) {
      expect(influx[`DOCKER_INFLUXDB_INIT_${v}`], v).toBeTruthy();
    }
    expect(influx.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
    expect(services.influxdb!.profiles).toEqual(['influxdb']);
    for (const name of ['etcd', 'load-balancer', 'lb-optimizer'])
      expect(services[name]!.profiles, name).toEqual(['lb']);
    for (const name of ['scale-schedule-optimizer', 'pod-creator'])
      expect(services[name]!.profiles, name).toEqual(['optimizers']);
    for (const name of [
      'redis',
      'mariadb',
      'experiment-daemon',
      'worker',
      'telemd',
      'recorder',
      'api',
      'sample-app',
    ]) {
      expect(services[name]!.profiles ?? [], name).toEqual([]);
    }
  });

  it('mounts the host /proc and /sys read-only into telemd', () => {
    const volumes = (services.telemd!.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : JSON.stringify(v),
    );
    expect(volumes.some((v) => /\/proc.*\/host\/proc.*(:ro|"read_only":true)/.test(v))).toBe(true);
    expect(volumes.some((v) => /\/sys.*\/host\/sys.*(:ro|"read_only":true)/.test(v))).toBe(true);
    expect(services.telemd!.environment?.telemd_proc_mount).toBe('/host/proc');
  });

  it('documents every variable the file reads in .env.example', () => {
    const text = readFileSync(mainFile, 'utf8').replace(/\$\$/g, '');
    const used = new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
    const example = readFileSync(repoPath('compose', '.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]!));
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('uses galileo’s variable names for the Galileo services (galileo_*, telemd_*, eb_go_lb_*, osmotic_lb_opt_*, schedule_scale_opt_*, pod_creator_*)', () => {
    // NODE_OPTIONS is node's own (services.json's nodeOptions, checked in node-options.test.ts)
    const allowed =
      /^(galileo_|telemd_|eb_go_lb_|osmotic_lb_opt_|schedule_scale_opt_|pod_creator_|SAMPLE_APP_|NODE_OPTIONS$)/;
    for (const [name, s] of galileoServices) {
      for (const variable of Object.keys(s.environment ?? {})) expect(variable, name).toMatch(allowed);
    }
  });
});

describe('nx targets of the stack project', () => {
  const project = JSON.parse(readFileSync(repoPath('stack', 'project.json'), 'utf8')) as {
    name: string;
    targets: Record<string, { options: { command: string } }>;
  };
  const script = readFileSync(repoPath('stack', 'compose.sh'), 'utf8');

  it('has up, down, logs and ps, each running compose on compose/docker-compose.yml', () => {
    expect(project.name).toBe('stack');
    for (const target of ['up', 'down', 'logs', 'ps']) {
      expect(project.targets[target]?.options.command, target).toMatch(/^bash stack\/compose\.sh /);
    }
    expect(project.targets.up!.options.command).toContain('up -d');
    expect(project.targets.down!.options.command).toContain('down');
    expect(project.targets.logs!.options.command).toContain('logs');
    expect(project.targets.ps!.options.command).toContain(' ps');
    expect(script).toContain('compose/docker-compose.yml');
  });

  it('compose.sh passes its arguments to compose (checked with `config -q`)', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', [repoPath('stack', 'compose.sh'), 'config', '-q'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
