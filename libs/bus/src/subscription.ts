import type { Redis } from 'ioredis';
import { decodeEvent, type Catalogue, type CatalogueEvent } from '@galileo/events';
import { backoffDelay, defaultBackoff, sleep, type BackoffOptions } from './backoff.js';
import { ConnectionLostError, type BlockingReader } from './blocking-reader.js';
import { compareStreamIds, type BusKeys } from './keys.js';
import type { StreamRead } from './resp-reply.js';
import { readEntry, type StreamEntry } from './stream-entry.js';
import { compilePattern, type SubjectPattern } from './subject-pattern.js';
import type {
  BusLogger,
  Handler,
  MessageContext,
  StartAt,
  SubscribeOptions,
  Subscription,
  SubscriptionLag,
  SubscriptionStats,
} from './types.js';

type RawEntries = [string, string[] | null][];
type ReadReply = [string, RawEntries][] | null;

interface Held {
  stream: string;
  entry: StreamEntry;
  deliveryCount: number;
}

/**
 * Messages in flight whose handlers returned the same promise (a batching consumer returns one
 * promise for the whole batch): settled together by one reaction instead of one per message.
 * A message being retried is a group of its own.
 */
interface InFlightGroup<C extends Catalogue> {
  readonly members: Held[];
  readonly events: CatalogueEvent<C>[];
  weight: number;
}

export interface SubscriptionDeps<C extends Catalogue> {
  cmd: Redis;
  /** The subscription's own connection for its blocking reads. */
  blocking: BlockingReader;
  keys: BusKeys;
  catalogue: C;
  logger: BusLogger;
  /** Stream names (not keys) known to exist, for wildcard patterns. */
  listStreams(): Promise<string[]>;
  streamRefreshMs: number;
  reply(
    channel: string,
    requestId: string,
    body: { ok: true; result: unknown } | { ok: false; error: string },
  ): Promise<void>;
  onStreamsChanged?(streams: readonly string[]): void;
  /** Answers a request whose envelope could not be decoded (its id is read leniently). */
  replyUnreadable(channel: string, json: string, reason: string): Promise<void>;
}

const GROUP_EXISTS = /BUSYGROUP/;
const NO_GROUP = /NOGROUP/;

/**
 * One durable subscription: a consumer in a consumer group on every stream its pattern can
 * match. At-least-once: a message is acknowledged only after its handler succeeded, retried
 * with backoff, dead-lettered after `maxDeliveries`, and taken over from a dead consumer after
 * `claimIdleMs`.
 */
export async function startSubscription<C extends Catalogue>(
  pattern: string,
  options: SubscribeOptions<C>,
  deps: SubscriptionDeps<C>,
): Promise<Subscription> {
  const runner = new SubscriptionRunner(compilePattern(pattern), options, deps);
  await runner.start();
  return runner;
}

class SubscriptionRunner<C extends Catalogue> implements Subscription {
  readonly pattern: string;
  readonly group: string;
  readonly consumer: string;
  private readonly handler: Handler<C>;
  private readonly weigh: ((event: CatalogueEvent<C>) => number) | null;
  private readonly concurrency: number;
  private readonly maxDeliveries: number;
  private readonly startAt: StartAt;
  private readonly backoff: BackoffOptions;
  private readonly claimIdleMs: number;
  private readonly batchSize: number;
  private readonly blockMs: number;

  private streams: string[] = [];
  private readonly queue: Held[] = [];
  /**
   * Entries whose handling went asynchronous (running or waiting for a retry), in groups.
   * Together with `queue` this is everything this consumer holds; an entry handled
   * synchronously is never tracked, which keeps the hot path free of set updates.
   */
  private readonly active = new Set<InFlightGroup<C>>();
  /** The group of the last promise a handler returned, while it is unsettled. */
  private current: { thenable: PromiseLike<unknown>; group: InFlightGroup<C> } | null = null;
  private inFlight = 0;
  private inFlightWeight = 0;
  /** Mean weight of the messages decoded so far (exponentially weighted); sizes reads. */
  private meanWeight = 1;
  private weighed = false;
  /** Whether a read brought anything yet: until then a weighed subscription reads one entry at a time. */
  private readAny = false;
  private running = false;
  private readerDone: Promise<void> = Promise.resolve();
  private readonly wakeReader: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly acks = new Map<string, string[]>();
  private ackFlush: Promise<void> | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stopping = new AbortController();
  private readonly counts = {
    delivered: 0,
    failed: 0,
    retried: 0,
    deadLettered: 0,
    reclaimed: 0,
    skipped: 0,
    expired: 0,
  };

  constructor(
    private readonly subject: SubjectPattern,
    options: SubscribeOptions<C>,
    private readonly deps: SubscriptionDeps<C>,
  ) {
    this.pattern = subject.pattern;
    this.group = requireName('group', options.group);
    this.consumer = options.consumer ?? `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.handler = options.handler;
    this.weigh = options.weight ?? null;
    this.concurrency = positiveInt('concurrency', options.concurrency ?? 1);
    this.maxDeliveries = positiveInt('maxDeliveries', options.maxDeliveries ?? 5);
    this.startAt = options.startAt ?? 'new';
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.claimIdleMs = positiveInt('claimIdleMs', options.claimIdleMs ?? 30_000);
    this.batchSize = positiveInt('batchSize', options.batchSize ?? 100);
    this.blockMs = positiveInt('blockMs', options.blockMs ?? 1_000);
  }

  async start(): Promise<void> {
    await this.refreshStreams(true);
    await this.deps.blocking.ready();
    this.running = true;
    await this.readOwnPending();
    this.readerDone = this.readLoop();
    const claimEvery = Math.max(50, Math.floor(this.claimIdleMs / 2));
    this.timers.push(setInterval(() => void this.reclaim(), claimEvery));
    this.timers.push(
      setInterval(() => void this.keepHeldAlive(), Math.max(50, Math.floor(this.claimIdleMs / 3))),
    );
    if (this.subject.stream === null) {
      this.timers.push(setInterval(() => void this.refreshStreams(false), this.deps.streamRefreshMs));
    }
    for (const t of this.timers) t.unref();
  }

  stats(): SubscriptionStats {
    return {
      pattern: this.pattern,
      group: this.group,
      consumer: this.consumer,
      streams: [...this.streams],
      ...this.counts,
      inFlight: this.inFlight,
      inFlightWeight: this.inFlightWeight,
      buffered: this.queue.length,
    };
  }

  async lag(): Promise<SubscriptionLag> {
    let pending = 0;
    let behind = 0;
    for (const stream of this.streams) {
      const groups = (await this.deps.cmd.xinfo('GROUPS', this.deps.keys.stream(stream))) as unknown[][];
      for (const g of groups) {
        const info = pairs(g);
        if (info.name !== this.group) continue;
        pending += Number(info.pending ?? 0);
        const lag = info.lag;
        behind +=
          lag === null || lag === undefined
            ? await this.countBehind(stream, String(info['last-delivered-id']))
            : Number(lag);
      }
    }
    return { pending, behind };
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping.abort();
    for (const t of this.timers) clearInterval(t);
    this.wake();
    // Ends a blocking XREADGROUP at once, as if it timed out: nothing it read is lost.
    await this.unblockReader();
    await this.readerDone;
    await this.whenIdle();
    await this.flushAcks();
    await this.leaveGroupIfClean();
  }

  // ---- reading ---------------------------------------------------------------------------

  private async readLoop(): Promise<void> {
    let errorDelay = 50;
    while (this.running) {
      const wanted = this.entriesPerRead();
      if (this.queue.length >= wanted || this.streams.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeReader.push(resolve);
          if (this.streams.length === 0) setTimeout(resolve, this.deps.streamRefreshMs).unref();
        });
        continue;
      }
      try {
        const reply = await this.read(wanted - this.queue.length);
        errorDelay = 50;
        if (reply) this.accept(reply, 1);
      } catch (e) {
        if (!this.running) break;
        const message = (e as Error).message;
        if (NO_GROUP.test(message)) {
          // The stream or group vanished (e.g. Redis restarted without persistence): recreate
          // from the start of whatever the stream holds now.
          this.deps.logger.warn({ group: this.group, err: message }, 'consumer group missing; recreating it');
          await this.ensureGroups(this.streams, 'beginning').catch(() => undefined);
        } else if (!(e instanceof ConnectionLostError)) {
          // (a lost connection was logged by the reader, once per outage)
          this.deps.logger.warn({ group: this.group, err: message }, 'stream read failed; retrying');
        }
        await sleep(errorDelay, this.stopping.signal);
        errorDelay = Math.min(errorDelay * 2, 2_000);
      }
    }
  }

  /** Entries one read may bring: `batchSize` of weight in all, by the mean weight seen so far. */
  private entriesPerRead(): number {
    if (this.weigh !== null && !this.readAny) return 1;
    return this.meanWeight <= 1 ? this.batchSize : Math.max(1, Math.floor(this.batchSize / this.meanWeight));
  }

  private read(count: number): Promise<StreamRead[] | null> {
    return this.deps.blocking.readGroup({
      group: this.group,
      consumer: this.consumer,
      count,
      blockMs: this.blockMs,
      keys: this.streams.map((s) => this.deps.keys.stream(s)),
    });
  }

  /** Entries this consumer name already holds from an earlier run. */
  private async readOwnPending(): Promise<void> {
    for (const stream of this.streams) {
      const key = this.deps.keys.stream(stream);
      let cursor = '0';
      for (;;) {
        const reply = (await this.deps.cmd.xreadgroup(
          'GROUP',
          this.group,
          this.consumer,
          'COUNT',
          500,
          'STREAMS',
          key,
          cursor,
        )) as ReadReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) break;
        const counts = await this.deliveryCounts(
          key,
          entries.map((e) => e[0]),
        );
        for (const [id, fields] of entries) {
          const entry = readEntry(id, fields);
          if (entry) this.enqueue({ stream, entry, deliveryCount: counts.get(id) ?? 1 }, true);
          else this.deps.cmd.xack(key, this.group, id).catch(() => undefined); // deleted while pending
        }
        cursor = entries[entries.length - 1]![0];
      }
    }
  }

  private accept(reply: StreamRead[], deliveryCount: number): void {
    for (const { key, entries, deleted } of reply) {
      const stream = this.streamOfKey(key);
      for (const entry of entries) this.enqueue({ stream, entry, deliveryCount }, false);
      if (entries.length > 0 || deleted.length > 0) this.readAny = true;
    }
    this.pump();
  }

  private enqueue(held: Held, pumpNow: boolean): void {
    if (!this.subject.matches(held.entry.subject)) {
      this.counts.skipped++;
      this.ack(held.stream, held.entry.streamId);
      return;
    }
    this.queue.push(held);
    if (pumpNow) this.pump();
  }

  private pump(): void {
    while (this.inFlightWeight < this.concurrency && this.queue.length > 0) this.handle(this.queue.shift()!);
    this.wake();
    if (this.inFlight === 0 && this.queue.length === 0) this.idleWaiters.splice(0).forEach((r) => r());
  }

  /** Counts a message in flight, in the current group when its handler returned that group's promise. */
  private track(held: Held, event: CatalogueEvent<C>, weight: number, thenable: PromiseLike<unknown>): void {
    this.inFlight++;
    this.inFlightWeight += weight;
    const current = this.current;
    if (current !== null && current.thenable === thenable) {
      current.group.members.push(held);
      current.group.events.push(event);
      current.group.weight += weight;
      return;
    }
    const group: InFlightGroup<C> = { members: [held], events: [event], weight };
    this.active.add(group);
    this.current = { thenable, group };
    Promise.resolve(thenable).then(
      () => {
        if (this.current?.group === group) this.current = null;
        for (const member of group.members) this.succeeded(member);
        this.settle(group);
      },
      (e: unknown) => {
        if (this.current?.group === group) this.current = null;
        void Promise.all(group.members.map((member, i) => this.retry(member, group.events[i]!, e)))
          .catch((failure: unknown) => this.leftPending(failure))
          .finally(() => this.settle(group));
      },
    );
  }

  /** A message whose first attempt threw: retried on its own. */
  private trackRetry(held: Held, weight: number, retrying: Promise<void>): void {
    this.inFlight++;
    this.inFlightWeight += weight;
    const group: InFlightGroup<C> = { members: [held], events: [], weight };
    this.active.add(group);
    void retrying.catch((failure: unknown) => this.leftPending(failure)).finally(() => this.settle(group));
  }

  /** A retry or dead-lettering that could not reach Redis: the entry stays pending and is taken over later. */
  private leftPending(failure: unknown): void {
    this.deps.logger.warn(
      { group: this.group, err: failure instanceof Error ? failure.message : String(failure) },
      'could not retry or dead-letter a message; it stays pending and is delivered again',
    );
  }

  private settle(group: InFlightGroup<C>): void {
    this.active.delete(group);
    this.inFlight -= group.members.length;
    this.inFlightWeight -= group.weight;
    this.pump();
  }

  /** Every entry this consumer holds, per stream and id (rare paths: reclaim and keep-alive). */
  private held(): Held[] {
    const all = [...this.queue];
    for (const group of this.active) for (const h of group.members) all.push(h);
    return all;
  }

  // ---- handling ----------------------------------------------------------------------------

  /**
   * Handles one message. A handler that returns no promise finishes here (the hot path costs no
   * promise per message); one that returns a promise is tracked until it settles, together with
   * the messages whose handlers returned the same promise.
   */
  private handle(held: Held): void {
    const { entry, stream } = held;
    const decoded = decodeEvent(this.deps.catalogue, entry.json);
    if (!decoded.ok) {
      // A request that cannot be read is still answered, so its sender need not wait for a timeout.
      if (entry.replyTo) void this.deps.replyUnreadable(entry.replyTo, entry.json, decoded.error.message);
      this.trackRetry(held, 1, this.deadLetter(held, decoded.error.message));
      return;
    }
    if (entry.deadline !== null && Date.now() > entry.deadline) {
      this.counts.expired++;
      this.ack(stream, entry.streamId);
      return;
    }
    if (held.deliveryCount > this.maxDeliveries) {
      const reason = `delivered ${held.deliveryCount - 1} times without success (limit ${this.maxDeliveries})`;
      this.trackRetry(held, 1, this.deadLetter(held, reason));
      return;
    }
    const event = decoded.value;
    const weight = this.weightOf(event);
    let result: unknown;
    try {
      result = this.handler(event, this.contextFor(held, event));
    } catch (e) {
      this.trackRetry(held, weight, this.retry(held, event, e));
      return;
    }
    if (isThenable(result)) {
      this.track(held, event, weight, result);
      return;
    }
    this.succeeded(held);
  }

  private weightOf(event: CatalogueEvent<C>): number {
    if (this.weigh === null) return 1;
    let w: number;
    try {
      w = this.weigh(event);
    } catch {
      w = 1;
    }
    if (!(w > 0) || !Number.isFinite(w)) w = 1;
    if (this.weighed) this.meanWeight += (w - this.meanWeight) / 16;
    else {
      this.meanWeight = w;
      this.weighed = true;
    }
    return w;
  }

  private succeeded(held: Held): void {
    this.counts.delivered++;
    this.ack(held.stream, held.entry.streamId);
  }

  /** After a failed attempt: answer a request, dead-letter, or wait and deliver again. */
  private async retry(held: Held, event: CatalogueEvent<C>, error: unknown): Promise<void> {
    const { entry, stream } = held;
    for (;;) {
      this.counts.failed++;
      const reason = error instanceof Error ? error.message : String(error);
      if (entry.replyTo) {
        // A request is answered, not retried: its sender decides whether to try again.
        await this.contextFor(held, event).replyError?.(reason);
        this.ack(stream, entry.streamId);
        return;
      }
      if (held.deliveryCount >= this.maxDeliveries) {
        await this.deadLetter(held, reason);
        return;
      }
      this.deps.logger.warn(
        {
          group: this.group,
          subject: entry.subject,
          eventId: event.id,
          attempt: held.deliveryCount,
          err: reason,
        },
        'handler failed; will retry',
      );
      await sleep(backoffDelay(held.deliveryCount, this.backoff), this.stopping.signal);
      if (!this.running) return; // stays pending; another consumer (or our restart) takes it
      if (!(await this.redeliverToSelf(held))) return;
      this.counts.retried++;
      try {
        await this.handler(event, this.contextFor(held, event));
        this.succeeded(held);
        return;
      } catch (e) {
        error = e;
      }
    }
  }

  private contextFor(held: Held, event: CatalogueEvent<C>): MessageContext {
    const { entry, stream } = held;
    if (!entry.replyTo) return { streamId: entry.streamId, stream, deliveryCount: held.deliveryCount };
    let answered = false;
    const answer = async (body: { ok: true; result: unknown } | { ok: false; error: string }) => {
      if (answered) return;
      answered = true;
      await this.deps.reply(entry.replyTo!, event.id, body);
    };
    return {
      streamId: entry.streamId,
      stream,
      deliveryCount: held.deliveryCount,
      reply: (result) => answer({ ok: true, result }),
      replyError: (error) => answer({ ok: false, error }),
    };
  }

  /** Claims the entry again (bumping Redis's delivery counter) before a retry. */
  private async redeliverToSelf(held: Held): Promise<boolean> {
    const key = this.deps.keys.stream(held.stream);
    const claimed = (await this.deps.cmd.xclaim(
      key,
      this.group,
      this.consumer,
      0,
      held.entry.streamId,
    )) as RawEntries;
    if (claimed.length === 0) return false; // trimmed or deleted meanwhile
    held.deliveryCount++;
    return true;
  }

  private async deadLetter(held: Held, reason: string): Promise<void> {
    const { entry, stream } = held;
    const key = this.deps.keys.stream(stream);
    await this.deps.cmd
      .multi()
      .xadd(
        this.deps.keys.deadLetters(stream),
        '*',
        'stream',
        stream,
        'streamId',
        entry.streamId,
        'subject',
        entry.subject,
        'group',
        this.group,
        'consumer',
        this.consumer,
        'deliveries',
        String(held.deliveryCount),
        'error',
        reason,
        'time',
        new Date().toISOString(),
        'e',
        entry.json,
      )
      .xack(key, this.group, entry.streamId)
      .exec();
    this.counts.deadLettered++;
    this.deps.logger.error(
      {
        group: this.group,
        subject: entry.subject,
        streamId: entry.streamId,
        deliveries: held.deliveryCount,
        err: reason,
      },
      'message moved to the dead-letter stream',
    );
  }

  // ---- acknowledgements ----------------------------------------------------------------------

  private ack(stream: string, id: string): void {
    let ids = this.acks.get(stream);
    if (!ids) this.acks.set(stream, (ids = []));
    ids.push(id);
    if (!this.ackFlush) {
      this.ackFlush = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flushAcks());
    }
  }

  private async flushAcks(): Promise<void> {
    this.ackFlush = null;
    if (this.acks.size === 0) return;
    const batches = [...this.acks];
    this.acks.clear();
    await Promise.all(
      batches.map(([stream, ids]) =>
        this.deps.cmd.xack(this.deps.keys.stream(stream), this.group, ...ids).catch((e: Error) => {
          // The handler's work is done; an unacked entry is only delivered again, never lost.
          this.deps.logger.warn(
            { group: this.group, err: e.message, count: ids.length },
            'ack failed; entries will be redelivered',
          );
        }),
      ),
    );
  }

  // ---- taking over from dead consumers -----------------------------------------------------------

  private async reclaim(): Promise<void> {
    if (!this.running) return;
    try {
      for (const stream of this.streams) {
        const key = this.deps.keys.stream(stream);
        let cursor = '0-0';
        do {
          const [next, entries] = (await this.deps.cmd.xautoclaim(
            key,
            this.group,
            this.consumer,
            this.claimIdleMs,
            cursor,
            'COUNT',
            Math.min(100, this.entriesPerRead()),
          )) as [string, RawEntries, string[]?];
          cursor = next;
          const mine = new Set(
            this.held()
              .filter((h) => h.stream === stream)
              .map((h) => h.entry.streamId),
          );
          const fresh = entries.filter(([id, fields]) => fields && !mine.has(id));
          if (fresh.length === 0) continue;
          const counts = await this.deliveryCounts(
            key,
            fresh.map((e) => e[0]),
          );
          for (const [id, fields] of fresh) {
            const entry = readEntry(id, fields);
            if (!entry) continue;
            this.counts.reclaimed++;
            this.enqueue({ stream, entry, deliveryCount: counts.get(id) ?? 2 }, false);
          }
          this.pump();
        } while (cursor !== '0-0' && this.running && this.queue.length < this.entriesPerRead());
      }
    } catch (e) {
      this.deps.logger.warn(
        { group: this.group, err: (e as Error).message },
        'reclaim failed; will try again',
      );
    }
  }

  /** Resets the idle time of everything we hold, so no other consumer takes a slow message. */
  private async keepHeldAlive(): Promise<void> {
    const byStream = new Map<string, string[]>();
    for (const h of this.held()) {
      const ids = byStream.get(h.stream) ?? [];
      ids.push(h.entry.streamId);
      byStream.set(h.stream, ids);
    }
    for (const [stream, ids] of byStream) {
      await this.deps.cmd
        .xclaim(this.deps.keys.stream(stream), this.group, this.consumer, 0, ...ids, 'JUSTID')
        .catch(() => undefined);
    }
  }

  private async deliveryCounts(key: string, ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const sorted = [...ids].sort(compareStreamIds);
    const rows = (await this.deps.cmd.xpending(
      key,
      this.group,
      sorted[0]!,
      sorted[sorted.length - 1]!,
      ids.length * 2 + 10,
      this.consumer,
    )) as [string, string, number, number][];
    for (const [id, , , times] of rows) counts.set(id, Number(times));
    return counts;
  }

  // ---- streams and groups ---------------------------------------------------------------------

  private async refreshStreams(initial: boolean): Promise<void> {
    try {
      const wanted =
        this.subject.stream !== null
          ? [this.subject.stream]
          : (await this.deps.listStreams()).filter((s) => this.subject.matchesStream(s)).sort();
      const added = wanted.filter((s) => !this.streams.includes(s));
      if (added.length === 0) return;
      // A stream that appears after we subscribed holds only messages newer than us.
      await this.ensureGroups(added, initial ? this.startAt : 'beginning');
      this.streams = [...this.streams, ...added];
      this.deps.onStreamsChanged?.(this.streams);
      if (!initial) await this.unblockReader();
      this.wake();
    } catch (e) {
      if (initial) throw e;
      this.deps.logger.warn({ group: this.group, err: (e as Error).message }, 'stream discovery failed');
    }
  }

  private async ensureGroups(streams: string[], startAt: StartAt): Promise<void> {
    const from =
      startAt === 'new'
        ? '$'
        : startAt === 'beginning'
          ? '0'
          : 'id' in startAt
            ? startAt.id
            : `${Math.floor(startAt.time)}-0`;
    for (const stream of streams) {
      try {
        await this.deps.cmd.xgroup('CREATE', this.deps.keys.stream(stream), this.group, from, 'MKSTREAM');
      } catch (e) {
        if (!GROUP_EXISTS.test((e as Error).message)) throw e;
      }
    }
  }

  private async countBehind(stream: string, lastDelivered: string): Promise<number> {
    const [ms, seq] = lastDelivered.split('-');
    const after = `${ms}-${Number(seq) + 1}`;
    const entries = await this.deps.cmd.xrange(this.deps.keys.stream(stream), after, '+', 'COUNT', 100_000);
    return entries.length;
  }

  private async leaveGroupIfClean(): Promise<void> {
    for (const stream of this.streams) {
      const key = this.deps.keys.stream(stream);
      try {
        const mine = (await this.deps.cmd.xpending(key, this.group, '-', '+', 1, this.consumer)) as unknown[];
        if (mine.length === 0) await this.deps.cmd.xgroup('DELCONSUMER', key, this.group, this.consumer);
      } catch {
        // best effort: a leftover consumer entry holds nothing and is harmless
      }
    }
  }

  /** CLIENT UNBLOCK of the blocking connection as it is now (its id changes when it reconnects). */
  private async unblockReader(): Promise<void> {
    const id = this.deps.blocking.clientId();
    if (id !== null) await this.deps.cmd.client('UNBLOCK', id).catch(() => undefined);
  }

  private streamOfKey(key: string): string {
    for (const s of this.streams) if (this.deps.keys.stream(s) === key) return s;
    return key;
  }

  private wake(): void {
    this.wakeReader.splice(0).forEach((r) => r());
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new TypeError(`subscribe option ${name} must be an integer >= 1, got ${v}`);
  return v;
}

function requireName(name: string, v: string): string {
  if (typeof v !== 'string' || v.length === 0 || /\s/.test(v)) {
    throw new TypeError(
      `subscribe option ${name} must be a non-empty name without spaces, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
