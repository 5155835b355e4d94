import { fitBytes, fitChars, limits } from '../column-limits.js';
import type { Session } from '../session.js';
import type { NodeInfoRecord, NodeInfoRepository } from '../types.js';

export function nodeInfoRepository(session: Session): NodeInfoRepository {
  const saveMany = (records: readonly NodeInfoRecord[]) =>
    session.atomic((s) =>
      s.use(async (prisma) => {
        for (const record of records) {
          const node = fitChars(record.node, limits.node);
          await prisma.nodeInfo.deleteMany({ where: { experimentId: record.experimentId, node } });
          const rows = Object.entries(record.info).map(([key, value]) => ({
            experimentId: record.experimentId,
            node,
            infoKey: fitChars(key, limits.infoKey),
            infoValue: fitBytes(String(value)),
          }));
          if (rows.length > 0) await prisma.nodeInfo.createMany({ data: rows });
        }
      }),
    );
  return {
    save: (record) => saveMany([record]),
    saveMany,
    list: (experimentId) =>
      session.use(async (prisma) => {
        const rows = await prisma.nodeInfo.findMany({
          where: { experimentId },
          orderBy: [{ node: 'asc' }, { id: 'asc' }],
        });
        const byNode = new Map<string, Record<string, string>>();
        for (const row of rows) {
          const info = byNode.get(row.node) ?? {};
          if (row.infoKey !== null) info[row.infoKey] = row.infoValue ?? '';
          byNode.set(row.node, info);
        }
        return [...byNode].map(([node, info]) => ({ experimentId, node, info }));
      }),
  };
}
