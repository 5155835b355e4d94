import { spawnSync } from 'node:child_process';
import { createConnection } from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { galileoTables } from './galileo-schema.js';
import { openDatabase } from './open-database.js';
import { testTarget, type TestTarget } from './test-support/targets.js';
import type { GalileoDatabase } from './types.js';

// galileo-db's own way of using the database (protocols §7.2): it runs its schema with
// CREATE TABLE IF NOT EXISTS at open, inserts by upper-cased field names without the columns we
// added, reads experiments with SELECT * (positionally) and the rest by field lists. The SQLite
// half runs in Python's sqlite3 module, as galileo-db does.

const fields = {
  experiment: ['id', 'name', 'creator', 'start', 'end', 'created', 'status'],
  trace: [
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
  ],
  telemetry: ['timestamp', 'metric', 'node', 'value', 'exp_id', 'subsystem'],
  event: ['exp_id', 'timestamp', 'name', 'value'],
};

/** galileo's schema script, written from the column contract: every table `IF NOT EXISTS`. */
function galileoSchemaScript(quote: (s: string) => string): string {
  return Object.entries(galileoTables)
    .map(
      ([table, columns]) =>
        `CREATE TABLE IF NOT EXISTS ${table} (${columns.map((c) => `${quote(c.name)} ${c.type === 'longtext' ? 'JSON' : c.type.toUpperCase()}${c.nullable ? '' : ' NOT NULL'}`).join(', ')});`,
    )
    .join('\n');
}

const cols = (names: readonly string[]) => names.map((n) => `\`${n.toUpperCase()}\``).join(', ');
const statements = {
  getExperiment: 'SELECT * FROM `experiments` WHERE EXP_ID = ?',
  traces: `SELECT ${cols(fields.trace)} from \`traces\` WHERE EXP_ID = ?`,
  telemetry: `SELECT ${cols(fields.telemetry)} FROM \`telemetry\` WHERE EXP_ID = ?`,
  events: `SELECT ${cols(fields.event)} FROM \`events\` WHERE EXP_ID = ?`,
  nodeinfo:
    'SELECT `NODE`, `INFO_KEY`, `INFO_VALUE` FROM `nodeinfo` WHERE EXP_ID = ? ORDER BY `NODE`, `INFO_KEY`',
  metadata: 'SELECT `DATA` FROM `metadata` WHERE EXP_ID = ?',
  saveTelemetry: `INSERT INTO \`telemetry\` (${cols(fields.telemetry)}) VALUES (${fields.telemetry.map(() => '?').join(',')})`,
  saveEvent: `INSERT INTO \`events\` (${cols(fields.event)}) VALUES (${fields.event.map(() => '?').join(',')})`,
  saveExperiment: `INSERT INTO \`experiments\` (\`NAME\`, \`CREATOR\`, \`START\`, \`END\`, \`CREATED\`, \`STATUS\`, \`EXP_ID\`) VALUES (?,?,?,?,?,?,?)`,
};

const galileoTelemetry = [
  [10.5, 'cpu', 'n1', 1.0, 'EXP', '0'],
  [10.5, 'cpu', 'n1', 2.0, 'EXP', '1'],
  [10.5, 'load', 'n1', 0.5, 'EXP', null],
];
const galileoEvent = ['EXP', 11.25, 'scale_schedule', '{"a": 1}'];

const PYTHON = `
import json, sqlite3, sys
args = json.load(sys.stdin)
db = sqlite3.connect(args['path'])
cur = db.cursor()
cur.executescript(args['schema'])
db.commit()
st = args['statements']
exp = args['exp']
out = {}
out['experiment'] = list(cur.execute(st['getExperiment'], (exp,)).fetchone())
out['traces'] = [list(r) for r in cur.execute(st['traces'], (exp,)).fetchall()]
out['telemetry'] = [list(r) for r in cur.execute(st['telemetry'], (exp,)).fetchall()]
out['events'] = [list(r) for r in cur.execute(st['events'], (exp,)).fetchall()]
out['nodeinfo'] = [list(r) for r in cur.execute(st['nodeinfo'], (exp,)).fetchall()]
out['metadata'] = json.loads(cur.execute(st['metadata'], (exp,)).fetchone()[0])
cur.executemany(st['saveTelemetry'], [[v if v != 'EXP' else args['other'] for v in row] for row in args['telemetry']])
cur.execute(st['saveEvent'], [v if v != 'EXP' else args['other'] for v in args['event']])
cur.execute(st['saveExperiment'], ('by-galileo', 'galileodb-recorder-1', 1.0, None, 1.0, 'RUNNING', args['other']))
db.commit()
print(json.dumps(out))
`;

const python = spawnSync('python3', ['-c', 'import sqlite3'], { encoding: 'utf8' }).status === 0;

async function writeOurs(db: GalileoDatabase, exp: string): Promise<void> {
  await db.experiments.upsert({
    id: exp,
    name: 'compat',
    creator: 'tester',
    start: 2.5,
    end: 9.75,
    created: 1.25,
    status: 'FINISHED',
  });
  await db.traces.insertMany([
    {
      requestId: 'a1b2c3d4e5:17',
      client: 'w1:squeezenet:0',
      service: 'squeezenet',
      created: 1603020000.1234567,
      sent: 1603020000.1235,
      done: 1603020000.2,
      status: 200,
      server: 'host1:8080',
      experimentId: exp,
      headers: '{"Content-Type": "application/json"}',
      response: '{"ok": true}',
    },
  ]);
  await db.telemetry.insertMany([
    { experimentId: exp, timestamp: 3.5, metric: 'cpu', node: 'n1', value: 42.5, subsystem: null },
  ]);
  await db.events.insertMany([
    { experimentId: exp, timestamp: 4.5, name: 'experiment_start', value: exp, eventId: '01JABC' },
  ]);
  await db.nodeinfo.save({ experimentId: exp, node: 'n1', info: { arch: 'arm64', cpus: '4' } });
  await db.metadata.save(exp, { purpose: 'compat' });
}

function expectedReads(exp: string) {
  return {
    experiment: [exp, 'compat', 'tester', 2.5, 9.75, 1.25, 'FINISHED'],
    traces: [
      [
        'a1b2c3d4e5:17',
        'w1:squeezenet:0',
        'squeezenet',
        1603020000.1234567,
        1603020000.1235,
        1603020000.2,
        200,
        'host1:8080',
        exp,
        '{"Content-Type": "application/json"}',
        '{"ok": true}',
      ],
    ],
    telemetry: [[3.5, 'cpu', 'n1', 42.5, exp, null]],
    events: [[exp, 4.5, 'experiment_start', exp]],
    nodeinfo: [
      ['n1', 'arch', 'arm64'],
      ['n1', 'cpus', '4'],
    ],
    metadata: { purpose: 'compat', exp_id: exp },
  };
}

async function expectGalileoWritesReadable(db: GalileoDatabase, other: string): Promise<void> {
  expect(await db.experiments.get(other)).toMatchObject({
    id: other,
    status: 'RUNNING',
    creator: 'galileodb-recorder-1',
  });
  expect(await db.telemetry.list({ experimentId: other })).toEqual([
    { experimentId: other, timestamp: 10.5, metric: 'cpu', node: 'n1', value: 1, subsystem: '0' },
    { experimentId: other, timestamp: 10.5, metric: 'cpu', node: 'n1', value: 2, subsystem: '1' },
    { experimentId: other, timestamp: 10.5, metric: 'load', node: 'n1', value: 0.5, subsystem: null },
  ]);
  expect(await db.events.list({ experimentId: other })).toEqual([
    { experimentId: other, timestamp: 11.25, name: 'scale_schedule', value: '{"a": 1}', eventId: null },
  ]);
}

describe("galileo-db's own statements on our SQLite file (Python sqlite3)", () => {
  let t: TestTarget;
  beforeAll(async () => {
    t = await testTarget('sqlite', 'compat');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it.skipIf(!python)('reads what we wrote, and what it writes is readable through libs/db', async () => {
    if (t.target.dialect !== 'sqlite') throw new Error('unexpected target');
    const db = await openDatabase(t.target);
    await writeOurs(db, 'exp-compat');
    await db.close();
    const run = spawnSync('python3', ['-c', PYTHON], {
      input: JSON.stringify({
        path: t.target.path,
        schema: galileoSchemaScript((s) => s),
        statements,
        exp: 'exp-compat',
        other: 'exp-galileo',
        telemetry: galileoTelemetry,
        event: galileoEvent,
      }),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(expectedReads('exp-compat'));
    const again = await openDatabase(t.target);
    await expectGalileoWritesReadable(again, 'exp-galileo');
    await again.close();
  });
});

describe("galileo-db's own statements on our MariaDB database", () => {
  let t: TestTarget;
  beforeAll(async () => {
    t = await testTarget('mysql', 'compat');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('reads what we wrote, and what it writes is readable through libs/db', async () => {
    if (t.target.dialect !== 'mysql') throw new Error('unexpected target');
    const db = await openDatabase(t.target);
    await writeOurs(db, 'exp-compat');
    const connection = await createConnection({
      ...t.target,
      password: t.target.password ?? '',
      multipleStatements: true,
    });
    try {
      await connection.query(galileoSchemaScript((s) => `\`${s}\``));
      const one = async (sql: string) =>
        Object.values(
          ((await connection.query({ sql, rowsAsArray: true }, ['exp-compat'])) as unknown[][])[0]!,
        );
      const all = async (sql: string) =>
        (await connection.query({ sql, rowsAsArray: true }, ['exp-compat'])) as unknown[][];
      const reads = {
        experiment: await one(statements.getExperiment),
        traces: await all(statements.traces),
        telemetry: await all(statements.telemetry),
        events: await all(statements.events),
        nodeinfo: await all(statements.nodeinfo),
        // mysql-connector (galileo's driver) returns the JSON text; this driver parses it already.
        metadata: ((value: unknown) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value))(
          (await one(statements.metadata))[0],
        ),
      };
      expect(reads).toEqual(expectedReads('exp-compat'));
      const other = 'exp-galileo';
      const swap = (row: readonly unknown[]) => row.map((v) => (v === 'EXP' ? other : v));
      await connection.batch(statements.saveTelemetry, galileoTelemetry.map(swap));
      await connection.query(statements.saveEvent, swap(galileoEvent));
      await connection.query(statements.saveExperiment, [
        'by-galileo',
        'galileodb-recorder-1',
        1.0,
        null,
        1.0,
        'RUNNING',
        other,
      ]);
    } finally {
      await connection.end();
    }
    await expectGalileoWritesReadable(db, 'exp-galileo');
    await db.close();
  });
});
