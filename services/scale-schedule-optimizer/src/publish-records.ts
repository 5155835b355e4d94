import type { Bus, PublishItem } from '@galileo/bus';
import { formatPythonEventLine, scalingSubjects, type GalileoCatalogue } from '@galileo/events';
import type { OsmoticRecord } from '@galileo/osmotic';
import type { Redis } from 'ioredis';

export const GALILEO_EVENTS = 'galileo/events';
/** Where a dry run's scale_schedule goes on the bus: recorded, but not read by the pod-creator. */
export const DRY_RUN_SCALE_SCHEDULE_SUBJECT = `${scalingSubjects.scaleSchedule()}.dry-run`;
const BATCH = 1_000;

export interface PublishRecordsOptions {
  dryRun: boolean;
  /** Also PUBLISH each record as the Python optimizer did. */
  mirror: boolean;
  /** The pub/sub channel of the mirror (default `galileo/events`). */
  channel?: string;
  /** Only these record names (default: all). */
  only?: ReadonlySet<string>;
}

/**
 * Publishes a round's records as GalileoEvents on `galileo.events.<name>` and, when mirroring,
 * as the original's lines `"<ts> <name> <json>"` (Python's JSON) on `galileo/events`. Each line is
 * marked first, so an ingest bridge on that channel does not feed it back into the bus.
 */
export async function publishRecords(
  bus: Bus<GalileoCatalogue>,
  redis: Redis,
  records: Iterable<OsmoticRecord>,
  options: PublishRecordsOptions,
): Promise<number> {
  const channel = options.channel ?? GALILEO_EVENTS;
  let items: PublishItem<GalileoCatalogue>[] = [];
  let lines: string[] = [];
  let count = 0;
  const flush = async () => {
    if (items.length === 0) return;
    const batch = items;
    const mirrored = lines;
    items = [];
    lines = [];
    await bus.publishBatch(batch);
    if (mirrored.length > 0) {
      await Promise.all(mirrored.map((line) => bus.internals.markMirrored(channel, line)));
      const pipeline = redis.pipeline();
      for (const line of mirrored) pipeline.publish(channel, line);
      await pipeline.exec();
    }
  };
  for (const record of records) {
    if (options.only && !options.only.has(record.name)) continue;
    const ts = record.value.ts;
    const subject =
      record.name === 'scale_schedule' && options.dryRun
        ? DRY_RUN_SCALE_SCHEDULE_SUBJECT
        : scalingSubjects.event(record.name);
    items.push({
      subject,
      draft: { type: 'GalileoEvent', data: { name: record.name, value: record.value, timestamp: ts } },
    });
    if (options.mirror) lines.push(formatPythonEventLine(ts, record.name, record.value));
    count++;
    if (items.length >= BATCH) await flush();
  }
  await flush();
  return count;
}
