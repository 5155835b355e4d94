import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  defineConfig,
  envBool,
  envDuration,
  envInt,
  envList,
  envPort,
  envRedisUrl,
  envString,
  envVar,
  loadConfig,
  loggingConfigSpec,
  type ConfigError,
  type ConfigOf,
  type EnvVar,
  type Environment,
  type Result,
} from '@galileo/config';
import { instrumentNames, instruments } from './instruments.js';

const periodSpec = defineConfig(
  Object.fromEntries(
    instruments.map((i) => [
      i.name,
      envVar({
        name: `telemd_period_${i.name}`,
        schema: envDuration(),
        default: `${i.defaultPeriodMs}ms`,
        description: `Period of the \`${i.name}\` instrument: ${i.description}.`,
      }),
    ]),
  ) as Record<string, EnvVar<number>>,
);

/** telemd's variables (protocols §6.4), with the Go agent's names, plus a few of this agent's own. */
export const telemdConfigSpec = defineConfig({
  nodename: envVar({
    name: 'telemd_nodename',
    schema: envString(),
    description:
      'Node name in the channels `telem/<node>/…` and the hash `telemd.info:<node>`; the host name when unset.',
  }),
  redisUrl: envVar({
    name: 'telemd_redis_url',
    schema: envRedisUrl(),
    default: 'redis://localhost',
    description: 'Redis to publish to; `telemd_redis_host` wins when set.',
  }),
  redisHost: envVar({
    name: 'telemd_redis_host',
    schema: envString(),
    description: 'Redis host (instead of the URL).',
  }),
  redisPort: envVar({
    name: 'telemd_redis_port',
    schema: envPort(),
    default: 6379,
    description: 'Redis port, with `telemd_redis_host`.',
  }),
  redisRetryBackoff: envVar({
    name: 'telemd_redis_retry_backoff',
    aliases: ['telemd_redis_Retry_backoff'],
    schema: envDuration(),
    default: '5s',
    description:
      'Longest wait between reconnection attempts while Redis is away (the Go agent ignores it by a parsing bug; this one honours it).',
  }),
  keyPrefix: envVar({
    name: 'telemd_redis_key_prefix',
    schema: envString({ allowEmpty: true }),
    default: '',
    description:
      "Prefix of the info hash key and of the bus's keys (as `galileo_redis_key_prefix` of the other services); channels are never prefixed.",
  }),
  procMount: envVar({
    name: 'telemd_proc_mount',
    schema: envString({ expected: 'a directory path' }),
    default: '/proc',
    description: 'Where /proc is mounted (a host /proc mounted into a container).',
  }),
  sysMount: envVar({
    name: 'telemd_sys_mount',
    schema: envString({ expected: 'a directory path' }),
    default: '/sys',
    description: 'Where /sys is mounted (cpufreq, block devices, network speed).',
  }),
  cgroupMount: envVar({
    name: 'telemd_cgroup_mount',
    schema: envString({ expected: 'a directory path' }),
    default: '/sys/fs/cgroup',
    description: 'Root of the cgroup v2 hierarchy, for the docker_cgrp_* and kubernetes_cgrp_* instruments.',
  }),
  netDevices: envVar({
    name: 'telemd_net_devices',
    schema: envList({ separator: ' ' }),
    description: 'Space-separated network devices to report; every device except `lo` when unset.',
  }),
  diskDevices: envVar({
    name: 'telemd_disk_devices',
    schema: envList({ separator: ' ' }),
    description:
      'Space-separated block devices to report; every device in /sys/block except `loop*` when unset.',
  }),
  instrumentsEnable: envVar({
    name: 'telemd_instruments_enable',
    schema: envList({ separator: ' ' }),
    description: `Space-separated instruments to run (all when unset): ${instrumentNames.join(', ')}.`,
  }),
  instrumentsDisable: envVar({
    name: 'telemd_instruments_disable',
    schema: envList({ separator: ' ' }),
    description: 'Space-separated instruments not to run; wins over the enable list.',
  }),
  bus: envVar({
    name: 'telemd_bus',
    schema: envBool(),
    default: true,
    description:
      'Also publish every reading on the bus (`galileo.telemetry.<node>.<metric>`, TelemetryReported) and the node info (NodeInfoReported).',
  }),
  httpPort: envVar({
    name: 'telemd_http_port',
    schema: envInt({ min: 0, max: 65535, noun: 'port' }),
    default: 0,
    description: 'Port of /healthz, /readyz and /metrics; 0 turns them off.',
  }),
  logging: loggingConfigSpec,
  periods: periodSpec,
});

export type TelemdConfig = ConfigOf<typeof telemdConfigSpec> & { nodename: string };

/**
 * `/etc/telemd/config.ini` as the Go agent reads it: global `key = value` lines, then a
 * `[<nodename>]` section that overrides them for one node. Keys are the variable names.
 */
export function parseTelemdIni(text: string, nodename: string | undefined): Record<string, string> {
  const global: Record<string, string> = {};
  const sections = new Map<string, Record<string, string>>();
  let current = global;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      const name = section[1]!.trim();
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  const node = nodename ?? global.telemd_nodename ?? hostname();
  return { ...global, ...(sections.get(node) ?? {}) };
}

/** The configuration from the ini file (if there is one) overridden by the environment. */
export function loadTelemdConfig(
  env: Environment,
  options: { iniPath?: string } = {},
): Result<TelemdConfig, ConfigError> {
  const iniPath = options.iniPath ?? '/etc/telemd/config.ini';
  const ini = existsSync(iniPath) ? parseTelemdIni(readFileSync(iniPath, 'utf8'), env.telemd_nodename) : {};
  const merged: Record<string, string | undefined> = { ...ini };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') merged[k] = v;
  const loaded = loadConfig(telemdConfigSpec, merged);
  if (!loaded.ok) return loaded;
  return { ok: true, value: { ...loaded.value, nodename: loaded.value.nodename ?? hostname() } };
}

/** The instruments to run: the enable list (or all) minus the disable list; unknown names are errors. */
export function selectInstruments(
  enable: readonly string[] | undefined,
  disable: readonly string[] | undefined,
): { ok: true; value: string[] } | { ok: false; error: string } {
  const unknown = [...(enable ?? []), ...(disable ?? [])].filter((n) => !instrumentNames.includes(n));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `unknown instrument(s) ${unknown.join(', ')} in telemd_instruments_enable/disable: expected some of ${instrumentNames.join(', ')}`,
    };
  }
  const off = new Set(disable ?? []);
  return { ok: true, value: (enable ?? instrumentNames).filter((n) => !off.has(n)) };
}
