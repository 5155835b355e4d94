import { describe, expect, it } from 'vitest';
import { envHostPort } from './host-port.js';
import { envList } from './list-field.js';
import { envInt } from './scalar-fields.js';

describe('envList', () => {
  it('splits on commas, trims and drops empty items', () => {
    expect(envList().parse(' a, b ,,c, ')).toEqual(['a', 'b', 'c']);
    expect(envList().parse('')).toEqual([]);
  });

  it('splits on another separator', () => {
    expect(envList({ separator: ' ' }).parse('eth0  wlan0')).toEqual(['eth0', 'wlan0']);
  });

  it('parses every item with the item field', () => {
    expect(envList({ item: envInt({ min: 0 }) }).parse('1,2,3')).toEqual([1, 2, 3]);
    expect(envList({ item: envHostPort() }).parse('s1:26379, [::1]:26380')).toEqual([
      { host: 's1', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
  });

  it('names the item form and the bad item', () => {
    const parsed = envList({ item: envHostPort() }).safeParse('s1:26379,s2');
    expect(parsed.error?.issues[0]?.message).toBe(
      'expected a comma-separated list of host:port ("s2" is not valid)',
    );
  });
});
