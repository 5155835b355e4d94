import { MEDIUMTEXT_BYTES } from '../column-limits.js';
import type { Session } from '../session.js';
import type { InstructionsRecord, InstructionsRepository } from '../types.js';

export function instructionsRepository(session: Session): InstructionsRepository {
  return {
    save: (record) =>
      session.use(async (prisma) => {
        const configuration =
          record.configuration === undefined || record.configuration === null
            ? null
            : JSON.stringify(record.configuration);
        if (
          Buffer.byteLength(record.instructions) > MEDIUMTEXT_BYTES ||
          Buffer.byteLength(configuration ?? '') > MEDIUMTEXT_BYTES
        )
          throw new RangeError(`instructions of ${record.experimentId} exceed 16 MiB`);
        const data = { instructions: record.instructions, configuration };
        await prisma.instructions.upsert({
          where: { experimentId: record.experimentId },
          create: { experimentId: record.experimentId, ...data },
          update: data,
        });
      }),
    get: (experimentId) =>
      session.use(async (prisma) => {
        const row = await prisma.instructions.findUnique({ where: { experimentId } });
        if (!row) return undefined;
        const record: InstructionsRecord = {
          experimentId: row.experimentId,
          instructions: row.instructions,
          configuration: row.configuration === null ? null : (JSON.parse(row.configuration) as unknown),
        };
        return record;
      }),
    delete: (experimentId) =>
      session.use(
        async (prisma) => (await prisma.instructions.deleteMany({ where: { experimentId } })).count > 0,
      ),
  };
}
