import { galileoCatalogue, type GalileoCatalogue } from '@galileo/events';
import { redisTestContext, type RedisTestContext } from '@galileo/testing';
import type { Redis } from 'ioredis';
import { createBus, type Bus, type BusOptions } from '../bus.js';

export interface BusFixture {
  ctx: RedisTestContext;
  makeBus(overrides?: Partial<BusOptions<GalileoCatalogue>>): Bus<GalileoCatalogue>;
  cleanup(): Promise<void>;
}

/** Buses on the real Redis, isolated by the test's prefix, closed and cleaned up afterwards. */
export function busFixture(label: string, redis?: Redis): BusFixture {
  const ctx = redisTestContext(label);
  const buses: Bus<GalileoCatalogue>[] = [];
  return {
    ctx,
    makeBus(overrides = {}) {
      const bus = createBus({
        redis: redis ?? ctx.redis,
        catalogue: galileoCatalogue,
        source: `test-${label}`,
        prefix: ctx.prefix,
        trimIntervalMs: 0,
        streamRefreshMs: 100,
        ...overrides,
      });
      buses.push(bus);
      return bus;
    },
    async cleanup() {
      await Promise.all(buses.map((b) => b.close()));
      await ctx.cleanup();
    },
  };
}

export const note = (name: string, value: unknown = null) =>
  ({ type: 'GalileoEvent', data: { name, value, timestamp: Date.now() / 1000 } }) as const;
