/**
 * The public shapes of libs/db: records as galileo-db stores them (protocols §5.1, §7.2) and the
 * repositories a service gets from `openDatabase`. Times are epoch seconds as floats, as galileo's.
 */

/** Lifecycle statuses the experiment projection writes (galileo's four plus CANCELLED). */
export const experimentStatuses = ['QUEUED', 'IN_PROGRESS', 'FINISHED', 'FAILED', 'CANCELLED'] as const;
export type ExperimentStatus = (typeof experimentStatuses)[number];

export function isExperimentStatus(value: unknown): value is ExperimentStatus {
  return typeof value === 'string' && (experimentStatuses as readonly string[]).includes(value);
}

/** One row of `experiments` (galileodb.model.Experiment). */
export interface ExperimentRecord {
  readonly id: string;
  readonly name: string | null;
  readonly creator: string | null;
  /** Epoch seconds; null until started. */
  readonly start: number | null;
  /** Epoch seconds; null until it ended. */
  readonly end: number | null;
  /** Epoch seconds. */
  readonly created: number | null;
  /**
   * One of `experimentStatuses` for every row this system writes. Rows written by other tools
   * are returned verbatim (galileo's own recorder writes `RUNNING`).
   */
  readonly status: ExperimentStatus;
}

/**
 * An experiment as read and shown (galileo-db's Experiment, protocols §7.2): epoch-second floats,
 * nulls allowed, the status verbatim (galileo's own recorder writes `RUNNING`; other tools may
 * write others). Every `ExperimentRecord` is one; so is an experiment still waiting in the queue,
 * which has no row yet. The API, the CLI and the report use it.
 */
export interface Experiment {
  id: string;
  name: string | null;
  creator: string | null;
  start: number | null;
  end: number | null;
  created: number | null;
  status: string;
}

export interface ExperimentListFilter {
  /** Only these statuses (one or several). */
  readonly status?: ExperimentStatus | readonly ExperimentStatus[];
  /** At most this many rows. */
  readonly limit?: number;
}

/** Fields `update` may change; `undefined` leaves a field as it is, `null` clears it. */
export type ExperimentPatch = Partial<Omit<ExperimentRecord, 'id'>>;

export interface ExperimentRepository {
  /** Writes the whole row (insert or replace): what a projection does after folding events. */
  upsert(experiment: ExperimentRecord): Promise<void>;
  get(id: string): Promise<ExperimentRecord | undefined>;
  /** Newest first (by CREATED, then id). */
  list(filter?: ExperimentListFilter): Promise<ExperimentRecord[]>;
  /** Changes the given fields; false when there is no such experiment. */
  update(id: string, patch: ExperimentPatch): Promise<boolean>;
  setStatus(id: string, status: ExperimentStatus): Promise<boolean>;
  /** Sets START (and the status, IN_PROGRESS by default). */
  setStarted(id: string, start: number, status?: ExperimentStatus): Promise<boolean>;
  /** Sets END and the final status. */
  setEnded(id: string, end: number, status: ExperimentStatus): Promise<boolean>;
  /**
   * Deletes the experiment row with its metadata, instructions and node infos (as galileo-db HEAD,
   * its traces, telemetry and events stay). False when there was no such experiment.
   */
  delete(id: string): Promise<boolean>;
}

/** What an experiment was asked to do: the instruction text and, for the configuration form, the configuration. */
export interface InstructionsRecord {
  readonly experimentId: string;
  readonly instructions: string;
  /** The `configuration` object of the configuration form (any JSON value), or null. */
  readonly configuration: unknown;
}

export interface InstructionsRepository {
  /** Insert or replace. */
  save(record: InstructionsRecord): Promise<void>;
  get(experimentId: string): Promise<InstructionsRecord | undefined>;
  delete(experimentId: string): Promise<boolean>;
}

/** galileodb.model.RequestTrace (protocols §5.1), field order as galileo's. */
export interface TraceRecord {
  /** At most 36 characters (galileo's VARCHAR(36)); the identity that makes inserts idempotent. */
  readonly requestId: string;
  readonly client: string;
  readonly service: string;
  readonly created: number;
  readonly sent: number;
  readonly done: number;
  readonly status: number | null;
  readonly server: string | null;
  readonly experimentId: string | null;
  readonly headers: string | null;
  readonly response: string | null;
}

/**
 * Result of an idempotent bulk insert. Rows already stored (same identity) count as duplicates;
 * rows that cannot be stored (e.g. an identity longer than its column) are rejected with a reason
 * and do not fail the rest. Text longer than galileo's columns allow is cut to fit.
 */
export interface InsertResult {
  readonly inserted: number;
  readonly duplicates: number;
  readonly rejected: readonly RejectedRow[];
}

export interface RejectedRow {
  /** Index in the input array. */
  readonly index: number;
  readonly reason: string;
}

export interface TraceQuery {
  readonly experimentId: string;
  /** CREATED >= from (epoch seconds). */
  readonly from?: number;
  /** CREATED <= to. */
  readonly to?: number;
  readonly service?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface TraceRepository {
  /** Idempotent: a request id already stored creates no second row. Batched multi-row inserts. */
  insertMany(traces: readonly TraceRecord[]): Promise<InsertResult>;
  /** Ordered by CREATED, then request id. */
  list(query: TraceQuery): Promise<TraceRecord[]>;
  count(query: Omit<TraceQuery, 'limit' | 'offset'>): Promise<number>;
  /** Sets EXP_ID of traces created within [start, end] that have none (galileo's touch_traces, without stealing attributed ones). */
  touch(experimentId: string, start: number, end: number): Promise<number>;
}

/** galileodb.model.Telemetry. */
export interface TelemetryRecord {
  readonly experimentId: string;
  readonly timestamp: number;
  readonly metric: string;
  readonly node: string;
  readonly value: number;
  /** e.g. the CPU or device; null when the metric has none. */
  readonly subsystem: string | null;
}

export interface TelemetryQuery {
  readonly experimentId: string;
  readonly from?: number;
  readonly to?: number;
  readonly node?: string;
  readonly metric?: string;
  readonly limit?: number;
}

export interface TelemetryRepository {
  /** Idempotent by (experiment, node, metric, subsystem, timestamp); a NULL subsystem counts as one value. */
  insertMany(points: readonly TelemetryRecord[]): Promise<InsertResult>;
  /** Ordered by TIMESTAMP, then node, metric, subsystem. */
  list(query: TelemetryQuery): Promise<TelemetryRecord[]>;
  count(query: Omit<TelemetryQuery, 'limit'>): Promise<number>;
}

/** galileodb.model.ExperimentEvent plus the bus event id that makes inserts idempotent. */
export interface EventRecord {
  readonly experimentId: string;
  readonly timestamp: number;
  readonly name: string;
  readonly value: string | null;
  /** The bus envelope id (ULID); unique per experiment. Without one the row is stored but not deduplicated. */
  readonly eventId?: string | null;
}

export interface EventQuery {
  readonly experimentId: string;
  readonly name?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
}

export interface EventRepository {
  /** Idempotent by (experiment, event id). */
  insertMany(events: readonly EventRecord[]): Promise<InsertResult>;
  /** Ordered by TIMESTAMP. */
  list(query: EventQuery): Promise<EventRecord[]>;
}

/** One node's info hash (`telemd.info:<node>`) as stored in `nodeinfo`, one row per key. */
export interface NodeInfoRecord {
  readonly experimentId: string;
  readonly node: string;
  readonly info: Readonly<Record<string, string>>;
}

export interface NodeInfoRepository {
  /** Replaces the rows of (experiment, node) with one row per key. */
  save(record: NodeInfoRecord): Promise<void>;
  saveMany(records: readonly NodeInfoRecord[]): Promise<void>;
  /** One record per node, nodes sorted. */
  list(experimentId: string): Promise<NodeInfoRecord[]>;
}

export interface MetadataRepository {
  /** Stores the JSON of `data` with an added `exp_id` key, as galileo-db does (insert or replace). */
  save(experimentId: string, data: Readonly<Record<string, unknown>>): Promise<void>;
  /** The stored object (including its `exp_id` key), or undefined. */
  get(experimentId: string): Promise<Record<string, unknown> | undefined>;
  delete(experimentId: string): Promise<boolean>;
}

/**
 * The ledger of events a projection has applied, so a redelivered event is applied once. Use it in
 * the same `transaction` as the projection write: `const fresh = await tx.processed.markProcessed(…)`
 * then apply only the fresh ones.
 */
export interface ProcessedEventLedger {
  /** Records the ids; returns those not recorded before (in input order, each once). */
  markProcessed(projection: string, eventIds: readonly string[]): Promise<string[]>;
  wasProcessed(projection: string, eventId: string): Promise<boolean>;
  /** Forgets everything a projection processed (before a rebuild from the streams); returns the count. */
  reset(projection: string): Promise<number>;
}

/** The repositories, bound to one connection or transaction. */
export interface Repositories {
  readonly experiments: ExperimentRepository;
  readonly instructions: InstructionsRepository;
  readonly traces: TraceRepository;
  readonly telemetry: TelemetryRepository;
  readonly events: EventRepository;
  readonly nodeinfo: NodeInfoRepository;
  readonly metadata: MetadataRepository;
  readonly processed: ProcessedEventLedger;
}

export type DatabaseDialect = 'mysql' | 'sqlite';

/** What `openDatabase` returns. */
export interface GalileoDatabase extends Repositories {
  readonly dialect: DatabaseDialect;
  /**
   * Runs `fn` in one transaction: everything done through `tx` commits together or not at all
   * (rolled back when `fn` throws, and the error is rethrown).
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied now (empty when up to date). */
  migrate(): Promise<string[]>;
  /** True when the server answers (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Where the database is, resolved from the configuration. */
export type DatabaseTarget =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | {
      readonly dialect: 'mysql';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly password?: string | undefined;
    };

export interface OpenDatabaseOptions {
  /** Apply pending migrations on open; defaults to the config's `migrate` (true). */
  readonly migrate?: boolean;
  /** MariaDB pool size (default 5). */
  readonly connectionLimit?: number;
  /** Folder of the migrations to apply; defaults to this repository's prisma/migrations (or prisma/sqlite/migrations). */
  readonly migrationsDir?: string;
}
