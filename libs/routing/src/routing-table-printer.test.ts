import { describe, expect, it } from 'vitest';
import { formatRoutingTable, pythonFloat } from './routing-table-printer.js';

describe('formatRoutingTable', () => {
  it('prints the rtbl table as galileo does', () => {
    const table = formatRoutingTable([
      { service: 'myservice', hosts: ['host1:8080', 'host2:8080'], weights: [1, 2] },
      { service: 'squeezenet', hosts: ['10.0.0.7:31000'], weights: [0.5] },
    ]);
    expect(table).toBe(
      [
        '+---------------------------+----------------------+-----------+',
        '| Service                   |                Hosts |   Weights |',
        '+---------------------------+----------------------+-----------+',
        '| myservice                 |           host1:8080 |       1.0 |',
        '|                           |           host2:8080 |       2.0 |',
        '+---------------------------+----------------------+-----------+',
        '| squeezenet                |       10.0.0.7:31000 |       0.5 |',
        '+---------------------------+----------------------+-----------+',
        '',
      ].join('\n'),
    );
  });

  it('prints only the header for an empty table and lets long values widen their row', () => {
    expect(formatRoutingTable([]).split('\n')).toHaveLength(4);
    const long = formatRoutingTable([
      { service: 'a-very-long-service-name-indeed', hosts: ['a-very-long-host-name:8080'], weights: [1] },
    ]);
    expect(long).toContain('| a-very-long-service-name-indeed | a-very-long-host-name:8080 |       1.0 |');
  });
});

describe('pythonFloat', () => {
  it.each([
    [1, '1.0'],
    [2.5, '2.5'],
    [0.1, '0.1'],
    [-2, '-2.0'],
    [0, '0.0'],
    [100, '100.0'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [123456789012345, '123456789012345.0'],
    [1e16, '1e+16'],
    [1.25e22, '1.25e+22'],
    [0.1 + 0.2, '0.30000000000000004'],
    [Infinity, 'inf'],
  ])('%d → %s', (value, expected) => {
    expect(pythonFloat(value)).toBe(expected);
  });
});
