import { describe, expect, it } from 'vitest';
import { imageAllowed } from './image-allow-list.js';
import { buildPodManifest, podEventPayload } from './pod-manifest.js';

const request = {
  podName: 'request_responder-deployment-1a2b3',
  fn: 'request_responder',
  image: 'edgerun/request-responder:1.0',
  labels: {
    app: 'request-responder',
    'ether.edgerun.io/function': 'request_responder',
    type: 'fn',
    'ether.edgerun.io/zone': 'zone-c',
    'pod-template-hash': '6d4cf56db6',
  },
  zone: 'zone-a',
  namespace: 'galileo',
  resourceRequests: { cpu: '500m', memory: '200Mi' },
};

describe('the pod the original created (k8s/create.py)', () => {
  it('is a bare Pod: labels minus pod-template-hash, zone set, worker+zone nodeSelector, port 8080, requests', () => {
    expect(buildPodManifest(request)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'request-responder-deployment-1a2b3',
        namespace: 'galileo',
        labels: {
          app: 'request-responder',
          'ether.edgerun.io/function': 'request_responder',
          type: 'fn',
          'ether.edgerun.io/zone': 'zone-a',
        },
      },
      spec: {
        nodeSelector: { 'node-role.kubernetes.io/worker': 'true', 'ether.edgerun.io/zone': 'zone-a' },
        containers: [
          {
            name: 'request-responder',
            image: 'edgerun/request-responder:1.0',
            ports: [{ name: 'function-port', containerPort: 8080 }],
            resources: { requests: { cpu: '500m', memory: '200Mi' } },
          },
        ],
      },
    });
  });

  it('is reported like telemd-kubernetes-adapter (Go field order, quoted quantities)', () => {
    const pod = {
      ...buildPodManifest(request),
      metadata: { ...buildPodManifest(request).metadata, uid: 'u-1' },
      status: {
        phase: 'Running',
        hostIP: '10.0.1.1',
        podIP: '10.42.0.17',
        qosClass: 'Burstable',
        startTime: new Date('2026-12-02T12:00:00Z'),
        containerStatuses: [
          {
            name: 'request-responder',
            containerID: 'containerd://abc',
            image: 'x',
            imageID: '',
            ready: true,
            restartCount: 0,
          },
        ],
      },
    };
    pod.spec!.nodeName = 'worker-1';
    expect(JSON.stringify(podEventPayload(pod))).toBe(
      '{"podUid":"u-1","containers":{"request-responder":{"id":"containerd://abc","name":"request-responder","image":"edgerun/request-responder:1.0","port":8080,"resource_requests":{"cpu":"\\"500m\\"","memory":"\\"200Mi\\""},"resource_limits":{}}},"namespace":"galileo","hostIP":"10.0.1.1","name":"request-responder-deployment-1a2b3","nodeName":"worker-1","podIP":"10.42.0.17","qosClass":"Burstable","startTime":"2026-12-02T12:00:00.000Z","labels":{"app":"request-responder","ether.edgerun.io/function":"request_responder","type":"fn","ether.edgerun.io/zone":"zone-a"},"status":"Running"}',
    );
  });
});

describe('image allow-list', () => {
  it('allows everything when empty, exact names, repositories and prefixes', () => {
    expect(imageAllowed('any/image:1', [])).toEqual({ ok: true });
    expect(imageAllowed('edgerun/resnet:1.0', ['edgerun/resnet:1.0']).ok).toBe(true);
    expect(imageAllowed('edgerun/resnet:2.0', ['edgerun/resnet']).ok).toBe(true);
    expect(imageAllowed('edgerun/anything:2', ['edgerun/*']).ok).toBe(true);
    expect(imageAllowed('registry:5000/edgerun/resnet:1', ['registry:5000/edgerun/resnet']).ok).toBe(true);
  });

  it('refuses the rest with a reason naming the list', () => {
    const r = imageAllowed('evil/miner:latest', ['edgerun/*', 'galileo/sample-app']);
    expect(r).toEqual({
      ok: false,
      reason:
        'image "evil/miner:latest" is not in the allow-list (schedule_scale_opt_allowed_images: edgerun/*, galileo/sample-app)',
    });
    expect(imageAllowed('edgerun/resnet-evil:1', ['edgerun/resnet']).ok).toBe(false);
  });
});
