import { readFileSync } from 'node:fs';
import { describeConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { optimizerConfigSpec } from './config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// If this fails, paste the output of describeConfig(optimizerConfigSpec) into the README.
describe('services/scale-schedule-optimizer README', () => {
  it('documents every environment variable with the generated table', () => {
    expect(readme).toContain(describeConfig(optimizerConfigSpec));
  });
});
