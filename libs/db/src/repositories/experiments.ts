import { fitCharsOrNull, limits } from '../column-limits.js';
import type { Session } from '../session.js';
import type {
  Experiment,
  ExperimentListFilter,
  ExperimentPatch,
  ExperimentRecord,
  ExperimentRepository,
  ExperimentStatus,
} from '../types.js';

/** A row as the database returns it: galileo-db's experiment (its status as stored). */
type ExperimentRow = Experiment;

function toRecord(row: ExperimentRow): ExperimentRecord {
  // Rows written by other tools may carry other statuses (galileo's recorder: RUNNING); verbatim.
  return { ...row, status: row.status as ExperimentStatus };
}

function checkId(id: string): void {
  if (id.length === 0 || id.length > limits.experimentId)
    throw new RangeError(`experiment id must be 1-${limits.experimentId} characters, got ${id.length}`);
}

function fields(patch: ExperimentPatch): Partial<Omit<ExperimentRow, 'id'>> {
  const data: Partial<Omit<ExperimentRow, 'id'>> = {};
  if (patch.name !== undefined) data.name = fitCharsOrNull(patch.name, limits.experimentName);
  if (patch.creator !== undefined) data.creator = fitCharsOrNull(patch.creator, limits.creator);
  if (patch.start !== undefined) data.start = patch.start;
  if (patch.end !== undefined) data.end = patch.end;
  if (patch.created !== undefined) data.created = patch.created;
  if (patch.status !== undefined) data.status = patch.status;
  return data;
}

export function experimentRepository(session: Session): ExperimentRepository {
  const update = (id: string, patch: ExperimentPatch) =>
    session.use(async (prisma) => {
      const data = fields(patch);
      if (Object.keys(data).length === 0) return (await prisma.experiment.count({ where: { id } })) > 0;
      return (await prisma.experiment.updateMany({ where: { id }, data })).count > 0;
    });
  return {
    upsert: (experiment) =>
      session.use(async (prisma) => {
        checkId(experiment.id);
        const { id, ...rest } = experiment;
        const data = {
          name: null,
          creator: null,
          start: null,
          end: null,
          created: null,
          ...fields(rest),
          status: experiment.status,
        };
        await prisma.experiment.upsert({ where: { id }, create: { id, ...data }, update: data });
      }),
    get: (id) =>
      session.use(async (prisma) => {
        const row = await prisma.experiment.findUnique({ where: { id } });
        return row ? toRecord(row) : undefined;
      }),
    list: (filter: ExperimentListFilter = {}) =>
      session.use(async (prisma) => {
        const statuses =
          filter.status === undefined
            ? undefined
            : typeof filter.status === 'string'
              ? [filter.status]
              : [...filter.status];
        const rows = await prisma.experiment.findMany({
          where: statuses ? { status: { in: statuses } } : {},
          orderBy: [{ created: 'desc' }, { id: 'desc' }],
          ...(filter.limit !== undefined ? { take: filter.limit } : {}),
        });
        return rows.map(toRecord);
      }),
    update,
    setStatus: (id, status) => update(id, { status }),
    setStarted: (id, start, status = 'IN_PROGRESS') => update(id, { start, status }),
    setEnded: (id, end, status) => update(id, { end, status }),
    delete: (id) =>
      session.atomic((s) =>
        s.use(async (prisma) => {
          const deleted = await prisma.experiment.deleteMany({ where: { id } });
          await prisma.metadata.deleteMany({ where: { experimentId: id } });
          await prisma.instructions.deleteMany({ where: { experimentId: id } });
          await prisma.nodeInfo.deleteMany({ where: { experimentId: id } });
          return deleted.count > 0;
        }),
      ),
  };
}
