/** One k6-style stage: move to `target` requests per second over `durationMs`. */
export interface Stage {
  durationMs: number;
  target: number;
}

/** `linear`: the rate ramps linearly from the previous target (k6 ramping-arrival-rate); `step`: each stage holds its target. */
export type RampMode = 'linear' | 'step';

interface Segment {
  startMs: number;
  durationMs: number;
  /** Rates in requests per second at the start and end of the segment. */
  fromRate: number;
  toRate: number;
  /** Expected arrivals Λ before this segment. */
  arrivalsBefore: number;
  /** Expected arrivals Λ within this segment. */
  arrivals: number;
}

/**
 * A piecewise-linear request rate λ(t) and its integral Λ(t), the expected number of arrivals by
 * time t. Arrival times come from operational time: the k-th arrival is where Λ reaches the sum of
 * k unit-mean interarrivals (time rescaling). With unit draws of exactly 1 this yields the exact
 * deterministic schedule; with Exp(1) draws an exact non-homogeneous Poisson process.
 */
export interface RateProfile {
  /** Expected arrivals over the whole profile; Infinity for an endless constant rate. */
  readonly totalArrivals: number;
  readonly durationMs: number;
  /** Expected arrivals Λ(t) by `elapsedMs` after the start. */
  arrivalsBy(elapsedMs: number): number;
  /** A cursor that inverts Λ for non-decreasing operational times; undefined once past the end. */
  cursor(): (operationalTime: number) => number | undefined;
}

/** A constant rate forever. */
export function constantRateProfile(ratePerSecond: number): RateProfile {
  return profileOf([
    {
      startMs: 0,
      durationMs: Infinity,
      fromRate: ratePerSecond,
      toRate: ratePerSecond,
      arrivalsBefore: 0,
      arrivals: Infinity,
    },
  ]);
}

/** Stages starting from `startRate` (ignored in step mode); the profile ends with the last stage. */
export function stagedRateProfile(startRate: number, stages: readonly Stage[], mode: RampMode): RateProfile {
  const segments: Segment[] = [];
  let startMs = 0;
  let arrivalsBefore = 0;
  let rate = startRate;
  for (const { durationMs, target } of stages) {
    const fromRate = mode === 'step' ? target : rate;
    const arrivals = (((fromRate + target) / 2) * durationMs) / 1000;
    segments.push({ startMs, durationMs, fromRate, toRate: target, arrivalsBefore, arrivals });
    startMs += durationMs;
    arrivalsBefore += arrivals;
    rate = target;
  }
  return profileOf(segments);
}

function profileOf(segments: readonly Segment[]): RateProfile {
  const last = segments.at(-1);
  const totalArrivals = last ? last.arrivalsBefore + last.arrivals : 0;
  const durationMs = last ? last.startMs + last.durationMs : 0;
  // Λ accumulates rounding; an arrival landing within this slack of the end still counts
  const endSlack = Number.isFinite(totalArrivals) ? 1e-9 * Math.max(1, totalArrivals) : 0;
  return {
    totalArrivals,
    durationMs,
    arrivalsBy(elapsedMs) {
      let total = 0;
      for (const s of segments) {
        if (elapsedMs <= s.startMs) break;
        const tau = Math.min(elapsedMs - s.startMs, s.durationMs);
        total += arrivalsWithin(s, tau);
      }
      return total;
    },
    cursor() {
      let index = 0;
      return (operationalTime) => {
        if (operationalTime > totalArrivals + endSlack) return undefined;
        let segment = segments[index];
        while (segment && operationalTime > segment.arrivalsBefore + segment.arrivals) {
          const next = segments[index + 1];
          if (!next) break; // within the end slack: the arrival falls on the end
          index += 1;
          segment = next;
        }
        if (!segment) return undefined;
        const wanted = Math.min(operationalTime - segment.arrivalsBefore, segment.arrivals);
        return segment.startMs + elapsedFor(segment, wanted);
      };
    },
  };
}

/** Λ over the first `tau` ms of a segment: (r0·τ + (r1 − r0)·τ²/(2D)) / 1000. */
function arrivalsWithin(s: Segment, tau: number): number {
  if (s.fromRate === s.toRate) return (s.fromRate * tau) / 1000;
  return (s.fromRate * tau + ((s.toRate - s.fromRate) * tau * tau) / (2 * s.durationMs)) / 1000;
}

/**
 * The τ in [0, D] at which the segment has produced `arrivals` expected arrivals: the positive root
 * of (r1 − r0)/(2D)·τ² + r0·τ − 1000·arrivals = 0, in the cancellation-free form
 * τ = 2x / (r0 + √(r0² + 2(r1 − r0)x/D)) with x = 1000·arrivals.
 */
function elapsedFor(s: Segment, arrivals: number): number {
  if (arrivals <= 0) return 0;
  const x = 1000 * arrivals;
  if (s.fromRate === s.toRate) return Math.min(x / s.fromRate, s.durationMs);
  const discriminant = Math.max(
    0,
    s.fromRate * s.fromRate + (2 * (s.toRate - s.fromRate) * x) / s.durationMs,
  );
  const denominator = s.fromRate + Math.sqrt(discriminant);
  if (denominator <= 0) return s.durationMs;
  return Math.min((2 * x) / denominator, s.durationMs);
}
