import { createBus, type Bus } from '@galileo/bus';
import { loadConfig } from '@galileo/config';
import { createGalileoContext, feedContextFromBus, nodeInfo, podInfo } from '@galileo/context';
import { galileoCatalogue, scalingSubjects, type GalileoCatalogue } from '@galileo/events';
import { createTestLogger } from '@galileo/logging';
import { createLocalOrchestrator } from '@galileo/orchestrator';
import { runOsmoticRound, type OsmoticInput } from '@galileo/osmotic';
import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { podCreatorConfigSpec } from './config.js';
import { createPodCreator, type PodCreator } from './pod-creator.js';

// The loop on real Redis: an osmotic round's scale_schedule → the pod-creator → a local replica
// (a real sample-app process) → pod/* events → a context fed from the bus sees the new replica.
let ctx: RedisTestContext;
let bus: Bus<GalileoCatalogue>;
let creator: PodCreator | undefined;
const orchestrator = createLocalOrchestrator({
  nodeName: (zone) => (zone === 'zone-b' ? 'node-b1' : 'node-a1'),
});

beforeEach(() => {
  ctx = redisTestContext('scaleloop');
  bus = createBus({ redis: ctx.redis, catalogue: galileoCatalogue, source: 'test', prefix: ctx.prefix });
});
afterEach(async () => {
  await creator?.stop();
  await orchestrator.close();
  await bus.close();
  await ctx.cleanup();
});

describe('scale-up loop', () => {
  it('a hot zone-b client makes a replica in zone-b that the context then sees running and that answers', async () => {
    const context = createGalileoContext({ updateLatencyFromTraces: false });
    for (const [node, zone] of [
      ['node-a1', 'zone-a'],
      ['node-b1', 'zone-b'],
    ] as const)
      context.setNodeInfo(nodeInfo(node, { zone, cpus: 1 }));
    context.upsertPod(
      podInfo({
        name: 'resnet-deployment-aaaaa',
        node: 'node-a1',
        ip: '10.42.0.5',
        fn: 'resnet',
        type: 'fn',
        zone: 'zone-a',
      }),
    );
    const feed = await feedContextFromBus(bus, context, { group: 'test-context', startAt: 'beginning' });

    const input: OsmoticInput = {
      now: Date.now() / 1000,
      zones: context.zones(),
      gateways: [
        { zone: 'zone-a', node: 'node-a1' },
        { zone: 'zone-b', node: 'node-b1' },
      ],
      nodes: context
        .nodes()
        .map((n) => ({ name: n.node, zone: n.zone ?? null, worker: true, allocatable: n.allocatable })),
      pods: [
        {
          name: 'resnet-deployment-aaaaa',
          fn: 'resnet',
          zone: 'zone-a',
          node: 'node-a1',
          status: 'Running',
          image: 'galileo/sample-app',
          labels: { 'ether.edgerun.io/function': 'resnet', type: 'fn', 'ether.edgerun.io/zone': 'zone-a' },
          namespace: 'default',
          resourceRequests: { cpu: '100m', memory: '64Mi' },
          cpuMean: 95,
        },
      ],
      traces: [
        {
          fn: 'resnet',
          zone: 'zone-a',
          clientZone: 'zone-b',
          client: 'galileo-worker-zone-b-x:resnet:0',
          count: 50,
          times: [400, 500],
        },
      ],
      latency: (a, b) => (a === b ? 0 : 40),
      maxLatency: 40,
    };
    const round = runOsmoticRound(input, {
      maxThreshold: 0.8,
      minThreshold: 0.2,
      pressures: ['request', 'rtt_log', 'cpu_usage'],
      logistic: { a: 250, b: 1, c: 0.2, d: 35, offset: 0 },
      percentile: 90,
      latencyRequirement: () => 70,
      maxReplicas: 5,
    });
    expect(round.actions.map((a) => [a.delete, a.origin_zone, a.dest_zone])).toEqual([
      [false, 'zone-a', 'zone-b'],
    ]);

    const loaded = loadConfig(podCreatorConfigSpec, {
      galileo_redis_key_prefix: ctx.prefix,
      pod_creator_mirror_events: 'false',
    });
    if (!loaded.ok) throw loaded.error;
    creator = createPodCreator({
      bus,
      redis: ctx.redis,
      orchestrator,
      config: loaded.value,
      logger: createTestLogger().logger,
    });
    await creator.start();
    for (const action of round.actions) {
      await bus.publish(scalingSubjects.scaleSchedule(), {
        type: 'GalileoEvent',
        data: { name: 'scale_schedule', value: action, timestamp: action.ts },
      });
    }
    const [replica] = await waitFor(
      () => {
        const r = context.replicas('resnet', 'zone-b');
        return r.length === 1 ? r : null;
      },
      { timeoutMs: 25_000, what: 'the context to see a running replica in zone-b' },
    );
    expect(replica!.name).toBe(round.actions[0]!.pod.pod_name);
    const res = await fetch(`http://${replica!.url}/function/resnet`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await feed.stop();
  });
});
