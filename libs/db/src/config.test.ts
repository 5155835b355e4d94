import { loadConfig } from '@galileo/config';
import { describe, expect, it } from 'vitest';
import { dbConfigSpec } from './config.js';
import { databaseTarget } from './open-database.js';

function load(env: Record<string, string>) {
  const loaded = loadConfig(dbConfigSpec, env);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

describe('dbConfigSpec and databaseTarget', () => {
  it('defaults to the SQLite file galileo-db uses, migrating on open', () => {
    const config = load({});
    expect(config).toMatchObject({ driver: 'sqlite', sqlitePath: './galileodb.sqlite', migrate: true });
    expect(databaseTarget(config)).toEqual({ dialect: 'sqlite', path: './galileodb.sqlite' });
  });

  it('chooses MariaDB for mysql and mixed, with galileo_expdb_mysql_*', () => {
    const env = {
      galileo_expdb_mysql_host: 'db',
      galileo_expdb_mysql_db: 'galileo',
      galileo_expdb_mysql_user: 'galileo',
      galileo_expdb_mysql_password: 'secret',
    };
    for (const driver of ['mysql', 'mixed']) {
      expect(databaseTarget(load({ ...env, galileo_expdb_driver: driver }))).toEqual({
        dialect: 'mysql',
        host: 'db',
        port: 3307,
        database: 'galileo',
        user: 'galileo',
        password: 'secret',
      });
    }
  });

  it('says which variables MariaDB still needs, and that influxdb alone has no tables', () => {
    expect(() =>
      databaseTarget(load({ galileo_expdb_driver: 'mysql', galileo_expdb_mysql_user: 'u' })),
    ).toThrow('galileo_expdb_driver=mysql needs galileo_expdb_mysql_db (the MariaDB database and user)');
    expect(() => databaseTarget(load({ galileo_expdb_driver: 'influxdb' }))).toThrow(/use mixed/);
  });

  it('rejects unknown drivers and masks the password', () => {
    const bad = loadConfig(dbConfigSpec, { galileo_expdb_driver: 'postgres', galileo_expdb_mysql_port: 'x' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.message).toContain(
        'galileo_expdb_driver="postgres": expected one of sqlite, mysql, mixed, influxdb',
      );
      expect(bad.error.message).toContain('galileo_expdb_mysql_port');
    }
    expect(JSON.stringify(load({ galileo_expdb_mysql_password: 'hunter2' }))).not.toContain('hunter2');
  });

  it('accepts a DatabaseTarget as it is', () => {
    expect(databaseTarget({ dialect: 'sqlite', path: '/tmp/x.sqlite' })).toEqual({
      dialect: 'sqlite',
      path: '/tmp/x.sqlite',
    });
  });
});
