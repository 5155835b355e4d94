import type { Catalogue, EventData, EventType } from './catalogue.js';

/**
 * The envelope every event travels in. `correlationId` ties an event to its experiment;
 * `causationId` is the id of the event or command that caused it.
 */
export interface Envelope<T extends string = string, D = unknown> {
  /** Sortable unique id (ULID): lexicographic order is creation order. */
  readonly id: string;
  /** NATS-style subject the event was published on, e.g. `galileo.traces.squeezenet`. */
  readonly subject: string;
  readonly type: T;
  /** Schema version of `data`. */
  readonly version: number;
  /** ISO 8601 creation time. */
  readonly time: string;
  /** The service (or bridge) that created the event. */
  readonly source: string;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly data: D;
}

/** The discriminated union of every event a catalogue allows: `switch (e.type)` is exhaustive. */
export type CatalogueEvent<C extends Catalogue> = {
  [T in EventType<C>]: Envelope<T, EventData<C, T>>;
}[EventType<C>];

/** What a producer supplies; the rest of the envelope is filled in by `createEvent`. */
export type EventDraft<C extends Catalogue> = {
  [T in EventType<C>]: {
    type: T;
    data: EventData<C, T>;
    correlationId?: string | null;
    causationId?: string | null;
    id?: string;
    time?: string;
  };
}[EventType<C>];
