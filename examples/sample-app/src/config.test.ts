import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentTable, readSampleAppEnvironment } from './config.js';

describe('sample app configuration', () => {
  it('has defaults for every variable', () => {
    expect(readSampleAppEnvironment({})).toEqual({
      ok: true,
      value: {
        SAMPLE_APP_PORT: 8080,
        SAMPLE_APP_HOST: '0.0.0.0',
        SAMPLE_APP_NAME: 'sample-app',
        SAMPLE_APP_CPU_MS: 0,
        SAMPLE_APP_CPU_ITERATIONS: 0,
      },
    });
  });

  it('reads numbers and treats empty variables as unset', () => {
    expect(
      readSampleAppEnvironment({
        SAMPLE_APP_PORT: '0',
        SAMPLE_APP_CPU_MS: '15',
        SAMPLE_APP_RESPONSE_BYTES: '2048',
        SAMPLE_APP_CPU_ITERATIONS: '',
        SAMPLE_APP_NAME: 'resnet',
      }),
    ).toEqual({
      ok: true,
      value: {
        SAMPLE_APP_PORT: 0,
        SAMPLE_APP_HOST: '0.0.0.0',
        SAMPLE_APP_NAME: 'resnet',
        SAMPLE_APP_CPU_MS: 15,
        SAMPLE_APP_CPU_ITERATIONS: 0,
        SAMPLE_APP_RESPONSE_BYTES: 2048,
      },
    });
  });

  it('names the variable and the problem for bad values', () => {
    expect(readSampleAppEnvironment({ SAMPLE_APP_PORT: 'http', SAMPLE_APP_CPU_MS: '-1' })).toEqual({
      ok: false,
      error:
        'Invalid sample-app configuration: SAMPLE_APP_PORT="http": must be a number; SAMPLE_APP_CPU_MS="-1": must be ≥ 0',
    });
  });

  it('is documented in the README by the table generated from the schema', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    // compared cell by cell, so prettier's column alignment does not matter
    const rows = (markdown: string) =>
      markdown
        .split('\n')
        .filter((line) => line.startsWith('| `SAMPLE_APP_'))
        .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows(readme)).toEqual(rows(environmentTable()));
  });
});
