import { readFileSync } from 'node:fs';
import { describeConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { influxConfigSpec } from './config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('libs/timeseries README', () => {
  it('documents every environment variable with the generated table', () => {
    expect(readme).toContain(describeConfig(influxConfigSpec));
  });
});
