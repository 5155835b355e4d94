import { describe, expect, it } from 'vitest';
import {
  configurationToInstructions,
  exactWorkerPattern,
  parseExperimentConfiguration,
  type ExperimentConfiguration,
} from './configuration.js';
import { parseInstructions } from './parse-instructions.js';

const config = (over: Partial<ExperimentConfiguration> = {}): ExperimentConfiguration => ({
  duration: 4,
  interval: 2,
  workloads: [
    {
      service: 'alexnet',
      ticks: [3, 1],
      clients_per_host: 2,
      arrival_pattern: 'constant',
      client: null,
      client_parameters: {},
    },
  ],
  ...over,
});

describe('parseExperimentConfiguration', () => {
  it('reads the object form with galileo defaults', () => {
    const parsed = parseExperimentConfiguration({
      duration: 10,
      interval: 2,
      workloads: [{ service: 'a', ticks: [1, 2] }],
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        duration: 10,
        interval: 2,
        workloads: [
          {
            service: 'a',
            ticks: [1, 2],
            clients_per_host: 1,
            arrival_pattern: null,
            client: null,
            client_parameters: {},
          },
        ],
      },
    });
  });

  it('reads the positional pymq form of protocols §2.1', () => {
    const parsed = parseExperimentConfiguration([
      10,
      2,
      [['alexnet', [1, 2, 3, 1, 1], 2, 'constant', null, {}]],
    ]);
    expect(parsed.ok && parsed.value.workloads[0]).toEqual({
      service: 'alexnet',
      ticks: [1, 2, 3, 1, 1],
      clients_per_host: 2,
      arrival_pattern: 'constant',
      client: null,
      client_parameters: {},
    });
  });

  it('says what is wrong', () => {
    const bad = parseExperimentConfiguration({ duration: 10, interval: 0, workloads: [{ ticks: 'x' }] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(
      /^invalid configuration: interval: .*; workloads\.0\.service: .*; workloads\.0\.ticks: /,
    );
    expect(parseExperimentConfiguration(null).ok).toBe(false);
    expect(parseExperimentConfiguration({ duration: 1, interval: 1, workloads: [] })).toEqual({
      ok: false,
      error: 'invalid configuration: workloads: at least one workload',
    });
  });
});

describe('configurationToInstructions', () => {
  it('spawns on every worker, distributes each tick round-robin, sleeps an interval, then pauses and closes', () => {
    const result = configurationToInstructions(config(), ['w1', 'w2']);
    expect(result).toEqual({
      ok: true,
      value: [
        'spawn w1 alexnet 2',
        'spawn w2 alexnet 2',
        'rps w1 alexnet 2',
        'rps w2 alexnet 1',
        'sleep 2',
        'rps w1 alexnet 1',
        'rps w2 alexnet 0',
        'sleep 2',
        'rps w1 alexnet 0',
        'rps w2 alexnet 0',
        'close w1 alexnet',
        'close w2 alexnet',
      ].join('\n'),
    });
  });

  it('passes clients, parameters and arrival patterns, escapes worker names, and the output parses', () => {
    const result = configurationToInstructions(
      config({
        duration: 3,
        interval: 2,
        workloads: [
          {
            service: 's',
            ticks: [5, 5],
            clients_per_host: 1,
            arrival_pattern: 'expovariate',
            client: 'app',
            client_parameters: { path: '/a b' },
          },
          {
            service: 't',
            ticks: [1.5, 0],
            clients_per_host: 1,
            arrival_pattern: null,
            client: null,
            client_parameters: { n: 1 },
          },
        ],
      }),
      ['node.1'],
    );
    expect(result.ok).toBe(true);
    const text = result.ok ? result.value : '';
    expect(text.split('\n').slice(0, 4)).toEqual([
      `spawn node\\.1 s 1 app '{"path":"/a b"}'`,
      `spawn node\\.1 t 1 '{"n":1}'`,
      'rps node\\.1 s 5 app arrival=exponential',
      'rps node\\.1 t 1.5',
    ]);
    const parsed = parseInstructions(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value[0]).toMatchObject({
        kind: 'spawn',
        workerPattern: 'node\\.1',
        client: 'app',
        parameters: { path: '/a b' },
      });
      expect(parsed.value[1]).toMatchObject({ kind: 'spawn', client: null, parameters: { n: 1 } });
      expect(parsed.value[2]).toMatchObject({ kind: 'rps', arrival: { process: 'exponential' } });
    }
    expect(new RegExp(`^${exactWorkerPattern('node.1')}$`).test('nodex1')).toBe(false);
  });

  it('rejects what galileo rejected and what cannot run', () => {
    expect(configurationToInstructions(config({ interval: 0 }), ['w'])).toEqual({
      ok: false,
      error: 'interval must be > 0',
    });
    expect(configurationToInstructions(config(), [])).toEqual({
      ok: false,
      error: 'no workers to execute the experiment on',
    });
    expect(configurationToInstructions(config({ duration: 10 }), ['w'])).toEqual({
      ok: false,
      error: 'workload 0 (alexnet) has 2 ticks; duration 10 s / interval 2 s needs 5',
    });
    const gamma = configurationToInstructions(
      config({ workloads: [{ ...config().workloads[0]!, arrival_pattern: 'gammavariate' }] }),
      ['w'],
    );
    expect(gamma.ok).toBe(false);
    expect(!gamma.ok && gamma.error).toContain('arrival_pattern "gammavariate"');
  });
});
