import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeConfig, loggingConfigSpec } from '@galileo/config';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('libs/logging README', () => {
  it('documents the level variables with the generated table', () => {
    expect(readme).toContain(describeConfig(loggingConfigSpec));
  });
});
