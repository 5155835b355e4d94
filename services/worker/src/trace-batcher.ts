import type { Bus, PublishItem } from '@galileo/bus';
import {
  galileoSubjects,
  MAX_TRACES_PER_BATCH,
  type GalileoCatalogue,
  type RequestTrace,
} from '@galileo/events';
import type { Redis } from 'ioredis';
import type { Logger } from '@galileo/logging';
import { formatTraceLine } from './trace-line.js';

export interface TraceBatcherOptions {
  bus: Bus<GalileoCatalogue>;
  /** A flush starts once this many traces are buffered (`galileo_expdb_trace_logger_flush`). */
  flushSize: number;
  /** …or when the oldest buffered trace is this old. */
  flushIntervalMs: number;
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
 * Traces per publishBatch call: one full event. Its validation and JSON (~1–2 ms for 1,000 traces)
 * run synchronously; after a stall the backlog goes out in such slices, with I/O in between, not
 * in one long block that would make the next sends late.
 */
const MAX_BATCH = MAX_TRACES_PER_BATCH;

interface BufferedTrace {
  trace: RequestTrace;
  experimentId: string | null;
}

/** The traces of one service and experiment in a flush. */
interface TraceGroup {
  service: string;
  experimentId: string | null;
  traces: RequestTrace[];
}

/**
 * Buffers traces and publishes them on the bus as `TraceBatchRecorded` events on
 * `galileo.traces.<service>` (correlationId = the experiment), by size and by time: one event per
 * service and experiment per flush, of at most MAX_TRACES_PER_BATCH traces, so that the bus, Redis
 * and every consumer pay per batch rather than per request. One flush runs at a time and takes
 * whatever accumulated meanwhile, so batches grow with the load.
 */
export function createTraceBatcher(options: TraceBatcherOptions): TraceBatcher {
  const { bus, flushSize, mirror, logger } = options;
  const maxBuffered = options.maxBuffered ?? 100_000;
  let buffer: BufferedTrace[] = [];
  const counts = { published: 0, dropped: 0, failed: 0 };
  let flushing: Promise<void> | null = null;
  let flushSoon: NodeJS.Immediate | null = null;
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

  async function drain(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer.length <= MAX_BATCH ? buffer : buffer.slice(0, MAX_BATCH);
      buffer = buffer.length <= MAX_BATCH ? [] : buffer.slice(MAX_BATCH);
      try {
        await bus.publishBatch(batchEvents(batch));
        if (mirror) {
          const pipeline = mirror.redis.pipeline();
          for (const { trace } of batch) pipeline.publish(mirror.channel, formatTraceLine(trace));
          await pipeline.exec();
        }
        counts.published += batch.length;
      } catch (e) {
        counts.failed += batch.length;
        logger.error({ err: e, traces: batch.length }, 'publishing traces failed; the batch is lost');
      }
    }
  }

  /** One TraceBatchRecorded per service and experiment (and per MAX_TRACES_PER_BATCH), in order. */
  function batchEvents(batch: readonly BufferedTrace[]): PublishItem<GalileoCatalogue>[] {
    const groups = new Map<string, TraceGroup>();
    let last: TraceGroup | undefined;
    for (const { trace, experimentId } of batch) {
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
    for (const { service, experimentId, traces } of groups.values()) {
      for (let i = 0; i < traces.length; i += MAX_TRACES_PER_BATCH) {
        items.push({
          subject: subjectOf(service),
          draft: {
            type: 'TraceBatchRecorded',
            data: {
              traces:
                traces.length <= MAX_TRACES_PER_BATCH ? traces : traces.slice(i, i + MAX_TRACES_PER_BATCH),
            },
            correlationId: experimentId,
          },
        });
      }
    }
    return items;
  }

  function flush(): Promise<void> {
    if (flushSoon) {
      clearImmediate(flushSoon);
      flushSoon = null;
    }
    flushing ??= drain().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  const timer = setInterval(() => {
    if (buffer.length > 0 && !flushing) void flush();
  }, options.flushIntervalMs);
  timer.unref();

  return {
    add(trace, experimentId) {
      if (buffer.length >= maxBuffered) {
        counts.dropped++;
        const now = Date.now();
        if (now - lastDropWarning > 5_000) {
          lastDropWarning = now;
          logger.warn(
            { buffered: buffer.length, dropped: counts.dropped },
            'trace buffer full: dropping traces',
          );
        }
        return;
      }
      buffer.push({ trace, experimentId });
      // Gather everything finishing in this turn of the event loop into one batch.
      if (buffer.length >= flushSize && !flushing && !flushSoon) {
        flushSoon = setImmediate(() => {
          flushSoon = null;
          void flush();
        });
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      // a trace added while the last flush was finishing waits for the next one
      while (buffer.length > 0 || flushing) await flush();
    },
    stats: () => ({ buffered: buffer.length, ...counts }),
  };
}
