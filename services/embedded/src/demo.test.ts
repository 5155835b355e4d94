import { parseInstructions } from '@galileo/instructions';
import { describe, expect, it } from 'vitest';
import { demoInstructions, optimizerSummary, parseDemoArguments } from './demo.js';

describe('parseDemoArguments', () => {
  it('reads --duration and --quiet, with 60 s by default', () => {
    expect(parseDemoArguments([])).toEqual({ ok: true, value: { durationS: 60, quiet: false } });
    expect(parseDemoArguments(['--duration', '20', '--quiet'])).toEqual({
      ok: true,
      value: { durationS: 20, quiet: true },
    });
    expect(parseDemoArguments(['--duration=30'])).toEqual({
      ok: true,
      value: { durationS: 30, quiet: false },
    });
  });
  it('names what was wrong', () => {
    const bad = parseDemoArguments(['--duration', 'abc']);
    expect(bad).toEqual({ ok: false, error: expect.stringMatching(/--duration abc: expected seconds/) });
    expect(parseDemoArguments(['--nope'])).toEqual({
      ok: false,
      error: expect.stringMatching(/unknown option --nope/),
    });
    expect(parseDemoArguments(['--help'])).toEqual({ help: true });
  });
});

describe('demoInstructions', () => {
  it('is valid instruction language whose sleeps add up to the duration and whose rate ramps to 60', () => {
    const text = demoInstructions('local-zone-a', 20);
    const parsed = parseInstructions(text);
    expect(parsed.ok).toBe(true);
    const lines = text.split('\n');
    const sleeps = lines.filter((l) => l.startsWith('sleep ')).map((l) => Number(l.split(' ')[1]));
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeCloseTo(20, 6);
    const rates = lines.filter((l) => l.startsWith('rps ')).map((l) => Number(l.split(' ')[3]));
    expect(rates[0]).toBe(10);
    expect(Math.max(...rates)).toBe(60);
    expect(rates.at(-1)).toBe(0);
    expect(lines[0]).toBe('spawn local-zone-a busy 4 {"path": "/function/busy"}');
    expect(lines.at(-1)).toBe('close local-zone-a busy');
  });
});

describe('optimizerSummary', () => {
  it('counts scaling actions and shows the last weights per zone', () => {
    const text = optimizerSummary(
      [
        { name: 'api_pressure', timestamp: 1, value: JSON.stringify({ zone: 'zone-a', max: 0.93 }) },
        { name: 'scale_schedule', timestamp: 2, value: JSON.stringify({ delete: false }) },
        {
          name: 'weight_update',
          timestamp: 3,
          value: JSON.stringify({
            zone: 'zone-a',
            weights: { ips: ['127.0.0.1:1', '127.0.0.1:9'], weights: [90, 1] },
          }),
        },
        {
          name: 'weight_update',
          timestamp: 4,
          value: JSON.stringify({
            zone: 'zone-a',
            weights: { ips: ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:9'], weights: [50, 48, 1] },
          }),
        },
      ],
      { 'zone-a': 2, 'zone-b': 1 },
      { 'zone-a': '127.0.0.1:8', 'zone-b': '127.0.0.1:9' },
    );
    expect(text).toContain('highest api_pressure 0.930 (gateway of zone-a)');
    expect(text).toContain('1 replica(s) created, 0 removed; replicas now zone-a: 2, zone-b: 1');
    expect(text).toContain('2 weight_update(s)');
    expect(text).toContain('zone-a: 127.0.0.1:1 50, 127.0.0.1:2 48, →zone-b 1');
  });
});
