import type { K8sObject } from './kustomize.js';
import { splitImage } from './kustomize.js';

/**
 * Deployment policy for rendered Kubernetes objects. Each check returns its problems as lines
 * naming the object and what was expected (empty = fine).
 */

type Obj = Record<string, unknown>;

export interface PodWorkload {
  object: K8sObject;
  podSpec: Obj;
  podLabels: Record<string, string>;
}

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicaSet']);

/** The pod templates of the workloads among the objects (and bare Pods). */
export function podWorkloads(objects: K8sObject[]): PodWorkload[] {
  const result: PodWorkload[] = [];
  for (const object of objects) {
    if (object.kind === 'Pod') {
      result.push({
        object,
        podSpec: (object.spec as Obj) ?? {},
        podLabels: (object.metadata as { labels?: Record<string, string> }).labels ?? {},
      });
    } else if (WORKLOADS.has(object.kind)) {
      const template = ((object.spec as Obj | undefined)?.template as Obj | undefined) ?? {};
      result.push({
        object,
        podSpec: (template.spec as Obj) ?? {},
        podLabels: ((template.metadata as Obj | undefined)?.labels as Record<string, string>) ?? {},
      });
    }
  }
  return result;
}

const containersOf = (spec: Obj): Obj[] => [
  ...(((spec.initContainers as Obj[] | undefined) ?? []) as Obj[]),
  ...(((spec.containers as Obj[] | undefined) ?? []) as Obj[]),
];

const name = (w: PodWorkload) => `${w.object.kind} ${w.object.metadata.name}`;

/** Every image has an explicit tag (or digest) and none is `latest`. */
export function imageTagProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of podWorkloads(objects)) {
    for (const c of containersOf(w.podSpec)) {
      const image = String(c.image ?? '');
      const parts = splitImage(image);
      if (!image) problems.push(`${name(w)} container ${String(c.name)}: no image`);
      else if (!parts.tag && !parts.digest)
        problems.push(`${name(w)} container ${String(c.name)}: image ${image} has no tag`);
      else if (parts.tag === 'latest')
        problems.push(`${name(w)} container ${String(c.name)}: image ${image} uses latest`);
      if (c.imagePullPolicy === 'Always' && parts.tag === undefined)
        problems.push(`${name(w)}: pull policy Always without a tag`);
    }
  }
  return problems;
}

/** Pods run as non-root: runAsNonRoot on the pod (not overridden) or on every container; no privilege. */
export function nonRootProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of podWorkloads(objects)) {
    const pod = (w.podSpec.securityContext as Obj | undefined) ?? {};
    for (const c of containersOf(w.podSpec)) {
      const sc = (c.securityContext as Obj | undefined) ?? {};
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      const user = sc.runAsUser ?? pod.runAsUser;
      if (nonRoot !== true) problems.push(`${name(w)} container ${String(c.name)}: runAsNonRoot is not true`);
      if (user === 0) problems.push(`${name(w)} container ${String(c.name)}: runAsUser is 0`);
      if (sc.privileged === true) problems.push(`${name(w)} container ${String(c.name)}: privileged`);
      if (sc.allowPrivilegeEscalation !== false) {
        problems.push(`${name(w)} container ${String(c.name)}: allowPrivilegeEscalation is not false`);
      }
    }
    if (w.podSpec.hostPID === true || w.podSpec.hostNetwork === true || w.podSpec.hostIPC === true) {
      problems.push(`${name(w)}: uses the host's PID/network/IPC namespace`);
    }
  }
  return problems;
}

/** Every (non-init) container has a liveness and a readiness probe; Galileo's are /healthz and /readyz. */
export function probeProblems(objects: K8sObject[], isGalileoImage: (image: string) => boolean): string[] {
  const problems: string[] = [];
  for (const w of podWorkloads(objects)) {
    for (const c of ((w.podSpec.containers as Obj[] | undefined) ?? []) as Obj[]) {
      const where = `${name(w)} container ${String(c.name)}`;
      const liveness = c.livenessProbe as Obj | undefined;
      const readiness = c.readinessProbe as Obj | undefined;
      if (!liveness) problems.push(`${where}: no livenessProbe`);
      if (!readiness) problems.push(`${where}: no readinessProbe`);
      if (isGalileoImage(String(c.image ?? ''))) {
        const path = (p: Obj | undefined) =>
          ((p?.httpGet as Obj | undefined)?.path as string | undefined) ?? '(not httpGet)';
        if (liveness && path(liveness) !== '/healthz')
          problems.push(`${where}: livenessProbe is ${path(liveness)}, expected GET /healthz`);
        if (readiness && path(readiness) !== '/readyz')
          problems.push(`${where}: readinessProbe is ${path(readiness)}, expected GET /readyz`);
        const ports = ((c.ports as Obj[] | undefined) ?? []).map((p) => p.name);
        for (const probe of [liveness, readiness]) {
          const port = (probe?.httpGet as Obj | undefined)?.port;
          if (typeof port === 'string' && !ports.includes(port))
            problems.push(`${where}: probe port ${port} is not a named container port`);
        }
      }
    }
  }
  return problems;
}

/** Every container requests and limits cpu and memory, and no request exceeds its limit. */
export function resourceProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of podWorkloads(objects)) {
    for (const c of containersOf(w.podSpec)) {
      const where = `${name(w)} container ${String(c.name)}`;
      const r = (c.resources as Obj | undefined) ?? {};
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if ((r[kind] as Obj | undefined)?.[resource] === undefined)
            problems.push(`${where}: no ${kind}.${resource}`);
        }
      }
      for (const resource of ['cpu', 'memory']) {
        const req = (r.requests as Obj | undefined)?.[resource];
        const lim = (r.limits as Obj | undefined)?.[resource];
        if (req !== undefined && lim !== undefined && quantity(String(req)) > quantity(String(lim))) {
          problems.push(`${where}: ${resource} request ${String(req)} is above its limit ${String(lim)}`);
        }
      }
    }
  }
  return problems;
}

const SUFFIX: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** A Kubernetes quantity (`250m`, `1`, `512Mi`) as a number. */
export function quantity(text: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(text.trim());
  if (!m) throw new Error(`not a quantity: ${text}`);
  const factor = m[2] ? SUFFIX[m[2]] : 1;
  if (factor === undefined) throw new Error(`unknown quantity suffix in ${text}`);
  return Number(m[1]) * factor;
}

const POD_VERBS = ['create', 'delete', 'get', 'list', 'watch'];

/** RBAC: only namespaced Roles, each granting exactly the pod verbs on pods in the core group. */
export function rbacProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')
      problems.push(`${o.kind} ${o.metadata.name}: cluster-wide RBAC`);
    if (o.kind !== 'Role') continue;
    const rules = ((o as Obj).rules as Obj[] | undefined) ?? [];
    if (rules.length !== 1)
      problems.push(`Role ${o.metadata.name}: ${rules.length} rules, expected one (pods)`);
    for (const rule of rules) {
      const same = (a: unknown, b: string[]) =>
        Array.isArray(a) && [...a].sort().join(',') === [...b].sort().join(',');
      if (!same(rule.apiGroups, ['']))
        problems.push(`Role ${o.metadata.name}: apiGroups ${JSON.stringify(rule.apiGroups)}, expected [""]`);
      if (!same(rule.resources, ['pods']))
        problems.push(
          `Role ${o.metadata.name}: resources ${JSON.stringify(rule.resources)}, expected ["pods"]`,
        );
      if (!same(rule.verbs, POD_VERBS))
        problems.push(
          `Role ${o.metadata.name}: verbs ${JSON.stringify(rule.verbs)}, expected ${JSON.stringify(POD_VERBS)}`,
        );
      if (rule.resourceNames !== undefined || rule.nonResourceURLs !== undefined)
        problems.push(`Role ${o.metadata.name}: unexpected resourceNames/nonResourceURLs`);
    }
  }
  return problems;
}

const SECRET_NAME = /password|passwd|token|secret|credential|(^|_)key($|_)/i;

/** No Secret objects and no literal values for secret-named variables: secrets come from references. */
export function secretProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind === 'Secret') problems.push(`Secret ${o.metadata.name}: a literal Secret in the manifests`);
    if (o.kind === 'ConfigMap') {
      for (const key of Object.keys(((o as Obj).data as Obj | undefined) ?? {})) {
        if (SECRET_NAME.test(key) && !key.endsWith('_key_prefix'))
          problems.push(`ConfigMap ${o.metadata.name}: secret-named key ${key}`);
      }
    }
  }
  for (const w of podWorkloads(objects)) {
    for (const c of containersOf(w.podSpec)) {
      for (const e of ((c.env as Obj[] | undefined) ?? []) as Obj[]) {
        const variable = String(e.name);
        // MARIADB_RANDOM_ROOT_PASSWORD=yes is a switch, not a password.
        const flag = /_RANDOM_ROOT_PASSWORD$/.test(variable);
        if (
          SECRET_NAME.test(variable) &&
          !variable.endsWith('_key_prefix') &&
          !flag &&
          e.value !== undefined
        ) {
          problems.push(`${name(w)} container ${String(c.name)}: ${variable} has a literal value`);
        }
      }
    }
  }
  return problems;
}
