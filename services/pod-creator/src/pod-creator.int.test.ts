import { createBus, type Bus } from '@galileo/bus';
import { loadConfig } from '@galileo/config';
import { galileoCatalogue, scalingSubjects, type GalileoCatalogue } from '@galileo/events';
import { createTestLogger } from '@galileo/logging';
import {
  createKubernetesOrchestrator,
  createLocalOrchestrator,
  type Orchestrator,
} from '@galileo/orchestrator';
import { startKubeApiDouble, type KubeApiDouble } from '@galileo/orchestrator/test-support';
import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { podCreatorConfigSpec, type PodCreatorConfig } from './config.js';
import { createPodCreator, type PodCreator } from './pod-creator.js';

// Real Redis (bus, BullMQ); the Kubernetes API is the TEST DOUBLE of libs/orchestrator
// (test-support/kube-api-double.ts), since no API server can run here.
let ctx: RedisTestContext;
let bus: Bus<GalileoCatalogue>;
let api: KubeApiDouble;
let creator: PodCreator | undefined;
let orchestrator: Orchestrator | undefined;
let channel: string;
let lines: string[];

const configOf = (env: Record<string, string>): PodCreatorConfig => {
  const loaded = loadConfig(podCreatorConfigSpec, {
    galileo_redis_key_prefix: ctx.prefix,
    pod_creator_job_backoff: '50ms',
    ...env,
  });
  if (!loaded.ok) throw loaded.error;
  return loaded.value;
};

const schedule = (podName: string, overrides: Record<string, unknown> = {}) => ({
  ts: 1700000000.5,
  fn: 'resnet',
  pod: {
    ts: 1700000000.5,
    pod_name: podName,
    container_id: 'N/A',
    image: 'edgerun/resnet:1.0',
    labels: {
      'ether.edgerun.io/function': 'resnet',
      type: 'fn',
      'ether.edgerun.io/zone': 'zone-b',
      'pod-template-hash': 'abc',
    },
    resource_requests: { cpu: '500m', memory: '200Mi' },
    namespace: 'galileo',
  },
  origin_zone: 'zone-a',
  dest_zone: 'zone-b',
  delete: false,
  gateway: 'gw-a',
  value: 0.9,
  threshold: 0.8,
  ...overrides,
});
const publishSchedule = (value: unknown) =>
  bus.publish(scalingSubjects.scaleSchedule(), {
    type: 'GalileoEvent',
    data: { name: 'scale_schedule', value, timestamp: 1700000000.5 },
  });

beforeEach(async () => {
  ctx = redisTestContext('podcreator');
  bus = createBus({ redis: ctx.redis, catalogue: galileoCatalogue, source: 'test', prefix: ctx.prefix });
  api = await startKubeApiDouble();
  channel = `${ctx.prefix}galileo/events`;
  lines = [];
  const sub = ctx.connect();
  sub.on('message', (_c: string, m: string) => lines.push(m));
  await sub.subscribe(channel);
});
afterEach(async () => {
  await creator?.stop();
  await orchestrator?.close();
  creator = undefined;
  orchestrator = undefined;
  await bus.close();
  await api.close();
  await ctx.cleanup();
});

async function start(env: Record<string, string>, make: () => Orchestrator) {
  orchestrator = make();
  creator = createPodCreator({
    bus,
    redis: ctx.redis,
    orchestrator,
    config: configOf(env),
    logger: createTestLogger().logger,
    mirrorChannel: channel,
  });
  await creator.start();
  return creator;
}
const k8s = () =>
  createKubernetesOrchestrator({ config: api.kubeConfig(), namespace: 'galileo', watchRetryMs: 100 });

describe('pod-creator on Kubernetes (API double)', () => {
  it('creates the pod of a scale_schedule, once even when the event comes again, and deletes it', async () => {
    await start({ schedule_scale_opt_orchestrator: 'kubernetes' }, k8s);
    await publishSchedule(schedule('resnet-deployment-aaaaa'));
    await waitFor(() => api.pods('galileo').length === 1, { what: 'the pod' });
    const pod = api.pods('galileo')[0]!;
    expect(pod.metadata.name).toBe('resnet-deployment-aaaaa');
    expect(pod.metadata.labels).toEqual({
      'ether.edgerun.io/function': 'resnet',
      type: 'fn',
      'ether.edgerun.io/zone': 'zone-b',
    });
    expect(pod.spec.nodeSelector).toEqual({
      'node-role.kubernetes.io/worker': 'true',
      'ether.edgerun.io/zone': 'zone-b',
    });
    expect(pod.spec.containers[0]).toMatchObject({
      ports: [{ name: 'function-port', containerPort: 8080 }],
      resources: { requests: { cpu: '500m', memory: '200Mi' } },
    });

    // redelivery: the same event again (twice) creates no second pod and makes no second POST
    await publishSchedule(schedule('resnet-deployment-aaaaa'));
    await publishSchedule(schedule('resnet-deployment-aaaaa'));
    await waitFor(async () => ((await creator!.queue.getJobCounts('completed')).completed ?? 0) >= 1, {
      what: 'the job',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(api.pods('galileo')).toHaveLength(1);
    expect(api.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);

    // the pod's lifecycle reaches the bus and galileo/events in the adapter's format
    const seen: string[] = [];
    await bus.subscribe('galileo.events.>', {
      group: 'test-pod-events',
      startAt: 'beginning',
      handler: (e) => {
        if (e.type === 'GalileoEvent' && e.data.name.startsWith('pod/')) seen.push(e.data.name);
      },
    });
    api.setPhase('galileo', 'resnet-deployment-aaaaa', 'Running');
    await waitFor(() => seen.includes('pod/running'), { what: 'pod/running on the bus' });
    const line = await waitFor(() => lines.find((l) => / pod\/running /.test(l)), {
      what: 'the mirrored pod/running line',
    });
    expect(line).toMatch(
      /^\d+\.\d{7} pod\/running \{"podUid":"[^"]+","containers":\{"resnet":\{"id":"containerd:\/\/[0-9a-f]+","name":"resnet","image":"edgerun\/resnet:1.0","port":8080,"resource_requests":\{"cpu":"\\"500m\\"","memory":"\\"200Mi\\""\},"resource_limits":\{\}\}\},"namespace":"galileo","hostIP":"10.0.1.1","name":"resnet-deployment-aaaaa","nodeName":"worker-1","podIP":"10.42.0.17","qosClass":"Burstable","startTime":"[^"]+","labels":\{[^}]+\},"status":"Running"\}$/,
    );

    await publishSchedule(schedule('resnet-deployment-aaaaa', { delete: true, origin_zone: 'zone-b' }));
    await waitFor(() => api.pods('galileo').length === 0, { what: 'the pod to be deleted' });
    await waitFor(() => seen.includes('pod/delete'), { what: 'pod/delete' });
    expect(seen).toEqual(['pod/create', 'pod/running', 'pod/shutdown', 'pod/delete']);
  });

  it('retries a create through a 5xx storm with backoff until the API answers', async () => {
    await start(
      { schedule_scale_opt_orchestrator: 'kubernetes', schedule_scale_opt_async_pod_creation: 'True' },
      k8s,
    );
    const posts = () => api.requests.filter((r) => r.startsWith('POST')).length;
    api.failNext(3, 503);
    await publishSchedule(schedule('resnet-deployment-bbbbb'));
    await waitFor(() => api.pods('galileo').length === 1, {
      timeoutMs: 20_000,
      what: 'the pod after retries',
    });
    expect(posts()).toBeGreaterThanOrEqual(2);
  });

  it('refuses an image outside the allow-list, and a malformed event, with a reason', async () => {
    await start(
      { schedule_scale_opt_orchestrator: 'kubernetes', schedule_scale_opt_allowed_images: 'galileo/*' },
      k8s,
    );
    const refusals: unknown[] = [];
    await bus.subscribe(scalingSubjects.event('scale_schedule_refused'), {
      group: 'test-refusals',
      startAt: 'beginning',
      handler: (e) => void (e.type === 'GalileoEvent' && refusals.push(e.data.value)),
    });
    await publishSchedule(schedule('resnet-deployment-ccccc'));
    await publishSchedule({ fn: 'resnet' });
    await waitFor(() => refusals.length === 2, { what: 'two refusals' });
    expect(refusals[0]).toMatchObject({
      fn: 'resnet',
      pod_name: 'resnet-deployment-ccccc',
      reason:
        'image "edgerun/resnet:1.0" is not in the allow-list (schedule_scale_opt_allowed_images: galileo/*)',
    });
    expect((refusals[1] as { reason: string }).reason).toContain('a scale_schedule needs `pod`');
    expect(api.requests.filter((r) => r.startsWith('POST'))).toEqual([]);
  });
});

describe('pod-creator with the local orchestrator', () => {
  it('starts a replica that answers HTTP for a scale_schedule and stops it on delete', async () => {
    await start({}, () => createLocalOrchestrator({ nodeName: (zone) => `local-${zone}` }));
    await publishSchedule(
      schedule('resnet-deployment-ddddd', {
        pod: { ...schedule('x').pod, pod_name: 'resnet-deployment-ddddd', namespace: 'default' },
      }),
    );
    const running = await waitFor(
      () => lines.find((l) => l.includes(' pod/running ') && l.includes('resnet-deployment-ddddd')),
      {
        timeoutMs: 25_000,
        what: 'the replica to run',
      },
    );
    const pod = JSON.parse(running.slice(running.indexOf('{'))) as {
      containers: Record<string, { port: number }>;
      nodeName: string;
    };
    expect(pod.nodeName).toBe('local-zone-b');
    const res = await fetch(`http://127.0.0.1:${pod.containers.resnet!.port}/function/resnet`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await publishSchedule(
      schedule('resnet-deployment-ddddd', {
        delete: true,
        pod: { ...schedule('x').pod, pod_name: 'resnet-deployment-ddddd', namespace: 'default' },
      }),
    );
    await waitFor(
      () => lines.some((l) => l.includes(' pod/delete ') && l.includes('resnet-deployment-ddddd')),
      { what: 'pod/delete' },
    );
    await expect(fetch(`http://127.0.0.1:${pod.containers.resnet!.port}/healthz`)).rejects.toThrow();
  });
});
