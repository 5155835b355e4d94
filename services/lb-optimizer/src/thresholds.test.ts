import { describe, expect, it } from 'vitest';
import { thresholdsFromEnvironment } from './thresholds.js';

describe('osmotic_lb_opt_threshold_<fn>', () => {
  it('reads one threshold per function, `-` as `_`', () => {
    expect(
      thresholdsFromEnvironment({
        osmotic_lb_opt_threshold_busy: '0.3',
        'osmotic_lb_opt_threshold_request-responder': '1',
        other: 'x',
        osmotic_lb_opt_threshold_empty: '',
      }),
    ).toEqual({ ok: true, value: { busy: 0.3, request_responder: 1 } });
  });

  it('names every bad value', () => {
    const r = thresholdsFromEnvironment({
      osmotic_lb_opt_threshold_a: '30%',
      osmotic_lb_opt_threshold_b: '1.5',
      osmotic_lb_opt_threshold_c: '0',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toHaveLength(3);
      expect(r.error[0]).toMatch(
        /osmotic_lb_opt_threshold_a="30%": expected a CPU utilisation threshold in \(0, 1\]/,
      );
    }
  });
});
