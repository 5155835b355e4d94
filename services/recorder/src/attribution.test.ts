import type { CatalogueEvent, GalileoCatalogue } from '@galileo/events';
import { describe, expect, it } from 'vitest';
import { evolveWindows, experimentAt, type ExperimentWindows } from './attribution.js';

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
});
