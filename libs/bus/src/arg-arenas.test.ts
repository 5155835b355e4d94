import { describe, expect, it } from 'vitest';
import { ArgArenas, OFF_HEAP_ARG_CHARS } from './arg-arenas.js';

const large = (fill: string, chars = OFF_HEAP_ARG_CHARS): string =>
  fill.repeat(Math.ceil(chars / fill.length)).slice(0, chars);

describe('ArgArenas', () => {
  it('keeps short arguments as strings', () => {
    const lease = new ArgArenas().lease();
    expect(lease.put('short')).toBe('short');
    expect(lease.put(large('x', OFF_HEAP_ARG_CHARS - 1))).toBeTypeOf('string');
  });

  it('writes the same bytes as Buffer.from, multi-byte and lone surrogates included', () => {
    const arenas = new ArgArenas();
    const lease = arenas.lease();
    for (const text of [large('a'), large('é€😀'), large('x\ud800y'), large('\udc00'), large('"\\\n')]) {
      const arg = lease.put(text);
      expect(Buffer.isBuffer(arg)).toBe(true);
      expect((arg as Buffer).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
    lease.release();
  });

  it('packs the arguments of concurrent calls into one arena and reuses it once they settled', () => {
    const arenas = new ArgArenas(64 * 1024);
    const first = arenas.lease();
    const second = arenas.lease();
    const a = first.put(large('a')) as Buffer;
    const b = second.put(large('b')) as Buffer;
    expect(a.buffer).toBe(b.buffer);
    expect(b.toString()).toBe(large('b'));
    expect(a.toString()).toBe(large('a'));
    first.release();
    // `second` still holds its bytes: a new call must not overwrite them
    const third = arenas.lease();
    third.put(large('c'));
    expect(b.toString()).toBe(large('b'));
    second.release();
    third.release();
    const again = arenas.lease().put(large('d')) as Buffer;
    expect(again.buffer).toBe(a.buffer);
    expect(arenas.stats()).toEqual({ allocated: 1, oversized: 0 });
  });

  it('takes another arena when the current one is full, and recycles the full one', () => {
    const arenas = new ArgArenas(3 * OFF_HEAP_ARG_CHARS);
    const held = arenas.lease();
    const x = held.put(large('x')) as Buffer;
    const y = held.put(large('y')) as Buffer;
    const z = held.put(large('z')) as Buffer; // does not fit what is left by the 3-byte bound: counted exactly
    expect(y.buffer).toBe(x.buffer);
    expect(z.buffer).toBe(x.buffer);
    const other = arenas.lease();
    const w = other.put(large('w')) as Buffer;
    expect(w.buffer).not.toBe(x.buffer);
    expect([x, y, z].map((b) => b.toString()[0])).toEqual(['x', 'y', 'z']);
    held.release();
    other.release();
    for (let i = 0; i < 10; i++) {
      const l = arenas.lease();
      l.put(large('q'));
      l.put(large('r'));
      l.release();
    }
    expect(arenas.stats().allocated).toBe(2);
  });

  it('gives an argument larger than an arena a Buffer of its own', () => {
    const arenas = new ArgArenas(OFF_HEAP_ARG_CHARS);
    const lease = arenas.lease();
    const big = large('€', 2 * OFF_HEAP_ARG_CHARS);
    const arg = lease.put(big) as Buffer;
    expect(arg.equals(Buffer.from(big))).toBe(true);
    expect(arenas.stats()).toEqual({ allocated: 0, oversized: 1 });
  });

  it('release is idempotent and a released lease refuses new arguments', () => {
    const arenas = new ArgArenas(64 * 1024);
    const lease = arenas.lease();
    lease.put(large('a'));
    const other = arenas.lease();
    const kept = other.put(large('k')) as Buffer;
    lease.release();
    lease.release();
    // a second release must not count `other`'s share off: its bytes stay
    arenas.lease().put(large('n'));
    expect(kept.toString()).toBe(large('k'));
    expect(() => lease.put(large('b'))).toThrow(/after release/);
    expect(lease.put('short')).toBe('short');
  });
});
