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
  return scanWindows(windows, timestamp, null);
}

/**
 * `experimentAt` with a memory, for readings by the thousand: the answer changes only where an
 * experiment starts or ends, so the last answer is kept with the stretch of time in which every
 * window compares with the instant as it did, and an instant in that stretch (of the same
 * windows) is answered without a scan of every experiment the recorder knows.
 */
export function createAttribution(): (windows: ExperimentWindows, timestamp: number) => string | null {
  let known: ExperimentWindows | null = null;
  let answer: string | null = null;
  const stretch: Stretch = { lo: -Infinity, loOpen: false, hi: Infinity, hiOpen: false };
  return (windows, timestamp) => {
    if (windows === known && inStretch(stretch, timestamp)) return answer;
    stretch.lo = -Infinity;
    stretch.loOpen = false;
    stretch.hi = Infinity;
    stretch.hiOpen = false;
    answer = scanWindows(windows, timestamp, stretch);
    known = windows;
    return answer;
  };
}

/** Instants between `lo` and `hi`, each bound included unless open. */
interface Stretch {
  lo: number;
  loOpen: boolean;
  hi: number;
  hiOpen: boolean;
}

const inStretch = (s: Stretch, t: number) =>
  (t > s.lo || (t === s.lo && !s.loOpen)) && (t < s.hi || (t === s.hi && !s.hiOpen));

/** Narrows the stretch to instants above `bound` (or at it, unless `open`). */
const above = (s: Stretch, bound: number, open: boolean) => {
  if (bound > s.lo || (bound === s.lo && open)) {
    s.lo = bound;
    s.loOpen = open;
  }
};
/** Narrows the stretch to instants below `bound` (or at it, unless `open`). */
const below = (s: Stretch, bound: number, open: boolean) => {
  if (bound < s.hi || (bound === s.hi && open)) {
    s.hi = bound;
    s.hiOpen = open;
  }
};

/** The attribution, and (given a stretch) the instants around `timestamp` that get the same. */
function scanWindows(windows: ExperimentWindows, timestamp: number, stretch: Stretch | null): string | null {
  let best: ExperimentWindow | null = null;
  for (const w of windows.values()) {
    if (w.start === null) continue;
    if (timestamp < w.start) {
      if (stretch) below(stretch, w.start, true);
      continue;
    }
    if (stretch) above(stretch, w.start, false);
    if (w.end !== null) {
      if (timestamp > w.end) {
        if (stretch) above(stretch, w.end, true);
        continue;
      }
      if (stretch) below(stretch, w.end, false);
    }
    if (!best || w.start > best.start!) best = w;
  }
  return best?.id ?? null;
}
