import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { envDuration } from './duration.js';
import { defineConfig, envVar } from './env-var.js';
import { envList } from './list-field.js';
import { loadConfig, loadConfigOrExit } from './load-config.js';
import { redisConfigSpec } from './redis-config.js';
import { envBool, envEnum, envInt, envPort, envString } from './scalar-fields.js';

const workerSpec = defineConfig({
  name: envVar({
    name: 'galileo_worker_name',
    schema: envString(),
    required: true,
    description: 'Worker name.',
  }),
  port: envVar({ name: 'galileo_worker_port', schema: envPort(), default: 8080, description: 'Port.' }),
  flush: envVar({
    name: 'galileo_flush_interval',
    schema: envDuration(),
    default: '10s',
    description: 'Flush.',
  }),
  debug: envVar({ name: 'galileo_debug', schema: envBool(), default: false, description: 'Debug.' }),
  zones: envVar({ name: 'galileo_zones', schema: envList(), description: 'Zones.' }),
  driver: envVar({
    name: 'galileo_expdb_driver',
    schema: envEnum(['sqlite', 'mysql']),
    default: 'sqlite',
    description: 'Driver.',
  }),
  dbPassword: envVar({
    name: 'galileo_expdb_mysql_password',
    schema: envInt(),
    description: 'Odd but secret.',
  }),
  redis: redisConfigSpec,
});

function problemLines(env: Record<string, string>): string[] {
  const loaded = loadConfig(workerSpec, env);
  if (loaded.ok) throw new Error('expected the configuration to be rejected');
  return loaded.error.lines;
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

describe('loadConfig', () => {
  it('applies defaults and infers the field types', () => {
    const loaded = loadConfig(workerSpec, { galileo_worker_name: 'w1' });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value).toEqual({
      name: 'w1',
      port: 8080,
      flush: 10_000,
      debug: false,
      zones: undefined,
      driver: 'sqlite',
      dbPassword: undefined,
      redis: {
        host: 'localhost',
        port: 6379,
        password: undefined,
        db: 0,
        url: undefined,
        tls: false,
        tlsCa: undefined,
        sentinels: undefined,
        sentinelName: 'mymaster',
        keyPrefix: '',
      },
    });
    expectTypeOf(loaded.value.port).toEqualTypeOf<number>();
    expectTypeOf(loaded.value.name).toEqualTypeOf<string>();
    expectTypeOf(loaded.value.zones).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(loaded.value.driver).toEqualTypeOf<'sqlite' | 'mysql'>();
    expectTypeOf(loaded.value.redis.password).toEqualTypeOf<string | undefined>();
    expectTypeOf(loaded.value.redis.sentinels).toEqualTypeOf<{ host: string; port: number }[] | undefined>();
  });

  it('reads set variables', () => {
    const loaded = loadConfig(workerSpec, {
      galileo_worker_name: 'w1',
      galileo_worker_port: '9000',
      galileo_flush_interval: '1m30s',
      galileo_debug: 'yes',
      galileo_zones: 'edge,cloud',
      galileo_expdb_driver: 'mysql',
      galileo_redis_host: 'redis',
    });
    expect(loaded.ok && loaded.value).toMatchObject({
      port: 9000,
      flush: 90_000,
      debug: true,
      zones: ['edge', 'cloud'],
      driver: 'mysql',
      redis: { host: 'redis' },
    });
  });

  it('treats an empty or blank variable as unset', () => {
    const loaded = loadConfig(workerSpec, {
      galileo_worker_name: 'w1',
      galileo_worker_port: '',
      galileo_debug: ' ',
    });
    expect(loaded.ok && loaded.value).toMatchObject({ port: 8080, debug: false });
  });

  it('lists every bad variable, one line each, with its value and the expected form', () => {
    expect(
      problemLines({
        galileo_worker_port: 'abc',
        galileo_flush_interval: 'soon',
        galileo_debug: 'maybe',
        galileo_expdb_driver: 'postgres',
        galileo_redis_port: '70000',
      }),
    ).toEqual([
      'galileo_worker_name is not set: expected a non-empty string (required)',
      'galileo_worker_port="abc": expected an integer port 1-65535',
      'galileo_flush_interval="soon": expected a duration such as 10s, 1m30s, 500ms or a number of seconds',
      'galileo_debug="maybe": expected a boolean (true/false/1/0/yes/no)',
      'galileo_expdb_driver="postgres": expected one of sqlite, mysql',
      'galileo_redis_port="70000": expected an integer port 1-65535',
    ]);
  });

  it('keeps each problem on one line even when the value has a newline', () => {
    const lines = problemLines({ galileo_worker_name: 'w1', galileo_worker_port: '80\n80' });
    expect(lines).toEqual(['galileo_worker_port="80\\n80": expected an integer port 1-65535']);
  });

  it('masks secret values in problem lines', () => {
    const error = problemLines({ galileo_worker_name: 'w1', galileo_expdb_mysql_password: 'hunter2' });
    expect(error).toEqual(['galileo_expdb_mysql_password="***": expected an integer']);
  });

  it('masks the password of a bad Redis URL', () => {
    const lines = problemLines({
      galileo_worker_name: 'w1',
      galileo_redis_url: 'http://:hunter2@redis:6379',
    });
    expect(lines).toEqual([
      'galileo_redis_url="http://:***@redis:6379": expected a URL of the form redis[s]://[[user]:password@]host[:port][/db]',
    ]);
  });

  it('returns a ConfigError whose message is the lines', () => {
    const loaded = loadConfig(workerSpec, { galileo_worker_name: 'w1', galileo_redis_db: '-1' });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error).toBeInstanceOf(ConfigError);
    expect(loaded.error.message).toBe('galileo_redis_db="-1": expected an integer >= 0');
    expect(loaded.error.problems).toEqual([
      { variable: 'galileo_redis_db', value: '-1', message: 'expected an integer >= 0' },
    ]);
  });

  it('prints the loaded configuration with secrets masked', () => {
    const loaded = loadConfig(workerSpec, {
      galileo_worker_name: 'w1',
      galileo_expdb_mysql_password: '1234',
      galileo_redis_password: 'hunter2',
      galileo_redis_url: 'redis://:hunter3@redis:6379/1',
    });
    if (!loaded.ok) throw loaded.error;
    expect(loaded.value.redis.password).toBe('hunter2');
    for (const printed of [JSON.stringify(loaded.value), inspect(loaded.value, { depth: 5 })]) {
      expect(printed).not.toMatch(/hunter|1234/);
      expect(printed).toContain('w1');
    }
  });
});

describe('envVar', () => {
  it('reads an alias when the main name is unset', () => {
    const spec = defineConfig({
      level: envVar({
        name: 'new_name',
        aliases: ['old_name'],
        schema: envInt(),
        default: 1,
        description: '',
      }),
    });
    expect(loadConfig(spec, { old_name: '2' })).toEqual({ ok: true, value: { level: 2 } });
    expect(loadConfig(spec, { old_name: '2', new_name: '3' })).toEqual({ ok: true, value: { level: 3 } });
    const bad = loadConfig(spec, { old_name: 'x' });
    expect(!bad.ok && bad.error.lines).toEqual(['old_name="x": expected an integer']);
  });

  it('rejects an invalid declared default at declaration time', () => {
    expect(() => envVar({ name: 'galileo_x', schema: envPort(), default: 'abc', description: '' })).toThrow(
      'galileo_x: the declared default abc is invalid: expected an integer port 1-65535',
    );
  });

  it('derives the secret flag from the name unless given', () => {
    expect(envVar({ name: 'galileo_redis_password', schema: envString(), description: '' }).secret).toBe(
      true,
    );
    expect(envVar({ name: 'galileo_redis_host', schema: envString(), description: '' }).secret).toBe(false);
    expect(envVar({ name: 'galileo_dsn', schema: envString(), description: '', secret: true }).secret).toBe(
      true,
    );
  });

  it('shows only the expected form for a secret, never a message quoting the value', () => {
    const spec = defineConfig({
      dsn: envVar({
        name: 'galileo_dsn',
        schema: envList({ item: envPort() }),
        secret: true,
        description: '',
      }),
    });
    const loaded = loadConfig(spec, { galileo_dsn: '1,hunter2' });
    expect(!loaded.ok && loaded.error.lines).toEqual([
      'galileo_dsn="***": expected a comma-separated list of an integer port 1-65535',
    ]);
  });
});

describe('loadConfigOrExit', () => {
  it('returns the configuration when it is valid', () => {
    const config = loadConfigOrExit(workerSpec, { env: { galileo_worker_name: 'w1' } });
    expect(config.name).toBe('w1');
  });

  it('writes the problem lines to stderr and exits with code 1', () => {
    let written = '';
    const run = () =>
      loadConfigOrExit(workerSpec, {
        env: { galileo_worker_name: 'w1', galileo_redis_port: 'abc', galileo_redis_password: 'x' },
        write: (text) => (written += text),
        exit: (code) => {
          throw new ExitCalled(code);
        },
      });
    expect(run).toThrow(ExitCalled);
    expect(run).toThrow('exit 1');
    expect(written).toContain('galileo_redis_port="abc": expected an integer port 1-65535\n');
  });

  it('still does not return when an injected exit returns', () => {
    const exit = (() => undefined) as unknown as (code: number) => never;
    const run = () => loadConfigOrExit(workerSpec, { env: {}, exit, write: () => undefined });
    expect(run).toThrow(ConfigError);
  });
});
