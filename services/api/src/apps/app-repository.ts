import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readZipEntry, type ZipResult } from './zip.js';

/** A client app in the repository (galileo's `{"name", "manifest"}`, protocols §8). */
export interface AppInfo {
  name: string;
  manifest: Record<string, unknown>;
}

/**
 * galileo's client-app repository: `<dir>/<name>.zip`, each with `manifest.yml` (a `name`) at its
 * root. Workers download apps they lack from `GET /api/apps/<name>/download`.
 */
export interface AppRepository {
  list(): Promise<AppInfo[]>;
  get(name: string): Promise<AppInfo | null>;
  /** Validates and stores an upload as `<manifest name>.zip` (overwriting). */
  save(zip: Buffer): Promise<ZipResult<AppInfo>>;
  delete(name: string): Promise<boolean>;
  /** The archive, or null. */
  archive(name: string): Promise<Buffer | null>;
}

/** App names become file names: no separators, no dot-files. */
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isAppName(name: string): boolean {
  return APP_NAME.test(name);
}

export function readManifest(zip: Buffer): ZipResult<AppInfo> {
  const entry = readZipEntry(zip, 'manifest.yml');
  const file = entry.ok ? entry : readZipEntry(zip, 'manifest.yaml');
  if (!file.ok) return { ok: false, error: entry.ok ? file.error : entry.error };
  let manifest: unknown;
  try {
    manifest = parseYaml(file.value.toString('utf8'));
  } catch (e) {
    return { ok: false, error: `manifest.yml is not valid YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return { ok: false, error: 'manifest.yml must be a mapping with a "name"' };
  }
  const name = (manifest as Record<string, unknown>).name;
  if (typeof name !== 'string' || !isAppName(name)) {
    return {
      ok: false,
      error: `manifest.yml needs a "name" of letters, digits, . _ - (got ${JSON.stringify(name ?? null)})`,
    };
  }
  return { ok: true, value: { name, manifest: manifest as Record<string, unknown> } };
}

export function createAppRepository(dir: string): AppRepository {
  const file = (name: string) => join(dir, `${name}.zip`);
  const readApp = async (name: string): Promise<{ zip: Buffer; info: AppInfo } | null> => {
    if (!isAppName(name)) return null;
    let zip: Buffer;
    try {
      zip = await readFile(file(name));
    } catch {
      return null;
    }
    const info = readManifest(zip);
    return info.ok ? { zip, info: info.value } : null;
  };
  return {
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const apps = await Promise.all(
        names
          .filter((n) => n.endsWith('.zip'))
          .sort()
          .map((n) => readApp(n.slice(0, -4))),
      );
      return apps.filter((a): a is { zip: Buffer; info: AppInfo } => a !== null).map((a) => a.info);
    },
    async get(name) {
      return (await readApp(name))?.info ?? null;
    },
    async save(zip) {
      const info = readManifest(zip);
      if (!info.ok) return info;
      await mkdir(dir, { recursive: true });
      const temporary = `${file(info.value.name)}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, zip);
      await rename(temporary, file(info.value.name));
      return info;
    },
    async delete(name) {
      if (!isAppName(name)) return false;
      try {
        await rm(file(name));
        return true;
      } catch {
        return false;
      }
    },
    async archive(name) {
      return (await readApp(name))?.zip ?? null;
    },
  };
}
