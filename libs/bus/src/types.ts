import type { Catalogue, CatalogueEvent, EventDraft, EventError } from '@galileo/events';
import type { BackoffOptions } from './backoff.js';

/** The subset of a pino logger the bus uses. */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface StreamPolicy {
  /**
   * Lossy streams (telemetry) may lose their oldest entries beyond these bounds even when a
   * group has not read them. Every other stream is trimmed only below what all groups acked.
   */
  lossy?: { maxLen?: number; maxAgeMs?: number };
}

/** Where a new consumer group starts reading. */
export type StartAt = 'new' | 'beginning' | { id: string } | { time: number };

export interface MessageContext {
  /** The Redis stream entry id. */
  readonly streamId: string;
  readonly stream: string;
  /** 1 on the first delivery; counts every redelivery, including reclaims from dead consumers. */
  readonly deliveryCount: number;
  /** Present when the message is a request: answer it. Called once; later calls are ignored. */
  readonly reply?: (result: unknown) => Promise<void>;
  readonly replyError?: (message: string) => Promise<void>;
}

export type Handler<C extends Catalogue> = (event: CatalogueEvent<C>, ctx: MessageContext) => unknown;

export interface SubscribeOptions<C extends Catalogue> {
  /** Durable consumer group (queue group): every group sees every message once. */
  group: string;
  /** This consumer's name within the group; unique per process by default. */
  consumer?: string;
  handler: Handler<C>;
  /**
   * Handlers running at once (default 1: in order); with `weight`, the total weight of the
   * messages being handled (a message is let in while the total is below it).
   */
  concurrency?: number;
  /**
   * What one message counts for against `concurrency` and `batchSize` (default 1 each), e.g. the
   * records a batch event carries, so that a consumer of batch events holds about as many records
   * as one of single events, not `batchSize` times as many. Called once per message after it was
   * decoded; a result that is not a positive finite number counts as 1.
   */
  weight?: (event: CatalogueEvent<C>) => number;
  /** Deliveries before a message goes to the dead-letter stream (default 5). */
  maxDeliveries?: number;
  /** For a group that does not exist yet (default 'new'). */
  startAt?: StartAt;
  backoff?: Partial<BackoffOptions>;
  /** A message pending this long on another consumer is taken over (default 30 s). */
  claimIdleMs?: number;
  /**
   * Entries read per XREADGROUP (default 100); with `weight`, about this much weight per read
   * (entries per read = batchSize / the mean weight of the messages read so far, at least 1).
   */
  batchSize?: number;
  /** How long one blocking read waits (default 1 s). */
  blockMs?: number;
}

export interface SubscriptionStats {
  readonly pattern: string;
  readonly group: string;
  readonly consumer: string;
  readonly streams: readonly string[];
  /** Handler calls that succeeded and were acknowledged. */
  readonly delivered: number;
  /** Handler calls that threw. */
  readonly failed: number;
  readonly retried: number;
  readonly deadLettered: number;
  readonly reclaimed: number;
  /** Entries of the stream whose subject did not match the pattern (acked, not handled). */
  readonly skipped: number;
  /** Requests that arrived after their deadline (acked, not handled). */
  readonly expired: number;
  /** Messages being handled (their handler's promise has not settled). */
  readonly inFlight: number;
  /** Their total weight (= inFlight without a `weight` option). */
  readonly inFlightWeight: number;
  /** Read and waiting for a handler. */
  readonly buffered: number;
}

export interface SubscriptionLag {
  /** Delivered to this group but not acknowledged. */
  readonly pending: number;
  /** In the streams but not yet delivered to this group. */
  readonly behind: number;
}

export interface Subscription {
  readonly pattern: string;
  readonly group: string;
  readonly consumer: string;
  stats(): SubscriptionStats;
  lag(): Promise<SubscriptionLag>;
  /** Stop reading, finish what was read, ack, leave. */
  stop(): Promise<void>;
}

export interface PublishedEvent<C extends Catalogue> {
  readonly event: CatalogueEvent<C>;
  readonly streamId: string;
}

export interface PublishItem<C extends Catalogue> {
  subject: string;
  draft: EventDraft<C>;
}

export class InvalidEventError extends Error {
  constructor(
    readonly problem: EventError | { kind: 'invalid-subject'; message: string },
    readonly index?: number,
  ) {
    super(index === undefined ? problem.message : `item ${index}: ${problem.message}`);
    this.name = 'InvalidEventError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(subject: string, type: string, timeoutMs: number) {
    super(`no reply to ${type} on ${subject} within ${timeoutMs} ms: is a responder subscribed and running?`);
    this.name = 'RequestTimeoutError';
  }
}

export class RemoteError extends Error {
  constructor(
    message: string,
    readonly subject: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
