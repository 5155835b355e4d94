import type { Redis } from 'ioredis';

/**
 * A Redis lease: with several optimizer replicas, exactly one acts per round. The holder renews
 * it each round (compare-and-extend); a crashed holder's lease expires after `ttlMs` and another
 * replica takes it.
 */
export interface LeaderLease {
  /** Takes or renews the lease; true when this instance holds it now. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  readonly key: string;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function createLeaderLease(
  redis: Redis,
  options: { key: string; owner: string; ttlMs: number },
): LeaderLease {
  const { key, owner, ttlMs } = options;
  return {
    key,
    async acquire() {
      const renewed = Number(await redis.eval(RENEW, 1, key, owner, String(ttlMs)));
      if (renewed === 1) return true;
      return (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async release() {
      await redis.eval(RELEASE, 1, key, owner);
    },
  };
}
