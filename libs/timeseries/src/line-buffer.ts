/**
 * Line protocol written straight into bytes: the recorder's hot path builds one request body per
 * batch without a string per point, per escaped value or for the joined body (at ~400 bytes per
 * trace those strings, and the UTF-8 copy of their join, cost more than the rest of the write).
 * The bytes are exactly the UTF-8 of the string functions in line-protocol.ts (same escaping;
 * a lone surrogate becomes U+FFFD, as Buffer.from does).
 */

/** What a character in 0..127 becomes: 0 itself, 1 a backslash before it, 2 `\n`, 3 `\r`. */
const table = (backslashed: string, newline: boolean, carriageReturn: boolean) => {
  const t = new Uint8Array(128);
  for (const c of backslashed) t[c.charCodeAt(0)] = 1;
  if (newline) t[10] = 2;
  if (carriageReturn) t[13] = 3;
  return t;
};
/** Measurement names: `,` and space (and the backslash), line breaks as `\n`. */
const MEASUREMENT = table('\\, ', true, false);
/** Tag keys, tag values, field keys. */
const KEY = table('\\,= ', true, false);
/** The inside of a string field value. */
const STRING = table('\\"', true, true);

export class LineBuffer {
  private buf: Buffer;
  private pos = 0;
  /** Points (lines) written. */
  count = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** The body so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  get length(): number {
    return this.pos;
  }

  /** Starts a point: the line break before every point but the first. */
  beginLine(): void {
    if (this.count > 0) {
      this.ensure(1);
      this.buf[this.pos++] = 10;
    }
    this.count++;
  }

  /** Takes back a point begun since `mark` (one that cannot be written after all). */
  mark(): { pos: number; count: number } {
    return { pos: this.pos, count: this.count };
  }

  reset(to: { pos: number; count: number }): void {
    this.pos = to.pos;
    this.count = to.count;
  }

  /** ASCII text that needs no escaping (numbers, fixed names, `,key=`). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, UTF-8, no escaping (a whole line made elsewhere). */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  measurement(s: string): void {
    this.escaped(s, MEASUREMENT);
  }

  /** A tag key, tag value or field key. */
  key(s: string): void {
    this.escaped(s, KEY);
  }

  /** A string field value with its quotes. */
  quoted(s: string): void {
    this.ensure(1);
    this.buf[this.pos++] = 34;
    this.escaped(s, STRING);
    this.ensure(1);
    this.buf[this.pos++] = 34;
  }

  /** A number as String(n) writes it. */
  number(n: number): void {
    this.ascii(String(n));
  }

  private escaped(s: string, escapes: Uint8Array): void {
    const n = s.length;
    // at most 3 bytes per UTF-16 unit (an escaped ASCII character takes 2)
    this.ensure(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        const e = escapes[c]!;
        if (e === 0) b[p++] = c;
        else {
          b[p++] = 92;
          b[p++] = e === 1 ? c : e === 2 ? 110 : 114;
        }
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          b[p++] = 0xf0 | (c >> 18);
          b[p++] = 0x80 | ((c >> 12) & 0x3f);
          b[p++] = 0x80 | ((c >> 6) & 0x3f);
          b[p++] = 0x80 | (c & 0x3f);
        } else {
          // a lone surrogate: U+FFFD
          b[p++] = 0xef;
          b[p++] = 0xbf;
          b[p++] = 0xbd;
        }
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
