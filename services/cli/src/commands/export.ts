import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readEvents, readTelemetry } from '@galileo/report';
import type { CliContext } from '../cli-context.js';
import { CliError, usageError } from '../cli-error.js';
import {
  csvHeader,
  csvLine,
  EVENT_COLUMNS,
  eventRow,
  jsonLine,
  TELEMETRY_COLUMNS,
  telemetryRow,
  TRACE_COLUMNS,
  traceRow,
} from '../export/export-rows.js';

export interface ExportOptions {
  format: string;
  out?: string;
}

const PAGE = 20_000;

/** Writes traces, telemetry and events of one experiment into `<out>/{traces,telemetry,events}.<csv|jsonl>`. */
export async function exportExperiment(ctx: CliContext, id: string, options: ExportOptions): Promise<void> {
  if (options.format !== 'csv' && options.format !== 'jsonl') {
    throw usageError(`--format ${options.format}: choose csv or jsonl`);
  }
  const format = options.format;
  const db = await ctx.db();
  if (!(await db.experiments.get(id)))
    throw new CliError(`no experiment ${id}: list them with galileo experiments ls`);
  const dir = resolve(options.out ?? `galileo-export-${id}`);
  await mkdir(dir, { recursive: true });
  const line = format === 'csv' ? csvLine : jsonLine;
  const open = async (name: string, columns: readonly string[]) => {
    const path = join(dir, `${name}.${format}`);
    const stream = createWriteStream(path);
    if (format === 'csv') await write(stream, csvHeader(columns));
    return { path, stream };
  };

  const traces = await open('traces', TRACE_COLUMNS);
  let traceCount = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await db.traces.list({ experimentId: id, limit: PAGE, offset });
    if (page.length > 0)
      await write(traces.stream, page.map((t) => line(TRACE_COLUMNS, traceRow(t))).join(''));
    traceCount += page.length;
    if (page.length < PAGE) break;
  }
  await end(traces.stream);

  const telemetry = await open('telemetry', TELEMETRY_COLUMNS);
  const points = await readTelemetry(db, id);
  await write(telemetry.stream, points.map((p) => line(TELEMETRY_COLUMNS, telemetryRow(p))).join(''));
  await end(telemetry.stream);

  const events = await open('events', EVENT_COLUMNS);
  const rows = await readEvents(db, id);
  await write(events.stream, rows.map((e) => line(EVENT_COLUMNS, eventRow(e))).join(''));
  await end(events.stream);

  ctx.io.out(
    `${traces.path}\t${traceCount} traces\n${telemetry.path}\t${points.length} telemetry points\n${events.path}\t${rows.length} events\n`,
  );
}

function write(stream: WriteStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
