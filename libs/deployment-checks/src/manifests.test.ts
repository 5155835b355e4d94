import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderKustomization, splitImage, type K8sObject } from './kustomize.js';
import {
  imageTagProblems,
  nonRootProblems,
  podWorkloads,
  probeProblems,
  rbacProblems,
  resourceProblems,
  secretProblems,
  type PodWorkload,
} from './policy.js';
import { imageServices, repoPath } from './repo.js';
import { validateObject } from './schemas.js';

const root = repoPath('deployment', 'kubernetes');
const targets = [
  'base',
  ...readdirSync(repoPath('deployment', 'kubernetes', 'overlays')).map((o) => `overlays/${o}`),
];
const rendered = new Map(
  targets.map((t) => [t, renderKustomization(repoPath('deployment', 'kubernetes', t))]),
);
const isGalileo = (image: string) =>
  splitImage(image).name.endsWith('/galileo') || splitImage(image).name === 'galileo';

type Obj = Record<string, unknown>;
const galileoWorkloads = (objects: K8sObject[]) =>
  podWorkloads(objects).filter((w) =>
    ((w.podSpec.containers as Obj[]) ?? []).some((c) => isGalileo(String(c.image))),
  );
/** The service a Galileo workload runs: its container's first argument. */
const serviceOf = (w: PodWorkload) =>
  String((((w.podSpec.containers as Obj[])[0]!.args as string[]) ?? [])[0]);
const byService = (objects: K8sObject[], service: string) =>
  galileoWorkloads(objects).filter((w) => serviceOf(w) === service);

describe.each(targets)('deployment/kubernetes/%s', (target) => {
  const objects = rendered.get(target)!;

  it('renders, and every object validates against the Kubernetes schemas (no unknown fields)', async () => {
    expect(objects.length).toBeGreaterThan(10);
    const problems = (await Promise.all(objects.map(validateObject))).flat();
    expect(problems).toEqual([]);
  });

  it('puts everything namespaced into the galileo namespace, and defines that namespace', () => {
    expect(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'galileo')).toBe(true);
    for (const o of objects)
      if (o.kind !== 'Namespace')
        expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('galileo');
  });

  it('pins image tags (never latest), runs as non-root, probes every container, sets requests and limits', () => {
    expect(imageTagProblems(objects)).toEqual([]);
    expect(nonRootProblems(objects)).toEqual([]);
    expect(probeProblems(objects, isGalileo)).toEqual([]);
    expect(resourceProblems(objects)).toEqual([]);
  });

  it('has no literal secrets: Galileo reads them from the Secret galileo-secrets that the user creates', () => {
    expect(secretProblems(objects)).toEqual([]);
    for (const w of galileoWorkloads(objects)) {
      const container = (w.podSpec.containers as Obj[])[0]!;
      const refs = ((container.envFrom as Obj[]) ?? [])
        .map((e) => (e.secretRef as Obj | undefined)?.name)
        .filter(Boolean);
      expect(refs, `${w.object.metadata.name}`).toEqual(['galileo-secrets']);
    }
  });

  it('grants the pod verbs in its namespace to the pod-creator’s ServiceAccount, and nothing more to anyone', () => {
    expect(rbacProblems(objects)).toEqual([]);
    const roles = objects.filter((o) => o.kind === 'Role');
    const bindings = objects.filter((o) => o.kind === 'RoleBinding') as (K8sObject & {
      subjects: Obj[];
      roleRef: Obj;
    })[];
    expect(roles.map((r) => r.metadata.name)).toEqual(['galileo-pod-creator']);
    expect(bindings).toHaveLength(1);
    expect(bindings[0]!.roleRef).toMatchObject({ kind: 'Role', name: 'galileo-pod-creator' });
    expect(bindings[0]!.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'galileo-pod-creator', namespace: 'galileo' },
    ]);
    for (const w of podWorkloads(objects)) {
      const account = w.podSpec.serviceAccountName as string | undefined;
      if (serviceOf(w) === 'pod-creator') expect(account).toBe('galileo-pod-creator');
      else {
        expect(account, w.object.metadata.name).toBeUndefined();
        expect(w.podSpec.automountServiceAccountToken, `${w.object.metadata.name}: no API token`).toBe(false);
      }
    }
  });

  it('runs the six central services as Deployments, several replicas where the service allows it', () => {
    const replicated = ['experiment-daemon', 'recorder', 'api', 'scale-schedule-optimizer'];
    for (const service of [...replicated, 'lb-optimizer', 'pod-creator']) {
      const [w, ...more] = byService(objects, service);
      expect(w?.object.kind, service).toBe('Deployment');
      expect(more, service).toEqual([]);
      const replicas = (w!.object.spec as Obj).replicas as number;
      if (target === 'overlays/dev') expect(replicas, service).toBe(1);
      else expect(replicas, service).toBe(replicated.includes(service) ? 2 : 1);
    }
  });

  it('runs workers on client nodes, telemd on every node with the host /proc and /sys read-only, a load balancer per zone on controller nodes', () => {
    const workers = byService(objects, 'worker');
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) {
      expect(w.object.kind).toBe('DaemonSet');
      expect(w.podSpec.nodeSelector).toMatchObject({ 'node-role.kubernetes.io/client': 'true' });
    }
    const [telemd] = byService(objects, 'telemd');
    expect(telemd?.object.kind).toBe('DaemonSet');
    expect(telemd!.podSpec.nodeSelector).toBeUndefined();
    expect(telemd!.podSpec.tolerations).toEqual([{ operator: 'Exists' }]);
    const volumes = new Map(((telemd!.podSpec.volumes as Obj[]) ?? []).map((v) => [v.name as string, v]));
    const container = (telemd!.podSpec.containers as Obj[])[0]!;
    const env = new Map(((container.env as Obj[]) ?? []).map((e) => [e.name as string, e]));
    for (const [host, mount, variable] of [
      ['/proc', '/host/proc', 'telemd_proc_mount'],
      ['/sys', '/host/sys', 'telemd_sys_mount'],
    ] as const) {
      const m = ((container.volumeMounts as Obj[]) ?? []).find((vm) => vm.mountPath === mount);
      expect(m?.readOnly, mount).toBe(true);
      expect((volumes.get(m!.name as string)?.hostPath as Obj | undefined)?.path).toBe(host);
      expect(env.get(variable)?.value).toBe(mount);
    }
    const balancers = byService(objects, 'load-balancer');
    const zones = balancers.map((w) => {
      expect(w.object.kind).toBe('DaemonSet');
      const selector = w.podSpec.nodeSelector as Record<string, string>;
      expect(selector['node-role.kubernetes.io/controller']).toBe('true');
      const zone = selector['ether.edgerun.io/zone'];
      const lbEnv = ((((w.podSpec.containers as Obj[])[0]!.env as Obj[]) ?? []) as Obj[]).find(
        (e) => e.name === 'eb_go_lb_zone',
      );
      expect(lbEnv?.value, `${w.object.metadata.name} watches its own zone`).toBe(zone);
      return zone;
    });
    expect(new Set(zones).size).toBe(zones.length);
    if (target === 'overlays/edge') {
      expect(zones.sort()).toEqual(['zone-a', 'zone-b', 'zone-c']);
      // galileo-context takes client[:27] as the worker pod name: galileo-worker-zone-a-xxxxx
      for (const w of workers) expect(`${w.object.metadata.name}-xxxxx`).toHaveLength(27);
    } else expect(zones).toEqual(['main']);
  });

  it('sets each Galileo container’s health port to the port its probes use', () => {
    const services = imageServices();
    for (const w of galileoWorkloads(objects)) {
      const service = services[serviceOf(w)];
      expect(service?.health, serviceOf(w)).toBeDefined();
      const container = (w.podSpec.containers as Obj[])[0]!;
      const value = (((container.env as Obj[]) ?? []) as Obj[]).find(
        (e) => e.name === service!.health!.variable,
      )?.value;
      const port = Number(String(value).split(':').pop());
      const probePort = (container.livenessProbe as { httpGet: { port: string } }).httpGet.port;
      const named = ((container.ports as Obj[]) ?? []).find((p) => p.name === probePort);
      expect(named?.containerPort, `${w.object.metadata.name}`).toBe(port);
    }
  });

  it('configures Galileo with galileo’s variable names', () => {
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'galileo-config',
    ) as K8sObject & { data: Obj };
    expect(config).toBeDefined();
    for (const key of Object.keys(config.data)) expect(key).toMatch(/^(galileo_|eb_go_lb_|osmotic_lb_opt_)/);
    for (const key of [
      'galileo_redis_host',
      'galileo_redis_port',
      'galileo_expdb_driver',
      'galileo_expdb_mysql_host',
    ]) {
      expect(config.data[key], key).toBeDefined();
    }
  });
});

describe('the overlays', () => {
  it('are dev and edge, and dev brings its own data stores', () => {
    expect(targets).toEqual(expect.arrayContaining(['overlays/dev', 'overlays/edge']));
    const dev = rendered.get('overlays/dev')!;
    for (const store of ['redis', 'mariadb', 'etcd']) {
      expect(
        dev.some((o) => o.kind === 'Deployment' && o.metadata.name === store),
        store,
      ).toBe(true);
      expect(
        dev.some((o) => o.kind === 'Service' && o.metadata.name === store),
        store,
      ).toBe(true);
    }
    const redis = podWorkloads(dev).find((w) => w.object.metadata.name === 'redis')!;
    expect(JSON.stringify((redis.podSpec.containers as Obj[])[0]!.args)).toContain('"--appendonly","yes"');
  });

  it('live at the paths the README gives', () => {
    expect(root).toMatch(/deployment\/kubernetes$/);
    expect(targets).toContain('overlays/dev');
  });
});
