import { describe, expect, it } from 'vitest';
import { compilePattern, patternProblem, streamOf } from './subject-pattern.js';

describe('NATS wildcard matching', () => {
  const table: [pattern: string, subject: string, matches: boolean][] = [
    ['galileo.traces.squeezenet', 'galileo.traces.squeezenet', true],
    ['galileo.traces.squeezenet', 'galileo.traces.resnet', false],
    ['galileo.traces.squeezenet', 'galileo.traces.squeezenet.x', false],
    ['galileo.*.x', 'galileo.traces.x', true],
    ['galileo.*.x', 'galileo.events.x', true],
    ['galileo.*.x', 'galileo.traces.y', false],
    ['galileo.*.x', 'galileo.traces.x.y', false],
    ['galileo.*.x', 'galileo.x', false],
    ['galileo.>', 'galileo.traces', true],
    ['galileo.>', 'galileo.traces.x.y.z', true],
    ['galileo.>', 'galileo', false],
    ['galileo.>', 'other.traces', false],
    ['galileo.traces.>', 'galileo.traces.a', true],
    ['galileo.traces.>', 'galileo.traces', false],
    ['*.traces.*', 'galileo.traces.a', true],
    ['*.traces.*', 'galileo.events.a', false],
    ['>', 'anything.at.all', true],
    ['galileo.telemetry.*.cpu', 'galileo.telemetry.rpi0.cpu', true],
    ['galileo.telemetry.*.cpu', 'galileo.telemetry.rpi0.ram', false],
  ];
  it.each(table)('%s ~ %s → %s', (pattern, subject, expected) => {
    expect(compilePattern(pattern).matches(subject)).toBe(expected);
  });

  it('knows which streams a pattern reads', () => {
    expect(compilePattern('galileo.traces.>').stream).toBe('galileo.traces');
    expect(compilePattern('galileo.traces').stream).toBe('galileo.traces');
    expect(compilePattern('galileo.*.x').stream).toBeNull();
    expect(compilePattern('galileo.*.x').matchesStream('galileo.traces')).toBe(true);
    expect(compilePattern('galileo.*.x').matchesStream('other.traces')).toBe(false);
    expect(compilePattern('galileo.>').matchesStream('galileo.events')).toBe(true);
    expect(compilePattern('>').matchesStream('x.y')).toBe(true);
    expect(compilePattern('*.traces.>').matchesStream('galileo.events')).toBe(false);
  });

  it('explains bad patterns', () => {
    expect(patternProblem('galileo.>.x')).toMatch(/last token/);
    expect(patternProblem('galileo..x')).toMatch(/empty token/);
    expect(patternProblem('galileo.tr*')).toMatch(/stand alone/);
    expect(patternProblem('')).toMatch(/non-empty/);
    expect(() => compilePattern('a.>.b')).toThrow(/last token/);
  });

  it('maps a subject to the stream of its first two tokens', () => {
    expect(streamOf('galileo.traces.squeezenet')).toBe('galileo.traces');
    expect(streamOf('galileo.telemetry.n1.cpu')).toBe('galileo.telemetry');
    expect(streamOf('galileo.events')).toBe('galileo.events');
  });
});
