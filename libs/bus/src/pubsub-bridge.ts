import type { Catalogue, CatalogueEvent, EventDraft } from '@galileo/events';
import type { Bus } from './bus.js';
import { SUBSCRIBER_OPTIONS, subscribeConfirmed, watchConnection } from './connection-watch.js';
import type { Subscription } from './types.js';

/** The `source` of events ingested from a channel; a mirror never writes those back there. */
export const pubsubSource = (channel: string) => `pubsub:${channel}`;

export interface MirrorOptions<C extends Catalogue> {
  /** Subjects to mirror, e.g. `galileo.events.>`. */
  pattern: string;
  /** The Redis pub/sub channel, e.g. `galileo/events`. */
  channel: string;
  /** Consumer group of the mirror (one group per mirrored channel and pattern). */
  group: string;
  /** The line to publish, or null to leave an event out. */
  format(event: CatalogueEvent<C>): string | null;
}

/**
 * Mirrors subjects to a pub/sub channel for the tools that speak galileo's pub/sub protocols.
 * Each published line is marked in Redis first, so an ingest bridge on the same channel — in
 * any process — recognises it and does not feed it back into the bus.
 */
export async function mirrorToPubSub<C extends Catalogue>(
  bus: Bus<C>,
  options: MirrorOptions<C>,
): Promise<Subscription> {
  const { cmd } = bus.internals;
  await cmd.sadd(bus.keys.mirroredChannels, options.channel);
  return bus.subscribe(options.pattern, {
    group: options.group,
    handler: async (event) => {
      if (event.source === pubsubSource(options.channel)) return; // came from there: no echo
      const line = options.format(event);
      if (line === null) return;
      await bus.internals.markMirrored(options.channel, line);
      await cmd.publish(options.channel, line);
    },
  });
}

export type IngestResult<C extends Catalogue> =
  { subject: string; draft: EventDraft<C> } | { error: string } | null;

export interface IngestOptions<C extends Catalogue> {
  /** A channel or a PSUBSCRIBE glob, e.g. `telem/*` or `galileo/events`. */
  channel: string;
  /** Turns one message into an event, an error (kept in the pub/sub dead-letter stream), or null to drop it. */
  toEvent(channel: string, message: string): IngestResult<C>;
  /**
   * Look for a mirror mark on every message, not only on channels known to be mirrored (that list
   * is refreshed once a second). For patterns whose channels appear as producers start (telem/*).
   */
  checkEveryMessage?: boolean;
}

export interface Ingest {
  stats(): { received: number; ingested: number; rejected: number; echoesSkipped: number };
  stop(): Promise<void>;
}

/**
 * Feeds a pub/sub channel (pattern) into the bus. Messages a mirror published are skipped; a
 * message that cannot be converted is kept with its reason in the pub/sub dead-letter stream.
 */
export async function ingestFromPubSub<C extends Catalogue>(
  bus: Bus<C>,
  options: IngestOptions<C>,
): Promise<Ingest> {
  const { cmd, logger } = bus.internals;
  const conn = watchConnection(
    (await bus.internals.subscriber()).duplicate(SUBSCRIBER_OPTIONS),
    logger,
    `ingest:${options.channel}`,
  );
  const counts = { received: 0, ingested: 0, rejected: 0, echoesSkipped: 0 };
  const isPattern = /[*?[]/.test(options.channel);
  let mirrored = new Set(await cmd.smembers(bus.keys.mirroredChannels));
  const refresh = setInterval(() => {
    cmd.smembers(bus.keys.mirroredChannels).then(
      (m) => (mirrored = new Set(m)),
      () => undefined,
    );
  }, 1_000);
  refresh.unref();
  // Messages are handled one after another so marks are consumed in publication order.
  let chain: Promise<void> = Promise.resolve();

  /** Pub/sub has no redelivery: what cannot be ingested is kept with its reason. */
  const keepRejected = (channel: string, message: string, reason: string) =>
    cmd.xadd(
      bus.keys.pubsubDeadLetters,
      '*',
      'channel',
      channel,
      'message',
      message,
      'error',
      reason,
      'time',
      new Date().toISOString(),
    );

  const handle = async (channel: string, message: string) => {
    try {
      if (
        (options.checkEveryMessage || mirrored.has(channel)) &&
        (await bus.internals.takeMirrorMark(channel, message))
      ) {
        counts.echoesSkipped++;
        return;
      }
      const result = options.toEvent(channel, message);
      if (result === null) return;
      if ('error' in result) {
        counts.rejected++;
        logger.warn({ channel, err: result.error }, 'pub/sub message rejected');
        await keepRejected(channel, message, result.error);
        return;
      }
      await bus.publish(result.subject, result.draft, { source: pubsubSource(channel) });
      counts.ingested++;
    } catch (e) {
      counts.rejected++;
      const reason = (e as Error).message;
      logger.error({ channel, err: reason }, 'pub/sub message could not be ingested');
      await keepRejected(channel, message, reason).catch(() => undefined);
    }
  };

  const enqueue = (channel: string, message: string) => {
    counts.received++;
    chain = chain.then(() => handle(channel, message));
  };
  if (isPattern)
    conn.on('pmessage', (_p: string, channel: string, message: string) => enqueue(channel, message));
  else conn.on('message', (channel: string, message: string) => enqueue(channel, message));
  await subscribeConfirmed(conn, cmd, options.channel, isPattern);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(refresh);
    await (isPattern ? conn.punsubscribe(options.channel) : conn.unsubscribe(options.channel)).catch(
      () => undefined,
    );
    await chain;
    await conn.quit().catch(() => conn.disconnect());
  };
  bus.internals.addCloser(stop);
  return { stats: () => ({ ...counts }), stop };
}
