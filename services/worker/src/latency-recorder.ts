import type { LatencySummary } from '@galileo/workers';
import { build, type Histogram } from 'hdr-histogram-js';

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
  const serviceTime = measure();
  const responseTime = measure();
  return {
    record(serviceTimeMs, responseTimeMs) {
      serviceTime.record(toMicroseconds(serviceTimeMs));
      responseTime.record(toMicroseconds(responseTimeMs));
    },
    summary: () => ({ serviceTime: serviceTime.summary(), responseTime: responseTime.summary() }),
  };
}

/**
 * One HdrHistogram plus the exact sum of what it recorded. The mean comes from the sum:
 * hdr-histogram-js computes `mean` by walking every recorded value with an allocating iterator,
 * which took ~6 ms per call warm and hundreds of milliseconds on the first calls — stalling the
 * sending loop on every GetWorkerInfo and /metrics scrape. The percentiles are one pass each.
 */
function measure() {
  const h = histogram();
  let sumUs = 0;
  return {
    record(us: number) {
      h.recordValue(us);
      sumUs += us;
    },
    summary: () => summarize(h, sumUs),
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

function summarize(h: Histogram, sumUs: number): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    mean: ms(sumUs / h.totalCount),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
