/**
 * HTTP/1.x request parsing for the balancer's own server (`inbound.ts`): the request head (request
 * line and header fields) and chunked request bodies. Strict where leniency lets two parsers
 * disagree about where a request ends (request smuggling): CRLF line ends, no whitespace before a
 * header's colon, no obsolete line folding, one Content-Length at most and never with
 * Transfer-Encoding, `chunked` the only transfer coding, plain hexadecimal chunk sizes.
 */

/** A request head the server cannot serve: answered with `status` and the message, then closed. */
export class RequestHeadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A malformed request body (chunk framing): answered 400 when nothing was sent yet, then closed. */
export class RequestBodyError extends Error {}

export interface RequestHead {
  readonly method: string;
  /** The request target as sent: an absolute path (`/…`), `*`, or an absolute URI. */
  readonly url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: 0 | 1;
  /** Flat: name (as sent), value (without surrounding whitespace), name, value… */
  readonly rawHeaders: string[];
  /** The Content-Length, or -1 without one. */
  readonly contentLength: number;
  /** Transfer-Encoding: chunked. */
  readonly chunked: boolean;
  /** May the connection serve another request after this one (version default and `Connection`)? */
  readonly keepAlive: boolean;
  /** `Expect: 100-continue` on an HTTP/1.1 request. */
  readonly expectContinue: boolean;
}

// tchar (RFC 9110 §5.6.2)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// every header line of a well-formed head: token ":" field-value (VCHAR, obs-text, SP, HTAB) CRLF
const HEADER_LINES = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*$/;
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const ABSOLUTE_URI = /^https?:\/\/[^/?#]*(?:[/?][\x21-\x7e\x80-\xff]*)?$/i;
const HTTP_VERSION = /^HTTP\/\d\.\d$/;
const DIGITS = /^\d{1,15}$/;

const quote = (s: string, max = 60) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);

/** Without surrounding spaces and tabs only (String#trim would take obs-text like U+00A0 too). */
function trimOws(s: string, start: number, end: number): string {
  while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return s.slice(start, end);
}

/** Does a comma-separated header value list `token` (lower-case, already trimmed values)? */
function listHas(value: string, token: string): boolean {
  const v = value.toLowerCase();
  if (v === token) return true;
  if (!v.includes(',')) return false;
  for (const part of v.split(',')) if (trimOws(part, 0, part.length) === token) return true;
  return false;
}

/** Names the header line at fault in a head that failed the well-formedness test. */
function badHeaderLine(lines: string): RequestHeadError {
  let pos = 0;
  while (pos < lines.length) {
    const eol = lines.indexOf('\r\n', pos);
    const line = lines.slice(pos, eol < 0 ? lines.length : eol);
    pos = eol < 0 ? lines.length : eol + 2;
    const c0 = line.charCodeAt(0);
    if (c0 === 32 || c0 === 9)
      return new RequestHeadError(400, `obsolete line folding in header line ${quote(line)}`);
    const colon = line.indexOf(':');
    if (colon < 0) return new RequestHeadError(400, `header line without a colon: ${quote(line)}`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name))
      return new RequestHeadError(
        400,
        name.length === 0
          ? `empty header name in ${quote(line)}`
          : `invalid header name ${quote(name)} (a token, no whitespace before the colon)`,
      );
    if (/[^\t\x20-\x7e\x80-\xff]/.test(line.slice(colon + 1)))
      return new RequestHeadError(400, `control character in the value of header ${quote(name)}`);
  }
  return new RequestHeadError(400, 'malformed header section (lines must end with CRLF)');
}

/**
 * Parses a request head: `text` is the request line and header lines, each ending with CRLF
 * (the empty line that ends the head not included). Throws RequestHeadError with the status to
 * answer (400, 417, 501, 505) and a reason naming what was wrong.
 */
export function parseRequestHead(text: string): RequestHead {
  const eol = text.indexOf('\r\n');
  const line = eol < 0 ? text : text.slice(0, eol);
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0)
    throw new RequestHeadError(
      400,
      `malformed request line ${quote(line)} (expected METHOD SP /path SP HTTP/1.x)`,
    );
  const method = line.slice(0, sp1);
  const url = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!TOKEN.test(method)) throw new RequestHeadError(400, `invalid method ${quote(method)}`);
  if (!TARGET.test(url))
    throw new RequestHeadError(400, `invalid request target ${quote(url)} (control characters or empty)`);
  if (url.charCodeAt(0) !== 47 /* / */ && !(url === '*' && method === 'OPTIONS') && !ABSOLUTE_URI.test(url))
    throw new RequestHeadError(400, `request target ${quote(url)} is not an absolute path`);
  if (method === 'CONNECT') throw new RequestHeadError(400, 'CONNECT is not supported by this proxy');
  let minor: 0 | 1;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (HTTP_VERSION.test(version))
    throw new RequestHeadError(505, `HTTP version ${quote(version)} not supported (HTTP/1.0 or HTTP/1.1)`);
  else throw new RequestHeadError(400, `malformed HTTP version ${quote(version)} in the request line`);

  const rawHeaders: string[] = [];
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let expect: string | undefined;
  let hosts = 0;
  if (eol >= 0) {
    const start = eol + 2;
    if (!HEADER_LINES.test(start === 0 ? text : text.slice(start))) throw badHeaderLine(text.slice(start));
    let pos = start;
    while (pos < text.length) {
      const colon = text.indexOf(':', pos);
      const next = text.indexOf('\r\n', colon);
      const name = text.slice(pos, colon);
      const value = trimOws(text, colon + 1, next);
      pos = next + 2;
      rawHeaders.push(name, value);
      switch (name.length) {
        case 4:
          if (name.toLowerCase() === 'host') hosts++;
          break;
        case 6:
          if (name.toLowerCase() === 'expect') expect = expect === undefined ? value : `${expect}, ${value}`;
          break;
        case 10:
          if (name.toLowerCase() === 'connection')
            connection = connection === undefined ? value : `${connection}, ${value}`;
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') {
            if (contentLength >= 0) throw new RequestHeadError(400, 'more than one Content-Length header');
            if (!DIGITS.test(value))
              throw new RequestHeadError(400, `bad Content-Length ${quote(value)} (expected decimal digits)`);
            contentLength = Number(value);
          }
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding')
            transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
          break;
      }
    }
  }
  if (minor === 1 && hosts === 0)
    throw new RequestHeadError(400, 'missing Host header (required in HTTP/1.1)');
  if (hosts > 1) throw new RequestHeadError(400, 'more than one Host header');
  let chunked = false;
  let faultyFraming = false;
  if (transferEncoding !== undefined) {
    if (contentLength >= 0)
      throw new RequestHeadError(400, 'both Content-Length and Transfer-Encoding (ambiguous message length)');
    const codings = transferEncoding
      .toLowerCase()
      .split(',')
      .map((c) => trimOws(c, 0, c.length))
      .filter((c) => c !== '');
    if (codings.at(-1) !== 'chunked')
      throw new RequestHeadError(
        400,
        `Transfer-Encoding ${quote(transferEncoding)} does not end with chunked (message length unknown)`,
      );
    const other = codings.find((c) => c !== 'chunked');
    if (other !== undefined) throw new RequestHeadError(501, `transfer coding ${quote(other)} not supported`);
    if (codings.length > 1) throw new RequestHeadError(400, 'chunked applied more than once');
    chunked = true;
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message: close after it
    faultyFraming = minor === 0;
  }
  let expectContinue = false;
  if (expect !== undefined) {
    if (expect.toLowerCase() !== '100-continue')
      throw new RequestHeadError(417, `expectation ${quote(expect)} not supported (only 100-continue)`);
    expectContinue = minor === 1;
  }
  let keepAlive = minor === 1;
  if (connection !== undefined) {
    if (listHas(connection, 'close')) keepAlive = false;
    else if (minor === 0 && listHas(connection, 'keep-alive')) keepAlive = true;
  }
  if (faultyFraming) keepAlive = false;
  return { method, url, minor, rawHeaders, contentLength, chunked, keepAlive, expectContinue };
}

const enum ChunkState {
  Size,
  Data,
  DataCr,
  DataLf,
  Trailers,
  Done,
}

/** Longest chunk-size line (size and extensions) accepted. */
const MAX_CHUNK_LINE = 4096;
const CHUNK_LINE = /^([0-9a-fA-F]{1,13})(?:[ \t]*;[\t\x20-\x7e\x80-\xff]*)?$/;
const TRAILER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Decodes a chunked request body piece by piece: the data goes to `onData` (views of the input,
 * no copies), chunk extensions and trailer fields are checked and dropped.
 */
export class ChunkedDecoder {
  private state = ChunkState.Size;
  private remaining = 0;
  private line = '';
  private trailerBytes = 0;

  constructor(private readonly maxTrailerBytes: number) {}

  get done(): boolean {
    return this.state === ChunkState.Done;
  }

  /** Consumes bytes from `offset`; returns the offset after them (the body's end when done). Throws RequestBodyError. */
  decode(buf: Buffer, offset: number, onData: (piece: Buffer) => void): number {
    const length = buf.length;
    while (offset < length) {
      switch (this.state) {
        case ChunkState.Size:
        case ChunkState.Trailers: {
          const nl = buf.indexOf(10, offset);
          const end = nl < 0 ? length : nl;
          this.line += buf.toString('latin1', offset, end);
          if (this.state === ChunkState.Trailers) {
            this.trailerBytes += end - offset + 1;
            if (this.trailerBytes > this.maxTrailerBytes)
              throw new RequestBodyError(`chunked trailers larger than ${this.maxTrailerBytes} bytes`);
          } else if (this.line.length > MAX_CHUNK_LINE)
            throw new RequestBodyError(`chunk size line longer than ${MAX_CHUNK_LINE} bytes`);
          if (nl < 0) return length;
          offset = nl + 1;
          const line = this.line;
          this.line = '';
          if (line.charCodeAt(line.length - 1) !== 13)
            throw new RequestBodyError('chunk line not ended by CRLF');
          const content = line.slice(0, -1);
          if (this.state === ChunkState.Trailers) {
            if (content === '') {
              this.state = ChunkState.Done;
              return offset;
            }
            if (!TRAILER_LINE.test(content))
              throw new RequestBodyError(`malformed trailer line ${quote(content)}`);
            break;
          }
          const m = CHUNK_LINE.exec(content);
          if (!m) throw new RequestBodyError(`bad chunk size line ${quote(content)} (expected hex digits)`);
          const size = parseInt(m[1]!, 16);
          if (size === 0) this.state = ChunkState.Trailers;
          else {
            this.remaining = size;
            this.state = ChunkState.Data;
          }
          break;
        }
        case ChunkState.Data: {
          const n = Math.min(this.remaining, length - offset);
          this.remaining -= n;
          onData(offset === 0 && n === length ? buf : buf.subarray(offset, offset + n));
          offset += n;
          if (this.remaining === 0) this.state = ChunkState.DataCr;
          break;
        }
        case ChunkState.DataCr:
          if (buf[offset] !== 13) throw new RequestBodyError('chunk data not followed by CRLF');
          offset++;
          this.state = ChunkState.DataLf;
          break;
        case ChunkState.DataLf:
          if (buf[offset] !== 10) throw new RequestBodyError('chunk data not followed by CRLF');
          offset++;
          this.state = ChunkState.Size;
          break;
        case ChunkState.Done:
          return offset;
      }
    }
    return offset;
  }
}
