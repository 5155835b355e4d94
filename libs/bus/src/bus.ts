import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  createEvent,
  encodeEvent,
  subjectProblem,
  type Catalogue,
  type CatalogueEvent,
  type EventDraft,
} from '@galileo/events';
import { ArgArenas, type ArgLease } from './arg-arenas.js';
import { createBlockingReader, type BlockingReadMode } from './blocking-reader.js';
import { SUBSCRIBER_OPTIONS, subscribeConfirmed, watchConnection } from './connection-watch.js';
import { busKeys, type BusKeys } from './keys.js';
import { FIELD_DEADLINE, FIELD_EVENT, FIELD_REPLY_TO, FIELD_SUBJECT } from './stream-entry.js';
import { startSubscription } from './subscription.js';
import { streamOf } from './subject-pattern.js';
import { appendBatchScript, takeMirrorMarkScript, trimBelowAcknowledgedScript } from './scripts.js';
import {
  InvalidEventError,
  RemoteError,
  RequestTimeoutError,
  silentLogger,
  type BusLogger,
  type PublishedEvent,
  type PublishItem,
  type StreamPolicy,
  type SubscribeOptions,
  type Subscription,
} from './types.js';

export interface BusOptions<C extends Catalogue> {
  /** A connected (or connecting) ioredis client; the bus duplicates it for blocking reads and pub/sub. */
  redis: Redis;
  catalogue: C;
  /** Who publishes: the service name, stamped on every envelope as `source`. */
  source: string;
  /** Prefix for every key and channel the bus owns (tests isolate themselves with it). */
  prefix?: string;
  logger?: BusLogger;
  /** Per-stream policies keyed by stream name (`galileo.telemetry`). */
  streams?: Record<string, StreamPolicy>;
  /** How often known streams are trimmed; 0 turns trimming off (default 10 s). */
  trimIntervalMs?: number;
  /** How often wildcard subscriptions look for new streams (default 2 s). */
  streamRefreshMs?: number;
  /**
   * How subscriptions read (blocking-reader.ts): `resp` (default) on a socket of their own with
   * the bus's lean RESP reader, `ioredis` on a duplicate of `redis`.
   */
  blockingReads?: BlockingReadMode;
}

export interface PublishOptions {
  /** Overrides the bus's `source` (a bridge stamps where an event came from). */
  source?: string;
}

export interface RequestOptions {
  timeoutMs?: number;
}

export interface Bus<C extends Catalogue> {
  readonly id: string;
  readonly keys: BusKeys;
  readonly catalogue: C;
  publish(subject: string, draft: EventDraft<C>, options?: PublishOptions): Promise<PublishedEvent<C>>;
  /** Validates every item first, then appends them in one pipeline. */
  publishBatch(items: readonly PublishItem<C>[]): Promise<PublishedEvent<C>[]>;
  subscribe(pattern: string, options: SubscribeOptions<C>): Promise<Subscription>;
  /** Publishes a request and waits for the first reply (a responder calls `ctx.reply`). */
  request(subject: string, draft: EventDraft<C>, options?: RequestOptions): Promise<unknown>;
  /** Publishes a request and gathers every reply until the timeout or `max` replies. */
  requestMany(
    subject: string,
    draft: EventDraft<C>,
    options?: RequestOptions & { max?: number },
  ): Promise<({ ok: true; result: unknown } | { ok: false; error: string })[]>;
  /**
   * Removes a consumer group from the stream of a subject (e.g. a departed worker's group): a
   * group that nobody reads any more would hold trimming back forever. Returns whether it existed.
   */
  deleteGroup(subjectOrStream: string, group: string): Promise<boolean>;
  /** Trims every stream this bus knows as far as it is safe; returns entries removed. */
  trim(): Promise<number>;
  subscriptions(): readonly Subscription[];
  /** Streams this bus published to or reads from. */
  knownStreams(): readonly string[];
  /** Stops every subscription gracefully, then closes the connections the bus opened. */
  close(): Promise<void>;
  /** Internal plumbing for the pub/sub bridges. */
  readonly internals: BusInternals;
}

export interface BusInternals {
  readonly cmd: Redis;
  readonly logger: BusLogger;
  subscriber(): Promise<Redis>;
  takeMirrorMark(channel: string, line: string): Promise<boolean>;
  markMirrored(channel: string, line: string): Promise<void>;
  addCloser(close: () => Promise<void>): void;
}

/** Events per appendBatch call: bounds how long one call holds Redis (~1 ms). */
const MAX_SCRIPT_BATCH = 1_000;

type ReplyBody = { ok: true; result: unknown } | { ok: false; error: string };

export function createBus<C extends Catalogue>(options: BusOptions<C>): Bus<C> {
  const { catalogue, source } = options;
  const keys = busKeys(options.prefix ?? '');
  const id = randomUUID();
  const logger = options.logger ?? silentLogger;
  const cmd = watchConnection(
    options.redis.duplicate({ enableAutoPipelining: true, connectionName: `galileo-bus:${source}` }),
    logger,
    'commands',
  );
  const opened: { quit(): Promise<unknown>; disconnect(): void }[] = [cmd];
  const subs: Subscription[] = [];
  const closers: (() => Promise<void>)[] = [];
  const known = new Set<string>();
  const registered = new Set<string>();
  const policies = options.streams ?? {};
  let subscriberConn: Promise<Redis> | null = null;
  const pendingRequests = new Map<string, (body: ReplyBody) => void>();
  let inboxReady: Promise<void> | null = null;
  let closed = false;

  cmd.defineCommand('trimBelowAcknowledged', { numberOfKeys: 1, lua: trimBelowAcknowledgedScript });
  cmd.defineCommand('takeMirrorMark', { numberOfKeys: 1, lua: takeMirrorMarkScript });
  // numberOfKeys is given per call: a batch may span several streams.
  cmd.defineCommand('appendBatch', { lua: appendBatchScript });
  const appendBatch = (
    cmd as unknown as {
      appendBatch(numKeys: number, ...args: (string | number | Buffer)[]): Promise<string[]>;
    }
  ).appendBatch;

  // The registry is rewritten now and then so a Redis that lost its data learns streams again.
  const registryRefresh = setInterval(() => registered.clear(), 30_000);
  registryRefresh.unref();
  const trimEvery = options.trimIntervalMs ?? 10_000;
  const trimTimer = trimEvery > 0 ? setInterval(() => void trim().catch(() => undefined), trimEvery) : null;
  trimTimer?.unref();

  // Subjects already found valid: a producer publishes on few subjects, many times each.
  const validSubjects = new Set<string>();
  // Large encoded events go to Redis from reused off-heap memory (arg-arenas.ts: why).
  const arenas = new ArgArenas();

  function build(subject: string, draft: EventDraft<C>, index?: number, from = source): CatalogueEvent<C> {
    if (!validSubjects.has(subject)) {
      const problem = subjectProblem(subject);
      if (problem) throw new InvalidEventError({ kind: 'invalid-subject', message: problem }, index);
      if (validSubjects.size >= 10_000) validSubjects.clear();
      validSubjects.add(subject);
    }
    const made = createEvent(catalogue, draft, { subject, source: from });
    if (!made.ok) throw new InvalidEventError(made.error, index);
    return made.value;
  }

  function xaddArgs(
    event: CatalogueEvent<C>,
    lease: ArgLease,
    extra: string[] = [],
  ): [string, ...(string | Buffer)[]] {
    return [
      keys.stream(streamOf(event.subject)),
      '*',
      FIELD_SUBJECT,
      event.subject,
      FIELD_EVENT,
      lease.put(encodeEvent(event)),
      ...extra,
    ];
  }

  function noteStream(stream: string, pipeline: { sadd(key: string, member: string): unknown }): void {
    known.add(stream);
    if (!registered.has(stream)) {
      registered.add(stream);
      pipeline.sadd(keys.streamRegistry, stream);
    }
  }

  async function publish(
    subject: string,
    draft: EventDraft<C>,
    opts: PublishOptions = {},
  ): Promise<PublishedEvent<C>> {
    const event = build(subject, draft, undefined, opts.source);
    const stream = streamOf(subject);
    noteStream(stream, cmd);
    const lease = arenas.lease();
    try {
      const [key, ...rest] = xaddArgs(event, lease);
      const streamId = (await cmd.xadd(key, ...(rest as ['*', ...string[]]))) as string;
      return { event, streamId };
    } finally {
      lease.release();
    }
  }

  async function publishBatch(items: readonly PublishItem<C>[]): Promise<PublishedEvent<C>[]> {
    const events = items.map((item, i) => build(item.subject, item.draft, i));
    const out: PublishedEvent<C>[] = [];
    for (let start = 0; start < events.length; start += MAX_SCRIPT_BATCH) {
      const chunk = events.slice(start, start + MAX_SCRIPT_BATCH);
      const streamKeys: string[] = [];
      const keyIndex = new Map<string, number>();
      const args: (string | Buffer)[] = [];
      const lease = arenas.lease();
      let ids: string[];
      try {
        for (const event of chunk) {
          const stream = streamOf(event.subject);
          noteStream(stream, cmd);
          let index = keyIndex.get(stream);
          if (index === undefined) {
            streamKeys.push(keys.stream(stream));
            index = streamKeys.length;
            keyIndex.set(stream, index);
          }
          args.push(lease.put(`${index}\t${event.subject}\t${encodeEvent(event)}`));
        }
        ids = await appendBatch.call(cmd, streamKeys.length, ...streamKeys, ...args);
      } finally {
        lease.release();
      }
      chunk.forEach((event, i) => out.push({ event, streamId: ids[i]! }));
    }
    return out;
  }

  async function subscriber(): Promise<Redis> {
    if (!subscriberConn) {
      const conn = watchConnection(
        options.redis.duplicate({ connectionName: `galileo-bus-sub:${source}`, ...SUBSCRIBER_OPTIONS }),
        logger,
        'pubsub',
      );
      opened.push(conn);
      subscriberConn = Promise.resolve(conn);
    }
    return subscriberConn;
  }

  async function ensureInbox(): Promise<void> {
    if (!inboxReady) {
      inboxReady = (async () => {
        const sub = await subscriber();
        sub.on('message', (channel: string, message: string) => {
          if (channel !== keys.inbox(id)) return;
          try {
            const { re, body } = JSON.parse(message) as { re: string; body: ReplyBody };
            pendingRequests.get(re)?.(body);
          } catch (e) {
            logger.warn({ err: (e as Error).message }, 'unreadable reply ignored');
          }
        });
        await subscribeConfirmed(sub, cmd, keys.inbox(id), false);
      })();
    }
    return inboxReady;
  }

  async function requestMany(
    subject: string,
    draft: EventDraft<C>,
    opts: RequestOptions & { max?: number } = {},
  ): Promise<ReplyBody[]> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    const max = opts.max ?? Number.POSITIVE_INFINITY;
    await ensureInbox();
    const event = build(subject, draft);
    const replies: ReplyBody[] = [];
    return new Promise<ReplyBody[]>((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        pendingRequests.delete(event.id);
        resolve(replies);
      };
      const timer = setTimeout(finish, timeoutMs);
      pendingRequests.set(event.id, (body) => {
        replies.push(body);
        if (replies.length >= max) finish();
      });
      const stream = streamOf(subject);
      noteStream(stream, cmd);
      const lease = arenas.lease();
      let args: ReturnType<typeof xaddArgs>;
      try {
        args = xaddArgs(event, lease, [
          FIELD_REPLY_TO,
          keys.inbox(id),
          FIELD_DEADLINE,
          String(Date.now() + timeoutMs),
        ]);
      } catch (e) {
        lease.release();
        throw e;
      }
      const [key, ...rest] = args;
      cmd
        .xadd(key, ...(rest as ['*', ...string[]]))
        .catch((e: Error) => {
          clearTimeout(timer);
          pendingRequests.delete(event.id);
          reject(e);
        })
        .finally(() => lease.release());
    });
  }

  async function request(subject: string, draft: EventDraft<C>, opts: RequestOptions = {}): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    const [first] = await requestMany(subject, draft, { timeoutMs, max: 1 });
    if (!first) throw new RequestTimeoutError(subject, draft.type, timeoutMs);
    if (!first.ok) throw new RemoteError(first.error, subject);
    return first.result;
  }

  async function reply(channel: string, requestId: string, body: ReplyBody): Promise<void> {
    await cmd.publish(channel, JSON.stringify({ re: requestId, body }));
  }

  async function trim(): Promise<number> {
    let removed = 0;
    for (const stream of known) {
      const lossy = policies[stream]?.lossy;
      removed += Number(
        await (
          cmd as unknown as { trimBelowAcknowledged(k: string, a: number, b: number): Promise<number> }
        ).trimBelowAcknowledged(keys.stream(stream), lossy?.maxLen ?? 0, lossy?.maxAgeMs ?? 0),
      );
    }
    return removed;
  }

  const markHash = (line: string) => createHash('sha1').update(line).digest('hex');

  const internals: BusInternals = {
    cmd,
    logger,
    subscriber,
    async takeMirrorMark(channel, line) {
      const taken = await (cmd as unknown as { takeMirrorMark(k: string): Promise<number> }).takeMirrorMark(
        keys.mirrorMark(channel, markHash(line)),
      );
      return Number(taken) === 1;
    },
    async markMirrored(channel, line) {
      const key = keys.mirrorMark(channel, markHash(line));
      await cmd.multi().incr(key).pexpire(key, 60_000).exec();
    },
    addCloser(close) {
      closers.push(close);
    },
  };

  return {
    id,
    keys,
    catalogue,
    publish,
    publishBatch,
    async subscribe(pattern, subOptions) {
      if (closed) throw new Error('the bus is closed');
      const blocking = createBlockingReader(options.redis, {
        mode: options.blockingReads,
        connectionName: `galileo-bus-read:${subOptions.group}`,
        logger,
        role: `read:${subOptions.group}`,
      });
      opened.push(blocking);
      const sub = await startSubscription(pattern, subOptions, {
        cmd,
        blocking,
        keys,
        catalogue,
        logger,
        streamRefreshMs: options.streamRefreshMs ?? 2_000,
        listStreams: () => cmd.smembers(keys.streamRegistry),
        reply,
        replyUnreadable: async (channel, json, reason) => {
          const id = /"id"\s*:\s*"([^"]+)"/.exec(json)?.[1];
          if (id)
            await reply(channel, id, { ok: false, error: `the request could not be read: ${reason}` }).catch(
              () => undefined,
            );
        },
        onStreamsChanged: (streams) => streams.forEach((s) => known.add(s)),
      }).catch(async (e: unknown) => {
        blocking.disconnect();
        throw e;
      });
      subs.push(sub);
      return sub;
    },
    request,
    requestMany,
    async deleteGroup(subjectOrStream, group) {
      const destroyed = await cmd.xgroup('DESTROY', keys.stream(streamOf(subjectOrStream)), group);
      return Number(destroyed) === 1;
    },
    trim,
    subscriptions: () => [...subs],
    knownStreams: () => [...known],
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(registryRefresh);
      if (trimTimer) clearInterval(trimTimer);
      await Promise.all(closers.map((c) => c()));
      await Promise.all(subs.map((s) => s.stop()));
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
    },
    internals,
  };
}
