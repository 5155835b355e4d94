import { describe, expect, it } from 'vitest';
import { isSecretName } from './secret-names.js';

describe('isSecretName', () => {
  it.each([
    'galileo_redis_password',
    'GALILEO_EXPDB_MYSQL_PASSWORD',
    'galileo_db_passwd',
    'galileo_expdb_influxdb_token',
    'api_key',
    'apiKey',
    'clientSecret',
    'authorization',
    'aws_credentials',
  ])('%s is secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each(['galileo_redis_host', 'galileo_redis_port', 'galileo_worker_name', 'service', 'experimentId'])(
    '%s is not secret',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );

  it('does not treat a key prefix as a key', () => {
    expect(isSecretName('galileo_redis_key_prefix')).toBe(false);
    expect(isSecretName('keyPrefix')).toBe(false);
    expect(isSecretName('galileo_redis_key')).toBe(true);
    expect(isSecretName('galileo_key_prefix_secret')).toBe(true);
  });
});
