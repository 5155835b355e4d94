import * as k8s from '@kubernetes/client-node';
import type { K8sObject } from './kustomize.js';

/**
 * Validation of rendered objects against the Kubernetes API schemas, in two parts:
 * - kubernetes-models (the OpenAPI schemas of the API, compiled to validators): types, required
 *   fields, enums, quantity and int-or-string forms;
 * - unknown fields (those validators allow additional properties, so a misspelt `readinesProbe`
 *   would pass): every key is looked up in the attribute maps of @kubernetes/client-node's models,
 *   which are generated from the same OpenAPI document.
 */

interface Attribute {
  baseName: string;
  type: string;
}
type ModelClass = { attributeTypeMap?: Attribute[] };
const models = k8s as unknown as Record<string, ModelClass | undefined>;

/** The client-node model class name of apiVersion + kind: apps/v1 Deployment → V1Deployment. */
function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.includes('/') ? apiVersion.split('/')[1]! : apiVersion;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`, out));
    return;
  }
  const model = models[type];
  if (!model?.attributeTypeMap || !isObject(value)) return; // primitives, maps, IntOrString, any
  const attributes = new Map(model.attributeTypeMap.map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value)) {
    const t = attributes.get(key);
    if (t === undefined) out.push(`${path}.${key}: unknown field of ${type}`);
    else unknownFields(v, t, `${path}.${key}`, out);
  }
}

/** Problems of one object: schema violations and unknown fields (empty = valid). */
export async function validateObject(object: K8sObject): Promise<string[]> {
  const where = `${object.kind} ${object.metadata.name}`;
  const problems: string[] = [];
  let module: Record<string, unknown>;
  try {
    module = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<string, unknown>;
  } catch {
    return [`${where}: no schema for apiVersion ${object.apiVersion}`];
  }
  const Model = module[object.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`${where}: no schema for kind ${object.kind} in ${object.apiVersion}`];
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(`${where}: ${(e as Error).message}`);
  }
  const name = modelName(object.apiVersion, object.kind);
  if (!models[name]?.attributeTypeMap) problems.push(`${where}: no field list for ${name}`);
  else {
    const unknown: string[] = [];
    unknownFields(object, name, '', unknown);
    problems.push(...unknown.map((u) => `${where}: ${u}`));
  }
  return problems;
}
