/**
 * galileo-db's tables as its schema.sql (HEAD, b74609d) creates them: the contract our schema
 * keeps (protocols §7.2). Columns this design adds come after galileo's and are listed here too.
 */
export interface GalileoColumn {
  readonly name: string;
  /** MariaDB COLUMN_TYPE as information_schema reports it. */
  readonly type: string;
  readonly nullable: boolean;
}

const c = (name: string, type: string, nullable: boolean): GalileoColumn => ({ name, type, nullable });

export const galileoTables: Readonly<Record<string, readonly GalileoColumn[]>> = {
  experiments: [
    c('EXP_ID', 'varchar(100)', false),
    c('NAME', 'varchar(100)', true),
    c('CREATOR', 'varchar(100)', true),
    c('START', 'double', true),
    c('END', 'double', true),
    c('CREATED', 'double', true),
    c('STATUS', 'varchar(30)', false),
  ],
  nodeinfo: [
    c('EXP_ID', 'varchar(100)', false),
    c('NODE', 'varchar(50)', false),
    c('INFO_KEY', 'varchar(50)', true),
    c('INFO_VALUE', 'text', true),
  ],
  telemetry: [
    c('EXP_ID', 'varchar(100)', false),
    c('TIMESTAMP', 'double', false),
    c('METRIC', 'varchar(100)', false),
    c('SUBSYSTEM', 'varchar(100)', true),
    c('NODE', 'varchar(50)', false),
    c('VALUE', 'double', false),
  ],
  events: [
    c('EXP_ID', 'varchar(100)', false),
    c('TIMESTAMP', 'double', false),
    c('NAME', 'varchar(100)', false),
    c('VALUE', 'text', true),
  ],
  traces: [
    c('REQUEST_ID', 'varchar(36)', false),
    c('CLIENT', 'varchar(50)', false),
    c('SERVICE', 'varchar(50)', false),
    c('CREATED', 'double', false),
    c('SENT', 'double', false),
    c('DONE', 'double', false),
    c('STATUS', 'int(11)', true),
    c('RESPONSE', 'text', true),
    c('HEADERS', 'text', true),
    c('SERVER', 'varchar(50)', true),
    c('EXP_ID', 'varchar(100)', true),
  ],
  metadata: [c('EXP_ID', 'varchar(100)', false), c('DATA', 'longtext', false)],
};

/** What this design adds to galileo's tables (after its columns), and its own tables. */
export const addedColumns: Readonly<Record<string, readonly string[]>> = {
  experiments: [],
  nodeinfo: ['ID'],
  telemetry: ['SUBSYSTEM_KEY'],
  events: ['EVENT_ID', 'ID'],
  traces: [],
  metadata: [],
  instructions: ['EXP_ID', 'INSTRUCTIONS', 'CONFIGURATION'],
  processed_events: ['PROJECTION', 'EVENT_ID', 'PROCESSED_AT'],
};
