import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';
import { describe, expect, it } from 'vitest';
import {
  createAttribution,
  evolveWindows,
  experimentAt,
  type ExperimentWindow,
  type ExperimentWindows,
} from './attribution.js';

const ev = (type: string, data: object) =>
  ({
    type,
    data,
    id: 'x',
    subject: 's',
    version: 1,
    time: '2026-01-01T00:00:10.000Z',
    source: 't',
    correlationId: null,
    causationId: null,
  }) as unknown as CatalogueEvent<GalileoCatalogue>;

describe('experiment attribution', () => {
  it('folds lifecycle events into windows and finds the experiment of an instant', () => {
    let w: ExperimentWindows = new Map();
    w = evolveWindows(w, ev('ExperimentStarted', { id: 'a', start: 100, daemon: 'd' }));
    expect(experimentAt(w, 99)).toBeNull();
    expect(experimentAt(w, 150)).toBe('a');
    w = evolveWindows(w, ev('ExperimentFinished', { id: 'a', end: 200 }));
    expect(experimentAt(w, 200)).toBe('a');
    expect(experimentAt(w, 201)).toBeNull();
    w = evolveWindows(w, ev('ExperimentStarted', { id: 'b', start: 150, daemon: 'd' }));
    expect(experimentAt(w, 160)).toBe('b'); // the later start wins while both run
    w = evolveWindows(w, ev('ExperimentCancelled', { id: 'b', end: null, reason: 'r' }));
    expect(w.get('b')!.end).toBe(Date.parse('2026-01-01T00:00:10.000Z') / 1000);
    expect(evolveWindows(w, ev('ExperimentQueued', {}))).toBe(w);
  });

  it('answers from its memory exactly as experimentAt does, boundaries and changed windows included', () => {
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const instants = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    for (let round = 0; round < 300; round++) {
      const attribution = createAttribution();
      let windows: ExperimentWindows = new Map();
      for (let change = 0; change < 4; change++) {
        const next = new Map(windows);
        for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
          const start = random() < 0.15 ? null : pick(instants);
          const end = random() < 0.4 ? null : (start ?? 0) + pick([0, 0, 10, 25, 40]);
          const w: ExperimentWindow = { id: `e${round}-${change}-${i}`, start, end };
          next.set(w.id, w);
        }
        windows = next;
        // in time order (as telemetry comes), then out of order, on and between the bounds
        const probes = [
          ...instants.flatMap((t) => [t - 1, t, t + 0.5]),
          ...instants.map(() => pick(instants) + pick([-0.5, 0, 0.5])),
        ];
        for (const t of [...probes, Number.NaN, -Infinity, Infinity])
          expect(attribution(windows, t)).toBe(experimentAt(windows, t));
      }
    }
  });
});
