/**
 * Burns CPU like a compute-bound function: `iterations` rounds of an xorshift mix, then busy work
 * until `milliseconds` have passed. Returns a checksum so the work cannot be optimised away.
 */
export function burnCpu(iterations: number, milliseconds: number): number {
  let x = 0x9e3779b9;
  for (let i = 0; i < iterations; i++) x = mix(x);
  if (milliseconds > 0) {
    const deadline = performance.now() + milliseconds;
    while (performance.now() < deadline) {
      for (let i = 0; i < 1_000; i++) x = mix(x);
    }
  }
  return x >>> 0;
}

function mix(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}
