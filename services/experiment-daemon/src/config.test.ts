import { describe, expect, it } from 'vitest';
import { loadExperimentDaemonConfig } from './config.js';

describe('experiment daemon configuration', () => {
  it('has galileo defaults and a <host>-<pid> name', () => {
    const loaded = loadExperimentDaemonConfig({});
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value).toMatchObject({
      queue: 'galileo:experiments:instructions',
      maxMessageSize: 1024 * 1024,
      lease: 10_000,
      commandTimeout: 5_000,
      projection: true,
      httpPort: 0,
      db: { driver: 'sqlite', sqlitePath: './galileodb.sqlite' },
    });
    expect(loaded.value.name).toMatch(new RegExp(`-${process.pid}$`));
  });

  it('reads sizes and durations, and says what is wrong', () => {
    const loaded = loadExperimentDaemonConfig({
      galileo_experimentd_name: 'd1',
      galileo_experimentd_max_message_size: '512KiB',
      galileo_experimentd_lease: '3s',
    });
    expect(loaded.ok && loaded.value).toMatchObject({ name: 'd1', maxMessageSize: 512 * 1024, lease: 3000 });
    const bad = loadExperimentDaemonConfig({
      galileo_experimentd_max_message_size: 'huge',
      galileo_expdb_driver: 'oracle',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.lines).toContain(
        'galileo_experimentd_max_message_size="huge": expected a size in bytes such as 1048576, 512KiB or 1MiB',
      );
      expect(bad.error.lines.some((l) => l.startsWith('galileo_expdb_driver="oracle"'))).toBe(true);
    }
  });
});
