import type { RandomSource } from './seeded-random.js';

/*
 * Transcriptions of CPython's `random` module (Lib/random.py, 3.12), which galileo's workers call
 * for their interarrival times (galileo/worker/random.py). Same algorithms and parameter
 * conventions; only the underlying uniform source differs. Parameters are checked by the arrival
 * processes before these are called.
 */

const TWO_PI = 2 * Math.PI;
const NV_MAGICCONST = (4 * Math.exp(-0.5)) / Math.sqrt(2);
const LOG4 = Math.log(4);
const SG_MAGICCONST = 1 + Math.log(4.5);

/** `uniform(a, b)`: a + (b − a)·U. */
export function uniformVariate(random: RandomSource, a: number, b: number): number {
  return a + (b - a) * random.next();
}

/** `triangular(low, high, mode)`; mode defaults to the midpoint. */
export function triangularVariate(random: RandomSource, low: number, high: number, mode?: number): number {
  let u = random.next();
  if (high === low) return low;
  let c = mode === undefined ? 0.5 : (mode - low) / (high - low);
  let lo = low;
  let hi = high;
  if (u > c) {
    u = 1 - u;
    c = 1 - c;
    [lo, hi] = [hi, lo];
  }
  return lo + (hi - lo) * Math.sqrt(u * c);
}

/** `normalvariate(mu, sigma)`: Kinderman and Monahan's ratio-of-uniforms method. */
export function normalVariate(random: RandomSource, mu: number, sigma: number): number {
  let z: number;
  for (;;) {
    const u1 = random.next();
    const u2 = 1 - random.next();
    z = (NV_MAGICCONST * (u1 - 0.5)) / u2;
    if ((z * z) / 4 <= -Math.log(u2)) break;
  }
  return mu + z * sigma;
}

/** `lognormvariate(mu, sigma)`: exp of a normal with mean mu and standard deviation sigma. */
export function lognormalVariate(random: RandomSource, mu: number, sigma: number): number {
  return Math.exp(normalVariate(random, mu, sigma));
}

/** `expovariate(lambd)`: mean 1/lambd. */
export function exponentialVariate(random: RandomSource, lambd: number): number {
  return -Math.log(1 - random.next()) / lambd;
}

/** `vonmisesvariate(mu, kappa)`: an angle in [0, 2π) (Best and Fisher). */
export function vonMisesVariate(random: RandomSource, mu: number, kappa: number): number {
  if (kappa <= 1e-6) return TWO_PI * random.next();
  const s = 0.5 / kappa;
  const r = s + Math.sqrt(1 + s * s);
  let z: number;
  for (;;) {
    const u1 = random.next();
    z = Math.cos(Math.PI * u1);
    const d = z / (r + z);
    const u2 = random.next();
    if (u2 < 1 - d * d || u2 <= (1 - d) * Math.exp(d)) break;
  }
  const q = 1 / r;
  const f = (q + z) / (1 + q * z);
  const theta = random.next() > 0.5 ? mu + Math.acos(f) : mu - Math.acos(f);
  return pythonModulo(theta, TWO_PI);
}

/** `gammavariate(alpha, beta)`: shape alpha, scale beta; mean alpha·beta. */
export function gammaVariate(random: RandomSource, alpha: number, beta: number): number {
  if (alpha > 1) {
    // Cheng's rejection algorithm GB (R.C.H. Cheng, Applied Statistics 1977)
    const ainv = Math.sqrt(2 * alpha - 1);
    const bbb = alpha - LOG4;
    const ccc = alpha + ainv;
    for (;;) {
      const u1 = random.next();
      if (!(u1 > 1e-7 && u1 < 0.9999999)) continue;
      const u2 = 1 - random.next();
      const v = Math.log(u1 / (1 - u1)) / ainv;
      const x = alpha * Math.exp(v);
      const z = u1 * u1 * u2;
      const r = bbb + ccc * v - x;
      if (r + SG_MAGICCONST - 4.5 * z >= 0 || r >= Math.log(z)) return x * beta;
    }
  }
  if (alpha === 1) return -Math.log(1 - random.next()) * beta;
  // 0 < alpha < 1: algorithm GS (Kennedy and Gentle, Statistical Computing)
  let x: number;
  for (;;) {
    const u = random.next();
    const b = (Math.E + alpha) / Math.E;
    const p = b * u;
    x = p <= 1 ? p ** (1 / alpha) : -Math.log((b - p) / alpha);
    const u1 = random.next();
    if (p > 1) {
      if (u1 <= x ** (alpha - 1)) break;
    } else if (u1 <= Math.exp(-x)) {
      break;
    }
  }
  return x * beta;
}

/** `betavariate(alpha, beta)`: in [0, 1], mean alpha/(alpha + beta). */
export function betaVariate(random: RandomSource, alpha: number, beta: number): number {
  const y = gammaVariate(random, alpha, 1);
  return y !== 0 ? y / (y + gammaVariate(random, beta, 1)) : 0;
}

/** `paretovariate(alpha)`: ≥ 1, mean alpha/(alpha − 1) for alpha > 1. */
export function paretoVariate(random: RandomSource, alpha: number): number {
  const u = 1 - random.next();
  return u ** (-1 / alpha);
}

/** `weibullvariate(alpha, beta)`: scale alpha, shape beta; mean alpha·Γ(1 + 1/beta). */
export function weibullVariate(random: RandomSource, alpha: number, beta: number): number {
  const u = 1 - random.next();
  return alpha * (-Math.log(u)) ** (1 / beta);
}

/** Python's `%` for floats: the result has the sign of the divisor. */
function pythonModulo(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}
