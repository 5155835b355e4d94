import { describe, expect, it } from 'vitest';
import { maskUrlCredentials } from './url-credentials.js';

describe('maskUrlCredentials', () => {
  it('masks the password of a Redis URL', () => {
    expect(maskUrlCredentials('redis://:s3cret@redis:6379/0')).toBe('redis://:***@redis:6379/0');
    expect(maskUrlCredentials('rediss://admin:s3cret@redis')).toBe('rediss://admin:***@redis');
  });

  it('masks passwords that contain @ and every URL in a text', () => {
    const text = 'primary redis://:p@ss@a:6379 replica redis://:other@b:6379';
    expect(maskUrlCredentials(text)).toBe('primary redis://:***@a:6379 replica redis://:***@b:6379');
  });

  it('leaves URLs without a password alone', () => {
    for (const text of [
      'redis://localhost:6379/2',
      'redis://user@host',
      'http://example.com:80/a@b',
      'plain',
    ]) {
      expect(maskUrlCredentials(text)).toBe(text);
    }
  });
});
