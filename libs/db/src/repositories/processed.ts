import { limits } from '../column-limits.js';
import type { Session } from '../session.js';
import type { ProcessedEventLedger } from '../types.js';

function check(projection: string, eventIds: readonly string[]): void {
  if (projection.length === 0 || projection.length > limits.projection)
    throw new RangeError(`projection name must be 1-${limits.projection} characters`);
  for (const id of eventIds)
    if (typeof id !== 'string' || id.length === 0 || id.length > limits.eventId)
      throw new RangeError(`event id must be 1-${limits.eventId} characters, got ${JSON.stringify(id)}`);
}

export function processedEventLedger(session: Session): ProcessedEventLedger {
  const table = session.dialect === 'mysql' ? '`processed_events`' : '"processed_events"';
  const insertOne =
    session.dialect === 'mysql'
      ? `INSERT IGNORE INTO ${table} (PROJECTION, EVENT_ID, PROCESSED_AT) VALUES (?, ?, ?)`
      : `INSERT INTO ${table} (PROJECTION, EVENT_ID, PROCESSED_AT) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`;
  return {
    markProcessed: async (projection, eventIds) => {
      check(projection, eventIds);
      const unique = [...new Set(eventIds)];
      if (unique.length === 0) return [];
      return session.atomic(async (s) => {
        const known = new Set<string>();
        for (let i = 0; i < unique.length; i += 500) {
          const slice = unique.slice(i, i + 500);
          const rows = await s.use((prisma) =>
            prisma.processedEvent.findMany({
              where: { projection, eventId: { in: slice } },
              select: { eventId: true },
            }),
          );
          for (const row of rows) known.add(row.eventId);
        }
        // One insert per id: its affected-row count says whether this call recorded it, which stays
        // right when two consumers race (the second waits for the first's row lock, then skips).
        const fresh: string[] = [];
        const now = Date.now() / 1000;
        for (const id of unique) {
          if (known.has(id)) continue;
          if ((await s.execute(insertOne, [projection, id, now])) > 0) fresh.push(id);
        }
        return fresh;
      });
    },
    wasProcessed: (projection, eventId) =>
      session.use(
        async (prisma) =>
          (await prisma.processedEvent.findUnique({
            where: { projection_eventId: { projection, eventId } },
          })) !== null,
      ),
    reset: (projection) =>
      session.use(
        async (prisma) => (await prisma.processedEvent.deleteMany({ where: { projection } })).count,
      ),
  };
}
