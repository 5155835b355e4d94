import type { EventRecord, GalileoDatabase, TelemetryRecord, TraceRecord } from '@galileo/db';
import {
  appendEventLine,
  appendTelemetryLine,
  appendTraceLine,
  InfluxWriteError,
  LineBuffer,
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

/** Request bodies kept for reuse: the writes in flight at once (two per store), one bucket each. */
const MAX_SPARE_BODIES = 4;
/** A body that grew beyond this (a batch of huge responses) is not kept. */
const MAX_SPARE_BODY_BYTES = 16 * 1024 * 1024;

/** The InfluxDB v2 measurements (libs/timeseries), one bucket per experiment or a fixed one. */
export function influxStore(writer: InfluxWriter): RecordStore {
  /** Appends one row's point; false when it has no point (refused). */
  const append = <K extends RecordKind>(kind: K, out: LineBuffer, row: RecordRows[K]): boolean => {
    if (kind === 'traces') {
      appendTraceLine(out, row as TraceRecord);
      return true;
    }
    if (kind === 'telemetry') return appendTelemetryLine(out, row as TelemetryRecord);
    const e = row as EventRecord;
    appendEventLine(out, { ...e, eventId: e.eventId ?? null });
    return true;
  };
  const experimentOf = (row: TraceRecord | TelemetryRecord | EventRecord) => row.experimentId ?? null;
  // Bodies are reused from one write to the next: a fresh megabyte per batch costs its page
  // faults and its growth copies again every time. A body goes back only after the store answered
  // 204, i.e. read all of it (after a failure the socket may still hold a reference: not reused).
  const spareBodies: LineBuffer[] = [];
  const takeBody = (rows: number) => spareBodies.pop() ?? new LineBuffer(Math.min(rows, 20_000) * 256);
  const giveBack = (body: LineBuffer) => {
    if (spareBodies.length >= MAX_SPARE_BODIES || body.capacity > MAX_SPARE_BODY_BYTES) return;
    body.clear();
    spareBodies.push(body);
  };
  return {
    name: 'influx',
    async write(kind, rows) {
      // one body per bucket, written straight into bytes (no string per point)
      const byBucket = new Map<string, { body: LineBuffer; indexes: number[] }>();
      const rejected: { index: number; reason: string }[] = [];
      let lastBucket: string | null = null;
      let last: { body: LineBuffer; indexes: number[] } | null = null;
      for (let index = 0; index < rows.length; index++) {
        const row = rows[index]!;
        const bucket = writer.bucketFor(experimentOf(row));
        if (bucket === null) {
          rejected.push({ index, reason: 'no experiment: a per-experiment bucket needs an experiment id' });
          continue;
        }
        if (bucket !== lastBucket) {
          last = byBucket.get(bucket) ?? null;
          if (last === null) {
            last = { body: takeBody(rows.length), indexes: [] };
            byBucket.set(bucket, last);
          }
          lastBucket = bucket;
        }
        if (append(kind, last!.body, row)) last!.indexes.push(index);
        else rejected.push({ index, reason: 'no finite timestamp: a point needs a time' });
      }
      let stored = 0;
      for (const [bucket, group] of byBucket) {
        await writer.ensureBucket(bucket);
        try {
          await writer.writeBody(bucket, group.body.bytes(), group.body.count);
          stored += group.body.count;
          giveBack(group.body);
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
