import type { Bus, PublishItem } from '@galileo/bus';
import { galileoSubjects, TRACES_PER_EVENT, type GalileoCatalogue, type RequestTrace } from '@galileo/events';
import type { Redis } from 'ioredis';
import type { Logger } from '@galileo/logging';
import { formatTraceLine } from './trace-line.js';

export interface TraceBatcherOptions {
  bus: Bus<GalileoCatalogue>;
  /** A flush starts once this many traces are buffered (`galileo_expdb_trace_logger_flush`). */
  flushSize: number;
  /** …or when the oldest buffered trace is this old. */
  flushIntervalMs: number;
  /**
   * A flush started by the flush size waits until this long after the previous one started, so
   * that under load a batch holds what arrived meanwhile (≈ rate × spacing traces) instead of one
   * Redis call per few traces. Below flushSize / spacing traces per second it changes nothing.
   * Default MIN_FLUSH_SPACING_MS; 0: every flush at once.
   */
  minFlushSpacingMs?: number;
  /** Also publish every trace as a galileo line on a pub/sub channel (`galileo_trace_logging=redis`). */
  mirror?: { redis: Redis; channel: string } | null;
  /** Beyond this many buffered traces (Redis unreachable), new traces are dropped and counted. */
  maxBuffered?: number;
  logger: Logger;
}

export interface TraceBatcherStats {
  buffered: number;
  published: number;
  /** Dropped because the buffer was full. */
  dropped: number;
  /** Lost because publishing them failed. */
  failed: number;
  /** publishBatch calls so far (one per flush, or per TRACES_PER_EVENT of a backlog). */
  flushes: number;
}

export interface TraceBatcher {
  add(trace: RequestTrace, experimentId: string | null): void;
  /** Publishes everything buffered (including what arrives meanwhile). */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
  stats(): TraceBatcherStats;
}

/**
 * The default spacing of size-triggered flushes. Without it a flush started as soon as the previous
 * publish returned, so at 10,000 traces/s a batch held ~30 traces, and each batch costs a fixed
 * amount (envelope, script call, write and read syscalls, reply, promise chain). Measured with
 * bench/worker-bench-traces.ts at 10,000 traces/s (CPU per trace, noisy machine): ~26 µs at the
 * ~30-trace batches of no spacing, ~15 µs at 10 ms (~100 traces), ~12 µs at 20 ms (~200), ~11 µs
 * at ~830. 20 ms adds at most that to a trace's wait (the flush interval is 250 ms); from 12,500
 * traces/s on, batches reach TRACES_PER_EVENT and go out as soon as they do.
 */
export const MIN_FLUSH_SPACING_MS = 20;

/** The traces of one service and experiment in a flush. */
interface TraceGroup {
  service: string;
  experimentId: string | null;
  traces: RequestTrace[];
}

/**
 * Buffers traces and publishes them on the bus as `TraceBatchRecorded` events on
 * `galileo.traces.<service>` (correlationId = the experiment), by size and by time: one event per
 * service and experiment per flush, of at most TRACES_PER_EVENT traces, so that the bus, Redis
 * and every consumer pay per batch rather than per request. One flush runs at a time; a flush
 * started by the size waits for the spacing since the previous one, so batches grow with the
 * load; a backlog (≥ TRACES_PER_EVENT) goes out slice after slice.
 */
export function createTraceBatcher(options: TraceBatcherOptions): TraceBatcher {
  const { bus, flushSize, mirror, logger } = options;
  const maxBuffered = options.maxBuffered ?? 100_000;
  const spacingMs = options.minFlushSpacingMs ?? MIN_FLUSH_SPACING_MS;
  // two parallel arrays rather than an object per trace
  let traces: RequestTrace[] = [];
  let experiments: (string | null)[] = [];
  const counts = { published: 0, dropped: 0, failed: 0, flushes: 0 };
  let flushing: Promise<void> | null = null;
  let scheduled: { immediate: NodeJS.Immediate | null; timeout: NodeJS.Timeout | null } = {
    immediate: null,
    timeout: null,
  };
  let lastFlushStart = -Infinity;
  let lastDropWarning = 0;
  const subjects = new Map<string, string>();

  const subjectOf = (service: string): string => {
    let subject = subjects.get(service);
    if (subject === undefined) {
      subject = galileoSubjects.traces(service);
      subjects.set(service, subject);
    }
    return subject;
  };

  /**
   * Takes up to TRACES_PER_EVENT traces off the buffer, oldest first: the traces of one event and
   * of one publishBatch call (the contract allows up to MAX_TRACES_PER_BATCH). A slice's
   * validation and JSON run synchronously: ~2–3 ms for 1,000 traces, which at 30,000 req/s made
   * the flush 27 % of the worker's busy stretches of 4 ms or more (V8 profile, sampled every
   * 200 µs) — sends due meanwhile waited. Slices of 250 (~0.6 ms) go out one after the other with
   * I/O in between, a backlog after a stall too; the cost per event is a few µs.
   */
  function take(): { traces: RequestTrace[]; experiments: (string | null)[] } {
    if (traces.length <= TRACES_PER_EVENT) {
      const batch = { traces, experiments };
      traces = [];
      experiments = [];
      return batch;
    }
    const batch = {
      traces: traces.slice(0, TRACES_PER_EVENT),
      experiments: experiments.slice(0, TRACES_PER_EVENT),
    };
    traces = traces.slice(TRACES_PER_EVENT);
    experiments = experiments.slice(TRACES_PER_EVENT);
    return batch;
  }

  /** Publishes slices of the buffer: until it is empty (`all`), or while a full slice is waiting. */
  async function drain(all: boolean): Promise<void> {
    lastFlushStart = performance.now();
    do {
      const batch = take();
      counts.flushes++;
      try {
        await bus.publishBatch(batchEvents(batch.traces, batch.experiments));
        if (mirror) {
          const pipeline = mirror.redis.pipeline();
          for (const trace of batch.traces) pipeline.publish(mirror.channel, formatTraceLine(trace));
          await pipeline.exec();
        }
        counts.published += batch.traces.length;
      } catch (e) {
        counts.failed += batch.traces.length;
        logger.error({ err: e, traces: batch.traces.length }, 'publishing traces failed; the batch is lost');
      }
    } while (traces.length >= (all ? 1 : TRACES_PER_EVENT));
  }

  /** One TraceBatchRecorded per service and experiment (and per TRACES_PER_EVENT), in order. */
  function batchEvents(
    batch: readonly RequestTrace[],
    batchExperiments: readonly (string | null)[],
  ): PublishItem<GalileoCatalogue>[] {
    const groups = new Map<string, TraceGroup>();
    let last: TraceGroup | undefined;
    for (let i = 0; i < batch.length; i++) {
      const trace = batch[i]!;
      const experimentId = batchExperiments[i]!;
      // consecutive traces mostly share service and experiment: no key string for those
      if (last === undefined || last.service !== trace.service || last.experimentId !== experimentId) {
        const key = `${experimentId ?? ''}\u0000${trace.service}`;
        last = groups.get(key);
        if (last === undefined) {
          last = { service: trace.service, experimentId, traces: [] };
          groups.set(key, last);
        }
      }
      last.traces.push(trace);
    }
    const items: PublishItem<GalileoCatalogue>[] = [];
    // a batch is one slice (take()), so no group holds more than TRACES_PER_EVENT traces
    for (const { service, experimentId, traces: grouped } of groups.values()) {
      items.push({
        subject: subjectOf(service),
        draft: { type: 'TraceBatchRecorded', data: { traces: grouped }, correlationId: experimentId },
      });
    }
    return items;
  }

  function cancelScheduled(): void {
    if (scheduled.immediate) clearImmediate(scheduled.immediate);
    if (scheduled.timeout) clearTimeout(scheduled.timeout);
    scheduled = { immediate: null, timeout: null };
  }

  /** Starts a load-driven flush now if none is running. */
  function startFlush(): void {
    cancelScheduled();
    if (flushing || traces.length === 0) return;
    flushing = drain(false).finally(() => {
      flushing = null;
      // what arrived during the flush: the next one, spaced
      if (traces.length >= flushSize) scheduleFlush();
    });
  }

  /**
   * A flush after the current turn (gathering what completes in it), and not before the spacing
   * unless a full event is waiting (waiting longer would only grow the backlog).
   */
  function scheduleFlush(): void {
    if (flushing || scheduled.immediate) return;
    const wait = traces.length >= TRACES_PER_EVENT ? 0 : lastFlushStart + spacingMs - performance.now();
    if (wait < 1) {
      if (scheduled.timeout) clearTimeout(scheduled.timeout);
      scheduled = { immediate: setImmediate(startFlush), timeout: null };
    } else scheduled.timeout ??= setTimeout(startFlush, wait);
  }

  /** Everything buffered, after the flush that is running. */
  async function flush(): Promise<void> {
    cancelScheduled();
    while (flushing) await flushing;
    if (traces.length === 0) return;
    flushing = drain(true).finally(() => {
      flushing = null;
    });
    return flushing;
  }

  const timer = setInterval(() => {
    if (traces.length > 0 && !flushing) startFlush();
  }, options.flushIntervalMs);
  timer.unref();

  return {
    add(trace, experimentId) {
      if (traces.length >= maxBuffered) {
        counts.dropped++;
        const now = Date.now();
        if (now - lastDropWarning > 5_000) {
          lastDropWarning = now;
          logger.warn(
            { buffered: traces.length, dropped: counts.dropped },
            'trace buffer full: dropping traces',
          );
        }
        return;
      }
      traces.push(trace);
      experiments.push(experimentId);
      // at the flush size a (spaced) flush is due; at a full event, at once
      const length = traces.length;
      if (length === flushSize || (length === TRACES_PER_EVENT && flushSize < TRACES_PER_EVENT))
        scheduleFlush();
    },
    flush,
    async close() {
      clearInterval(timer);
      // a trace added while the last flush was finishing waits for the next one
      while (traces.length > 0 || flushing) await flush();
      cancelScheduled();
    },
    stats: () => ({ buffered: traces.length, ...counts }),
  };
}
