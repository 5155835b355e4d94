import type { Catalogue, EventDefinition, EventType } from './catalogue.js';
import type { CatalogueEvent, Envelope, EventDraft } from './envelope.js';
import type { EventError } from './errors.js';
import { err, ok, type Result } from './result.js';
import { isNonEmptyString, isPlainObjectWithKeys } from './exact-shape.js';
import { ulid, ULID_PATTERN } from './ulid.js';
import type { z } from 'zod';

export interface CreateEventContext {
  subject: string;
  source: string;
  now?: () => number;
  newId?: () => string;
}

/** Builds a validated envelope from a draft. An invalid payload is an error value. */
export function createEvent<C extends Catalogue>(
  catalogue: C,
  draft: EventDraft<C>,
  ctx: CreateEventContext,
): Result<CatalogueEvent<C>, EventError> {
  const def = catalogue[draft.type] as EventDefinition | undefined;
  if (!def) return err(unknownType(draft.type, catalogue));
  const data = validatePayload(draft.type, def, draft.data);
  if (!data.ok) return data;
  const envelope: Envelope = {
    id: draft.id ?? (ctx.newId ? ctx.newId() : ulid()),
    subject: ctx.subject,
    type: draft.type,
    version: def.version,
    time: draft.time ?? isoTime(ctx.now ? ctx.now() : Date.now()),
    source: ctx.source,
    correlationId: draft.correlationId ?? null,
    causationId: draft.causationId ?? null,
    data: data.value,
  };
  return ok(envelope as CatalogueEvent<C>);
}

let lastMs = -1;
let lastIso = '';
/** ISO time of an epoch-ms instant, reused within one millisecond (it is on the publish path). */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export function encodeEvent(event: Envelope): string {
  return JSON.stringify(event);
}

/** Parses and validates an encoded envelope: JSON, envelope fields, type, version, payload. */
export function decodeEvent<C extends Catalogue>(
  catalogue: C,
  json: string,
): Result<CatalogueEvent<C>, EventError> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return err({ kind: 'invalid-json', message: `event is not valid JSON: ${(e as Error).message}` });
  }
  return checkedEvent(catalogue, raw, true);
}

/** Validates an already parsed envelope (e.g. one read from a stream or a REST body). */
export function validateEvent<C extends Catalogue>(
  catalogue: C,
  raw: unknown,
): Result<CatalogueEvent<C>, EventError> {
  return checkedEvent(catalogue, raw, false);
}

/** `owned`: `raw` is ours (just parsed) and may become the event itself. */
function checkedEvent<C extends Catalogue>(
  catalogue: C,
  raw: unknown,
  owned: boolean,
): Result<CatalogueEvent<C>, EventError> {
  const shape = checkEnvelope(raw, owned);
  if (!shape.ok) return shape;
  const envelope = shape.value;
  const def = catalogue[envelope.type] as EventDefinition | undefined;
  if (!def) return err(unknownType(envelope.type, catalogue));
  let data: unknown = envelope.data;
  if (envelope.version > def.version) {
    return err({
      kind: 'unsupported-version',
      type: envelope.type,
      version: envelope.version,
      message: `event ${envelope.id} of type ${envelope.type} has schema version ${envelope.version}; this build knows up to version ${def.version}`,
    });
  }
  for (let v = envelope.version; v < def.version; v++) {
    const upcast = def.upcast?.[v];
    if (!upcast) {
      return err({
        kind: 'unsupported-version',
        type: envelope.type,
        version: envelope.version,
        message: `event ${envelope.id} of type ${envelope.type} has schema version ${envelope.version} and no upcaster from version ${v} to ${v + 1}`,
      });
    }
    data = upcast(data);
  }
  const parsed = validatePayload(envelope.type, def, data);
  if (!parsed.ok) return parsed;
  // checkEnvelope's object is the parsed one or a fresh copy: completing it in place saves a copy.
  const complete = envelope as { version: number; data: unknown };
  complete.version = def.version;
  complete.data = parsed.value;
  return ok(envelope as CatalogueEvent<C>);
}

function validatePayload(type: string, def: EventDefinition, data: unknown): Result<unknown, EventError> {
  if (def.accepts?.(data)) return ok(data);
  const parsed = (def.schema as z.ZodType).safeParse(data);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues.map(
    (i) => `${i.path.length ? i.path.join('.') : '(data)'}: ${i.message}`,
  );
  return err({
    kind: 'invalid-payload',
    type,
    issues,
    message: `invalid ${type} payload: ${issues.join('; ')}`,
  });
}

function unknownType(type: string, catalogue: Catalogue): EventError {
  const known = Object.keys(catalogue);
  return {
    kind: 'unknown-type',
    type,
    message: `unknown event type "${type}"; known types: ${known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ')}`,
  };
}

const STRING_FIELDS = ['id', 'subject', 'type', 'time', 'source'] as const;

// A hand-written check: it runs for every message a subscriber reads, so it avoids a second
// schema pass over the envelope (the payload is still validated by its zod schema).
function checkEnvelope(raw: unknown, owned: boolean): Result<Envelope, EventError> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return err({ kind: 'invalid-envelope', message: 'event envelope must be a JSON object' });
  }
  const e = raw as Record<string, unknown>;
  // the usual envelope first, with plain property reads (a loop over the names costs a keyed
  // lookup each); anything else goes through the checks below, which word the error
  if (
    owned &&
    isNonEmptyString(e.id) &&
    isNonEmptyString(e.subject) &&
    isNonEmptyString(e.type) &&
    isNonEmptyString(e.time) &&
    isNonEmptyString(e.source) &&
    Number.isInteger(e.version) &&
    (e.version as number) >= 1 &&
    (e.correlationId === null || typeof e.correlationId === 'string') &&
    (e.causationId === null || typeof e.causationId === 'string') &&
    ULID_PATTERN.test(e.id) &&
    isPlainObjectWithKeys(e, 9) &&
    'data' in e
  )
    return ok(e as unknown as Envelope);
  for (const field of STRING_FIELDS) {
    if (typeof e[field] !== 'string' || (e[field] as string).length === 0) {
      return err({
        kind: 'invalid-envelope',
        message: `event envelope field "${field}" must be a non-empty string, got ${describe(e[field])}`,
      });
    }
  }
  if (!ULID_PATTERN.test(e.id as string)) {
    return err({ kind: 'invalid-envelope', message: `event id "${String(e.id)}" is not a ULID` });
  }
  if (!Number.isInteger(e.version) || (e.version as number) < 1) {
    return err({
      kind: 'invalid-envelope',
      message: `event envelope field "version" must be an integer >= 1, got ${describe(e.version)}`,
    });
  }
  for (const field of ['correlationId', 'causationId'] as const) {
    if (e[field] !== null && e[field] !== undefined && typeof e[field] !== 'string') {
      return err({
        kind: 'invalid-envelope',
        message: `event envelope field "${field}" must be a string or null, got ${describe(e[field])}`,
      });
    }
  }
  if (!('data' in e)) return err({ kind: 'invalid-envelope', message: 'event envelope has no "data" field' });
  // a parsed envelope as encodeEvent writes it (all nine fields, nothing else) is used as it is:
  // no copy per message
  if (owned && isPlainObjectWithKeys(e, 9) && e.correlationId !== undefined && e.causationId !== undefined)
    return ok(e as unknown as Envelope);
  return ok({
    id: e.id as string,
    subject: e.subject as string,
    type: e.type as string,
    version: e.version as number,
    time: e.time as string,
    source: e.source as string,
    correlationId: (e.correlationId as string | null | undefined) ?? null,
    causationId: (e.causationId as string | null | undefined) ?? null,
    data: e.data,
  });
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

export type { EventType };
