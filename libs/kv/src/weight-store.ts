import type { FunctionWeights, WeightEntry } from './function-weights.js';

/** What a watcher is told. */
export type WeightChange =
  /** A valid value was written (or re-read after a reconnect). */
  | { readonly type: 'put'; readonly entry: WeightEntry }
  /** A value the balancer cannot use (bad key, not JSON, floats, empty list …): keep the old one. */
  | { readonly type: 'invalid'; readonly key: string; readonly raw: string; readonly error: string }
  /** The key was deleted (the go-load-balancer ignores deletes; so does ours by default). */
  | { readonly type: 'delete'; readonly zone: string; readonly fn: string }
  /**
   * The complete state of the zone, read at start and after every reconnect (so nothing written
   * while the watch was down is missed).
   */
  | {
      readonly type: 'snapshot';
      readonly entries: readonly WeightEntry[];
      readonly invalid: readonly { key: string; error: string }[];
    }
  /** The store became unreachable or reachable again; the last weights stay in force meanwhile. */
  | { readonly type: 'status'; readonly connected: boolean; readonly detail?: string };

export interface WeightWatch {
  /** Resolves after the first snapshot was delivered. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface ZoneListing {
  readonly entries: WeightEntry[];
  readonly invalid: { key: string; error: string }[];
}

/**
 * Where load-balancer weights live: etcd in production (the go-load-balancer's contract), Redis in
 * the embedded mode. The balancer and the optimizer use only this interface.
 */
export interface WeightStore {
  /** `etcd` or `redis`. */
  readonly kind: string;
  get(zone: string, fn: string): Promise<FunctionWeights | undefined>;
  /** Every function of a zone; unusable values are listed with their reason. */
  list(zone: string): Promise<ZoneListing>;
  /** Writes a validated value (an empty list or a non-integer weight is refused with an error). */
  put(zone: string, fn: string, weights: FunctionWeights): Promise<void>;
  /** Watches one zone (prefix with a trailing slash). Never throws for an unreachable store: it reports status and retries. */
  watch(zone: string, listener: (change: WeightChange) => void): WeightWatch;
  close(): Promise<void>;
}

export class InvalidWeightsError extends Error {
  constructor(zone: string, fn: string, problem: string) {
    super(`weights for ${fn} in ${zone} not written: ${problem}`);
    this.name = 'InvalidWeightsError';
  }
}
