import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.js';

describe('worker configuration', () => {
  it("uses galileo's defaults; the name is the host name when unset", () => {
    const loaded = loadWorkerConfig({});
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value).toMatchObject({
      name: hostname(),
      labels: {},
      routerType: 'CachingSymmetryHostRouter',
      routerStaticHost: 'http://localhost',
      appsDir: './apps',
      traceFlush: 20,
      traceFlushInterval: 250,
      heartbeatInterval: 5_000,
      httpPort: 0,
      lateThreshold: 10,
      maxInFlight: 500,
    });
    expect(loaded.value.traceLogging).toBeUndefined();
  });

  it('reads the variables, takes labels from galileo_* and prints without secrets', () => {
    const loaded = loadWorkerConfig({
      galileo_worker_name: 'w7',
      galileo_zone: 'edge',
      galileo_trace_logging: 'redis',
      galileo_worker_heartbeat_interval: '250ms',
      galileo_redis_password: 'hunter2',
    });
    if (!loaded.ok) throw loaded.error;
    expect(loaded.value).toMatchObject({ name: 'w7', traceLogging: 'redis', heartbeatInterval: 250 });
    expect(loaded.value.labels).toMatchObject({ galileo_zone: 'edge', galileo_worker_name: 'w7' });
    expect(loaded.value.redis.password).toBe('hunter2');
    expect(JSON.stringify(loaded.value)).not.toContain('hunter2');
    expect(JSON.stringify(loaded.value)).toContain('"name":"w7"');
  });

  it('names every bad variable', () => {
    const loaded = loadWorkerConfig({
      galileo_router_type: 'FastRouter',
      galileo_worker_max_in_flight: '0',
      galileo_trace_logging: 'kafka',
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.lines).toEqual([
      expect.stringMatching(/^galileo_trace_logging="kafka": expected one of redis, sql, file, bus/),
      expect.stringMatching(/^galileo_router_type="FastRouter": expected one of CachingSymmetryHostRouter/),
      expect.stringMatching(/^galileo_worker_max_in_flight="0": expected an integer >= 1/),
    ]);
  });
});
