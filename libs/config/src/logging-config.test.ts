import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { loggingConfigSpec } from './logging-config.js';

const levelOf = (env: Record<string, string>) => {
  const loaded = loadConfig(loggingConfigSpec, env);
  return loaded.ok ? loaded.value.level : loaded.error.message;
};

describe('loggingConfigSpec', () => {
  it('defaults to info', () => {
    expect(levelOf({})).toBe('info');
  });

  it('reads galileo_logging_level first, then galileo_log_level', () => {
    expect(levelOf({ galileo_logging_level: 'DEBUG' })).toBe('debug');
    expect(levelOf({ galileo_log_level: 'WARNING' })).toBe('warn');
    expect(levelOf({ galileo_logging_level: 'ERROR', galileo_log_level: 'DEBUG' })).toBe('error');
    expect(levelOf({ galileo_logging_level: '', galileo_log_level: 'CRITICAL' })).toBe('fatal');
  });

  it('names the variable that held the bad level', () => {
    expect(levelOf({ galileo_log_level: 'loud' })).toMatch(
      /^galileo_log_level="loud": expected a log level: /,
    );
  });
});
