import { createBus } from '@galileo/bus';
import { galileoCatalogue, galileoSubjects } from '@galileo/events';
import { redisTestContext, waitFor } from '@galileo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { feedContextFromBus, loadNodeInfos, refreshContext, syncPods } from './bus-feed.js';
import { createGalileoContext } from './galileo-context.js';
import { podJson } from './synthetic-cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup() {
  const t = redisTestContext('context');
  const bus = createBus({
    redis: t.connect(),
    catalogue: galileoCatalogue,
    source: 'test',
    prefix: t.prefix,
    streamRefreshMs: 50,
  });
  cleanups.push(async () => {
    await bus.close();
    await t.cleanup();
  });
  return { t, bus };
}

describe('context fed from the bus (real Redis)', () => {
  it('records telemetry, pod events and traces published on the bus', async () => {
    const { t, bus } = setup();
    await t.redis.hset(`${t.prefix}telemd.info:n1`, {
      cpus: '2',
      labels: JSON.stringify({ 'ether.edgerun.io/zone': 'zone-a' }),
      allocatable: JSON.stringify({ cpu: '2' }),
    });
    const ctx = createGalileoContext();
    ctx.replaceNodeInfos(await loadNodeInfos(t.redis, { keyPrefix: t.prefix }));
    expect(ctx.zones()).toEqual(['zone-a']);
    const feed = await feedContextFromBus(bus, ctx, { group: 'ctx-test', startAt: 'beginning' });
    cleanups.push(() => feed.stop());

    const now = Date.now() / 1000;
    await bus.publish(galileoSubjects.events('pod/running'), {
      type: 'GalileoEvent',
      data: {
        name: 'pod/running',
        timestamp: now,
        value: podJson({ name: 'busy-deployment-1', node: 'n1', ip: '10.42.0.1', fn: 'busy' }),
      },
    });
    await bus.publish(galileoSubjects.telemetry('n1', 'cpu'), {
      type: 'TelemetryReported',
      data: { node: 'n1', metric: 'cpu', subsystem: null, timestamp: now, value: 40 },
    });
    await waitFor(() => ctx.replicas('busy').length === 1 && ctx.nodeTelemetry('n1', 'cpu').length === 1, {
      what: 'pod and telemetry',
    });
    await bus.publish(galileoSubjects.traces('busy'), {
      type: 'TraceRecorded',
      data: {
        request_id: 'r1',
        client: 'w:busy:0',
        service: 'busy',
        created: now,
        sent: now,
        done: now + 0.01,
        status: 200,
        server: null,
        exp_id: null,
        headers: JSON.stringify({ 'X-Final-Host': '10.42.0.1:8080' }),
        response: null,
      },
    });
    await waitFor(() => ctx.traces('n1').length === 1, { what: 'the trace' });
    expect(ctx.nodeCpuShare('n1', 60)).toBeCloseTo(0.4);
  });

  it('refreshes node infos and pods from an orchestrator listing', async () => {
    const { t } = setup();
    const ctx = createGalileoContext();
    const source = {
      listPods: async () => [podJson({ name: 'p1', node: 'n2', ip: '10.42.0.9', fn: 'echo' })],
    };
    expect(await syncPods(ctx, source)).toBe(1);
    await t.redis.hset(`${t.prefix}telemd.info:n2`, {
      labels: JSON.stringify({ 'ether.edgerun.io/zone': 'zone-b' }),
    });
    const refresh = refreshContext(ctx, {
      redis: t.redis,
      keyPrefix: t.prefix,
      pods: source,
      intervalMs: 60_000,
    });
    cleanups.push(async () => refresh.stop());
    await refresh.refresh();
    expect(ctx.replicas('echo', 'zone-b').map((p) => p.name)).toEqual(['p1']);
  });
});
