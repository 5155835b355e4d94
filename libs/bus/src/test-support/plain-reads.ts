import type { StreamRead } from '../resp-reply.js';

/** Stream reads as plain objects, for toEqual: the lean reader's entries keep their envelope as bytes behind a getter. */
export function plainReads<T extends StreamRead[] | Error | null | undefined>(reads: T) {
  if (reads === null || reads === undefined || reads instanceof Error) return reads ?? null;
  return reads.map((s) => ({
    ...s,
    entries: s.entries.map(({ streamId, subject, json, replyTo, deadline }) => ({
      streamId,
      subject,
      json,
      replyTo,
      deadline,
    })),
  }));
}
