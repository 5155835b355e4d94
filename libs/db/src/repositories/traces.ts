import { insertIgnoringDuplicates, type BulkInsert } from '../bulk-insert.js';
import { fitBytesOrNull, fitChars, fitCharsOrNull, limits } from '../column-limits.js';
import type { Session, SqlValue } from '../session.js';
import type { Prisma } from '../generated/mysql/client.js';
import type { TraceQuery, TraceRecord, TraceRepository } from '../types.js';
import { RowCheck } from './rows.js';

const target: BulkInsert = {
  table: 'traces',
  columns: [
    'REQUEST_ID',
    'CLIENT',
    'SERVICE',
    'CREATED',
    'SENT',
    'DONE',
    'STATUS',
    'SERVER',
    'EXP_ID',
    'HEADERS',
    'RESPONSE',
  ],
};

/** Validates and fits the traces; returns the rows to insert in `target.columns` order. */
export function traceRows(traces: readonly TraceRecord[], check: RowCheck): SqlValue[][] {
  const rows: SqlValue[][] = [];
  traces.forEach((t, i) => {
    if (!check.identity(i, 'requestId', t.requestId, limits.requestId)) return;
    if (!check.text(i, 'client', t.client) || !check.text(i, 'service', t.service)) return;
    if (
      !check.finite(i, 'created', t.created) ||
      !check.finite(i, 'sent', t.sent) ||
      !check.finite(i, 'done', t.done)
    )
      return;
    if (t.status !== null && t.status !== undefined && !Number.isInteger(t.status)) {
      check.reject(i, `status must be an integer or null, got ${String(t.status)}`);
      return;
    }
    const expId = t.experimentId ?? null;
    if (expId !== null && !check.identity(i, 'experimentId', expId, limits.experimentId)) return;
    rows.push([
      t.requestId,
      fitChars(t.client, limits.client),
      fitChars(t.service, limits.service),
      t.created,
      t.sent,
      t.done,
      t.status ?? null,
      fitCharsOrNull(t.server, limits.server),
      expId,
      fitBytesOrNull(t.headers),
      fitBytesOrNull(t.response),
    ]);
  });
  return rows;
}

function where(query: Omit<TraceQuery, 'limit' | 'offset'>): Prisma.TraceWhereInput {
  const created: Prisma.FloatFilter = {};
  if (query.from !== undefined) created.gte = query.from;
  if (query.to !== undefined) created.lte = query.to;
  return {
    experimentId: query.experimentId,
    ...(query.service !== undefined ? { service: query.service } : {}),
    ...(Object.keys(created).length > 0 ? { created } : {}),
  };
}

export function traceRepository(session: Session): TraceRepository {
  return {
    insertMany: async (traces) => {
      const check = new RowCheck();
      const rows = traceRows(traces, check);
      const inserted = await insertIgnoringDuplicates(session, target, rows);
      return { inserted, duplicates: rows.length - inserted, rejected: check.rejected };
    },
    list: (query) =>
      session.use(async (prisma) => {
        const rows = await prisma.trace.findMany({
          where: where(query),
          orderBy: [{ created: 'asc' }, { requestId: 'asc' }],
          ...(query.limit !== undefined ? { take: query.limit } : {}),
          ...(query.offset !== undefined ? { skip: query.offset } : {}),
        });
        return rows.map((r): TraceRecord => ({
          requestId: r.requestId,
          client: r.client,
          service: r.service,
          created: r.created,
          sent: r.sent,
          done: r.done,
          status: r.status,
          server: r.server,
          experimentId: r.experimentId,
          headers: r.headers,
          response: r.response,
        }));
      }),
    count: (query) => session.use((prisma) => prisma.trace.count({ where: where(query) })),
    touch: (experimentId, start, end) =>
      session.use(
        async (prisma) =>
          (
            await prisma.trace.updateMany({
              where: { experimentId: null, created: { gte: start, lte: end } },
              data: { experimentId },
            })
          ).count,
      ),
  };
}
