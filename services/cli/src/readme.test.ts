import { readFileSync } from 'node:fs';
import { describeConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { dbConfigSpec } from '@galileo/db';
import { cliConfigSpec } from './cli-context.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// If this fails, paste the output of describeConfig(cliConfigSpec) into services/cli/README.md.
describe('services/cli README', () => {
  it('documents every environment variable with the generated table', () => {
    expect(readme).toContain(describeConfig(cliConfigSpec));
    expect(readme).toContain(describeConfig(dbConfigSpec));
  });
});
