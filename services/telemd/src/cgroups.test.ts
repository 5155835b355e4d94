import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverContainers } from './cgroups.js';
import { instruments, type InstrumentContext } from './instruments.js';

// This host has no cgroup v2 containers, so the test builds the hierarchy a v2 host with docker
// and Kubernetes has (both cgroup drivers), and the /proc of a container's first process.
const dockerId = 'a'.repeat(64);
const dockerId2 = 'b'.repeat(64);
const kubeId = 'c'.repeat(64);
const kubeId2 = 'd'.repeat(64);
let root: string;
let ctx: InstrumentContext;

async function container(path: string, pid: number, cpuUsec: number, memory: number) {
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'cpu.stat'), `usage_usec ${cpuUsec}\nuser_usec 1\nsystem_usec 1\n`);
  await writeFile(join(path, 'memory.current'), `${memory}\n`);
  await writeFile(join(path, 'io.stat'), '8:0 rbytes=1000 wbytes=24 rios=1 wios=1 dbytes=0 dios=0\n');
  await writeFile(join(path, 'cgroup.procs'), `${pid}\n${pid + 1}\n`);
  await mkdir(join(root, 'proc', String(pid), 'net'), { recursive: true });
  await writeFile(
    join(root, 'proc', String(pid), 'net/dev'),
    'Inter-|   Receive\n face |bytes\n    lo: 5 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0\n  eth0: 300 3 0 0 0 0 0 0 700 7 0 0 0 0 0 0\n',
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'telemd-cgroup-'));
  const cg = join(root, 'cgroup');
  await container(join(cg, 'system.slice', `docker-${dockerId}.scope`), 100, 1500, 4096);
  await container(join(cg, 'docker', dockerId2), 110, 1, 1);
  await container(
    join(
      cg,
      'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice',
      `cri-containerd-${kubeId}.scope`,
    ),
    200,
    2500,
    8192,
  );
  await container(join(cg, 'kubepods/pod99aa', kubeId2), 210, 1, 1);
  await mkdir(join(cg, 'system.slice', 'ssh.service'), { recursive: true });
  ctx = {
    procMount: join(root, 'proc'),
    sysMount: join(root, 'sys'),
    cgroupMount: cg,
    netDevices: null,
    diskDevices: null,
    monotonicMs: () => performance.now(),
  };
});
afterAll(() => rm(root, { recursive: true, force: true }));

const sample = (name: string) => instruments.find((i) => i.name === name)!.create(ctx)();

describe('cgroup v2 container instruments', () => {
  it('finds docker containers (12-char ids) and Kubernetes pod containers (full ids) of both drivers', async () => {
    expect((await discoverContainers(ctx.cgroupMount, 'docker')).map((c) => c.id).sort()).toEqual([
      dockerId.slice(0, 12),
      dockerId2.slice(0, 12),
    ]);
    expect((await discoverContainers(ctx.cgroupMount, 'kubernetes')).map((c) => c.id).sort()).toEqual([
      kubeId,
      kubeId2,
    ]);
  });

  it('reads cpu (ns), memory, blkio and net per container', async () => {
    const id = dockerId.slice(0, 12);
    expect(await sample('docker_cgrp_cpu')).toContainEqual({
      topic: `docker_cgrp_cpu/${id}`,
      value: 1_500_000,
    });
    expect(await sample('docker_cgrp_memory')).toContainEqual({
      topic: `docker_cgrp_memory/${id}`,
      value: 4096,
    });
    expect(await sample('docker_cgrp_blkio')).toContainEqual({
      topic: `docker_cgrp_blkio/${id}`,
      value: 1024,
    });
    const net = await sample('docker_cgrp_net');
    expect(net).toEqual(
      expect.arrayContaining([
        { topic: `docker_cgrp_net/${id}`, value: 1000 },
        { topic: `docker_cgrp_net/${id}/eth0`, value: 1000 },
        { topic: `docker_cgrp_net/${id}/eth0/rx`, value: 300 },
        { topic: `docker_cgrp_net/${id}/eth0/tx`, value: 700 },
      ]),
    );
    expect(net.some((r) => r.topic.includes('/lo'))).toBe(false);
    expect(await sample('kubernetes_cgrp_cpu')).toContainEqual({
      topic: `kubernetes_cgrp_cpu/${kubeId}`,
      value: 2_500_000,
    });
  });

  it('reports nothing, without an error, on a host without containers', async () => {
    const empty = { ...ctx, cgroupMount: join(root, 'nothing') };
    expect(await instruments.find((i) => i.name === 'kubernetes_cgrp_memory')!.create(empty)()).toEqual([]);
  });
});
