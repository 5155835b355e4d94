import {
  FIELD_DEADLINE,
  FIELD_EVENT,
  FIELD_REPLY_TO,
  FIELD_SUBJECT,
  type StreamEntry,
} from './stream-entry.js';

/**
 * A lean RESP2 reply reader for the subscription's blocking connection. ioredis parses every
 * reply with redis-parser in `returnBuffers` mode: each bulk string of an XREADGROUP reply (id,
 * field names, subject, envelope) becomes a Buffer slice and then a string — 42 % of what the
 * recorder allocated per record. Here a reply is first framed (only its headers are looked at,
 * bulk bodies are skipped by their length), then decoded in one pass over contiguous bytes,
 * straight into StreamEntry objects: one string per value the bus needs, none for field names.
 */

/** A reply Redis answered with an error (`-NOGROUP …`); the message is what ioredis would give. */
export class RespReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplyError';
  }
}

/** The byte stream is not RESP2 as we know it: the connection cannot be trusted any more. */
export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

const CR = 13;
const LF = 10;
const DOLLAR = 36; // $ bulk string
const STAR = 42; // * array
const PLUS = 43; // + simple string
const MINUS = 45; // - error
const COLON = 58; // : integer

/** Parses the decimal integer in bytes [start, end) (an optional '-', then digits). */
function readInt(buf: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  }
  if (i >= end) throw new RespProtocolError('empty integer in a RESP header');
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9)
      throw new RespProtocolError(`bad integer in a RESP header: ${buf.toString('latin1', start, end)}`);
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/**
 * Cuts a byte stream into whole replies. It keeps one count — values still owed by the reply
 * being framed (an array header owes its length, every other value pays one) — plus the bytes of
 * a bulk body still to skip and a header line split across chunks; that is all the state a reply
 * split at any byte needs. A reply within one chunk is handed on as a view of it; one spread over
 * chunks is copied together once.
 */
export class ReplyFramer {
  private readonly parts: Buffer[] = [];
  private owed = 1;
  private skip = 0;
  private partialLine: Buffer | null = null;

  constructor(private readonly onReply: (reply: Buffer) => void) {}

  /** Throws RespProtocolError on bytes that are not RESP2. */
  push(chunk: Buffer): void {
    const len = chunk.length;
    let start = 0; // where the reply being framed begins in this chunk
    let p = 0;
    while (p < len) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, len - p);
        p += take;
        this.skip -= take;
        if (this.skip > 0) break;
        if (--this.owed === 0) start = p = this.complete(chunk, start, p);
        continue;
      }
      // Header lines are a few bytes: a loop beats a native indexOf call here.
      let nl = p;
      while (nl < len && chunk[nl] !== LF) nl++;
      if (nl === len) {
        this.partialLine = this.partialLine
          ? Buffer.concat([this.partialLine, chunk.subarray(p)])
          : Buffer.from(chunk.subarray(p));
        p = len;
        break;
      }
      let line = chunk;
      let ls = p;
      let le = nl + 1;
      if (this.partialLine) {
        line = Buffer.concat([this.partialLine, chunk.subarray(p, nl + 1)]);
        ls = 0;
        le = line.length;
        this.partialLine = null;
      }
      p = nl + 1;
      if (le - ls < 3 || line[le - 2] !== CR) throw new RespProtocolError('RESP header line without CRLF');
      const type = line[ls];
      if (type === DOLLAR) {
        const n = readInt(line, ls + 1, le - 2);
        if (n < 0) this.owed--;
        else this.skip = n + 2;
      } else if (type === STAR) {
        const n = readInt(line, ls + 1, le - 2);
        this.owed += (n > 0 ? n : 0) - 1;
      } else if (type === PLUS || type === MINUS || type === COLON) {
        this.owed--;
      } else {
        throw new RespProtocolError(`unexpected RESP type byte ${type}`);
      }
      if (this.owed === 0) start = p = this.complete(chunk, start, p);
    }
    if (start < len) this.parts.push(chunk.subarray(start, len));
  }

  /** Hands on the reply ending at `end` of this chunk; returns where the next one begins. */
  private complete(chunk: Buffer, start: number, end: number): number {
    let reply: Buffer;
    if (this.parts.length === 0) reply = chunk.subarray(start, end);
    else {
      this.parts.push(chunk.subarray(start, end));
      reply = Buffer.concat(this.parts);
      this.parts.length = 0;
    }
    this.owed = 1;
    this.onReply(reply);
    return end;
  }
}

/** One stream of an XREADGROUP reply: the entries in order; ids of entries deleted while pending. */
export interface StreamRead {
  readonly key: string;
  readonly entries: StreamEntry[];
  readonly deleted: string[];
}

type Utf8Buffer = Buffer & {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
};

const F_SUBJECT = FIELD_SUBJECT.charCodeAt(0);
const F_EVENT = FIELD_EVENT.charCodeAt(0);
const F_REPLY_TO = FIELD_REPLY_TO.charCodeAt(0);
const F_DEADLINE = FIELD_DEADLINE.charCodeAt(0);

/**
 * An entry whose envelope stays as bytes of the reply until it is read. A subscription holds
 * what it read until the store took it and it was acknowledged (the recorder: up to 15,000
 * records); held as strings, the envelopes (~290 bytes a reading, ~175 KB a batch of 500 traces)
 * survived the young generation's scavenges and were copied and promoted. The bytes live outside
 * the V8 heap; `json` makes a string each time it is read (the subscription reads it once to
 * decode, again only to dead-letter the entry).
 */
class ReplyEntry implements StreamEntry {
  constructor(
    readonly streamId: string,
    readonly subject: string,
    readonly replyTo: string | null,
    readonly deadline: number | null,
    private readonly bytes: Utf8Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get json(): string {
    return this.end > this.start ? this.bytes.utf8Slice(this.start, this.end) : '';
  }

  toJSON(): StreamEntry {
    const { streamId, subject, json, replyTo, deadline } = this;
    return { streamId, subject, json, replyTo, deadline };
  }
}

/** Decodes one whole reply (as ReplyFramer hands them on), positioned by a cursor. */
class Cursor {
  pos = 0;
  constructor(readonly buf: Utf8Buffer) {}

  /** Reads a header line's type byte and integer; leaves pos after its CRLF. */
  header(): { type: number; n: number; start: number; end: number } {
    const buf = this.buf;
    const start = this.pos + 1;
    const nl = buf.indexOf(LF, start);
    if (nl < 0) throw new RespProtocolError('truncated RESP reply');
    const type = buf[this.pos]!;
    this.pos = nl + 1;
    const end = nl - 1;
    const n = type === DOLLAR || type === STAR || type === COLON ? readInt(buf, start, end) : 0;
    return { type, n, start, end };
  }

  /** Any value, as ioredis would give it with string replies (errors inside arrays as Error objects). */
  value(): unknown {
    const { type, n, start, end } = this.header();
    switch (type) {
      case PLUS:
        return this.buf.utf8Slice(start, end);
      case MINUS:
        return new RespReplyError(this.buf.utf8Slice(start, end));
      case COLON:
        return n;
      case DOLLAR: {
        if (n < 0) return null;
        const s = this.buf.utf8Slice(this.pos, this.pos + n);
        this.pos += n + 2;
        return s;
      }
      case STAR: {
        if (n < 0) return null;
        const out: unknown[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      default:
        throw new RespProtocolError(`unexpected RESP type byte ${type}`);
    }
  }

  /** An array header: its length (-1 for nil). Anything else is a protocol error here. */
  arrayLength(): number {
    const buf = this.buf;
    if (buf[this.pos] !== STAR) throw new RespProtocolError('expected a RESP array');
    let i = this.pos + 1;
    if (buf[i] === MINUS) {
      this.pos = buf.indexOf(LF, i) + 1;
      return -1;
    }
    let n = 0;
    for (let c = buf[i]!; c !== CR; c = buf[++i]!) {
      const d = c - 48; // NaN past the end: refused too
      if (!(d >= 0 && d <= 9)) throw new RespProtocolError('bad array length');
      n = n * 10 + d;
    }
    this.pos = i + 2;
    return n;
  }

  /** A bulk string's byte range, advancing past it; a nil bulk string gives start -1. */
  bulk(): number {
    const buf = this.buf;
    if (buf[this.pos] !== DOLLAR) throw new RespProtocolError('expected a RESP bulk string');
    // Inlined header(): this runs for every value of every entry.
    let i = this.pos + 1;
    let n = 0;
    if (buf[i] === MINUS) {
      this.pos = buf.indexOf(LF, i) + 1;
      return -1;
    }
    for (let c = buf[i]!; c !== CR; c = buf[++i]!) {
      const d = c - 48; // NaN past the end: refused too
      if (!(d >= 0 && d <= 9)) throw new RespProtocolError('bad bulk string length');
      n = n * 10 + d;
    }
    const at = i + 2;
    this.pos = at + n + 2;
    if (this.pos > buf.length) throw new RespProtocolError('truncated RESP reply');
    this.bulkEnd = at + n;
    return at;
  }

  bulkEnd = 0;

  /** A bulk string or, tolerantly, any other value as a string. */
  stringValue(): string | null {
    if (this.buf[this.pos] !== DOLLAR) {
      const v = this.value();
      return v === null ? null : String(v);
    }
    const s = this.bulk();
    return s < 0 ? null : this.buf.utf8Slice(s, this.bulkEnd);
  }
}

/** Decodes a generic reply; an error reply comes back as a RespReplyError (not thrown). */
export function decodeReply(reply: Buffer): unknown {
  return new Cursor(reply as Utf8Buffer).value();
}

/** An epoch-ms deadline: its digits read directly, anything unusual through Number() as readEntry does. */
function deadlineOf(buf: Utf8Buffer, start: number, end: number): number {
  if (end - start > 0 && end - start < 16) {
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === end) return n;
  }
  return Number(buf.utf8Slice(start, end));
}

function sameBytes(buf: Buffer, a: number, b: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/**
 * Decodes an XREADGROUP reply: null (the block timed out), a RespReplyError (e.g. NOGROUP), or
 * the streams read. Entries carry the fields of stream-entry.ts; foreign fields are skipped
 * without making a string of them; an entry deleted while pending (nil fields) goes to `deleted`.
 */
export function decodeStreamsReply(reply: Buffer): StreamRead[] | RespReplyError | null {
  const buf = reply as Utf8Buffer;
  const c = new Cursor(buf);
  if (buf[0] === MINUS) return c.value() as RespReplyError;
  const streams = c.arrayLength();
  if (streams < 0) return null;
  const out: StreamRead[] = [];
  // A stream's entries mostly share their subject (a read of telemetry: a few nodes' subjects):
  // the bytes are compared with the last subject's, and its string is taken again.
  let lastSubject = '';
  let lastStart = 0;
  let lastEnd = 0;
  for (let s = 0; s < streams; s++) {
    if (c.arrayLength() !== 2)
      throw new RespProtocolError('a stream of an XREADGROUP reply is not [key, entries]');
    const key = c.stringValue() ?? '';
    const count = c.arrayLength();
    const entries: StreamEntry[] = [];
    const deleted: string[] = [];
    for (let e = 0; e < count; e++) {
      if (c.arrayLength() !== 2) throw new RespProtocolError('a stream entry is not [id, fields]');
      const idStart = c.bulk();
      if (idStart < 0) throw new RespProtocolError('a stream entry without an id');
      const streamId = buf.latin1Slice(idStart, c.bulkEnd);
      const fields = c.arrayLength();
      if (fields < 0) {
        deleted.push(streamId);
        continue;
      }
      let subject = '';
      let json: string | null = null; // only when the envelope is not a bulk string
      let jsonStart = 0;
      let jsonEnd = 0;
      let replyTo: string | null = null;
      let deadline: number | null = null;
      // An odd trailing field has no value: skipped, as readEntry does.
      const pairs = fields >> 1;
      for (let f = 0; f < pairs; f++) {
        let name = -1;
        if (buf[c.pos] === DOLLAR) {
          const fs = c.bulk();
          if (fs >= 0 && c.bulkEnd - fs === 1) name = buf[fs]!;
        } else c.value();
        if (name === F_SUBJECT || name === F_EVENT || name === F_REPLY_TO || name === F_DEADLINE) {
          if (buf[c.pos] !== DOLLAR) {
            const v = c.stringValue() ?? '';
            if (name === F_SUBJECT) subject = v;
            else if (name === F_EVENT) json = v;
            else if (name === F_REPLY_TO) replyTo = v;
            else deadline = Number(v);
            continue;
          }
          const vs = c.bulk();
          const ve = c.bulkEnd;
          if (name === F_DEADLINE) deadline = vs < 0 ? 0 : deadlineOf(buf, vs, ve);
          else if (name === F_EVENT) {
            json = null;
            jsonStart = vs < 0 ? 0 : vs;
            jsonEnd = vs < 0 ? 0 : ve;
          } else if (name === F_SUBJECT) {
            if (vs < 0) subject = '';
            else if (ve - vs === lastEnd - lastStart && sameBytes(buf, vs, lastStart, ve - vs))
              subject = lastSubject;
            else {
              subject = lastSubject = buf.utf8Slice(vs, ve);
              lastStart = vs;
              lastEnd = ve;
            }
          } else replyTo = vs < 0 ? '' : buf.utf8Slice(vs, ve);
        } else if (buf[c.pos] === DOLLAR) c.bulk();
        else c.value();
      }
      if (fields & 1) c.value();
      entries.push(
        json === null
          ? new ReplyEntry(streamId, subject, replyTo, deadline, buf, jsonStart, jsonEnd)
          : { streamId, subject, json, replyTo, deadline },
      );
    }
    out.push({ key, entries, deleted });
  }
  return out;
}
