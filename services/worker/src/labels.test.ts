import { describe, expect, it } from 'vitest';
import { labelsFromEnvironment } from './labels.js';

describe('worker labels', () => {
  it('are the galileo_* variables, never a secret', () => {
    const labels = labelsFromEnvironment({
      galileo_zone: 'A',
      galileo_worker_name: 'w1',
      galileo_redis_host: 'redis',
      galileo_redis_password: 'hunter2',
      galileo_expdb_mysql_password: 'hunter2',
      galileo_expdb_influxdb_token: 'hunter2',
      galileo_api_secret: 'hunter2',
      galileo_redis_url: 'redis://:hunter2@redis:6379/0',
      galileo_redis_key_prefix: 'staging:',
      PATH: '/usr/bin',
      GALILEO_ZONE: 'B',
    });
    expect(labels).toEqual({
      galileo_zone: 'A',
      galileo_worker_name: 'w1',
      galileo_redis_host: 'redis',
      galileo_redis_url: 'redis://:***@redis:6379/0',
      galileo_redis_key_prefix: 'staging:',
    });
    expect(JSON.stringify(labels)).not.toContain('hunter2');
  });
});
