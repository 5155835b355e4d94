import type { EventRecord, GalileoDatabase, TelemetryRecord, TraceRecord } from '@galileo/db';
import {
  eventLine,
  InfluxWriteError,
  telemetryLine,
  traceLine,
  type InfluxWriter,
} from '@galileo/timeseries';

export type RecordKind = 'traces' | 'telemetry' | 'events';

export interface RecordRows {
  traces: TraceRecord;
  telemetry: TelemetryRecord;
  events: EventRecord;
}

export interface StoreOutcome {
  /** Rows the store took (new or already there). */
  readonly stored: number;
  /** Rows the store refused for what they are (too long an id, …); never retried. */
  readonly rejected: readonly { index: number; reason: string }[];
}

/**
 * One place the recorder writes to. A thrown error means the store is unavailable (the batch is
 * tried again, nothing acknowledged); rows it refuses for their content come back as `rejected`.
 */
export interface RecordStore {
  readonly name: string;
  write<K extends RecordKind>(kind: K, rows: readonly RecordRows[K][]): Promise<StoreOutcome>;
  ping(): Promise<boolean>;
}

/** galileo-db's tables through libs/db (MariaDB, or SQLite in the embedded mode). */
export function sqlStore(db: GalileoDatabase): RecordStore {
  return {
    name: 'sql',
    async write(kind, rows) {
      const result =
        kind === 'traces'
          ? await db.traces.insertMany(rows as readonly TraceRecord[])
          : kind === 'telemetry'
            ? await db.telemetry.insertMany(rows as readonly TelemetryRecord[])
            : await db.events.insertMany(rows as readonly EventRecord[]);
      return { stored: result.inserted + result.duplicates, rejected: result.rejected };
    },
    ping: () => db.ping(),
  };
}

/** The InfluxDB v2 measurements (libs/timeseries), one bucket per experiment or a fixed one. */
export function influxStore(writer: InfluxWriter): RecordStore {
  const lineOf = <K extends RecordKind>(
    kind: K,
    row: RecordRows[K],
  ): { bucket: string | null; line: string } => {
    if (kind === 'traces') {
      const t = row as TraceRecord;
      return { bucket: writer.bucketFor(t.experimentId), line: traceLine(t) };
    }
    if (kind === 'telemetry') {
      const t = row as TelemetryRecord;
      return { bucket: writer.bucketFor(t.experimentId), line: telemetryLine(t) };
    }
    const e = row as EventRecord;
    return {
      bucket: writer.bucketFor(e.experimentId),
      line: eventLine({ ...e, eventId: e.eventId ?? null }),
    };
  };
  return {
    name: 'influx',
    async write(kind, rows) {
      const byBucket = new Map<string, { lines: string[]; indexes: number[] }>();
      const rejected: { index: number; reason: string }[] = [];
      rows.forEach((row, index) => {
        const { bucket, line } = lineOf(kind, row);
        if (bucket === null) {
          rejected.push({ index, reason: 'no experiment: a per-experiment bucket needs an experiment id' });
          return;
        }
        const group = byBucket.get(bucket) ?? { lines: [], indexes: [] };
        group.lines.push(line);
        group.indexes.push(index);
        byBucket.set(bucket, group);
      });
      let stored = 0;
      for (const [bucket, group] of byBucket) {
        await writer.ensureBucket(bucket);
        try {
          await writer.write(bucket, group.lines);
          stored += group.lines.length;
        } catch (e) {
          if (e instanceof InfluxWriteError && !e.retryable) {
            for (const index of group.indexes) rejected.push({ index, reason: e.message });
          } else throw e;
        }
      }
      return { stored, rejected };
    },
    ping: () => writer.ping(),
  };
}
