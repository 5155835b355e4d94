import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { percentileOfSorted } from '@galileo/report';
import { galileoSubjects } from '@galileo/events';
import { formatRoutingTable } from '@galileo/routing';
import { waitFor } from '@galileo/testing';
import { createConnection } from 'mariadb';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFixture, type CliFixture } from './test-support/cli-fixture.js';

let f: CliFixture;
beforeAll(async () => {
  f = await cliFixture('cli');
}, 60_000);
afterAll(async () => {
  await f?.cleanup();
});

/** Rows of one experiment straight from the database, to compare the report with. */
async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  const c = await createConnection({
    host: f.mariadb.host,
    port: f.mariadb.port,
    user: f.mariadb.user,
    password: f.mariadb.password,
    database: f.mariadb.database,
  });
  try {
    return (await c.query(query, params)) as T[];
  } finally {
    await c.end();
  }
}

async function seedExperiment(id: string, options: { requests: number; start: number }) {
  const { start } = options;
  await f.db.experiments.upsert({
    id,
    name: `seeded ${id}`,
    creator: 'test',
    start,
    end: start + 20,
    created: start - 1,
    status: 'FINISHED',
  });
  await f.db.traces.insertMany(
    Array.from({ length: options.requests }, (_, i) => {
      const created = start + (i * 20) / options.requests;
      const status = i % 50 === 7 ? 503 : i % 97 === 3 ? -1 : 200;
      return {
        requestId: `${id}:${i}`,
        client: 'w1:svc:0',
        service: i % 3 === 0 ? 'svc-b' : 'svc',
        created,
        sent: created + 0.001,
        done: created + 0.005 + ((i * 37) % 100) / 1000,
        status,
        server: '127.0.0.1:8080',
        experimentId: id,
        headers: i === 1 ? '{"a": "x,y", "b": "say \\"hi\\""}' : null,
        response: i === 2 ? 'line one\nline, two' : null,
      };
    }),
  );
  await f.db.telemetry.insertMany(
    ['node-a', 'node-b'].flatMap((node, k) =>
      Array.from({ length: 20 }, (_, s) => [
        {
          experimentId: id,
          timestamp: start + s,
          metric: 'cpu',
          node,
          value: 10 + k * 30 + s,
          subsystem: null,
        },
        {
          experimentId: id,
          timestamp: start + s,
          metric: 'ram',
          node,
          value: 1_000_000 + s * 1000,
          subsystem: null,
        },
      ]).flat(),
    ),
  );
  await f.db.events.insertMany([
    {
      experimentId: id,
      timestamp: start + 2,
      name: 'api_pressure',
      value: JSON.stringify({ zone: 'zone-a', mean: 0.8 }),
      eventId: `${id}-e1`,
    },
    {
      experimentId: id,
      timestamp: start + 5,
      name: 'scale_schedule',
      value: JSON.stringify({
        fn: 'svc',
        pod: { pod_name: 'svc-1', labels: { 'ether.edgerun.io/zone': 'zone-a' } },
        delete: false,
      }),
      eventId: `${id}-e2`,
    },
    {
      experimentId: id,
      timestamp: start + 8,
      name: 'pod/running',
      value: JSON.stringify({ name: 'svc-2', labels: { 'ether.edgerun.io/zone': 'zone-b' } }),
      eventId: `${id}-e3`,
    },
    {
      experimentId: id,
      timestamp: start + 15,
      name: 'pod/delete',
      value: JSON.stringify({ name: 'svc-1', labels: { 'ether.edgerun.io/zone': 'zone-a' } }),
      eventId: `${id}-e4`,
    },
  ]);
}

describe('galileo CLI (spawned, real Redis and MariaDB)', () => {
  it('answers --help for every subcommand with examples, and usage errors with exit 2', async () => {
    const top = await f.galileo(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Exit codes: 0 success, 1 failure, 2 usage error/);
    // Every subcommand's --help is checked in-process (program.test.ts); spawned here: one.
    const sub = await f.galileo(['report', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('Examples:');
    const unknown = await f.galileo(['frobnicate']);
    expect(unknown.code).toBe(2);
    const badFormat = await f.galileo(['export', 'x', '--format', 'xml']);
    expect(badFormat.code).toBe(2);
  }, 180_000);

  it('rtbl set|ls|rm writes and prints the routing table in galileo format', async () => {
    const set = await f.galileo(['rtbl', 'set', 'cli-svc', 'h1:8080,h2:8080', '1,2']);
    expect(set.code).toBe(0);
    expect(await f.ctx.redis.lrange(`${f.ctx.prefix}routing:hosts:cli-svc`, 0, -1)).toEqual([
      'h1:8080',
      'h2:8080',
    ]);
    const ls = await f.galileo(['rtbl', 'ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(
      formatRoutingTable([{ service: 'cli-svc', hosts: ['h1:8080', 'h2:8080'], weights: [1, 2] }])
        .split('\n')
        .slice(3, 5)
        .join('\n'),
    );
    const bad = await f.galileo(['rtbl', 'set', 'cli-svc', 'h1:8080', '1,2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect((await f.galileo(['rtbl', 'rm', 'cli-svc'])).code).toBe(0);
    const again = await f.galileo(['rtbl', 'rm', 'cli-svc']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/No routing record found for service 'cli-svc'/);
  }, 180_000);

  it('fails in one line that says what to do when Redis is not there', async () => {
    const r = await f.galileo(['workers'], { env: { galileo_redis_port: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach Redis.*start redis-server or set galileo_redis_host/);
  }, 90_000);

  it('run follows an experiment through a real daemon and worker to FINISHED, with progress lines', async () => {
    await f.startWorker('w1', { galileo_zone: 'A' });
    await f.startDaemon('d1');
    const file = join(f.dir, 'ramp.txt');
    await writeFile(
      file,
      '# a short ramp\nspawn w1 svc 1\nrps w1 svc 20\nsleep 3\nrps w1 svc 0\nclose w1 svc\n',
    );
    const r = await f.galileo(['run', file, '--name', 'cli-run', '--progress-interval', '500'], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const id = /queued (\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`finished ${id}`);
    const progress = r.stderr.split('\n').filter((l) => l.includes('requests'));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.some((l) => /IN_PROGRESS/.test(l))).toBe(true);
    const last = progress[progress.length - 1]!;
    const requests = Number(/requests (\d+)/.exec(last)![1]);
    expect(requests).toBeGreaterThan(20);
    expect(last).toMatch(/\/3 s .*rate [\d.]+\/s {2}errors 0 {2}p99 [\d.]+ ms {2}FINISHED/);
    expect((await f.db.experiments.get(id))?.status).toBe('FINISHED');

    // workers: names, labels, liveness
    const workers = await f.galileo(['workers', '--json']);
    expect(workers.code).toBe(0);
    const rows = JSON.parse(workers.stdout) as {
      name: string;
      alive: boolean;
      labels: Record<string, string>;
    }[];
    expect(rows).toEqual([
      expect.objectContaining({
        name: 'w1',
        alive: true,
        labels: expect.objectContaining({ galileo_zone: 'A' }),
      }),
    ]);
    const table = await f.galileo(['workers']);
    expect(table.stdout).toMatch(/\| w1 +\| yes +\| .*galileo_zone=A/);
  }, 180_000);

  it('run: Ctrl-C asks the daemon to cancel the experiment', async () => {
    const file = join(f.dir, 'long.txt');
    await writeFile(file, 'spawn w1 svc 1\nrps w1 svc 5\nsleep 20\nclose w1 svc\n');
    let sent = false;
    const r = await f.galileo(['run', file, '--progress-interval', '300'], {
      timeoutMs: 60_000,
      onOutput: (text, child) => {
        if (!sent && /requests [1-9]\d* .*IN_PROGRESS/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr.slice(-2000)).toBe(1);
    expect(r.stderr).toMatch(/cancelling/);
    const id = /queued (\S+)/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`cancelled ${id}`);
    await waitFor(async () => (await f.db.experiments.get(id))?.status === 'CANCELLED', {
      what: 'the experiment to be CANCELLED',
    });
  }, 180_000);

  it('experiments ls|show|cancel|rm on queued experiments', async () => {
    // The daemon (d1, started above) records every cancel; keep it busy so that q-1 stays queued.
    const env = {};
    const busyFile = join(f.dir, 'busy.txt');
    await writeFile(busyFile, 'spawn w1 svc 1\nsleep 60\nclose w1 svc\n');
    const busy = await f.galileo(['run', busyFile, '--no-follow', '--id', 'busy-1'], { env });
    expect(busy.code, busy.stderr).toBe(0);
    await waitFor(async () => (await f.db.experiments.get('busy-1'))?.status === 'IN_PROGRESS', {
      what: 'busy-1 IN_PROGRESS',
    });
    const stopped = await f.galileo(['run', '-', '--no-follow', '--id', 'q-1'], {
      input: JSON.stringify({
        experiment: { name: 'queued one' },
        configuration: {
          duration: '4s',
          interval: '2s',
          workloads: [{ service: 'svc', ticks: [1, 2], clients_per_host: 1, arrival_pattern: 'constant' }],
        },
      }),
      env,
    });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toBe('queued q-1\n');
    const ls = await f.galileo(['experiments', 'ls'], { env });
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/\| q-1 +\| queued one/);
    const show = await f.galileo(['experiments', 'show', 'q-1', '--json'], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ id: 'q-1', name: 'queued one' });
    const missing = await f.galileo(['experiments', 'show', 'nope'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no experiment nope: list them with galileo experiments ls/);
    const cancel = await f.galileo(['experiments', 'cancel', 'q-1'], { env });
    expect(cancel.code, cancel.stderr).toBe(0);
    await waitFor(async () => (await f.db.experiments.get('q-1'))?.status === 'CANCELLED', {
      what: 'q-1 CANCELLED',
    });
    const rm = await f.galileo(['experiments', 'rm', 'q-1'], { env });
    expect(rm.code).toBe(0);
    expect(await f.db.experiments.get('q-1')).toBeUndefined();
    expect((await f.galileo(['experiments', 'cancel', 'busy-1'], { env })).code).toBe(0);
    await waitFor(async () => (await f.db.experiments.get('busy-1'))?.status === 'CANCELLED', {
      what: 'busy-1 CANCELLED',
    });
    const invalid = await f.galileo(['run', '-', '--no-follow'], {
      input: '{"configuration": {"duration": "x"}}',
    });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/configuration\.duration/);
  }, 240_000);

  it('report prints numbers equal to the SQL rows, and writes the HTML report', async () => {
    await seedExperiment('rep-a', { requests: 1000, start: 1_700_000_000 });
    const r = await f.galileo(['report', 'rep-a', '--json', '--html', join(f.dir, 'rep-a.html')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      requests: { total: number; failed: number; byStatus: Record<string, number> };
      latencyMs: { p50: number; p90: number; p99: number; max: number };
      throughput: { requestsPerSecond: number };
      nodes: { node: string; cpuPercent: { mean: number; max: number }; memoryKb: { max: number } }[];
      pressure: unknown[];
      scaling: unknown[];
    };
    const { n } = (
      await sql<{ n: bigint }>('SELECT COUNT(*) AS n FROM traces WHERE EXP_ID = ?', ['rep-a'])
    )[0]!;
    expect(report.requests.total).toBe(Number(n));
    const byStatus = await sql<{ STATUS: number; n: bigint }>(
      'SELECT STATUS, COUNT(*) AS n FROM traces WHERE EXP_ID = ? GROUP BY STATUS',
      ['rep-a'],
    );
    expect(report.requests.byStatus).toEqual(
      Object.fromEntries(byStatus.map((s) => [String(s.STATUS), Number(s.n)])),
    );
    const { failed } = (
      await sql<{ failed: bigint }>(
        'SELECT COUNT(*) AS failed FROM traces WHERE EXP_ID = ? AND (STATUS < 0 OR STATUS >= 300)',
        ['rep-a'],
      )
    )[0]!;
    expect(report.requests.failed).toBe(Number(failed));
    const latencies = (
      await sql<{ l: number }>(
        'SELECT (DONE - CREATED) * 1000 AS l FROM traces WHERE EXP_ID = ? ORDER BY l',
        ['rep-a'],
      )
    ).map((row) => Number(row.l));
    for (const p of [50, 90, 99] as const)
      expect(report.latencyMs[`p${p}`]).toBeCloseTo(percentileOfSorted(latencies, p), 6);
    expect(report.latencyMs.max).toBeCloseTo(latencies[latencies.length - 1]!, 6);
    expect(report.throughput.requestsPerSecond).toBeCloseTo(Number(n) / 20, 6);
    const cpu = await sql<{ NODE: string; m: number; x: number }>(
      "SELECT NODE, AVG(VALUE) AS m, MAX(VALUE) AS x FROM telemetry WHERE EXP_ID = ? AND METRIC = 'cpu' GROUP BY NODE ORDER BY NODE",
      ['rep-a'],
    );
    expect(report.nodes.map((node) => [node.node, node.cpuPercent.mean, node.cpuPercent.max])).toEqual(
      cpu.map((c) => [c.NODE, expect.closeTo(Number(c.m), 6), Number(c.x)]),
    );
    expect(report.pressure).toHaveLength(1);
    expect(report.scaling).toHaveLength(3);

    const text = await f.galileo(['report', 'rep-a', '--no-html']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`requests +${Number(n)} +ok ${Number(n) - Number(failed)} +failed ${Number(failed)}`),
    );
    expect(text.stdout).toMatch(/by status +no response: \d+ {2}200: \d+ {2}503: \d+/);
    expect(text.stdout).toMatch(/latency +p50 [\d.]+ ms {2}p90 [\d.]+ ms {2}p99 [\d.]+ ms {2}max [\d.]+ ms/);
    expect(text.stdout).toMatch(/node-a .* %/);
    expect(text.stdout).toMatch(/scaling +scale_schedule ×1 {2}pod\/running ×1 {2}pod\/delete ×1/);
    expect(text.stderr).not.toMatch(/HTML report/);
  }, 180_000);

  it('the HTML report opens in headless Chromium with its charts', async () => {
    await seedExperiment('rep-b', { requests: 400, start: 1_700_001_000 });
    const html = join(f.dir, 'rep-b.html');
    const single = await f.galileo(['report', 'rep-b', '--html', html]);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stderr).toContain(`HTML report: ${html}`);
    const compare = join(f.dir, 'compare.html');
    const both = await f.galileo(['report', 'rep-a', 'rep-b', '--html', compare]);
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toMatch(/rep-a +rep-b +change/);
    expect(both.stdout).toMatch(/requests +1000\.00 +400\.00 +-60\.0 %/);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on(
        'request',
        (req) => void (req.url().startsWith('file:') ? undefined : requests.push(req.url())),
      );
      await page.goto(`file://${html}`);
      for (const id of ['chart-rate', 'chart-latency', 'chart-cpu', 'chart-replicas']) {
        const chart = page.locator(`#${id} svg`);
        expect(await chart.count(), id).toBe(1);
        expect(await page.locator(`#${id} polyline.series`).count(), id).toBeGreaterThan(0);
        expect(await page.locator(`#${id} line.marker`).count(), id).toBe(4);
        const box = await chart.boundingBox();
        expect(box!.width).toBeGreaterThan(400);
      }
      expect(await page.locator('#chart-cpu polyline[data-series="node-a"]').count()).toBe(1);
      expect(await page.locator('#chart-replicas polyline[data-series="zone-a"]').count()).toBe(1);
      expect(await page.locator('#chart-latency polyline[data-series="p99"]').count()).toBe(1);
      expect(requests).toEqual([]); // self-contained
      await page.goto(`file://${compare}`);
      expect(await page.locator('#chart-rate polyline[data-series="rep-a achieved"]').count()).toBe(1);
      expect(await page.locator('#chart-rate polyline[data-series="rep-b achieved"]').count()).toBe(1);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('export writes traces, telemetry and events as CSV and JSON lines that read back to the row counts', async () => {
    const out = join(f.dir, 'export-csv');
    const csv = await f.galileo(['export', 'rep-a', '--format', 'csv', '--out', out]);
    expect(csv.code, csv.stderr).toBe(0);
    const counts = {
      traces: Number(
        (await sql<{ n: bigint }>('SELECT COUNT(*) AS n FROM traces WHERE EXP_ID = ?', ['rep-a']))[0]!.n,
      ),
      telemetry: Number(
        (await sql<{ n: bigint }>('SELECT COUNT(*) AS n FROM telemetry WHERE EXP_ID = ?', ['rep-a']))[0]!.n,
      ),
      events: Number(
        (await sql<{ n: bigint }>('SELECT COUNT(*) AS n FROM events WHERE EXP_ID = ?', ['rep-a']))[0]!.n,
      ),
    };
    // Read back with Python's csv module (the dialect pandas.read_csv reads by default).
    const py = `import csv, json, sys\nout = {}\nfor name in ['traces', 'telemetry', 'events']:\n    with open(sys.argv[1] + '/' + name + '.csv', newline='') as f:\n        rows = list(csv.DictReader(f))\n    out[name] = {'rows': len(rows), 'columns': list(rows[0].keys()) if rows else [], 'sample': rows[:3]}\nprint(json.dumps(out))\n`;
    const read = JSON.parse(execFileSync('python3', ['-c', py, out], { encoding: 'utf8' })) as Record<
      string,
      { rows: number; columns: string[]; sample: Record<string, string>[] }
    >;
    expect(read.traces!.rows).toBe(counts.traces);
    expect(read.telemetry!.rows).toBe(counts.telemetry);
    expect(read.events!.rows).toBe(counts.events);
    expect(read.traces!.columns).toEqual([
      'request_id',
      'client',
      'service',
      'created',
      'sent',
      'done',
      'status',
      'server',
      'exp_id',
      'headers',
      'response',
    ]);
    expect(read.traces!.sample[1]!.headers).toBe('{"a": "x,y", "b": "say \\"hi\\""}');
    expect(read.traces!.sample[2]!.response).toBe('line one\nline, two');

    const jout = join(f.dir, 'export-jsonl');
    const jsonl = await f.galileo(['export', 'rep-a', '--format', 'jsonl', '--out', jout]);
    expect(jsonl.code).toBe(0);
    for (const [name, n] of Object.entries(counts)) {
      const lines = (await readFile(join(jout, `${name}.jsonl`), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(n);
      for (const l of lines.slice(0, 5)) expect(typeof JSON.parse(l)).toBe('object');
    }
    const missing = await f.galileo(['export', 'nope']);
    expect(missing.code).toBe(1);
  }, 180_000);

  it('events tail prints bus events', async () => {
    await f.bus.publish(galileoSubjects.events('cli_marker'), {
      type: 'GalileoEvent',
      data: { name: 'cli_marker', value: { x: 1 }, timestamp: 1 },
    });
    const r = await f.galileo(['events', 'tail', 'galileo.events.>', '--from', 'beginning', '--count', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /galileo\.events\.cli_marker {2}GalileoEvent {2}\{"name":"cli_marker","value":\{"x":1\},"timestamp":1\}/,
    );
    const bad = await f.galileo(['events', 'tail', 'galileo..x']);
    expect(bad.code).toBe(2);
  }, 120_000);

  it('shell: the REPL has g, show, exp, rtbl, telemd with help texts, and --source runs a script', async () => {
    const r = await f.galileo(['shell'], {
      input:
        "usage\nhelp(rtbl)\nawait rtbl.set('shell-svc', ['h9:80'], [3])\nrtbl.print()\ng.workers()\nshow.workers()\n.exit\n",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('galileo shell — objects:');
    expect(r.stdout).toContain('rtbl.updateWeights(service, weights)');
    expect(r.stdout).toMatch(/\| shell-svc +\| +h9:80 \| +3\.0 \|/);
    expect(r.stdout).toContain("'w1'");
    const script = join(f.dir, 'script.js');
    await writeFile(
      script,
      "const names = await g.workers();\nprint('workers', names.join(','));\nprint(String(await rtbl.print()));\nawait rtbl.remove('shell-svc');\n",
    );
    const s = await f.galileo(['shell', '--source', script]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('workers w1\n');
    expect(s.stdout).toContain('shell-svc');
    expect(await f.ctx.redis.exists(`${f.ctx.prefix}routing:hosts:shell-svc`)).toBe(0);
  }, 120_000);
});
