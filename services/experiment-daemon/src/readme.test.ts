import { readFileSync } from 'node:fs';
import { describeConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { experimentDaemonConfigSpec } from './config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// If this fails, paste the output of describeConfig(experimentDaemonConfigSpec) into services/experiment-daemon/README.md.
describe('services/experiment-daemon README', () => {
  it('documents every environment variable with the generated table', () => {
    expect(readme).toContain(describeConfig(experimentDaemonConfigSpec));
  });
});
