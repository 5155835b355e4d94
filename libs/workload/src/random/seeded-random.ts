/** A source of uniform numbers in [0, 1), like Python's `random.random()`. */
export interface RandomSource {
  next(): number;
}

export type Seed = number | string;

/**
 * A seeded PRNG: xoshiro128** (Blackman & Vigna), seeded by hashing the seed with cyrb128.
 * The same seed always gives the same sequence, on every platform.
 *
 * `next()` joins two 32-bit outputs into 53 random bits, exactly as CPython's
 * `random.random()` does (`(a >> 5) * 2^26 + (b >> 6)) / 2^53`), so every float in [0, 1)
 * with 53-bit resolution can come out and 1.0 never does.
 */
export function createSeededRandom(seed: Seed): RandomSource {
  const next32 = xoshiro128StarStar(cyrb128(typeof seed === 'string' ? `s:${seed}` : `n:${seed}`));
  return {
    next() {
      const a = next32() >>> 5;
      const b = next32() >>> 6;
      return (a * 67108864 + b) / 9007199254740992;
    },
  };
}

/** xoshiro128** over a 128-bit state; returns unsigned 32-bit integers. */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state.map((word) => word >>> 0) as [number, number, number, number];
  if ((s0 | s1 | s2 | s3) === 0) s0 = 0x9e3779b9; // the all-zero state is a fixed point
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** cyrb128 (bryc): a fast 128-bit string hash, used only to spread a seed over the PRNG state. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}
