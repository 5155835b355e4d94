import { waitFor } from '@galileo/testing';
import type { PodEventPayload, PodLifecycleEvent } from '@galileo/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesOrchestrator } from './kubernetes-orchestrator.js';
import { startKubeApiDouble, type KubeApiDouble } from './test-support/kube-api-double.js';

// The Kubernetes API here is a TEST DOUBLE (test-support/kube-api-double.ts): an HTTP server that
// implements the core/v1 pod endpoints and their Status error bodies; no API server can run on
// this machine. Everything on our side (client-node 1.x, opossum, the watch) is real.
const request = (podName: string, overrides = {}) => ({
  podName,
  fn: 'resnet',
  image: 'edgerun/resnet:1.0',
  labels: { 'ether.edgerun.io/function': 'resnet', type: 'fn', 'pod-template-hash': 'abc' },
  zone: 'zone-a',
  namespace: 'galileo',
  resourceRequests: { cpu: '500m', memory: '200Mi' },
  ...overrides,
});

let api: KubeApiDouble;
beforeEach(async () => {
  api = await startKubeApiDouble();
});
afterEach(async () => {
  await api.close();
});

describe('Kubernetes orchestrator against the pod API double', () => {
  it('creates the bare pod (201), treats 409 as already there, deletes (200) and 404 as gone', async () => {
    const k8s = createKubernetesOrchestrator({ config: api.kubeConfig(), namespace: 'galileo' });
    expect(await k8s.createPod(request('resnet-deployment-aaaaa'))).toEqual({
      ok: true,
      value: { name: 'resnet-deployment-aaaaa', created: true },
    });
    const pod = api.pods('galileo')[0]!;
    expect(pod.spec.nodeSelector).toEqual({
      'node-role.kubernetes.io/worker': 'true',
      'ether.edgerun.io/zone': 'zone-a',
    });
    expect(pod.metadata.labels).toEqual({
      'ether.edgerun.io/function': 'resnet',
      type: 'fn',
      'ether.edgerun.io/zone': 'zone-a',
    });
    expect(await k8s.createPod(request('resnet-deployment-aaaaa'))).toEqual({
      ok: true,
      value: { name: 'resnet-deployment-aaaaa', created: false },
    });
    expect(api.pods()).toHaveLength(1);
    expect((await k8s.listPods()).map((p) => p.name)).toEqual(['resnet-deployment-aaaaa']);
    expect(await k8s.deletePod('resnet-deployment-aaaaa', 'galileo')).toEqual({
      ok: true,
      value: { deleted: true },
    });
    await waitFor(() => api.pods().length === 0, { what: 'the pod to be gone' });
    expect(await k8s.deletePod('resnet-deployment-aaaaa', 'galileo')).toEqual({
      ok: true,
      value: { deleted: false },
    });
    await k8s.close();
  });

  it('422 Invalid and 403 Forbidden come back as permanent errors with the API message', async () => {
    const k8s = createKubernetesOrchestrator({ config: api.kubeConfig(), namespace: 'galileo' });
    const invalid = await k8s.createPod(request('resnet-deployment-aaaaa', { image: '' }));
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'invalid', retryable: false, status: 422 } });
    expect(!invalid.ok && invalid.error.message).toContain('spec.containers[0].image: Required value');
    api.forbid('galileo');
    const forbidden = await k8s.createPod(request('resnet-deployment-bbbbb'));
    expect(forbidden).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', retryable: false, status: 403 },
    });
    expect(!forbidden.ok && forbidden.error.message).toContain('cannot create resource "pods"');
    const outside = await k8s.createPod(request('resnet-deployment-ccccc', { namespace: 'kube-system' }));
    expect(outside).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(api.requests.filter((r) => r.includes('kube-system'))).toEqual([]);
    await k8s.close();
  });

  it('a 5xx storm opens the breaker (calls stop reaching the API), and it closes after the reset', async () => {
    const k8s = createKubernetesOrchestrator({
      config: api.kubeConfig(),
      namespace: 'galileo',
      breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 500 },
    });
    api.failNext(1000, 500);
    for (let i = 0; i < 3; i++) {
      const r = await k8s.createPod(request(`resnet-deployment-${i}aaaa`));
      expect(r).toMatchObject({ ok: false, error: { kind: 'unavailable', retryable: true, status: 500 } });
    }
    expect(k8s.breaker.opened).toBe(true);
    const before = api.requests.length;
    const rejected = await k8s.createPod(request('resnet-deployment-zzzzz'));
    expect(rejected).toMatchObject({ ok: false, error: { kind: 'unavailable', retryable: true } });
    expect(!rejected.ok && rejected.error.message).toContain('circuit breaker is open');
    expect(api.requests.length).toBe(before); // short-circuited
    api.failNext(0);
    await new Promise((r) => setTimeout(r, 600));
    expect(await k8s.createPod(request('resnet-deployment-zzzzz'))).toMatchObject({ ok: true });
    expect(k8s.breaker.closed).toBe(true);
    await k8s.close();
  });

  it('watches its pods and reports create, pending, running, shutdown, delete like the adapter', async () => {
    const k8s = createKubernetesOrchestrator({ config: api.kubeConfig(), namespace: 'galileo' });
    const events: [PodLifecycleEvent, PodEventPayload][] = [];
    const watch = await k8s.watch((e, p) => events.push([e, p]));
    await k8s.createPod(request('resnet-deployment-aaaaa'));
    await waitFor(() => events.some(([e]) => e === 'create'), { what: 'pod/create' });
    api.setPhase('galileo', 'resnet-deployment-aaaaa', 'Pending');
    api.setPhase('galileo', 'resnet-deployment-aaaaa', 'Running');
    await waitFor(() => events.some(([e]) => e === 'running'), { what: 'pod/running' });
    await k8s.deletePod('resnet-deployment-aaaaa', 'galileo');
    await waitFor(() => events.some(([e]) => e === 'delete'), { what: 'pod/delete' });
    expect(events.map(([e]) => e)).toEqual(['create', 'pending', 'running', 'shutdown', 'delete']);
    const running = events.find(([e]) => e === 'running')![1];
    expect(running).toMatchObject({
      name: 'resnet-deployment-aaaaa',
      namespace: 'galileo',
      podIP: '10.42.0.17',
      nodeName: 'worker-1',
      status: 'Running',
      labels: { 'ether.edgerun.io/zone': 'zone-a' },
    });
    expect(running.containers.resnet).toMatchObject({ port: 8080, resource_requests: { cpu: '"500m"' } });
    expect(running.containers.resnet!.id).toMatch(/^containerd:\/\//);
    await watch.stop();
    await k8s.close();
  });
});
