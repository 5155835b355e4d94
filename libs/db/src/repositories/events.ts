import { insertIgnoringDuplicates, type BulkInsert } from '../bulk-insert.js';
import { fitBytesOrNull, fitChars, limits } from '../column-limits.js';
import type { Prisma } from '../generated/mysql/client.js';
import type { Session, SqlValue } from '../session.js';
import type { EventRecord, EventRepository } from '../types.js';
import { RowCheck } from './rows.js';

const target: BulkInsert = { table: 'events', columns: ['EXP_ID', 'TIMESTAMP', 'NAME', 'VALUE', 'EVENT_ID'] };

export function eventRows(events: readonly EventRecord[], check: RowCheck): SqlValue[][] {
  const rows: SqlValue[][] = [];
  events.forEach((e, i) => {
    if (!check.identity(i, 'experimentId', e.experimentId, limits.experimentId)) return;
    if (!check.finite(i, 'timestamp', e.timestamp) || !check.text(i, 'name', e.name)) return;
    const eventId = e.eventId ?? null;
    if (eventId !== null && !check.identity(i, 'eventId', eventId, limits.eventId)) return;
    rows.push([
      e.experimentId,
      e.timestamp,
      fitChars(e.name, limits.eventName),
      fitBytesOrNull(e.value),
      eventId,
    ]);
  });
  return rows;
}

export function eventRepository(session: Session): EventRepository {
  return {
    insertMany: async (events) => {
      const check = new RowCheck();
      const rows = eventRows(events, check);
      const inserted = await insertIgnoringDuplicates(session, target, rows);
      return { inserted, duplicates: rows.length - inserted, rejected: check.rejected };
    },
    list: (query) =>
      session.use(async (prisma) => {
        const timestamp: Prisma.FloatFilter = {};
        if (query.from !== undefined) timestamp.gte = query.from;
        if (query.to !== undefined) timestamp.lte = query.to;
        const rows = await prisma.event.findMany({
          where: {
            experimentId: query.experimentId,
            ...(query.name !== undefined ? { name: query.name } : {}),
            ...(Object.keys(timestamp).length > 0 ? { timestamp } : {}),
          },
          orderBy: [{ timestamp: 'asc' }, { id: 'asc' }],
          ...(query.limit !== undefined ? { take: query.limit } : {}),
        });
        return rows.map((r): EventRecord => ({
          experimentId: r.experimentId,
          timestamp: r.timestamp,
          name: r.name,
          value: r.value,
          eventId: r.eventId,
        }));
      }),
  };
}
