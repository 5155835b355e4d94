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

const TWO_POW_22 = 4_194_304;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** Half an ulp of a double in [2^e, 2^(e+1)), by e (0..53). */
const HALF_ULP = Array.from({ length: 54 }, (_, e) => 2 ** (e - 53));
/** The fraction digits `shortestFraction` found (an out value: no object per number). */
let fraction = 0;

/** ⌊log2 n⌋ of a positive safe integer. */
const log2Floor = (n: number) =>
  n < 0x100000000 ? 31 - Math.clz32(n) : 63 - Math.clz32(Math.floor(n / 0x100000000));

/**
 * The digits String(x) writes after the point of `x` (1 ≤ x ≤ 2^53, not an integer, `whole` =
 * ⌊x⌋): their count, with the digits themselves in `fraction`; -1 when this cannot tell.
 *
 * String(x) writes the fewest digits that read back as x, and of several such the closest to x
 * (ECMA-262 Number::toString). That is the smallest k for which D = round(f·10^k), f = x - ⌊x⌋,
 * lies within half an ulp of x: |D - f·10^k| < ulp/2 · 10^k. The arithmetic is exact when f is a
 * multiple of 2^-22 (every epoch-seconds timestamp since 1970, and any fraction of a few bits) and
 * k ≤ 9: f·2^22·10^k is an integer below 2^52, and dividing it by 2^22 is exact. A distance of
 * exactly half an ulp (the reader's round-half-even decides), an exact tie between two D, and a
 * fraction that needs more than 9 digits are left to String(x).
 */
function shortestFraction(x: number, whole: number): number {
  const scaled = (x - whole) * TWO_POW_22; // x - whole is exact (x ≥ 1)
  if (!Number.isInteger(scaled)) return -1;
  const halfUlp = HALF_ULP[log2Floor(whole)]!; // x and ⌊x⌋ share the binade (x ≥ 1)
  for (let k = 1; k <= 9; k++) {
    const p = POW10[k]!;
    const exact = (scaled * p) / TWO_POW_22;
    const digits = Math.round(exact);
    const off = Math.abs(digits - exact);
    const limit = halfUlp * p;
    if (off < limit) {
      if (off === 0.5 || digits >= p) return -1;
      fraction = digits;
      return k;
    }
    if (off === limit) return -1;
  }
  return -1;
}

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

  /** Bytes it holds room for. */
  get capacity(): number {
    return this.buf.length;
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

  /** Empties the buffer for another body; keeps its memory (grown or not). */
  clear(): void {
    this.pos = 0;
    this.count = 0;
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

  /**
   * A number as String(n) writes it. Integers and the usual timestamps (epoch seconds with a
   * fraction) are written digit by digit, without a string (see `shortestFraction`); the rest
   * goes through String(n).
   */
  number(n: number): void {
    if (n === 0) {
      this.ensure(1);
      this.buf[this.pos++] = 48; // "0", also for -0 (as String(-0))
      return;
    }
    const negative = n < 0;
    const x = negative ? -n : n;
    if (x <= Number.MAX_SAFE_INTEGER && x >= 1) {
      const whole = Math.floor(x);
      const digits = whole === x ? 0 : shortestFraction(x, whole);
      if (digits >= 0) {
        this.ensure(40);
        if (negative) this.buf[this.pos++] = 45;
        this.digits(whole);
        if (digits > 0) {
          this.buf[this.pos++] = 46;
          this.paddedDigits(fraction, digits);
        }
        return;
      }
    }
    this.ascii(String(n));
  }

  /** A non-negative safe integer in decimal (what String(n) writes), zero-padded to `width` digits. */
  integer(n: number, width = 0): void {
    this.ensure(16 + width);
    if (width > 0 && n < POW10[Math.min(width, 15)]!) this.paddedDigits(n, width);
    else this.digits(n);
  }

  /** `n` (a non-negative safe integer) in decimal; the caller ensured the room. */
  private digits(n: number): void {
    let width = 1;
    while (width < 16 && n >= POW10[width]!) width++;
    this.paddedDigits(n, width);
  }

  /** `n` (a non-negative safe integer below 10^width) in exactly `width` digits, zeros first. */
  private paddedDigits(n: number, width: number): void {
    const b = this.buf;
    const start = this.pos;
    let p = start + width;
    this.pos = p;
    let q = n;
    while (q >= 0x80000000) {
      const digit = q % 10;
      b[--p] = 48 + digit;
      q = (q - digit) / 10;
    }
    let small = q | 0;
    while (p > start) {
      const next = (small / 10) | 0;
      b[--p] = 48 + small - next * 10;
      small = next;
    }
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
