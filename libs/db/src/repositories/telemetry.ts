import { insertIgnoringDuplicates, type BulkInsert } from '../bulk-insert.js';
import { fitChars, fitCharsOrNull, limits } from '../column-limits.js';
import type { Prisma } from '../generated/mysql/client.js';
import type { Session, SqlValue } from '../session.js';
import type { TelemetryQuery, TelemetryRecord, TelemetryRepository } from '../types.js';
import { RowCheck } from './rows.js';

const target: BulkInsert = {
  table: 'telemetry',
  columns: ['EXP_ID', 'TIMESTAMP', 'METRIC', 'SUBSYSTEM', 'NODE', 'VALUE'],
};

export function telemetryRows(points: readonly TelemetryRecord[], check: RowCheck): SqlValue[][] {
  const rows: SqlValue[][] = [];
  points.forEach((p, i) => {
    if (!check.identity(i, 'experimentId', p.experimentId, limits.experimentId)) return;
    if (!check.finite(i, 'timestamp', p.timestamp) || !check.finite(i, 'value', p.value)) return;
    if (!check.text(i, 'metric', p.metric) || !check.text(i, 'node', p.node)) return;
    rows.push([
      p.experimentId,
      p.timestamp,
      fitChars(p.metric, limits.metric),
      fitCharsOrNull(p.subsystem, limits.subsystem),
      fitChars(p.node, limits.node),
      p.value,
    ]);
  });
  return rows;
}

function where(query: Omit<TelemetryQuery, 'limit'>): Prisma.TelemetryWhereInput {
  const timestamp: Prisma.FloatFilter = {};
  if (query.from !== undefined) timestamp.gte = query.from;
  if (query.to !== undefined) timestamp.lte = query.to;
  return {
    experimentId: query.experimentId,
    ...(query.node !== undefined ? { node: query.node } : {}),
    ...(query.metric !== undefined ? { metric: query.metric } : {}),
    ...(Object.keys(timestamp).length > 0 ? { timestamp } : {}),
  };
}

export function telemetryRepository(session: Session): TelemetryRepository {
  return {
    insertMany: async (points) => {
      const check = new RowCheck();
      const rows = telemetryRows(points, check);
      const inserted = await insertIgnoringDuplicates(session, target, rows);
      return { inserted, duplicates: rows.length - inserted, rejected: check.rejected };
    },
    list: (query) =>
      session.use(async (prisma) => {
        const rows = await prisma.telemetry.findMany({
          where: where(query),
          orderBy: [{ timestamp: 'asc' }, { node: 'asc' }, { metric: 'asc' }, { subsystemKey: 'asc' }],
          ...(query.limit !== undefined ? { take: query.limit } : {}),
        });
        return rows.map((r): TelemetryRecord => ({
          experimentId: r.experimentId,
          timestamp: r.timestamp,
          metric: r.metric,
          node: r.node,
          value: r.value,
          subsystem: r.subsystem,
        }));
      }),
    count: (query) => session.use((prisma) => prisma.telemetry.count({ where: where(query) })),
  };
}
