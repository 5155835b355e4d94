import { randomFillSync } from 'node:crypto';

// Crockford base32, as the ULID spec requires: lexicographic order == time order.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const POOL_SIZE = 4096;

export interface UlidFactory {
  (nowMs?: number): string;
}

/**
 * A monotonic ULID factory: ids made in the same millisecond increase by one in their random
 * part, so ids from one process always sort in creation order. Random bytes are drawn from a
 * pool to keep the hot path (one id per published event) free of syscalls.
 */
export function monotonicUlid(clock: () => number = Date.now): UlidFactory {
  const pool = Buffer.allocUnsafe(POOL_SIZE);
  let poolPos = POOL_SIZE;
  let lastTime = -1;
  const lastRandom = new Array<number>(RANDOM_CHARS).fill(0);
  let lastTimeChars = '';

  const refillRandom = (): void => {
    if (poolPos + RANDOM_CHARS > POOL_SIZE) {
      randomFillSync(pool);
      poolPos = 0;
    }
    for (let i = 0; i < RANDOM_CHARS; i++) lastRandom[i] = pool[poolPos++]! & 31;
    // Leave headroom so increments within one millisecond cannot overflow the random part.
    lastRandom[0] = lastRandom[0]! & 15;
  };

  const increment = (): void => {
    for (let i = RANDOM_CHARS - 1; i >= 0; i--) {
      if (lastRandom[i]! < 31) {
        lastRandom[i]! += 1;
        return;
      }
      lastRandom[i] = 0;
    }
  };

  return (nowMs?: number): string => {
    const now = nowMs ?? clock();
    if (now > lastTime) {
      lastTime = now;
      lastTimeChars = encodeTime(now);
      refillRandom();
    } else {
      increment();
    }
    let out = lastTimeChars;
    for (let i = 0; i < RANDOM_CHARS; i++) out += ALPHABET[lastRandom[i]!];
    return out;
  };
}

function encodeTime(ms: number): string {
  let t = Math.floor(ms);
  let out = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** The time (epoch ms) encoded in a ULID. */
export function ulidTime(id: string): number {
  let t = 0;
  for (let i = 0; i < TIME_CHARS; i++) t = t * 32 + ALPHABET.indexOf(id[i]!);
  return t;
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The process-wide default factory: monotonic across everything this process publishes. */
export const ulid: UlidFactory = monotonicUlid();
