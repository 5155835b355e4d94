import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  reason: string;
  /** Names lower-cased; repeated names joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** The bytes of the whole response as they came (latin1). */
  raw: string;
}

/**
 * A raw TCP client for HTTP/1.x tests: sends bytes exactly as given, and splits what comes back
 * into responses (content-length, chunked, or until close; no body for HEAD/1xx/204/304).
 */
export class RawClient {
  received = '';
  closed = false;
  readonly socket: Socket;
  private readonly ready: Promise<void>;
  private readonly waiters: (() => void)[] = [];
  /** Methods of the requests sent, in order (to know which responses have no body). */
  private readonly heads: boolean[] = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.wake();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async send(data: string | Buffer): Promise<void> {
    await this.ready;
    const text = typeof data === 'string' ? data : data.toString('latin1');
    for (const m of text.matchAll(/(?:^|\r\n\r\n|\n)([A-Z]+) \S+ HTTP\/1\.\d\r\n/g))
      this.heads.push(m[1] === 'HEAD');
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Resolves once `test()` holds (checked on every arrival and on close). */
  async until(test: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** The complete responses received so far. */
  responses(): RawResponse[] {
    const out: RawResponse[] = [];
    let pos = 0;
    let index = 0;
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n', pos);
      if (end < 0) return out;
      const lines = this.received.slice(pos, end).split('\r\n');
      const m = /^HTTP\/1\.\d (\d{3}) ?(.*)$/.exec(lines[0]!);
      if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
      const status = Number(m[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
      }
      let bodyStart = end + 4;
      if (status < 200) {
        pos = bodyStart;
        out.push({ status, reason: m[2]!, headers, body: '', raw: this.received.slice(0, 0) });
        continue;
      }
      const head = this.heads[index++] ?? false;
      let body = '';
      let next: number;
      if (head || status === 204 || status === 304) next = bodyStart;
      else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
        let p = bodyStart;
        for (;;) {
          const eol = this.received.indexOf('\r\n', p);
          if (eol < 0) return out;
          const size = parseInt(this.received.slice(p, eol), 16);
          if (size === 0) {
            const fin = this.received.indexOf('\r\n\r\n', eol);
            if (fin < 0 && !this.received.startsWith('\r\n', eol + 2)) return out;
            next = this.received.startsWith('\r\n', eol + 2) ? eol + 4 : fin + 4;
            break;
          }
          if (this.received.length < eol + 2 + size + 2) return out;
          body += this.received.slice(eol + 2, eol + 2 + size);
          p = eol + 2 + size + 2;
        }
      } else if (headers['content-length'] !== undefined) {
        next = bodyStart + Number(headers['content-length']);
        if (this.received.length < next) return out;
        body = this.received.slice(bodyStart, next);
      } else {
        if (!this.closed) return out;
        next = this.received.length;
        body = this.received.slice(bodyStart);
      }
      out.push({ status, reason: m[2]!, headers, body, raw: this.received.slice(pos, next) });
      pos = next;
      bodyStart = next;
    }
  }

  async response(n = 1): Promise<RawResponse[]> {
    await this.until(() => this.finals().length >= n, `${n} response(s)`);
    return this.finals();
  }

  private finals(): RawResponse[] {
    return this.responses().filter((r) => r.status >= 200);
  }

  async waitClosed(timeoutMs = 5_000): Promise<void> {
    await this.until(() => this.closed, 'the server to close the connection', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
