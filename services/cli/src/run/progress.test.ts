import { describe, expect, it } from 'vitest';
import { applyProgress, initialProgress, isFinal, renderProgressLine } from './progress.js';

describe('progress line', () => {
  it('shows elapsed/planned, requests, rate and p99 of the last window, errors and the status', () => {
    let s = initialProgress('e1', 10);
    expect(renderProgressLine(s, 0)).toBe(
      '[                    ] 0.0/10 s  requests 0  rate 0.0/s  errors 0  p99 -  QUEUED',
    );
    s = applyProgress(s, { type: 'started', at: 1_000_000 });
    for (let i = 0; i < 100; i++) {
      const t = 1_000 + i * 0.04;
      s = applyProgress(s, {
        type: 'trace',
        created: t,
        done: t + (i === 99 ? 0.2 : 0.01),
        status: i % 10 === 0 ? 500 : 200,
      });
    }
    const line = renderProgressLine(s, 1_004_000);
    expect(line).toBe(
      '[=======>            ] 4.0/10 s  requests 100  rate 25.0/s  errors 10  p99 10.0 ms  IN_PROGRESS',
    );
    s = applyProgress(s, { type: 'finished', at: 1_010_000 });
    expect(isFinal(s)).toBe(true);
    expect(renderProgressLine(s, 1_020_000)).toMatch(/^\[====================\] 10\.0\/10 s .* FINISHED$/);
  });

  it('works without a planned length', () => {
    const s = applyProgress(initialProgress('e', null), { type: 'started', at: 0 });
    expect(renderProgressLine(s, 2_500)).toBe('2.5 s  requests 0  rate 0.0/s  errors 0  p99 -  IN_PROGRESS');
  });
});
