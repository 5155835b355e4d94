import { defineConfig } from 'vitest/config';

// One vitest run covers every project: unit tests (x.test.ts) and integration tests against
// the real Redis/MariaDB (x.int.test.ts). Each integration test isolates itself by key prefix.
export default defineConfig({
  test: {
    include: ['libs/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
