import type { Session } from '../session.js';
import type { MetadataRepository } from '../types.js';

export function metadataRepository(session: Session): MetadataRepository {
  return {
    save: (experimentId, data) =>
      session.use(async (prisma) => {
        // galileo-db stores the user's dict with an added exp_id key.
        const value = JSON.parse(JSON.stringify({ ...data, exp_id: experimentId })) as Record<string, never>;
        await prisma.metadata.upsert({
          where: { experimentId },
          create: { experimentId, data: value },
          update: { data: value },
        });
      }),
    get: (experimentId) =>
      session.use(async (prisma) => {
        const row = await prisma.metadata.findUnique({ where: { experimentId } });
        if (!row) return undefined;
        const data: unknown = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
        return data !== null && typeof data === 'object' && !Array.isArray(data)
          ? (data as Record<string, unknown>)
          : { value: data };
      }),
    delete: (experimentId) =>
      session.use(
        async (prisma) => (await prisma.metadata.deleteMany({ where: { experimentId } })).count > 0,
      ),
  };
}
