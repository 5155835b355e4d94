import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { patternProblem, type Bus, type StartAt } from '@galileo/bus';
import type { GalileoCatalogue } from '@galileo/events';

export const DEFAULT_EVENTS_PATTERN = 'galileo.>';
const HEARTBEAT_MS = 15_000;

export interface EventStreamOptions {
  pattern: string;
  /** 'new' (default), 'beginning', or a time in epoch ms. */
  startAt: StartAt;
  /** Extra headers (CORS) for the hijacked response. */
  headers: Record<string, string>;
  onError?: (error: unknown) => void;
}

export function eventsPatternProblem(pattern: string): string | null {
  return patternProblem(pattern);
}

/**
 * Streams bus events as server-sent events: `id` = envelope id, `event` = event type, `data` = the
 * envelope JSON. Each connection is its own consumer group, removed when the client goes, so a
 * closed tab never holds the streams' trimming back.
 */
export async function streamBusEvents(
  bus: Bus<GalileoCatalogue>,
  response: ServerResponse,
  options: EventStreamOptions,
): Promise<void> {
  const group = `api-sse-${randomUUID()}`;
  response.writeHead(200, {
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write(`: galileo events ${options.pattern}\nretry: 2000\n\n`);
  let closed = false;
  const subscription = await bus.subscribe(options.pattern, {
    group,
    startAt: options.startAt,
    maxDeliveries: 1,
    handler: (event) => {
      if (closed) return;
      response.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    },
  });
  const heartbeat = setInterval(() => response.write(`: keep-alive\n\n`), HEARTBEAT_MS);
  heartbeat.unref();
  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    try {
      const streams = subscription.stats().streams;
      await subscription.stop();
      await Promise.all(streams.map((s) => bus.deleteGroup(s, group)));
    } catch (e) {
      options.onError?.(e);
    }
  };
  response.once('close', () => void close());
  if (response.destroyed) await close();
}
