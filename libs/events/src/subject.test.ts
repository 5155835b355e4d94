import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, subjectProblem } from './subject.js';
import { galileoSubjects } from './galileo-events.js';

describe('subjects', () => {
  it('encodes names into single tokens, reversibly', () => {
    for (const name of ['rpi0', 'node-1.cluster.local', 'a b*c>d%e', '']) {
      const token = encodeToken(name);
      expect(token).not.toMatch(/[.*>\s]/);
      expect(decodeToken(token)).toBe(name);
    }
  });
  it('accepts good subjects and explains bad ones', () => {
    expect(subjectProblem('galileo.traces.x')).toBeNull();
    expect(subjectProblem(galileoSubjects.telemetry('n1.local', 'cpu'))).toBeNull();
    expect(subjectProblem('galileo')).toMatch(/two tokens/);
    expect(subjectProblem('galileo..x')).toMatch(/invalid token/);
    expect(subjectProblem('galileo.*')).toMatch(/invalid token/);
    expect(subjectProblem('')).toMatch(/non-empty/);
  });
});
