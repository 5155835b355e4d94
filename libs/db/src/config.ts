import { defineConfig, envBool, envEnum, envPort, envString, envVar, type ConfigOf } from '@galileo/config';

/** galileo-db's drivers (protocols §7.1); `influxdb` alone has no SQL tables, so libs/db rejects it. */
export const expdbDrivers = ['sqlite', 'mysql', 'mixed', 'influxdb'] as const;
export type ExpdbDriver = (typeof expdbDrivers)[number];

/** The experiment database's environment variables, with galileo's names (protocols §7.1, §10). */
export const dbConfigSpec = defineConfig({
  driver: envVar({
    name: 'galileo_expdb_driver',
    schema: envEnum(expdbDrivers),
    default: 'sqlite',
    description:
      'Experiment database: `sqlite` (a file, the embedded default), `mysql` (MariaDB/MySQL), `mixed` (MariaDB for the tables here, InfluxDB for time series). `influxdb` alone has no SQL tables and is rejected by libs/db.',
  }),
  sqlitePath: envVar({
    name: 'galileo_expdb_sqlite_path',
    schema: envString({ expected: 'a file path' }),
    default: './galileodb.sqlite',
    description: 'SQLite database file (driver `sqlite`); created when missing.',
  }),
  mysql: {
    host: envVar({
      name: 'galileo_expdb_mysql_host',
      schema: envString(),
      default: 'localhost',
      description: 'MariaDB/MySQL host (drivers `mysql`, `mixed`).',
    }),
    port: envVar({
      name: 'galileo_expdb_mysql_port',
      schema: envPort(),
      default: 3307,
      description: 'MariaDB/MySQL port (galileo runs its MariaDB on 3307).',
    }),
    db: envVar({
      name: 'galileo_expdb_mysql_db',
      schema: envString(),
      description: 'MariaDB/MySQL database name; required for drivers `mysql` and `mixed`.',
    }),
    user: envVar({
      name: 'galileo_expdb_mysql_user',
      schema: envString(),
      description: 'MariaDB/MySQL user; required for drivers `mysql` and `mixed`.',
    }),
    password: envVar({
      name: 'galileo_expdb_mysql_password',
      schema: envString({ allowEmpty: true }),
      description: 'MariaDB/MySQL password; none when unset.',
    }),
  },
  migrate: envVar({
    name: 'galileo_expdb_migrate',
    schema: envBool(),
    default: true,
    description:
      'Apply pending migrations (prisma/migrations) when a service opens the database; turn off where a deployment step runs `prisma migrate deploy`.',
  }),
});

export type DbConfig = ConfigOf<typeof dbConfigSpec>;
