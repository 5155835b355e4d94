import { createBus, type Bus } from '@galileo/bus';
import { galileoCatalogue, scalingSubjects, type GalileoCatalogue } from '@galileo/events';
import { createTestLogger } from '@galileo/logging';
import { OSMOTIC_RECORD_NAMES } from '@galileo/osmotic';
import { redisTestContext, waitFor, type RedisTestContext } from '@galileo/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOptimizerConfig } from './config.js';
import { osmoticInputFromContext } from './context-input.js';
import { DRY_RUN_SCALE_SCHEDULE_SUBJECT } from './publish-records.js';
import { createScaleScheduleOptimizer, type ScaleScheduleOptimizer } from './scale-schedule-optimizer.js';
import { hotContext, NOW } from './test-support.js';

let ctx: RedisTestContext;
let bus: Bus<GalileoCatalogue>;
let channel: string;
let lines: string[];
const optimizers: ScaleScheduleOptimizer[] = [];

beforeEach(async () => {
  ctx = redisTestContext('ssopt');
  bus = createBus({ redis: ctx.redis, catalogue: galileoCatalogue, source: 'test', prefix: ctx.prefix });
  channel = `${ctx.prefix}galileo/events`;
  lines = [];
  const sub = ctx.connect();
  sub.on('message', (_c: string, m: string) => lines.push(m));
  await sub.subscribe(channel);
});
afterEach(async () => {
  await Promise.all(optimizers.splice(0).map((o) => o.stop()));
  await bus.close();
  await ctx.cleanup();
});

function optimizer(env: Record<string, string> = {}, instance = 'replica-1') {
  const loaded = loadOptimizerConfig({
    galileo_redis_key_prefix: ctx.prefix,
    schedule_scale_opt_latency_requirement_resnet: '70',
    schedule_scale_opt_instance: instance,
    schedule_scale_opt_reconcile_interval: '1h',
    ...env,
  });
  if (!loaded.ok) throw loaded.error;
  const context = hotContext();
  const o = createScaleScheduleOptimizer({
    bus,
    redis: ctx.redis,
    config: loaded.value,
    logger: createTestLogger().logger,
    input: () => osmoticInputFromContext(context, { lookbackSeconds: 20, targetTimeMeasure: 'rtt' }),
    podSuffix: () => '1a2b3',
    mirrorChannel: channel,
  });
  optimizers.push(o);
  return o;
}

describe('scale-schedule-optimizer', () => {
  it('publishes every record on the bus and mirrors the original lines on galileo/events', async () => {
    const onBus: { subject: string; name: string; value: unknown }[] = [];
    await bus.subscribe('galileo.events.>', {
      group: 'test',
      startAt: 'beginning',
      handler: (e) =>
        void (
          e.type === 'GalileoEvent' &&
          onBus.push({ subject: e.subject, name: e.data.name, value: e.data.value })
        ),
    });
    const summary = await optimizer().runRound();
    expect(summary).toMatchObject({ leader: true, rows: 1, creates: 1, deletes: 0, dryRun: false });
    await waitFor(() => onBus.length === summary.records && lines.length === summary.records, {
      what: 'every record',
    });
    expect(new Set(onBus.map((e) => e.name))).toEqual(new Set(OSMOTIC_RECORD_NAMES));
    expect(new Set(lines.map((l) => l.split(' ')[1]))).toEqual(new Set(OSMOTIC_RECORD_NAMES));
    const schedule = onBus.find((e) => e.name === 'scale_schedule')!;
    expect(schedule.subject).toBe(scalingSubjects.scaleSchedule());
    const value = (schedule.value as { value: number }).value;
    // request 1 · rtt_log L(500)/a · cpu 95 % / 100
    expect(value).toBeCloseTo(0.95, 9);
    // the Python optimizer's line, byte for byte (dataclasses_json: ", " and ": ", field order)
    expect(lines.find((l) => l.includes(' scale_schedule '))).toBe(
      `${NOW} scale_schedule {"ts": ${NOW}, "fn": "resnet", "pod": {"ts": ${NOW}, "pod_name": "resnet-deployment-1a2b3", "container_id": "N/A", "image": "edgerun/resnet:1.0", "labels": {"ether.edgerun.io/function": "resnet", "type": "fn", "ether.edgerun.io/zone": "zone-b"}, "resource_requests": {"cpu": "500m", "memory": "200Mi"}, "namespace": "default"}, "origin_zone": "zone-a", "dest_zone": "zone-b", "delete": false, "gateway": "gw-a", "value": ${value}, "threshold": 0.8, "pod_creation_request": {"pod_name": "resnet-deployment-1a2b3", "container_name": "resnet", "image": "edgerun/resnet:1.0", "labels": {"ether.edgerun.io/function": "resnet", "type": "fn", "ether.edgerun.io/zone": "zone-b"}, "namespace": "default"}}`,
    );
    expect(lines.find((l) => l.includes(' cpu_usage_pressure '))).toBe(
      `${NOW} cpu_usage_pressure {"ts": ${NOW}, "fn": "resnet", "running_pods": 1, "cpu_mean": 95.00000000000001, "zone": "zone-a"}`.replace(
        '95.00000000000001',
        String((onBus.find((e) => e.name === 'cpu_usage_pressure')!.value as { cpu_mean: number }).cpu_mean),
      ),
    );
    expect(lines.find((l) => l.includes(' pressure_req '))).toBe(
      `${NOW} pressure_req {"ts": ${NOW}, "value": 1, "weight": 20, "utilization": 10, "client": "gateway-zone-b", "fn": "resnet", "gateway": "gw-a", "zone": "zone-a"}`,
    );
    expect(lines.find((l) => l.includes(' api_pressure '))).toMatch(
      /^1700000000\.5 api_pressure \{"ts": 1700000000\.5, "node": "gw-a", "zone": "zone-a", "mean": 0\.9\d+, "median": 0\.9\d+, "std": 0, "min": 0\.9\d+, "max": 0\.9\d+\}$/,
    );
    expect(lines.filter((l) => l.includes(' pressure_latency_requirement ')).length).toBe(1);
  });

  it('with several replicas exactly one acts per round, and another takes over when it stops', async () => {
    const a = optimizer({}, 'replica-a');
    const b = optimizer({}, 'replica-b');
    const [ra, rb] = await Promise.all([a.runRound(), b.runRound()]);
    expect([ra.leader, rb.leader].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = ra.leader ? [a, b] : [b, a];
    expect((await follower.runRound()).leader).toBe(false);
    expect((await leader.runRound()).leader).toBe(true);
    await leader.stop();
    expect((await follower.runRound()).leader).toBe(true);
  });

  it('dry run: records and scale_schedule are published, but not where the pod-creator reads', async () => {
    const subjects: string[] = [];
    await bus.subscribe('galileo.events.>', {
      group: 'test-dry',
      startAt: 'beginning',
      handler: (e) =>
        void (e.type === 'GalileoEvent' && e.data.name === 'scale_schedule' && subjects.push(e.subject)),
    });
    const summary = await optimizer({ schedule_scale_opt_dry_run: 'true' }).runRound();
    expect(summary).toMatchObject({ creates: 1, dryRun: true });
    await waitFor(() => subjects.length === 1, { what: 'the dry-run scale_schedule' });
    expect(subjects).toEqual([DRY_RUN_SCALE_SCHEDULE_SUBJECT]);
    await waitFor(() => lines.some((l) => l.includes(' scale_schedule ')), { what: 'the mirrored line' });
  });

  it('publishes only the records asked for', async () => {
    const summary = await optimizer({ schedule_scale_opt_records: 'api_pressure,scale_schedule' }).runRound();
    expect(summary.records).toBe(2);
    await waitFor(() => lines.length === 2, { what: 'two lines' });
    expect(lines.map((l) => l.split(' ')[1]).sort()).toEqual(['api_pressure', 'scale_schedule']);
  });

  it('runs on its interval once started', async () => {
    const o = optimizer({ schedule_scale_opt_reconcile_interval: '200ms' });
    const creates: unknown[] = [];
    await bus.subscribe(scalingSubjects.scaleSchedule(), {
      group: 'test-loop',
      startAt: 'beginning',
      handler: (e) => void creates.push(e),
    });
    await o.start();
    await waitFor(() => creates.length >= 2, { what: 'two rounds' });
  });
});
