import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ContainerRuntime = 'docker' | 'kubernetes';

export interface ContainerCgroup {
  /** Docker: the first 12 characters of the id (as telemd); Kubernetes: the full id (as the pod's status has it). */
  readonly id: string;
  readonly path: string;
}

const HEX_ID = /^[0-9a-f]{64}$/;
/** `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, or a bare id (cgroupfs driver). */
const SCOPE = /^(?:(?:docker|cri-containerd|crio|containerd)-)?([0-9a-f]{64})(?:\.scope)?$/;

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

async function containersIn(dir: string): Promise<{ id: string; path: string }[]> {
  const out: { id: string; path: string }[] = [];
  for (const name of await dirs(dir)) {
    const m = SCOPE.exec(name);
    if (m && HEX_ID.test(m[1]!)) out.push({ id: m[1]!, path: join(dir, name) });
  }
  return out;
}

/**
 * The containers of a cgroup v2 hierarchy (telemd's docker_cgrp_* and kubernetes_cgrp_*
 * instruments), for both cgroup drivers:
 * docker `system.slice/docker-<id>.scope` or `docker/<id>`;
 * Kubernetes `kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice/<runtime>-<id>.scope`
 * (guaranteed pods directly under kubepods.slice) or `kubepods/<qos>/pod<uid>/<id>`.
 * A host without them has none (never an error).
 */
export async function discoverContainers(
  cgroupRoot: string,
  runtime: ContainerRuntime,
): Promise<ContainerCgroup[]> {
  const found: { id: string; path: string }[] = [];
  if (runtime === 'docker') {
    found.push(
      ...(await containersIn(join(cgroupRoot, 'system.slice'))).filter((c) => /docker-/.test(c.path)),
    );
    found.push(...(await containersIn(join(cgroupRoot, 'docker'))));
    return found.map((c) => ({ id: c.id.slice(0, 12), path: c.path }));
  }
  const podDirs: string[] = [];
  for (const base of ['kubepods.slice', 'kubepods']) {
    const root = join(cgroupRoot, base);
    for (const name of await dirs(root)) {
      if (/pod[0-9a-f_-]+(\.slice)?$/.test(name)) podDirs.push(join(root, name));
      else if (/(burstable|besteffort)(\.slice)?$/.test(name)) {
        for (const pod of await dirs(join(root, name))) {
          if (/pod[0-9a-f_-]+(\.slice)?$/.test(pod)) podDirs.push(join(root, name, pod));
        }
      }
    }
  }
  for (const pod of podDirs) found.push(...(await containersIn(pod)));
  return found;
}

/** The first process of a cgroup: its network namespace is the container's. */
export async function firstPid(cgroupPath: string): Promise<number | null> {
  try {
    const text = await readFile(join(cgroupPath, 'cgroup.procs'), 'utf8');
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
