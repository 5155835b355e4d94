/**
 * How one event is laid out as stream entry fields. The subject is kept beside the envelope so a
 * subscriber can skip entries of other subjects without parsing them.
 */
export const FIELD_SUBJECT = 's';
export const FIELD_EVENT = 'e';
/** Request messages: the pub/sub channel to reply on, and the epoch-ms deadline. */
export const FIELD_REPLY_TO = 'r';
export const FIELD_DEADLINE = 'd';

export interface StreamEntry {
  readonly streamId: string;
  readonly subject: string;
  readonly json: string;
  readonly replyTo: string | null;
  readonly deadline: number | null;
}

/** Reads the flat [field, value, …] array Redis returns; tolerates foreign fields. */
export function readEntry(streamId: string, fields: string[] | null): StreamEntry | null {
  if (!fields) return null;
  let subject = '';
  let json = '';
  let replyTo: string | null = null;
  let deadline: number | null = null;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const f = fields[i];
    const v = fields[i + 1]!;
    if (f === FIELD_SUBJECT) subject = v;
    else if (f === FIELD_EVENT) json = v;
    else if (f === FIELD_REPLY_TO) replyTo = v;
    else if (f === FIELD_DEADLINE) deadline = Number(v);
  }
  return { streamId, subject, json, replyTo, deadline };
}
