import type { EventRecord, Experiment, Repositories, TelemetryRecord, TraceRecord } from '@galileo/db';
import type { ExperimentData } from './compute-report.js';

/** What reading an experiment's rows needs of libs/db. */
export type ExperimentRows = Pick<
  Repositories,
  'experiments' | 'traces' | 'telemetry' | 'events' | 'nodeinfo'
>;

const PAGE = 20_000;

/** All traces of an experiment, in pages (ordered by CREATED, then request id). */
export async function readAllTraces(
  db: Pick<Repositories, 'traces'>,
  experimentId: string,
): Promise<TraceRecord[]> {
  const out: TraceRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await db.traces.list({ experimentId, limit: PAGE, offset });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

export async function readTelemetry(
  db: Pick<Repositories, 'telemetry'>,
  experimentId: string,
): Promise<TelemetryRecord[]> {
  return db.telemetry.list({ experimentId });
}

export async function readEvents(
  db: Pick<Repositories, 'events'>,
  experimentId: string,
): Promise<EventRecord[]> {
  return db.events.list({ experimentId });
}

/** The rows a report summarizes; null when the experiment is unknown. */
export async function loadExperimentData(
  db: ExperimentRows,
  experimentId: string,
): Promise<ExperimentData | null> {
  const experiment = await db.experiments.get(experimentId);
  if (!experiment) return null;
  return loadRowsFor(db, { ...experiment });
}

export async function loadRowsFor(db: ExperimentRows, experiment: Experiment): Promise<ExperimentData> {
  const [traces, telemetry, events, nodeinfo] = await Promise.all([
    readAllTraces(db, experiment.id),
    readTelemetry(db, experiment.id),
    readEvents(db, experiment.id),
    db.nodeinfo.list(experiment.id),
  ]);
  return { experiment, traces, telemetry, events, nodeinfo };
}
