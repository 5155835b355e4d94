import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeConfig } from './describe-config.js';
import { loggingConfigSpec } from './logging-config.js';
import { redisConfigSpec } from './redis-config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// If this fails, paste the output of describeConfig(<spec>) into libs/config/README.md.
describe('libs/config README', () => {
  it.each([
    ['Redis', redisConfigSpec],
    ['logging', loggingConfigSpec],
  ])('documents the %s variables with the generated table', (_name, spec) => {
    expect(readme).toContain(describeConfig(spec));
  });
});
