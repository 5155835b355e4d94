import type { Redis } from 'ioredis';
import { fail, ok, type RoutingResult } from './result.js';
import { routingKeys, type RoutingKeys } from './routing-keys.js';
import {
  parseStoredWeights,
  validateRoutingRecord,
  type RoutingRecord,
  type RoutingRecordReader,
} from './routing-record.js';
import { appendHostScript, clearRecordsScript, updateWeightsScript } from './routing-table-scripts.js';
import { weightsProblem } from './weight-validation.js';

export interface RoutingTableOptions {
  /** Prepended to every key and the updates channel; empty by default (galileo's own names). */
  prefix?: string;
}

/** What `setRecord` takes: weights default to 1 per host, as `rtbl.set` does. */
export interface RoutingRecordInput {
  service: string;
  hosts: readonly string[];
  weights?: readonly number[];
}

/**
 * galileo's Redis routing table (protocols §4.1, the shell's `rtbl`): the one home of the
 * `routing:*` keys. Every change publishes the service name on `routing:updates`. Validation
 * problems come back as error values; Redis failures are thrown.
 */
export interface RoutingTable extends RoutingRecordReader {
  readonly keys: RoutingKeys;
  getRecord(service: string): Promise<RoutingRecord | null>;
  /** Service names with a record, sorted. */
  listServices(): Promise<string[]>;
  /** All records, sorted by service name. */
  listRecords(): Promise<RoutingRecord[]>;
  /** Creates or overwrites a record in one MULTI: DEL both lists, SADD, RPUSH hosts, RPUSH weights, PUBLISH. */
  setRecord(record: RoutingRecordInput): Promise<RoutingResult<RoutingRecord>>;
  /** Replaces the weights of an existing record; the count must match its hosts. */
  updateWeights(service: string, weights: readonly number[]): Promise<RoutingResult<RoutingRecord>>;
  /** Appends one host (weight 1 by default), creating the record when missing. */
  appendHost(service: string, host: string, weight?: number): Promise<RoutingResult<RoutingRecord>>;
  /** Removes a record; true if the service had one. */
  removeRecord(service: string): Promise<boolean>;
  /** Removes every record, publishing each service; returns how many there were. */
  clearRecords(): Promise<number>;
}

export function createRoutingTable(redis: Redis, options: RoutingTableOptions = {}): RoutingTable {
  const keys = routingKeys(options.prefix);

  async function readRecords(services: readonly string[]): Promise<(RoutingRecord | null)[]> {
    if (services.length === 0) return [];
    const transaction = redis.multi();
    for (const service of services) {
      transaction.lrange(keys.hosts(service), 0, -1).lrange(keys.weights(service), 0, -1);
    }
    const replies = await transaction.exec();
    if (!replies) throw new Error('Routing table read aborted');
    return services.map((service, i) => {
      const [hostsError, hosts] = replies[2 * i] ?? [];
      const [weightsError, weights] = replies[2 * i + 1] ?? [];
      if (hostsError ?? weightsError) throw hostsError ?? weightsError;
      return recordFrom(service, hosts as string[], weights as string[]);
    });
  }

  const listServices = async () => (await redis.smembers(keys.services)).sort();

  return {
    keys,
    listServices,

    async getRecord(service) {
      const [record] = await readRecords([service]);
      return record ?? null;
    },

    async listRecords() {
      const records = await readRecords(await listServices());
      return records.filter((r): r is RoutingRecord => r !== null);
    },

    async setRecord({ service, hosts, weights }) {
      const valid = validateRoutingRecord({ service, hosts, weights: weights ?? hosts.map(() => 1) });
      if (!valid.ok) return valid;
      const record = valid.value;
      await redis
        .multi()
        .del(keys.hosts(service), keys.weights(service))
        .sadd(keys.services, service)
        .rpush(keys.hosts(service), ...record.hosts)
        .rpush(keys.weights(service), ...record.weights.map(String))
        .publish(keys.updates, service)
        .exec();
      return ok({ service, hosts: [...record.hosts], weights: [...record.weights] });
    },

    async updateWeights(service, weights) {
      const problem = weightsProblem(weights);
      if (problem) return fail(`Cannot update the weights of service '${service}': ${problem}`);
      const reply = await redis.eval(
        updateWeightsScript,
        2,
        keys.hosts(service),
        keys.weights(service),
        keys.updates,
        service,
        ...weights.map(String),
      );
      if (reply === -1) return fail(`No routing record found for service '${service}'`);
      if (typeof reply === 'number') {
        return fail(
          `The number of weights does not match the population: service '${service}' has ${reply} host(s), got ${weights.length} weight(s)`,
        );
      }
      return ok(recordFromReply(service, reply));
    },

    async appendHost(service, host, weight = 1) {
      const valid = validateRoutingRecord({ service, hosts: [host], weights: [weight] });
      if (!valid.ok) return valid;
      const reply = await redis.eval(
        appendHostScript,
        3,
        keys.hosts(service),
        keys.weights(service),
        keys.services,
        keys.updates,
        service,
        host,
        String(weight),
      );
      return ok(recordFromReply(service, reply));
    },

    async removeRecord(service) {
      const replies = await redis
        .multi()
        .del(keys.hosts(service), keys.weights(service))
        .srem(keys.services, service)
        .publish(keys.updates, service)
        .exec();
      return replies?.[1]?.[1] === 1;
    },

    async clearRecords() {
      const removed = await redis.eval(
        clearRecordsScript,
        1,
        keys.services,
        keys.updates,
        keys.hosts(''),
        keys.weights(''),
      );
      return Number(removed);
    },
  };
}

function recordFrom(
  service: string,
  hosts: readonly string[],
  weights: readonly string[],
): RoutingRecord | null {
  if (hosts.length === 0) return null;
  return { service, hosts: [...hosts], weights: parseStoredWeights(weights, hosts.length) };
}

function recordFromReply(service: string, reply: unknown): RoutingRecord {
  const [hosts, weights] = reply as [string[], string[]];
  return { service, hosts, weights: parseStoredWeights(weights, hosts.length) };
}
