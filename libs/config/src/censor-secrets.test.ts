import { describe, expect, it } from 'vitest';
import { censorSecretFields, censorSecrets } from './censor-secrets.js';

describe('censorSecrets', () => {
  it('masks secret-named keys at the top and nested levels', () => {
    const input = {
      password: 'p1',
      host: 'redis',
      db: { user: 'galileo', passwd: 'p2', influx: { token: 't1', org: 'galileo' } },
      headers: [{ authorization: 'Bearer x' }],
    };
    expect(censorSecrets(input)).toEqual({
      password: '***',
      host: 'redis',
      db: { user: 'galileo', passwd: '***', influx: { token: '***', org: 'galileo' } },
      headers: [{ authorization: '***' }],
    });
    expect(input.password).toBe('p1');
  });

  it('masks URL passwords in strings', () => {
    expect(censorSecrets({ target: 'redis://:pw@redis:6379', list: ['rediss://u:pw@r'] })).toEqual({
      target: 'redis://:***@redis:6379',
      list: ['rediss://u:***@r'],
    });
  });

  it('keeps unset secrets unset and non-plain objects as they are', () => {
    const error = new Error('boom');
    const result = censorSecrets({ password: undefined, token: null, error, keyPrefix: 'galileo:' });
    expect(result).toEqual({ password: undefined, token: null, error, keyPrefix: 'galileo:' });
  });

  it('stops after the given depth', () => {
    const deep = { a: { b: { c: { password: 'deep' } } } };
    expect(censorSecrets(deep, 3)).toEqual(deep);
    expect(censorSecrets(deep, 4)).toEqual({ a: { b: { c: { password: '***' } } } });
  });
});

describe('censorSecretFields', () => {
  it('censors the properties of a record, even one that is not a plain object', () => {
    const fields = Object.assign(Object.create({ inherited: true }) as Record<string, unknown>, {
      token: 't',
      url: 'redis://:pw@r',
    });
    expect(censorSecretFields(fields)).toEqual({ token: '***', url: 'redis://:***@r' });
  });
});
