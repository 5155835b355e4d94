import { fail, ok, type RoutingResult } from './result.js';

/** galileo's RoutingRecord(service, hosts, weights): where a service's requests go, and how often. */
export interface RoutingRecord {
  readonly service: string;
  /** `host:port` strings, e.g. `host1:8080`; a router puts them right after `http://`. */
  readonly hosts: readonly string[];
  /** One weight per host, same order; stored as decimal strings, read back as floats. */
  readonly weights: readonly number[];
}

/** Checks a record before it is written; the messages follow galileo's where it had one. */
export function validateRoutingRecord(record: RoutingRecord): RoutingResult<RoutingRecord> {
  const { service, hosts, weights } = record;
  if (typeof service !== 'string' || service.length === 0) return fail('The service name must not be empty');
  if (!Array.isArray(hosts) || hosts.length === 0) {
    return fail(`The routing record for service '${service}' needs at least one host`);
  }
  const badHost = hosts.findIndex((h) => typeof h !== 'string' || h.trim().length === 0);
  if (badHost >= 0) return fail(`Host ${badHost} of service '${service}' must be a non-empty string`);
  if (!Array.isArray(weights) || weights.length !== hosts.length) {
    return fail('The number of weights does not match the population');
  }
  const badWeight = weights.findIndex((w) => typeof w !== 'number' || !Number.isFinite(w) || w < 0);
  if (badWeight >= 0) {
    return fail(
      `Weight ${badWeight} of service '${service}' must be a finite number ≥ 0, got ${String(weights[badWeight])}`,
    );
  }
  return ok(record);
}

/** Weights as galileo reads them (`float(w)`); an unreadable or missing weight counts as 0, never chosen. */
export function parseStoredWeights(stored: readonly string[], hostCount: number): number[] {
  return Array.from({ length: hostCount }, (_, i) => {
    const text = stored[i]?.trim() ?? '';
    const value = text === '' ? Number.NaN : Number(text);
    return Number.isFinite(value) && value >= 0 ? value : 0;
  });
}

/** Anything routers can read records from: the Redis table, or its cached reader. */
export interface RoutingRecordReader {
  /** The record, or null when the service has none (no hosts). */
  getRecord(service: string): Promise<RoutingRecord | null>;
  /**
   * What a cache holds for the service right now, without I/O: the record, null for "no record",
   * undefined when nothing is cached (then `getRecord` loads it). Readers without a cache omit it.
   */
  cachedRecord?(service: string): RoutingRecord | null | undefined;
}
