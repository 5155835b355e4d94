import type { Bus } from '@galileo/bus';
import {
  decodeEvent,
  encodeToken,
  experimentSubjects,
  type CatalogueEvent,
  type GalileoCatalogue,
} from '@galileo/events';
import type { Redis } from 'ioredis';
import {
  decide,
  evolve,
  initialState,
  isLifecycleEvent,
  type ExperimentState,
  type LifecycleCommand,
  type LifecycleError,
  type LifecycleEvent,
} from './experiment-lifecycle.js';

export type StoredLifecycleEvent = CatalogueEvent<GalileoCatalogue> & LifecycleEvent;

/** Entries read per XRANGE. */
const PAGE = 500;

/**
 * Reads the lifecycle stream (`galileo.experiments`) from the beginning, page by page, decoding
 * each entry — the reader a rebuild and a daemon's recovery use. Entries that do not decode are
 * skipped (the bus dead-letters them for subscribers).
 */
export async function* readLifecycleStream(
  redis: Redis,
  bus: Bus<GalileoCatalogue>,
  options: { subjectPrefix?: string } = {},
): AsyncGenerator<StoredLifecycleEvent> {
  const key = bus.keys.stream(experimentSubjects.lifecycleStream);
  let from = '-';
  for (;;) {
    const page = (await redis.xrange(key, from, '+', 'COUNT', PAGE)) as [string, string[]][];
    for (const [, fields] of page) {
      let subject = '';
      let json = '';
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] === 's') subject = fields[i + 1]!;
        else if (fields[i] === 'e') json = fields[i + 1]!;
      }
      if (options.subjectPrefix && !subject.startsWith(options.subjectPrefix)) continue;
      const decoded = decodeEvent(bus.catalogue, json);
      if (decoded.ok && isLifecycleEvent(decoded.value)) yield decoded.value as StoredLifecycleEvent;
    }
    if (page.length < PAGE) return;
    from = `(${page[page.length - 1]![0]}`;
  }
}

/** One experiment's events, in order. */
export async function loadExperimentEvents(
  redis: Redis,
  bus: Bus<GalileoCatalogue>,
  id: string,
): Promise<StoredLifecycleEvent[]> {
  const events: StoredLifecycleEvent[] = [];
  for await (const e of readLifecycleStream(redis, bus, {
    subjectPrefix: `galileo.experiments.${encodeToken(id)}.`,
  })) {
    events.push(e);
  }
  return events;
}

export class LifecycleRefusedError extends Error {
  constructor(readonly refusal: LifecycleError) {
    super(refusal.message);
    this.name = 'LifecycleRefusedError';
  }
}

/**
 * One experiment's event-sourced state, held by the daemon that writes it: a command is decided
 * on the current state, its events are published on the bus (the source of truth), then folded in.
 */
export interface ExperimentStream {
  readonly id: string;
  state(): ExperimentState;
  /** Decides and publishes; a refusal is returned as an error value, nothing is published. */
  handle(
    command: LifecycleCommand,
  ): Promise<{ ok: true; state: ExperimentState } | { ok: false; error: LifecycleError }>;
}

export async function openExperimentStream(
  redis: Redis,
  bus: Bus<GalileoCatalogue>,
  id: string,
): Promise<ExperimentStream> {
  const events = await loadExperimentEvents(redis, bus, id);
  return experimentStream(bus, id, events.reduce<ExperimentState>(evolve, initialState()));
}

/** A stream for an experiment known to be new (nothing to read). */
export function newExperimentStream(bus: Bus<GalileoCatalogue>, id: string): ExperimentStream {
  return experimentStream(bus, id, initialState());
}

function experimentStream(
  bus: Bus<GalileoCatalogue>,
  id: string,
  initial: ExperimentState,
): ExperimentStream {
  let state = initial;
  const get = () => state;
  const set = (s: ExperimentState) => (state = s);
  let chain: Promise<unknown> = Promise.resolve();
  return {
    id,
    state: get,
    handle(command) {
      // one decision at a time: a cancel arriving mid-command decides on the state after it
      const next = chain.then(async () => {
        const decision = decide(command, get());
        if (!decision.ok) return decision;
        for (const event of decision.value) {
          await bus.publish(experimentSubjects.lifecycle(id, event.type), {
            ...event,
            correlationId: id,
          } as never);
          set(evolve(get(), event));
        }
        return { ok: true as const, state: get() };
      });
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
