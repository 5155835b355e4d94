import { describe, expect, it } from 'vitest';
import { experimentBodyFrom } from './experiment-input.js';

describe('experimentBodyFrom', () => {
  it('reads instruction text (comments dropped), YAML and JSON, and applies overrides', () => {
    expect(experimentBodyFrom('# ramp\nspawn w1 svc 1\n\nsleep 2\n', { name: 'n' })).toEqual({
      instructions: 'spawn w1 svc 1\nsleep 2',
      name: 'n',
    });
    const yaml =
      'experiment:\n  name: y\nconfiguration:\n  duration: 10s\n  interval: 5s\n  workloads:\n    - service: svc\n      ticks: [1, 2]\n      clients_per_host: 1\n      arrival_pattern: constant\n';
    expect(experimentBodyFrom(yaml, { id: 'i1' })).toMatchObject({
      experiment: { name: 'y', id: 'i1' },
      configuration: { duration: '10s' },
    });
    expect(experimentBodyFrom('{"instructions": "sleep 1"}', { creator: 'me' })).toEqual({
      instructions: 'sleep 1',
      creator: 'me',
    });
  });
});
