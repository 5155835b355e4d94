import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('reads host, port and db', () => {
    expect(parseRedisUrl('redis://redis:6380/2')).toEqual({ tls: false, host: 'redis', port: 6380, db: 2 });
  });

  it('defaults the port and leaves the db to galileo_redis_db', () => {
    expect(parseRedisUrl('redis://redis')).toEqual({ tls: false, host: 'redis', port: 6379 });
    expect(parseRedisUrl('redis://redis/')).toEqual({ tls: false, host: 'redis', port: 6379 });
  });

  it('reads a password with or without a user, percent-decoded', () => {
    expect(parseRedisUrl('redis://:p%40ss@redis:6379/0')).toMatchObject({ password: 'p@ss' });
    expect(parseRedisUrl('redis://:p%40ss@redis:6379/0')).not.toHaveProperty('username');
    expect(parseRedisUrl('redis://admin:pw@redis')).toMatchObject({ username: 'admin', password: 'pw' });
  });

  it('reads rediss:// as TLS and IPv6 hosts', () => {
    expect(parseRedisUrl('rediss://[::1]:6390')).toEqual({ tls: true, host: '::1', port: 6390 });
  });

  it.each([
    'http://redis:6379',
    'redis://',
    'redis://redis/x',
    'localhost:6379',
    'redis://redis:99999',
    'nonsense',
  ])('rejects %j', (text) => {
    expect(parseRedisUrl(text)).toBeUndefined();
  });
});
