import { readFileSync } from 'node:fs';
import { describeConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { recorderConfigSpec } from './config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// If this fails, paste the output of describeConfig(recorderConfigSpec) into services/recorder/README.md.
describe('services/recorder README', () => {
  it('documents every environment variable with the generated table', () => {
    expect(readme).toContain(describeConfig(recorderConfigSpec));
  });
});
