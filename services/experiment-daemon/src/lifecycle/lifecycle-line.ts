import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';

/** The `galileo/events` names of the lifecycle (protocols §7.4: `"<unix ts> <name> <value>"`, value = the experiment id). */
export const LIFECYCLE_EVENT_NAMES = {
  ExperimentQueued: 'experiment_queued',
  ExperimentStarted: 'experiment_start',
  ExperimentFinished: 'experiment_finished',
  ExperimentFailed: 'experiment_failed',
  ExperimentCancelled: 'experiment_cancelled',
} as const;

/** The galileo line of a lifecycle event, e.g. `1764680000.123 experiment_start 202612021300-ab12`; null for the others. */
export function formatLifecycleLine(event: CatalogueEvent<GalileoCatalogue>): string | null {
  const name = (LIFECYCLE_EVENT_NAMES as Record<string, string>)[event.type];
  if (!name) return null;
  const data = event.data as { id?: string; experiment?: { id: string } };
  const id = data.experiment?.id ?? data.id;
  return `${Date.parse(event.time) / 1000} ${name} ${id}`;
}
