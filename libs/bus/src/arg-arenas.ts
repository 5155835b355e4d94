/**
 * Reusable off-heap memory for the large arguments of Redis calls (encoded events).
 *
 * Why: a large encoded event (a batch of 1,000 traces is 100–400 KB of JSON) handed to ioredis as a
 * string outlived the young generation's scavenges and was promoted; handed as a fresh Buffer
 * (`Buffer.from`), each one's backing store stayed counted as external memory until a mark-compact
 * freed it — in the worker at 30,000 traces/s ~11 MB/s, which started a mark-compact every ~0.8 s
 * (~25 ms of marking on the event loop each: a burst of late sends). Arenas are allocated once
 * and reused: the bytes of a call's large arguments are written into the current arena, and the
 * call's lease gives its share back once the call settled (Redis replied or the call failed, so
 * ioredis and the socket are done with the bytes). With the arenas the same worker runs a
 * mark-compact every ~10 s instead.
 *
 * Leases share arenas (a bump allocator with a count of live leases per arena), so many calls in
 * flight at once do not take an arena each.
 */

/** An argument of fewer characters than this stays a string: it dies young. */
export const OFF_HEAP_ARG_CHARS = 4_096;
/** Bytes per arena; an argument larger than that gets its own Buffer. */
export const ARENA_BYTES = 1 << 20;
/** Idle arenas kept for reuse beyond the current one. */
const KEEP_FREE = 3;

export interface Arena {
  readonly bytes: Buffer;
  used: number;
  /** Live leases holding bytes in this arena. */
  leases: number;
}

export interface ArgLease {
  /** `text` as an argument: itself when short, else its UTF-8 bytes in an arena (or a Buffer of its own). */
  put(text: string): string | Buffer;
  /** The call settled: its bytes may be overwritten. Idempotent. */
  release(): void;
}

export interface ArgArenaStats {
  /** Arenas allocated so far (each ARENA_BYTES). */
  allocated: number;
  /** Arguments too large for an arena, given a Buffer of their own. */
  oversized: number;
}

export class ArgArenas {
  private current: Arena | null = null;
  private readonly free: Arena[] = [];
  private readonly counts: ArgArenaStats = { allocated: 0, oversized: 0 };

  constructor(private readonly arenaBytes = ARENA_BYTES) {}

  lease(): ArgLease {
    return new Lease(this);
  }

  stats(): ArgArenaStats {
    return { ...this.counts };
  }

  /** Writes `text` for `lease`; null when it does not fit an arena. */
  write(text: string, held: Arena[]): Buffer | null {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; count exactly only when that bound is too big
    const bound = text.length * 3;
    let arena = this.current;
    let room = arena === null ? 0 : arena.bytes.length - arena.used;
    const need = bound <= room ? bound : Buffer.byteLength(text, 'utf8');
    if (need > room) {
      if (need > this.arenaBytes) {
        this.counts.oversized++;
        return null;
      }
      arena = this.rotate();
      room = arena.bytes.length;
    }
    const a = arena!;
    const start = a.used;
    const written = a.bytes.write(text, start, 'utf8');
    a.used = start + written;
    if (!held.includes(a)) {
      held.push(a);
      a.leases++;
    }
    return a.bytes.subarray(start, start + written);
  }

  /** A lease gave its share of `arena` back. */
  giveBack(arena: Arena): void {
    arena.leases--;
    if (arena.leases > 0) return;
    arena.used = 0;
    if (arena !== this.current && this.free.length < KEEP_FREE) this.free.push(arena);
  }

  /** Retires the current arena (reused once its leases are back) and takes a free or new one. */
  private rotate(): Arena {
    const old = this.current;
    if (old !== null && old.leases === 0) {
      // nothing holds its bytes: start it over instead of switching
      old.used = 0;
      return old;
    }
    let next = this.free.pop();
    if (next === undefined) {
      next = { bytes: Buffer.allocUnsafeSlow(this.arenaBytes), used: 0, leases: 0 };
      this.counts.allocated++;
    }
    this.current = next;
    return next;
  }
}

class Lease implements ArgLease {
  private readonly held: Arena[] = [];
  private released = false;

  constructor(private readonly arenas: ArgArenas) {}

  put(text: string): string | Buffer {
    if (text.length < OFF_HEAP_ARG_CHARS) return text;
    if (this.released) throw new Error('ArgLease.put after release');
    return this.arenas.write(text, this.held) ?? Buffer.from(text, 'utf8');
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    for (const arena of this.held) this.arenas.giveBack(arena);
    this.held.length = 0;
  }
}
