// npm run bench:recorder [-- --quick] [-- --records N | --traces N --telemetry N] [-- --traces-per-event N]
// [-- --cpu-prof[=dir]]
// (env BENCH_BATCH: galileo_recorder_batch_size of the recorders; BENCH_BUS_READS: their
// galileo_recorder_bus_reads, resp or ioredis, for A/B runs; BENCH_CLOCK=1: monotonic µs on
// the log lines, to cut a whole-process `node --cpu-prof` profile into its phases)
// --cpu-prof[=dir]: a V8 CPU profile of the Influx drain alone (the recorder runs in this process;
// node:inspector's profiler runs from its start to its last point), written to dir (default a
// fresh temp dir, printed) as recorder-influx-<time>.cpuprofile (the profiler's overhead is in
// that run's influxCpuUsPerRecord); summarize it with
// `npx tsx bench/worker-bench-profile.ts <file>`.
// 500,000 traces and 500,000 telemetry points published on the bus (--quick: 25,000 each), then
// recorded by the recorder: once into InfluxDB's write API (VictoriaMetrics at 127.0.0.1:8428) and
// once into MariaDB, each a recorder group of its own reading the same streams (as two recorders
// with different galileo_recorder_name would). Traces are published as the worker does:
// TraceBatchRecorded events of --traces-per-event traces (default TRACES_PER_EVENT, 250, what a
// worker at load sends; at most MAX_TRACES_PER_BATCH); telemetry as telemd does, one
// TelemetryReported per reading. Peers in the same run: the raw ceilings, i.e. the
// same trace lines POSTed straight to /api/v2/write in large batches, and multi-row INSERTs of the
// same rows straight through the mariadb driver, each run before and again after its store's drain
// (the ratio is to their mean). Prints one JSON object last.
import { createBus, type PublishItem } from '@galileo/bus';
import { openDatabase } from '@galileo/db';
import {
  experimentSubjects,
  galileoCatalogue,
  galileoSubjects,
  MAX_TRACES_PER_BATCH,
  TRACES_PER_EVENT as WORKER_TRACES_PER_EVENT,
  type GalileoCatalogue,
  type RequestTrace,
} from '@galileo/events';
import { createLogger } from '@galileo/logging';
import { createRecorder, loadRecorderConfig, type Recorder } from '@galileo/recorder';
import {
  deleteKeysWithPrefix,
  mariadbTestDatabase,
  testPrefix,
  testVictoriaMetricsUrl,
} from '@galileo/testing';
import { createInfluxWriter, traceLine } from '@galileo/timeseries';
import { Agent, request } from 'undici';
import { InfluxDB } from '@influxdata/influxdb-client';
import { Redis } from 'ioredis';
import { createPool } from 'mariadb';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const quick = process.argv.includes('--quick');
const argValue = (name: string): number | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
};
// --records N: N traces and N readings (profiling runs between --quick and the full size);
// --traces N / --telemetry N set one of them
const RECORDS = argValue('--records') ?? (quick ? 25_000 : 500_000);
const TRACES = argValue('--traces') ?? RECORDS;
const TELEMETRY = argValue('--telemetry') ?? RECORDS;
const RAW_INFLUX_LINES = quick ? 60_000 : 500_000;
const RAW_SQL_ROWS = quick ? 20_000 : 200_000;
const TRACES_PER_EVENT = argValue('--traces-per-event') ?? WORKER_TRACES_PER_EVENT;
if (!Number.isInteger(TRACES_PER_EVENT) || TRACES_PER_EVENT < 1 || TRACES_PER_EVENT > MAX_TRACES_PER_BATCH)
  throw new Error(`--traces-per-event must be an integer in 1..${MAX_TRACES_PER_BATCH}`);
const cpuProfArg = process.argv.find((a) => a === '--cpu-prof' || a.startsWith('--cpu-prof='));
const CPU_PROF_DIR = cpuProfArg
  ? cpuProfArg.includes('=')
    ? cpuProfArg.slice(cpuProfArg.indexOf('=') + 1)
    : mkdtempSync(join(tmpdir(), 'galileo-bench-recorder-prof-'))
  : null;
const vmUrl = process.env.GALILEO_BENCH_VICTORIA_URL ?? testVictoriaMetricsUrl();
const redisUrl = process.env.GALILEO_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = (m: string) =>
  process.stderr.write(process.env.BENCH_CLOCK ? `[${process.hrtime.bigint() / 1000n}] ${m}\n` : `${m}\n`);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

const prefix = testPrefix('bench-recorder');
const exp = `bench-${Date.now().toString(36)}`;
const base = Date.now() / 1000 - 3600;

// a trace as a worker makes it (~350 bytes of envelope): short body, a few headers
const trace = (i: number): RequestTrace => ({
  request_id: `${exp}:${i}`.slice(-36),
  client: `w${i % 4}:svc:${i % 16}`,
  service: 'svc',
  created: base + i * 0.0005,
  sent: base + i * 0.0005 + 0.0001,
  done: base + i * 0.0005 + 0.004,
  status: 200,
  server: `10.0.0.${i % 8}:8080`,
  exp_id: exp,
  headers: '{"Content-Type": "application/json", "Content-Length": "17", "X-Start": "1", "X-End": "2"}',
  response: '{"ok": true, "n": 1}',
});
const reading = (i: number) => ({
  node: `node${i % 20}`,
  metric: i % 2 ? 'cpu' : 'ram',
  subsystem: null,
  timestamp: base + Math.floor(i / 20) * 0.001,
  value: i % 100,
});

/** The raw ceiling: the same trace lines POSTed straight to /api/v2/write (undici), 20,000 per request, 2 in flight. */
async function rawInflux(run: string): Promise<number> {
  const agent = new Agent({ connections: 4 });
  const lines = Array.from({ length: RAW_INFLUX_LINES }, (_, i) =>
    traceLine({ ...toRecord(trace(i)), experimentId: `${exp}-raw-${run}` }),
  );
  const post = async (body: string) => {
    const res = await request(`${vmUrl}/api/v2/write?org=galileo&bucket=bench&precision=ns`, {
      method: 'POST',
      dispatcher: agent,
      body,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    await res.body.text();
    if (res.statusCode !== 204) throw new Error(`raw write: HTTP ${res.statusCode}`);
  };
  const started = performance.now();
  const batch = 20_000;
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < lines.length; i += batch) {
    const p: Promise<void> = post(lines.slice(i, i + batch).join('\n')).then(() => void inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 2) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - started;
  await agent.close();
  return rate(RAW_INFLUX_LINES, ms);
}

/** The same lines through @influxdata/influxdb-client's WriteApi (batches of 20,000, then flush). */
async function clientLibraryInflux(): Promise<number> {
  const lines = Array.from({ length: RAW_INFLUX_LINES }, (_, i) =>
    traceLine({ ...toRecord(trace(i)), experimentId: `${exp}-lib` }),
  );
  const api = new InfluxDB({ url: vmUrl, token: 'x', timeout: 60_000 }).getWriteApi(
    'galileo',
    'bench',
    'ns',
    {
      batchSize: 20_000,
      flushInterval: 0,
      maxRetries: 0,
      gzipThreshold: Number.MAX_SAFE_INTEGER,
    },
  );
  const started = performance.now();
  for (let i = 0; i < lines.length; i += 20_000) {
    api.writeRecords(lines.slice(i, i + 20_000));
    await api.flush();
  }
  const ms = performance.now() - started;
  await api.close();
  return rate(RAW_INFLUX_LINES, ms);
}

function toRecord(t: RequestTrace) {
  return {
    requestId: t.request_id,
    client: t.client,
    service: t.service,
    created: t.created,
    sent: t.sent,
    done: t.done,
    status: t.status,
    server: t.server,
    experimentId: t.exp_id,
    headers: t.headers,
    response: t.response,
  };
}

async function rawMariadb(
  db: {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
  },
  run: string,
): Promise<number> {
  const pool = createPool({ ...db, connectionLimit: 2 });
  const table = `traces_raw_${run}`;
  await pool.query(`CREATE TABLE ${table} LIKE traces`);
  const perStatement = 1000;
  const tuple = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const sql = `INSERT INTO ${table} (REQUEST_ID, CLIENT, SERVICE, CREATED, SENT, DONE, STATUS, RESPONSE, HEADERS, SERVER, EXP_ID) VALUES ${Array.from({ length: perStatement }, () => tuple).join(', ')}`;
  const values = (from: number) =>
    Array.from({ length: perStatement }, (_, k) => {
      const t = trace(from + k);
      return [
        t.request_id,
        t.client,
        t.service,
        t.created,
        t.sent,
        t.done,
        t.status,
        t.response,
        t.headers,
        t.server,
        t.exp_id,
      ];
    }).flat();
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < RAW_SQL_ROWS; i += perStatement) {
    const p: Promise<void> = pool.query(sql, values(i)).then(() => void inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 2) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const ms = performance.now() - started;
  await pool.end();
  return rate(RAW_SQL_ROWS, ms);
}

/** Profiles what runs until the returned function is called, and writes the profile to CPU_PROF_DIR. */
async function startCpuProfile(name: string): Promise<() => Promise<void>> {
  if (CPU_PROF_DIR === null) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(CPU_PROF_DIR, { recursive: true });
    const file = join(CPU_PROF_DIR, `recorder-${name}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    log(`${name}: CPU profile of the drain in ${file}`);
  };
}

async function drain(
  name: string,
  recorder: Recorder,
  done: () => boolean,
  profile = false,
): Promise<{ ms: number; tracesMs: number; lag: number; cpuMs: number }> {
  const stopProfile = profile ? await startCpuProfile(name) : async () => undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let tracesMs = -1;
  if (process.env.BENCH_CLOCK) log(`${name}: start`);
  await recorder.start();
  for (;;) {
    const s = recorder.stats();
    const stored = Object.values(s.stored)[0]!;
    if (tracesMs < 0 && stored.traces >= TRACES) tracesMs = performance.now() - started;
    if (done()) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  await stopProfile();
  const lag = await recorder.lag();
  log(
    `${name}: drained in ${Math.round(ms)} ms (traces in ${Math.round(tracesMs)} ms), lag ${JSON.stringify(lag)}`,
  );
  return { ms, tracesMs, lag: lag.pending + lag.behind, cpuMs };
}

async function main() {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const m = await mariadbTestDatabase('bench_recorder');
  const logger = createLogger({ service: 'bench', level: 'warn' });
  try {
    const env = {
      galileo_redis_key_prefix: prefix,
      galileo_expdb_mysql_host: m.host,
      galileo_expdb_mysql_port: String(m.port),
      galileo_expdb_mysql_user: m.user,
      galileo_expdb_mysql_db: m.database,
      ...(m.password ? { galileo_expdb_mysql_password: m.password } : {}),
      galileo_expdb_influxdb_url: vmUrl,
      galileo_expdb_influxdb_bucket: 'bench',
      galileo_recorder_ingest_pubsub: 'false',
      ...(process.env.BENCH_BATCH ? { galileo_recorder_batch_size: process.env.BENCH_BATCH } : {}),
      ...(process.env.BENCH_BUS_READS ? { galileo_recorder_bus_reads: process.env.BENCH_BUS_READS } : {}),
    };
    const configFor = (driver: string, name: string) => {
      const loaded = loadRecorderConfig({
        ...env,
        galileo_expdb_driver: driver,
        galileo_recorder_name: name,
      });
      if (!loaded.ok) throw loaded.error;
      return loaded.value;
    };
    // the tables, through the migrations
    const setupDb = await openDatabase(configFor('mysql', 'setup').db);
    await setupDb.close();

    // The raw ceilings are measured before and again after each store's drain (VictoriaMetrics'
    // own speed swings by 2× from minute to minute on this shared machine: its background merges,
    // the other tenants); the ratio is taken to their mean, the ceiling of the same minutes.
    log('raw ceilings …');
    const rawInfluxBefore = await rawInflux('before');
    const rawMariadbBefore = await rawMariadb({ ...m }, 'before');
    const clientLibraryLinesPerSec = await clientLibraryInflux();
    log(`raw: ${rawInfluxBefore} lines/s into the write API, ${rawMariadbBefore} rows/s multi-row INSERT`);

    // the backlog: everything on the bus first, so the recorders' figures are theirs alone
    const bus = createBus({ redis, catalogue: galileoCatalogue, source: 'bench', prefix, trimIntervalMs: 0 });
    await bus.publish(experimentSubjects.lifecycle(exp, 'ExperimentStarted'), {
      type: 'ExperimentStarted',
      data: { id: exp, start: base - 1, daemon: 'bench' },
    });
    const publishStarted = performance.now();
    // per round: `chunk` traces in TraceBatchRecorded events of TRACES_PER_EVENT (one service, one
    // experiment, correlationId = the experiment, as the worker's trace batcher publishes them),
    // and `chunk` readings, one TelemetryReported each (as telemd publishes them)
    const chunk = Math.max(1000, TRACES_PER_EVENT);
    let traceEvents = 0;
    for (let i = 0; i < Math.max(TRACES, TELEMETRY); i += chunk) {
      const items: PublishItem<GalileoCatalogue>[] = [];
      for (let k = i; k < Math.min(i + chunk, TRACES); k += TRACES_PER_EVENT) {
        const traces: RequestTrace[] = [];
        for (let j = k; j < Math.min(k + TRACES_PER_EVENT, i + chunk, TRACES); j++) traces.push(trace(j));
        items.push({
          subject: galileoSubjects.traces('svc'),
          draft: { type: 'TraceBatchRecorded', data: { traces }, correlationId: exp },
        });
        traceEvents++;
      }
      for (let k = i; k < Math.min(i + chunk, TELEMETRY); k++) {
        const r = reading(k);
        items.push({
          subject: galileoSubjects.telemetry(r.node, r.metric),
          draft: { type: 'TelemetryReported', data: r },
        });
      }
      await bus.publishBatch(items);
    }
    const publishMs = performance.now() - publishStarted;
    log(
      `published ${TRACES} traces in ${traceEvents} events and ${TELEMETRY} readings in ${Math.round(publishMs)} ms`,
    );

    // InfluxDB (VictoriaMetrics) recorder
    const influxConfig = configFor('influxdb', 'bench-influx');
    const influxRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const influxBus = createBus({
      redis: influxRedis,
      catalogue: galileoCatalogue,
      source: 'recorder',
      prefix,
      trimIntervalMs: 0,
      blockingReads: influxConfig.busReads,
    });
    const influx = createInfluxWriter(influxConfig.influx);
    const influxRecorder = createRecorder({
      bus: influxBus,
      redis: influxRedis,
      db: null,
      influx,
      config: influxConfig,
      logger,
    });
    const influxRun = await drain(
      'influx',
      influxRecorder,
      () => {
        const s = influxRecorder.stats().stored.influx!;
        return s.traces >= TRACES && s.telemetry >= TELEMETRY;
      },
      CPU_PROF_DIR !== null,
    );
    await influxRecorder.stop();
    await influxBus.close();
    await influx.close();
    influxRedis.disconnect();
    const rawInfluxAfter = await rawInflux('after');

    // MariaDB recorder
    const sqlConfig = configFor('mysql', 'bench-sql');
    const sqlRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const sqlBus = createBus({
      redis: sqlRedis,
      catalogue: galileoCatalogue,
      source: 'recorder',
      prefix,
      trimIntervalMs: 0,
      blockingReads: sqlConfig.busReads,
    });
    const db = await openDatabase(sqlConfig.db, { migrate: false });
    const sqlRecorder = createRecorder({
      bus: sqlBus,
      redis: sqlRedis,
      db,
      influx: null,
      config: sqlConfig,
      logger,
    });
    const sqlRun = await drain('mariadb', sqlRecorder, () => {
      const s = sqlRecorder.stats().stored.sql!;
      return s.traces >= TRACES && s.telemetry >= TELEMETRY;
    });
    const rawMariadbAfter = await rawMariadb({ ...m }, 'after');
    const storedTraces = await db.traces.count({ experimentId: exp });
    const storedTelemetry = await db.telemetry.count({ experimentId: exp });
    await sqlRecorder.stop();
    await sqlBus.close();
    await db.close();
    sqlRedis.disconnect();
    await bus.close();

    const rawInfluxLinesPerSec = Math.round((rawInfluxBefore + rawInfluxAfter) / 2);
    const rawMariadbRowsPerSec = Math.round((rawMariadbBefore + rawMariadbAfter) / 2);
    const influxTracesPerSec = rate(TRACES, influxRun.tracesMs);
    const influxPointsPerSec = rate(TRACES + TELEMETRY, influxRun.ms);
    const mariadbRowsPerSec = rate(TRACES + TELEMETRY, sqlRun.ms);
    const result = {
      bench: 'recorder',
      quick,
      traces: TRACES,
      telemetry: TELEMETRY,
      tracesPerEvent: TRACES_PER_EVENT,
      traceEvents,
      publishPerSec: rate(TRACES + TELEMETRY, publishMs),
      influxTracesPerSec,
      influxPointsPerSec,
      mariadbRowsPerSec,
      mariadbTracesStored: storedTraces,
      mariadbTelemetryStored: storedTelemetry,
      // the mean of the peer's runs before and after the drain, and the two runs
      rawInfluxLinesPerSec,
      rawMariadbRowsPerSec,
      rawInfluxRuns: [rawInfluxBefore, rawInfluxAfter],
      rawMariadbRuns: [rawMariadbBefore, rawMariadbAfter],
      // the same lines through @influxdata/influxdb-client's WriteApi, one flush after another
      clientLibraryLinesPerSec,
      // the recorder writes traces and telemetry interleaved; the raw peer writes trace lines/rows only
      influxRatioToRaw: Number((influxPointsPerSec / rawInfluxLinesPerSec).toFixed(3)),
      // against the faster of the two write peers of this run
      influxRatioToBestPeer: Number(
        (influxPointsPerSec / Math.max(rawInfluxLinesPerSec, clientLibraryLinesPerSec)).toFixed(3),
      ),
      mariadbRatioToRaw: Number((mariadbRowsPerSec / rawMariadbRowsPerSec).toFixed(3)),
      // the recorder process's CPU (all threads: GC, the HTTP and SQL clients) per trace or reading
      influxCpuUsPerRecord: Number(((influxRun.cpuMs * 1000) / (TRACES + TELEMETRY)).toFixed(2)),
      mariadbCpuUsPerRecord: Number(((sqlRun.cpuMs * 1000) / (TRACES + TELEMETRY)).toFixed(2)),
      loadAverage: Number(loadavg()[0]!.toFixed(2)),
      finalLag: influxRun.lag + sqlRun.lag,
      targets: { influxTracesPerSec: 50_000, mariadbRowsPerSec: 20_000, ratioToRaw: 0.6 },
    };
    console.log(JSON.stringify(result));
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    await m.drop();
  }
}

await main();
process.exit(0);
