import { describe, expect, it } from 'vitest';
import { pressureRows } from './pressure.js';
import { runOsmoticRound } from './round.js';
import { randomCase } from './test-support/random-context.js';
import { referenceRound } from './test-support/reference.js';

// The optimised round (trace buckets by counting sort, client zone indexes, cached distance
// components, one value column, rows rebuilt on demand, nested indexes in the decisions) against a
// plain reference computation on random contexts: every row, skip, action and record identical.
describe('the optimised round against the reference computation', () => {
  const seeds = Array.from({ length: 400 }, (_, i) => i + 1);

  it('computes the same rows, skips, decisions and records on random contexts', () => {
    let rows = 0;
    let creates = 0;
    let deletes = 0;
    for (const seed of seeds) {
      for (const typed of [false, true]) {
        const { input, params } = randomCase(seed, typed);
        const round = runOsmoticRound(input, params());
        const ref = referenceRound(input, params());
        const context = `seed ${seed}${typed ? ' (typed times)' : ''}`;
        expect(pressureRows(round), context).toEqual(ref.rows);
        expect(round.rowCount, context).toBe(ref.rows.length);
        expect(round.skips, context).toEqual(ref.skips);
        expect(round.actions, context).toEqual(ref.actions);
        expect(
          [...round.records()].map((r) => `${r.name} ${JSON.stringify(r.value)}`),
          context,
        ).toEqual(ref.records.map((r) => `${r.name} ${JSON.stringify(r.value)}`));
        rows += ref.rows.length;
        creates += ref.actions.filter((a) => !a.delete).length;
        deletes += ref.actions.filter((a) => a.delete).length;
      }
    }
    // the random contexts exercise every step
    expect(rows).toBeGreaterThan(1000);
    expect(creates).toBeGreaterThan(100);
    expect(deletes).toBeGreaterThan(100);
  });

  it('reads a function pressure row by row as the reference lists it', () => {
    const { input, params } = randomCase(11, true);
    const round = runOsmoticRound(input, params());
    const ref = referenceRound(input, params());
    const fps = round.gateways.flatMap((g) => g.functions);
    expect(fps.map((f) => [f.fn, f.zone, f.size, f.mean])).toEqual(
      ref.functions.map((f) => [f.fn, f.zone, f.rows.length, f.mean]),
    );
    for (const [k, f] of fps.entries())
      for (let i = 0; i < f.size; i++) {
        expect(f.value(i)).toBe(ref.functions[k]!.rows[i]!.value);
        expect(f.group(i).clientZone).toBe(ref.functions[k]!.rows[i]!.clientZone);
      }
  });
});
