import type { PodEventPayload, PodLifecycleEvent } from '@galileo/events';
import { waitFor } from '@galileo/testing';
import { describe, expect, it } from 'vitest';
import { createLocalOrchestrator } from './local-orchestrator.js';

const request = (podName: string, zone = 'zone-a') => ({
  podName,
  fn: 'resnet',
  image: 'galileo/sample-app',
  labels: { 'ether.edgerun.io/function': 'resnet', type: 'fn', 'pod-template-hash': 'abc' },
  zone,
  namespace: 'default',
  resourceRequests: { cpu: '100m' },
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local orchestrator (real child processes of the sample app)', () => {
  it('starts a replica that answers HTTP, reports its lifecycle, and stops it on delete', async () => {
    const local = createLocalOrchestrator({ nodeName: (zone) => `local-${zone}` });
    const events: [PodLifecycleEvent, PodEventPayload][] = [];
    await local.watch((e, p) => events.push([e, p]));
    expect(await local.createPod(request('resnet-deployment-aaaaa'))).toEqual({
      ok: true,
      value: { name: 'resnet-deployment-aaaaa', created: true },
    });
    expect(await local.createPod(request('resnet-deployment-aaaaa'))).toEqual({
      ok: true,
      value: { name: 'resnet-deployment-aaaaa', created: false },
    });
    const url = await waitFor(() => local.urlOf('resnet-deployment-aaaaa'), {
      timeoutMs: 25_000,
      what: 'the replica to run',
    });
    const res = await fetch(`${url}/function/resnet`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-sample-app')).toBe('resnet-deployment-aaaaa');
    expect(res.headers.get('x-start')).toMatch(/^\d+\.\d+$/);
    await res.arrayBuffer();

    const running = events.find(([e]) => e === 'running')![1];
    expect(running).toMatchObject({
      name: 'resnet-deployment-aaaaa',
      nodeName: 'local-zone-a',
      podIP: '127.0.0.1',
      status: 'Running',
      labels: { 'ether.edgerun.io/function': 'resnet', type: 'fn', 'ether.edgerun.io/zone': 'zone-a' },
    });
    const container = running.containers.resnet!;
    expect(container.port).toBe(Number(new URL(url).port));
    const pid = Number(container.id.replace('local://', ''));
    expect(alive(pid)).toBe(true);

    expect(await local.deletePod('resnet-deployment-aaaaa', 'default')).toEqual({
      ok: true,
      value: { deleted: true },
    });
    expect(alive(pid)).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(events.map(([e]) => e)).toEqual(['create', 'pending', 'running', 'shutdown', 'delete']);
    expect(await local.deletePod('resnet-deployment-aaaaa', 'default')).toEqual({
      ok: true,
      value: { deleted: false },
    });
    await local.close();
  });

  it('stops every replica on close, and refuses beyond its limit with a reason', async () => {
    const local = createLocalOrchestrator({ maxPods: 1 });
    await local.createPod(request('resnet-deployment-bbbbb', 'zone-b'));
    const refused = await local.createPod(request('resnet-deployment-ccccc'));
    expect(refused).toMatchObject({ ok: false, error: { kind: 'refused', retryable: false } });
    expect(!refused.ok && refused.error.message).toContain('at most 1 replicas');
    await waitFor(() => local.urlOf('resnet-deployment-bbbbb'), {
      timeoutMs: 25_000,
      what: 'the replica to run',
    });
    const [pod] = await local.listPods();
    const pid = Number(Object.values(pod!.containers)[0]!.id.replace('local://', ''));
    await local.close();
    expect(alive(pid)).toBe(false);
    expect(await local.listPods()).toEqual([]);
  });
});
