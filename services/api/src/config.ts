import {
  defineConfig,
  envDuration,
  envHostPort,
  envString,
  envVar,
  loadConfig,
  loggingConfigSpec,
  redisConfigSpec,
  type ConfigError,
  type ConfigOf,
  type Environment,
  type HostPort,
  type Result,
} from '@galileo/config';
import { dbConfigSpec } from '@galileo/db';

/** The API's environment variables, with galileo's names where galileo had one (protocols §10). */
export const apiConfigSpec = defineConfig({
  redis: redisConfigSpec,
  logging: loggingConfigSpec,
  db: dbConfigSpec,
  bind: envVar({
    name: 'galileo_api_bind_addr',
    schema: envHostPort(),
    default: '127.0.0.1:5001',
    description:
      'Address the REST API listens on (galileo: `0.0.0.0:5001`). Anything but a loopback address needs `galileo_api_token`.',
  }),
  token: envVar({
    name: 'galileo_api_token',
    schema: envString(),
    description:
      'Bearer token every `/api` request must carry (`Authorization: Bearer <token>`); required when the API listens beyond loopback. Secret: masked in errors and logs.',
  }),
  appsRepoDir: envVar({
    name: 'galileo_apps_repo_dir',
    schema: envString({ expected: 'a directory path' }),
    default: './apps-repo',
    description: 'Where uploaded client apps are kept as `<name>.zip` (`/api/apps`).',
  }),
  corsOrigin: envVar({
    name: 'galileo_api_cors_origin',
    schema: envString(),
    default: '*',
    description: 'Value of `Access-Control-Allow-Origin` (galileo: `*`).',
  }),
  cancelTimeout: envVar({
    name: 'galileo_api_cancel_timeout',
    schema: envDuration(),
    default: '10s',
    description:
      'How long cancel and DELETE of a queued or running experiment wait for the experiment daemon to confirm the cancel (then 503).',
  }),
});

export type ApiEnvironmentConfig = ConfigOf<typeof apiConfigSpec>;

/** What createApi needs to listen and serve. */
export interface ApiConfig {
  readonly host: string;
  readonly port: number;
  /** Required beyond loopback. */
  readonly token?: string | undefined;
  readonly appsRepoDir: string;
  readonly corsOrigin: string;
  /** Key prefix of the Redis keys (the queue), `galileo_redis_key_prefix`. */
  readonly keyPrefix: string;
  readonly cancelTimeoutMs: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''));
}

/** Why this listen address and token do not go together, or null. */
export function authProblem(bind: HostPort | { host: string }, token: string | undefined): string | null {
  if (token !== undefined && token !== '') return null;
  if (isLoopback(bind.host)) return null;
  return `galileo_api_token is not set but galileo_api_bind_addr listens on ${bind.host}, beyond loopback: set galileo_api_token to a long random string (e.g. openssl rand -hex 32), or bind to 127.0.0.1`;
}

export function loadApiConfig(env: Environment = process.env): Result<ApiEnvironmentConfig, ConfigError> {
  return loadConfig(apiConfigSpec, env);
}

export function apiConfigFrom(config: ApiEnvironmentConfig): ApiConfig {
  return {
    host: config.bind.host,
    port: config.bind.port,
    token: config.token,
    appsRepoDir: config.appsRepoDir,
    corsOrigin: config.corsOrigin,
    keyPrefix: config.redis.keyPrefix,
    cancelTimeoutMs: config.cancelTimeout,
  };
}
