import { envField, type EnvField } from './env-field.js';

/** The parts of `redis[s]://[[user]:password@]host[:port][/db]`; `rediss://` means TLS. */
export interface RedisUrl {
  tls: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
}

const decode = (text: string): string | undefined => {
  if (text === '') return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
};

export function parseRedisUrl(text: string): RedisUrl | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const dbText = url.pathname.replace(/^\//, '');
  if (host === '' || !/^\d*$/.test(dbText)) return undefined;
  const parsed: RedisUrl = {
    tls: url.protocol === 'rediss:',
    host,
    port: url.port === '' ? 6379 : Number(url.port),
  };
  const username = decode(url.username);
  const password = decode(url.password);
  if (username !== undefined) parsed.username = username;
  if (password !== undefined) parsed.password = password;
  if (dbText !== '') parsed.db = Number(dbText);
  return parsed;
}

export function envRedisUrl(): EnvField<RedisUrl> {
  return envField<RedisUrl>('a URL of the form redis[s]://[[user]:password@]host[:port][/db]', (raw) => {
    const value = parseRedisUrl(raw);
    return value === undefined ? { ok: false } : { ok: true, value };
  });
}
