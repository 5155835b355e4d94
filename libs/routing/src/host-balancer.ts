import { fail, ok, type RoutingResult } from './result.js';
import type { RoutingRecord } from './routing-record.js';
import { weightedRandom, type RandomSource } from './weighted-random.js';
import { createWeightedRoundRobin, type WeightedRoundRobin } from './weighted-round-robin.js';

/** Picks the host for the next request of a service from its current record. */
export interface HostBalancer {
  selectHost(record: RoutingRecord): RoutingResult<string>;
  /** Drops whatever state the balancer keeps for a service (its record is gone). */
  forget(service: string): void;
}

/**
 * galileo's default WeightedRoundRobinBalancer: one persistent rotation per service, fed the
 * weights of the record current at each request, so weight changes take effect without a restart.
 */
export function createRoundRobinHostBalancer(): HostBalancer {
  const rotations = new Map<string, WeightedRoundRobin>();
  return {
    selectHost(record) {
      let rotation = rotations.get(record.service);
      if (!rotation) {
        const created = createWeightedRoundRobin(record.weights);
        if (!created.ok) return fail(noHost(record, created.error));
        rotation = created.value;
        rotations.set(record.service, rotation);
      } else if (!sameWeights(rotation.weights, record.weights)) {
        const updated = rotation.update(record.weights);
        if (!updated.ok) return fail(noHost(record, updated.error));
      }
      return ok(record.hosts[rotation.next()]!);
    },
    forget(service) {
      rotations.delete(service);
    },
  };
}

/** galileo's WeightedRandomBalancer: every request draws a host in proportion to its weight. */
export function createRandomHostBalancer(random: RandomSource = { next: Math.random }): HostBalancer {
  return {
    selectHost(record) {
      const drawn = weightedRandom(record.weights, random);
      return drawn.ok ? ok(record.hosts[drawn.value]!) : fail(noHost(record, drawn.error));
    },
    forget() {},
  };
}

function sameWeights(inUse: readonly number[], current: readonly number[]): boolean {
  return inUse.length === current.length && inUse.every((w, i) => w === Math.trunc(current[i]!));
}

function noHost(record: RoutingRecord, why: string): string {
  return `No host can be chosen for service '${record.service}': ${why}`;
}
