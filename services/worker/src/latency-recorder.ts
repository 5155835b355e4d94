import { build, type Histogram } from 'hdr-histogram-js';

/** Percentiles of one latency measure, in milliseconds (microsecond resolution, 3 significant digits). */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * A client group's latencies in two HdrHistograms:
 * - `serviceTime`: response done − actually sent (what the server and network took);
 * - `responseTime`: response done − *intended* send time, which also counts any time the request
 *   waited to leave, so a stalled generator cannot hide slow periods (no coordinated omission).
 */
export interface LatencyRecorder {
  record(serviceTimeMs: number, responseTimeMs: number): void;
  summary(): { serviceTime: LatencySummary; responseTime: LatencySummary };
}

const HOUR_US = 3_600_000_000;

export function createLatencyRecorder(): LatencyRecorder {
  const serviceTime = histogram();
  const responseTime = histogram();
  return {
    record(serviceTimeMs, responseTimeMs) {
      serviceTime.recordValue(toMicroseconds(serviceTimeMs));
      responseTime.recordValue(toMicroseconds(responseTimeMs));
    },
    summary: () => ({ serviceTime: summarize(serviceTime), responseTime: summarize(responseTime) }),
  };
}

function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HOUR_US,
    numberOfSignificantValueDigits: 3,
  });
}

function toMicroseconds(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 0 ? 0 : us; // a request sent a fraction of a millisecond early
}

function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
