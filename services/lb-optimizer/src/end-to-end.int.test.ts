import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus } from '@galileo/bus';
import { podJson } from '@galileo/context';
import { galileoCatalogue, galileoSubjects, tracesOf, type RequestTrace } from '@galileo/events';
import { createRoutingTable } from '@galileo/routing';
import { createSampleApp, type SampleApp } from '@galileo/sample-app';
import { freePort, redisTestContext, testEtcdHost, testEtcdPrefix, waitFor } from '@galileo/testing';
import { Etcd3 } from 'etcd3';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { emulateNode, type EmulatedNode } from './test-support/emulated-node.js';
import { startServiceProcess, type ServiceProcess } from './test-support/service-process.js';

// The whole path as deployed, every service a process started from its main.ts: a worker (zone a)
// → the zone's load balancer → sample-app replicas (a1, a2 in zone a; b1 in zone b behind zone b's
// balancer), the lb-optimizer computing weights from the bus (pods as pod/running events, node
// telemetry, the worker's traces) and writing them to the real etcd. Every replica's node has a real
// telemd measuring it; as all "nodes" share this machine's cores, each is emulated by a /proc view
// that counts the CPU time of the node's own processes (test-support/emulated-node.ts). The test then
// makes node a1 busy — a process spinning on a CPU, added to a1 — and the optimizer moves zone a's
// traffic to a2.
const etcd = new Etcd3({ hosts: `http://${testEtcdHost()}` });
const t = redisTestContext('e2e-lb');
const prefix = `${testEtcdPrefix('e2e')}golb/function/`;
const processes: ServiceProcess[] = [];
const apps: SampleApp[] = [];
const dir = mkdtempSync(join(tmpdir(), 'galileo-e2e-lb-'));
const emulated: EmulatedNode[] = [];
let burner: ChildProcess | undefined;

afterAll(async () => {
  burner?.kill('SIGKILL');
  emulated.forEach((n) => n.stop());
  await Promise.all(processes.map((p) => p.stop()));
  await Promise.all(apps.map((a) => a.stop()));
  await etcd.delete().prefix(prefix);
  etcd.close();
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('worker → load balancers → sample-app replicas in two zones, weights from the lb-optimizer', () => {
  it('shifts zone a’s weight away from the replica whose node turns busy', async () => {
    const bus = createBus({
      redis: t.connect(),
      catalogue: galileoCatalogue,
      source: 'e2e-test',
      prefix: t.prefix,
      streamRefreshMs: 100,
    });
    const ports = { a1: 0, a2: 0, b1: 0 };
    for (const name of ['a1', 'a2', 'b1'] as const) {
      const app = createSampleApp({ port: 0, host: '127.0.0.1', name });
      apps.push(app);
      ports[name] = (await app.start()).port;
    }
    const lbA = await freePort();
    const lbB = await freePort();
    const nodes: Record<string, { zone: string; client?: boolean }> = {
      'client-a': { zone: 'zone-a', client: true },
      'lb-a': { zone: 'zone-a' },
      'lb-b': { zone: 'zone-b' },
      a1: { zone: 'zone-a' },
      a2: { zone: 'zone-a' },
      b1: { zone: 'zone-b' },
    };
    // a telemd per replica node, on the node's emulated /proc (CPU only)
    const replicaNodes = {
      a1: emulateNode(join(dir, 'a1')),
      a2: emulateNode(join(dir, 'a2')),
      b1: emulateNode(join(dir, 'b1')),
    };
    emulated.push(...Object.values(replicaNodes));
    for (const [node, view] of Object.entries(replicaNodes)) {
      processes.push(
        startServiceProcess('telemd', {
          telemd_redis_url: 'redis://127.0.0.1:6379',
          telemd_redis_key_prefix: t.prefix,
          telemd_nodename: node,
          telemd_proc_mount: view.procMount,
          telemd_instruments_enable: 'cpu',
          telemd_period_cpu: '250ms',
          telemd_http_port: '0',
        }),
      );
    }
    // telemd writes the node info hashes of its nodes (replacing them): the labels and allocatable
    // the kubernetes adapter would add go in after it
    await waitFor(
      async () =>
        (
          await Promise.all(
            Object.keys(replicaNodes).map((n) => t.redis.exists(`${t.prefix}telemd.info:${n}`)),
          )
        ).every((e) => e === 1),
      { timeoutMs: 60_000, what: 'telemd to write the node infos' },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${processes.map((p) => p.output().slice(-2000)).join('\n----\n')}`);
    });
    for (const [node, { zone, client }] of Object.entries(nodes)) {
      const labels: Record<string, string> = { 'ether.edgerun.io/zone': zone };
      if (client) labels['node-role.kubernetes.io/client'] = 'true';
      await t.redis.hset(`${t.prefix}telemd.info:${node}`, {
        cpus: '1',
        labels: JSON.stringify(labels),
        allocatable: JSON.stringify({ cpu: '1' }),
      });
    }
    const graph = join(dir, 'latency.json');
    writeFileSync(
      graph,
      JSON.stringify({
        a1: { 'lb-a': 2 },
        a2: { 'lb-a': 2 },
        b1: { 'lb-b': 2 },
        'lb-a': { 'lb-b': 25 },
        'client-a': { 'lb-a': 1 },
      }),
    );

    const common = {
      galileo_redis_url: 'redis://127.0.0.1:6379',
      galileo_redis_key_prefix: t.prefix,
      galileo_logging_level: 'info',
    };
    const lb = (zone: string, node: string, port: number, gateway: number) =>
      startServiceProcess('load-balancer', {
        ...common,
        eb_go_lb_zone: zone,
        eb_go_lb_node_name: node,
        eb_go_lb_listen_port: String(port),
        eb_go_lb_listen_host: '127.0.0.1',
        eb_go_lb_etcd_host: testEtcdHost(),
        eb_go_lb_key_prefix: prefix,
        eb_go_lb_gateways: `127.0.0.1:${gateway}`,
        eb_go_lb_mode: 'prod',
      });
    processes.push(lb('zone-a', 'lb-a', lbA, lbB), lb('zone-b', 'lb-b', lbB, lbA));
    const optimizer = startServiceProcess('lb-optimizer', {
      ...common,
      osmotic_lb_opt_etcd_host: testEtcdHost().split(':')[0]!,
      osmotic_lb_opt_etcd_port: testEtcdHost().split(':')[1]!,
      osmotic_lb_opt_key_prefix: prefix,
      osmotic_lb_opt_reconcile_interval: '500ms',
      osmotic_lb_opt_lookback: '2',
      osmotic_lb_opt_node_info_refresh: '1s',
      // latencies learned from the traces on this loaded machine may reach tens of ms: keep the penalty ≈ 1
      osmotic_lb_opt_midpoint: '500',
      // headroom 0.5 − utilisation: a1 counts as full once its spinning process has half a core,
      // which it gets even while other test files keep this machine busy
      osmotic_lb_opt_threshold_busy: '0.5',
      galileo_context_latency_graph_json: graph,
    });
    const worker = startServiceProcess('worker', { ...common, galileo_worker_name: 'client-a' });
    processes.push(optimizer, worker);

    // the cluster as the telemd-kubernetes-adapter would announce it
    const pods = [
      podJson({ name: 'gateway-a', node: 'lb-a', ip: '127.0.0.1', port: lbA, type: 'api-gateway' }),
      podJson({ name: 'gateway-b', node: 'lb-b', ip: '127.0.0.1', port: lbB, type: 'api-gateway' }),
      podJson({
        name: 'busy-deployment-a1',
        node: 'a1',
        ip: '127.0.0.1',
        port: ports.a1,
        fn: 'busy',
        type: 'fn',
      }),
      podJson({
        name: 'busy-deployment-a2',
        node: 'a2',
        ip: '127.0.0.1',
        port: ports.a2,
        fn: 'busy',
        type: 'fn',
      }),
      podJson({
        name: 'busy-deployment-b1',
        node: 'b1',
        ip: '127.0.0.1',
        port: ports.b1,
        fn: 'busy',
        type: 'fn',
      }),
    ];
    for (const pod of pods) {
      await bus.publish(galileoSubjects.events('pod/running'), {
        type: 'GalileoEvent',
        data: { name: 'pod/running', timestamp: Date.now() / 1000, value: pod },
      });
    }

    const zoneA = async () => {
      const raw = await etcd.get(`${prefix}zone-a/busy`).string();
      return raw === null ? null : (JSON.parse(raw) as { ips: string[]; weights: number[] });
    };
    const weightOf = (v: { ips: string[]; weights: number[] } | null, port: number) =>
      v?.weights[v.ips.indexOf(`127.0.0.1:${port}`)] ?? -1;
    const failed = () => processes.map((p) => p.output().slice(-3000)).join('\n----\n');
    const calm = await waitFor(
      async () => {
        const v = await zoneA();
        return v && weightOf(v, ports.a1) > 30 && weightOf(v, ports.a2) > 30 ? v : null;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the first weights of zone a' },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${failed()}`);
    });
    expect(calm.ips).toContain(`127.0.0.1:${lbB}`); // zone b's gateway, weight 1
    expect(weightOf(calm, lbB)).toBe(1);
    const zoneB = JSON.parse((await etcd.get(`${prefix}zone-b/busy`).string())!) as {
      ips: string[];
      weights: number[];
    };
    expect(zoneB.ips).toEqual([`127.0.0.1:${ports.b1}`, `127.0.0.1:${lbA}`]);

    // the worker: routing table busy → zone a's balancer; clients request /function/busy
    await createRoutingTable(t.redis, { prefix: t.prefix }).setRecord({
      service: 'busy',
      hosts: [`127.0.0.1:${lbA}`],
    });
    await waitFor(
      () =>
        bus.request(
          galileoSubjects.workerCommand('client-a', 'ping'),
          { type: 'PingWorker', data: {} },
          { timeoutMs: 2_000 },
        ),
      {
        timeoutMs: 60_000,
        what: 'the worker to answer',
      },
    );
    const traces: RequestTrace[] = [];
    const sub = await bus.subscribe('galileo.traces.>', {
      group: 'e2e-test',
      startAt: 'beginning',
      handler: (e) => {
        traces.push(...tracesOf(e));
      },
    });
    const group = (await bus.request(
      galileoSubjects.workerCommand('client-a', 'spawn'),
      {
        type: 'SpawnClientGroup',
        data: { service: 'busy', clients: 2, parameters: { path: '/function/busy' } },
      },
      { timeoutMs: 10_000 },
    )) as { groupId: string };
    await bus.request(
      galileoSubjects.workerCommand('client-a', 'workload'),
      { type: 'SetWorkload', data: { groupId: group.groupId, rate: 20 } },
      { timeoutMs: 10_000 },
    );

    const servedBy = (tr: RequestTrace) => {
      const final = (JSON.parse(tr.headers ?? '{}') as Record<string, string>)['x-final-host'] ?? '';
      return final.split(',').at(-1)!.trim();
    };
    await waitFor(() => traces.filter((tr) => tr.status === 200).length >= 100, {
      timeoutMs: 60_000,
      what: '100 traces',
    });
    const before = traces.filter((tr) => tr.status === 200).map(servedBy);
    const share = (hosts: string[], port: number) =>
      hosts.filter((h) => h === `127.0.0.1:${port}`).length / hosts.length;
    expect(share(before, ports.a1)).toBeGreaterThan(0.3);
    expect(share(before, ports.a2)).toBeGreaterThan(0.3);

    // node a1 turns busy: a process spinning on a CPU runs on it
    burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => burner!.once('spawn', resolve).once('error', reject));
    replicaNodes.a1.addProcess(burner.pid!);
    const busy = await waitFor(
      async () => {
        const v = await zoneA();
        return v && weightOf(v, ports.a1) < 15 && weightOf(v, ports.a2) > 30 ? v : null;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the weights to move away from a1' },
    );
    expect(weightOf(busy, ports.a1)).toBeGreaterThanOrEqual(1); // never 0
    const mark = traces.length;
    await waitFor(() => traces.length >= mark + 100, { timeoutMs: 60_000, what: '100 more traces' });
    const after = traces
      .slice(mark + 10)
      .filter((tr) => tr.status === 200)
      .map(servedBy); // +10: requests in flight at the change
    expect(share(after, ports.a2)).toBeGreaterThan(0.75);
    expect(share(after, ports.a1)).toBeLessThan(0.25);
    expect(traces.filter((tr) => tr.status !== 200)).toEqual([]);

    // one WRR round through zone a's balancer reaches zone b's replica through zone b's gateway
    const sum = busy.weights.reduce((s, w) => s + w, 0);
    const chains: string[] = [];
    for (let i = 0; i < sum + 5; i++) {
      const res = await request(`http://127.0.0.1:${lbA}/function/busy`);
      await res.body.text();
      chains.push(String(res.headers['x-final-host']));
    }
    expect(chains).toContain(`127.0.0.1:${lbB}, 127.0.0.1:${ports.b1}`);

    await sub.stop();
    await bus.close();
  }, 240_000);
});
