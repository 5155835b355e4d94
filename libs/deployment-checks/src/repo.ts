import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is libs/deployment-checks/src/repo.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const repoPath = (...parts: string[]) => join(repoRoot, ...parts);

export interface HealthPort {
  /** The variable that sets the port of the service's /healthz server. */
  variable: string;
  port: number;
  /** `host:port` when the variable is an address (galileo_api_bind_addr). */
  form?: 'host:port';
}

export interface ImageService {
  main: string;
  /** A bundle that runs on plain node instead of `main` through tsx, where the image builds one. */
  bundle?: string;
  /** NODE_OPTIONS the manifests give the service's container (the image's default otherwise). */
  nodeOptions?: string;
  /** V8 flags node refuses in NODE_OPTIONS: the manifests put them on the node command line. */
  nodeFlags?: string;
  health?: HealthPort;
}

/** deployment/docker/services.json: what the image runs by name. */
export function imageServices(): Record<string, ImageService> {
  const file = repoPath('deployment', 'docker', 'services.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { services: Record<string, ImageService> }).services;
}

/** Services whose entry point is not in the tree (yet): name → expected path. */
export function missingEntryPoints(names: Iterable<string>): string[] {
  const services = imageServices();
  const missing: string[] = [];
  for (const name of names) {
    const service = services[name];
    if (!service) missing.push(`${name} (not in deployment/docker/services.json)`);
    else if (!existsSync(repoPath(service.main))) missing.push(`${name} (${service.main})`);
  }
  return missing;
}
