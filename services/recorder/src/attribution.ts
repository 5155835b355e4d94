import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';

/** When an experiment ran, as far as the recorder knows: the fold of its lifecycle events. */
export interface ExperimentWindow {
  readonly id: string;
  readonly start: number | null;
  readonly end: number | null;
}

export type ExperimentWindows = ReadonlyMap<string, ExperimentWindow>;

/** evolve(state, event): the lifecycle events that move an experiment's window. */
export function evolveWindows(
  windows: ExperimentWindows,
  event: CatalogueEvent<GalileoCatalogue>,
): ExperimentWindows {
  const at = (id: string) => windows.get(id) ?? { id, start: null, end: null };
  const next = new Map(windows);
  switch (event.type) {
    case 'ExperimentStarted':
      next.set(event.data.id, { ...at(event.data.id), start: event.data.start });
      return next;
    case 'ExperimentFinished':
    case 'ExperimentFailed':
      next.set(event.data.id, { ...at(event.data.id), end: event.data.end });
      return next;
    case 'ExperimentCancelled':
      next.set(event.data.id, { ...at(event.data.id), end: event.data.end ?? Date.parse(event.time) / 1000 });
      return next;
    default:
      return windows;
  }
}

/**
 * The experiment a reading at `timestamp` belongs to: one that had started by then and had not
 * ended (the latest started, if several overlap), or null. galileo attributes by time too
 * (touch_traces); an explicit experiment id on the event always wins over this.
 */
export function experimentAt(windows: ExperimentWindows, timestamp: number): string | null {
  let best: ExperimentWindow | null = null;
  for (const w of windows.values()) {
    if (w.start === null || timestamp < w.start) continue;
    if (w.end !== null && timestamp > w.end) continue;
    if (!best || w.start > best.start!) best = w;
  }
  return best?.id ?? null;
}
