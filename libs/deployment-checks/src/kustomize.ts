import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A small kustomize renderer for exactly the kustomization features deployment/kubernetes uses:
 * `resources` (files, and directories holding a kustomization.yaml), `namespace`, `labels` (pairs,
 * without selectors or templates), `images` (newName, newTag, digest) and `patches` given as
 * strategic-merge patch files (`- path: x.yaml`, top-level `$patch: delete` included). Any other
 * field is an error, so a manifest can't start relying on a feature rendered here unfaithfully.
 * kustomize.test.ts checks the output against `kubectl kustomize` wherever kubectl is installed.
 */

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, unknown>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'patches']);

/** Kinds that have no namespace (the ones that can appear here). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'Node',
]);

export class KustomizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KustomizeError';
  }
}

/** Every YAML document of a file, empty ones dropped. */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs
    .map((d) => {
      if (d.errors.length > 0)
        throw new KustomizeError(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, where: string): K8sObject {
  if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new KustomizeError(`${where}: expected a Kubernetes object with apiVersion and kind`);
  }
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string') {
    throw new KustomizeError(`${where}: ${value.kind} has no metadata.name`);
  }
  return value as unknown as K8sObject;
}

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

/** Renders the kustomization in `dir` (a folder with a kustomization.yaml). */
export function renderKustomization(dir: string): K8sObject[] {
  const file = kustomizationFile(resolve(dir));
  const [k] = readYamlDocuments(file);
  if (!isObject(k)) throw new KustomizeError(`${file}: not a mapping`);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) {
      throw new KustomizeError(
        `${file}: '${key}' is not supported by this renderer (supported: ${[...SUPPORTED].join(', ')})`,
      );
    }
  }
  const base = dirname(file);
  let objects: K8sObject[] = [];
  for (const entry of (k.resources as Json[] | undefined) ?? []) {
    if (typeof entry !== 'string') throw new KustomizeError(`${file}: resources entries must be paths`);
    const path = resolve(base, entry);
    if (!existsSync(path)) throw new KustomizeError(`${file}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...readYamlDocuments(path).map((d, i) => asObject(d, `${path} document ${i + 1}`)));
  }
  assertUnique(objects, file);

  // kustomize's order of built-in transformers: patches, namespace, labels, images.
  for (const patch of (k.patches as Json[] | undefined) ?? []) {
    if (!isObject(patch) || typeof patch.path !== 'string' || Object.keys(patch).length !== 1) {
      throw new KustomizeError(`${file}: only '- path: <strategic-merge patch file>' patches are supported`);
    }
    const patchFile = resolve(base, patch.path);
    const docs = readYamlDocuments(patchFile).map((d, i) => asObject(d, `${patchFile} document ${i + 1}`));
    if (docs.length > 1 && docs.some((d) => (d as JsonObject)['$patch'] === 'delete')) {
      // kubectl's kustomize (v5.5) crashes on a `$patch: delete` among several documents: one per file.
      throw new KustomizeError(`${patchFile}: put a '$patch: delete' patch in a file of its own`);
    }
    for (const doc of docs) objects = applyPatch(objects, doc, patchFile);
  }
  if (typeof k.namespace === 'string') objects = objects.map((o) => setNamespace(o, k.namespace as string));
  for (const label of (k.labels as Json[] | undefined) ?? []) {
    if (!isObject(label) || !isObject(label.pairs))
      throw new KustomizeError(`${file}: labels entries need pairs`);
    if (label.includeSelectors === true || label.includeTemplates === true) {
      throw new KustomizeError(`${file}: labels with includeSelectors/includeTemplates are not supported`);
    }
    const pairs = label.pairs as Record<string, string>;
    objects = objects.map((o) => ({
      ...o,
      metadata: { ...o.metadata, labels: { ...((o.metadata as JsonObject).labels as JsonObject), ...pairs } },
    }));
  }
  for (const image of (k.images as Json[] | undefined) ?? []) {
    if (!isObject(image) || typeof image.name !== 'string')
      throw new KustomizeError(`${file}: images entries need a name`);
    objects = objects.map(
      (o) => transformImages(o as unknown as Json, image as unknown as ImageRule) as unknown as K8sObject,
    );
  }
  return objects;
}

function identity(o: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function assertUnique(objects: K8sObject[], file: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = identity(o);
    if (seen.has(id)) throw new KustomizeError(`${file}: ${o.kind} ${o.metadata.name} is defined twice`);
    seen.add(id);
  }
}

function applyPatch(objects: K8sObject[], patch: K8sObject, patchFile: string): K8sObject[] {
  const group = (v: string) => (v.includes('/') ? v.split('/')[0] : '');
  const matches = (o: K8sObject) =>
    o.kind === patch.kind &&
    group(o.apiVersion) === group(patch.apiVersion) &&
    o.metadata.name === patch.metadata.name &&
    (patch.metadata.namespace === undefined || o.metadata.namespace === patch.metadata.namespace);
  const targets = objects.filter(matches);
  if (targets.length !== 1) {
    throw new KustomizeError(
      `${patchFile}: patch for ${patch.kind} ${patch.metadata.name} matches ${targets.length} resources, expected 1`,
    );
  }
  if ((patch as JsonObject)['$patch'] === 'delete') return objects.filter((o) => !matches(o));
  return objects.map((o) =>
    matches(o) ? (strategicMerge(o as JsonObject, patch as JsonObject, []) as K8sObject) : o,
  );
}

/** Merge keys of the lists deployment/kubernetes patches (from the Kubernetes API's patchMergeKey). */
function mergeKeyFor(path: string[]): string | undefined {
  const field = path[path.length - 1];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      // A Service's ports merge by port. Container ports merge by (containerPort, protocol) in
      // kustomize, with defaulting this renderer does not imitate: not supported.
      if (path.includes('containers') || path.includes('initContainers')) {
        throw new KustomizeError(`patching container ports (${path.join('.')}) is not supported here`);
      }
      return 'port';
    default:
      return undefined;
  }
}

function strategicMerge(target: Json, patch: Json, path: string[]): Json {
  if (isObject(patch)) {
    if ('$patch' in patch || Object.keys(patch).some((key) => key.startsWith('$'))) {
      throw new KustomizeError(
        `strategic-merge directive at ${path.join('.') || 'top'} is not supported here`,
      );
    }
    const result: JsonObject = isObject(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete result[key];
      else result[key] = strategicMerge(result[key] ?? null, value, [...path, key]);
    }
    return result;
  }
  if (Array.isArray(patch)) {
    const key = mergeKeyFor(path);
    if (!key || !Array.isArray(target) || !patch.every(isObject)) return patch;
    // As kustomize orders a merged list: the patch's items first (merged into the originals they
    // name), then the original items the patch does not name, in their order.
    const named = new Set((patch as JsonObject[]).map((item) => item[key]));
    const merged = (patch as JsonObject[]).map((item) => {
      const original = target.find((existing) => isObject(existing) && existing[key] === item[key]);
      return original === undefined ? item : strategicMerge(original, item, path);
    });
    return [
      ...merged,
      ...target.filter((existing) => !(isObject(existing) && named.has(existing[key] ?? null))),
    ];
  }
  return patch;
}

function setNamespace(o: K8sObject, namespace: string): K8sObject {
  if (CLUSTER_SCOPED.has(o.kind)) return o;
  const copy: K8sObject = { ...o, metadata: { ...o.metadata, namespace } };
  if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && Array.isArray(o.subjects)) {
    copy.subjects = (o.subjects as JsonObject[]).map((s) =>
      s.kind === 'ServiceAccount' ? { ...s, namespace } : s,
    );
  }
  return copy;
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** Splits `registry/name:tag@digest` into its name and the rest. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest ? { digest } : {}) };
  }
  return { name: rest, ...(digest ? { digest } : {}) };
}

function transformImages(value: Json, rule: ImageRule, path: string[] = []): Json {
  if (Array.isArray(value)) return value.map((v) => transformImages(v, rule, path));
  if (!isObject(value)) return value;
  const inContainerList = ['containers', 'initContainers'].includes(path[path.length - 1] ?? '');
  const result: JsonObject = {};
  for (const [key, v] of Object.entries(value as JsonObject)) {
    if (inContainerList && key === 'image' && typeof v === 'string') {
      const parts = splitImage(v);
      if (parts.name !== rule.name) {
        result[key] = v;
      } else {
        const name = rule.newName ?? parts.name;
        if (rule.digest) result[key] = `${name}@${rule.digest}`;
        else if (rule.newTag) result[key] = `${name}:${rule.newTag}`;
        else
          result[key] = `${name}${parts.tag ? `:${parts.tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`;
      }
    } else {
      result[key] = transformImages(v, rule, [...path, key]);
    }
  }
  return result;
}

/** A stable order (kind, namespace, name) for comparing renderings. */
export function sortObjects(objects: K8sObject[]): K8sObject[] {
  return [...objects].sort((a, b) => identity(a).localeCompare(identity(b)));
}
