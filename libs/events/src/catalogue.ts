import type { z } from 'zod';

/**
 * One entry of the event catalogue: the payload schema of one event type at its current
 * version. A schema change is a version bump; older payloads still on the streams are lifted to
 * the current shape by `upcast[oldVersion]` before validation (Emmett's upcasting).
 */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly version: number;
  readonly schema: S;
  readonly description: string;
  readonly upcast?: Readonly<Record<number, (data: unknown) => unknown>>;
  /**
   * A fast exact-shape check for payloads that arrive in bulk: true only when `schema` would
   * accept `data` and return an equal object, which is then used as it is (no schema pass, no
   * copy). False means nothing: the schema decides. See exact-shape.ts.
   */
  readonly accepts?: (data: unknown) => boolean;
}

export type Catalogue = Readonly<Record<string, EventDefinition>>;

export type EventType<C extends Catalogue> = keyof C & string;
export type EventData<C extends Catalogue, T extends EventType<C>> = z.output<C[T]['schema']>;

/** Declares a catalogue while keeping each entry's literal type for inference. */
export function defineCatalogue<C extends Catalogue>(catalogue: C): C {
  for (const [type, def] of Object.entries(catalogue)) {
    if (!Number.isInteger(def.version) || def.version < 1) {
      throw new Error(`event type ${type}: version must be an integer >= 1, got ${def.version}`);
    }
  }
  return catalogue;
}
