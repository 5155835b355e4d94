import { readFileSync } from 'node:fs';
import { describeConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { embeddedConfigSpec } from './config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// If this fails, paste the output of describeConfig(embeddedConfigSpec) into services/embedded/README.md.
describe('services/embedded README', () => {
  it('documents every environment variable with the generated table', () => {
    expect(readme).toContain(describeConfig(embeddedConfigSpec));
  });
});
