import type { Redis } from 'ioredis';
import type { RoutingRecord, RoutingRecordReader } from './routing-record.js';
import { createRoutingTable, type RoutingTableOptions } from './routing-table.js';

/**
 * A read-only routing table that keeps records in memory and drops a service's record when its
 * name arrives on `routing:updates` — galileo's ReadOnlyListeningRedisRoutingTable (protocols §4.2),
 * used by the `Caching*` routers so that routing a request costs no Redis round trip.
 */
export interface CachedRoutingTable extends RoutingRecordReader {
  /** The record (cached, including "no record"), loading it on a miss. */
  getRecord(service: string): Promise<RoutingRecord | null>;
  /** Service names with a record, sorted; cached until the next update. */
  listServices(): Promise<string[]>;
  /** Stops listening; the connections stay open (they belong to the caller). */
  close(): Promise<void>;
}

/**
 * Subscribes `subscriber` (a connection dedicated to pub/sub) to the updates channel before
 * resolving, so no update after that point is missed. Reads go through `redis`.
 *
 * An update that arrives while a record is being loaded wins: the loaded value is not cached. When
 * the subscriber reconnects, updates may have been missed, so the whole cache is dropped.
 */
export async function createCachedRoutingTable(
  redis: Redis,
  subscriber: Redis,
  options: RoutingTableOptions = {},
): Promise<CachedRoutingTable> {
  const table = createRoutingTable(redis, options);
  const channel = table.keys.updates;

  const records = new Map<string, RoutingRecord | null>();
  const loading = new Map<string, Promise<RoutingRecord | null>>();
  /** Bumped on every invalidation; a load only caches if its generation is still current. */
  let generation = 0;
  let services: Promise<string[]> | undefined;

  const invalidate = (service?: string) => {
    generation += 1;
    services = undefined;
    if (service === undefined) {
      records.clear();
      loading.clear();
    } else {
      records.delete(service);
      loading.delete(service);
    }
  };

  const onMessage = (received: string, service: string) => {
    if (received === channel) invalidate(service);
  };
  let connectedOnce = subscriber.status === 'ready';
  const onReady = () => {
    if (connectedOnce) invalidate();
    connectedOnce = true;
  };

  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  await subscriber.subscribe(channel);

  return {
    cachedRecord: (service) => records.get(service),

    async getRecord(service) {
      if (records.has(service)) return records.get(service) ?? null;
      const pending = loading.get(service);
      if (pending) return pending;
      const startedAt = generation;
      const load = table.getRecord(service).then(
        (record) => {
          if (loading.get(service) === load) loading.delete(service);
          if (generation === startedAt) records.set(service, record);
          return record;
        },
        (error: unknown) => {
          if (loading.get(service) === load) loading.delete(service);
          throw error;
        },
      );
      loading.set(service, load);
      return load;
    },

    listServices() {
      if (!services) {
        const startedAt = generation;
        const load = table.listServices();
        services = load;
        load.then(
          () => {
            if (generation !== startedAt && services === load) services = undefined;
          },
          () => {
            if (services === load) services = undefined;
          },
        );
      }
      return services;
    },

    async close() {
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      records.clear();
      loading.clear();
      services = undefined;
      if (subscriber.status === 'ready') await subscriber.unsubscribe(channel);
    },
  };
}
