/** Checks a weight list: at least one weight, each a finite number ≥ 0. Returns the problem, if any. */
export function weightsProblem(weights: readonly number[]): string | undefined {
  if (weights.length === 0) return 'expected at least one weight, got none';
  const index = weights.findIndex((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0);
  if (index >= 0) return `weight ${index} must be a finite number ≥ 0, got ${String(weights[index])}`;
  return undefined;
}
