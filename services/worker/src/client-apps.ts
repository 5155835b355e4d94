import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  toHttpRequest,
  type AppRequest,
  type ClientIdentity,
  type HttpRequestSpec,
  type RequestFactory,
} from './request-factory.js';

/**
 * What a client app's `nextRequest` receives — galileo's injected `context` (protocols §3.6:
 * name, path, manifest, parameters) plus who is asking and a per-client scratch space.
 */
export interface ClientAppContext {
  readonly name: string;
  /** The app's directory. */
  readonly path: string;
  readonly manifest: Readonly<Record<string, unknown>>;
  /** The group's `parameters` from SpawnClientGroup. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly worker: string;
  readonly service: string;
  readonly clientId: string;
  /** Requests this client has asked for, this one included (1 on the first call). */
  requestCount: number;
  /** Kept between calls of the same client; the app may store anything here. */
  readonly state: Record<string, unknown>;
}

/** The module of a client app: galileo's `generator.py` as TypeScript or JavaScript. */
export interface ClientAppModule {
  nextRequest(context: ClientAppContext): AppRequest | Promise<AppRequest>;
}

export interface ClientApp {
  readonly name: string;
  readonly path: string;
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly module: ClientAppModule;
}

export interface ClientAppLoader {
  /** Loads (once) the app `<appsDir>/<name>`; the error says what is missing or wrong. */
  load(name: string): Promise<{ ok: true; value: ClientApp } | { ok: false; error: string }>;
  readonly appsDir: string;
}

const MANIFESTS = ['manifest.yml', 'manifest.yaml', 'manifest.json'] as const;
const MODULES = [
  'generator.ts',
  'generator.js',
  'generator.mjs',
  'index.ts',
  'index.js',
  'index.mjs',
] as const;
const APP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Client apps live in `<appsDir>/<name>/`: a manifest (`manifest.yml`, `manifest.yaml` or
 * `manifest.json`) with at least `name`, and a module — the manifest's `main`, else the first of
 * generator.ts/js/mjs, index.ts/js/mjs — exporting `nextRequest(context)`. TypeScript modules need
 * the worker to run under tsx (as `nx run worker:serve` does). A loaded app is cached by name.
 */
export function createClientAppLoader(appsDir: string): ClientAppLoader {
  const root = resolve(appsDir);
  const cache = new Map<string, Promise<{ ok: true; value: ClientApp } | { ok: false; error: string }>>();
  return {
    appsDir: root,
    load(name) {
      let loading = cache.get(name);
      if (!loading) {
        loading = loadClientApp(root, name);
        cache.set(name, loading);
        // a failure is not cached: the app may be installed a moment later
        void loading.then((r) => (r.ok ? undefined : cache.delete(name)));
      }
      return loading;
    },
  };
}

async function loadClientApp(
  root: string,
  name: string,
): Promise<{ ok: true; value: ClientApp } | { ok: false; error: string }> {
  if (!APP_NAME.test(name) || name.includes('..')) {
    return {
      ok: false,
      error: `Invalid client app name ${JSON.stringify(name)}: expected a directory name (letters, digits, _ . -)`,
    };
  }
  const path = join(root, name);
  const manifestFile = MANIFESTS.map((file) => join(path, file)).find((file) => existsSync(file));
  if (!manifestFile) {
    return {
      ok: false,
      error: `No client app '${name}' in ${root}: expected ${join(path, 'manifest.yml')} (or manifest.yaml / manifest.json) next to a module exporting nextRequest`,
    };
  }
  let manifest: unknown;
  try {
    const text = await readFile(manifestFile, 'utf8');
    manifest = manifestFile.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    return { ok: false, error: `Client app '${name}': cannot read ${manifestFile}: ${(e as Error).message}` };
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return {
      ok: false,
      error: `Client app '${name}': ${manifestFile} must be a mapping with at least 'name'`,
    };
  }
  const fields = manifest as Record<string, unknown>;
  if (typeof fields.name !== 'string' || fields.name.trim() === '') {
    return { ok: false, error: `Client app '${name}': ${manifestFile} has no 'name'` };
  }
  const main = typeof fields.main === 'string' ? fields.main : undefined;
  const moduleFile = main
    ? isAbsolute(main)
      ? main
      : join(path, main)
    : MODULES.map((file) => join(path, file)).find((file) => existsSync(file));
  if (!moduleFile || !existsSync(moduleFile)) {
    return {
      ok: false,
      error: `Client app '${name}': no module found; expected ${main ? join(path, main) : `one of ${MODULES.join(', ')} in ${path}`}`,
    };
  }
  let loaded: unknown;
  try {
    loaded = await importModule(moduleFile);
  } catch (e) {
    return { ok: false, error: `Client app '${name}': cannot load ${moduleFile}: ${(e as Error).message}` };
  }
  const nextRequest = (loaded as { nextRequest?: unknown }).nextRequest;
  if (typeof nextRequest !== 'function') {
    return {
      ok: false,
      error: `Client app '${name}': ${moduleFile} does not export a function nextRequest(context)`,
    };
  }
  return { ok: true, value: { name, path, manifest: fields, module: loaded as ClientAppModule } };
}

/**
 * Imports a client app's module. Under tsx (development, tests) a TypeScript module imports like any
 * other; the bundled worker runs on plain node, where a `.ts` module is loaded through tsx's
 * `tsImport`, scoped to that import: the worker itself carries no module hooks.
 */
async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as unknown;
  }
}

/** Each client of the group gets its own context; every request is validated (see `toHttpRequest`). */
export function clientAppRequestFactory(
  app: ClientApp,
  parameters: Readonly<Record<string, unknown>> | null | undefined,
): RequestFactory {
  return {
    app: app.name,
    forClient(client: ClientIdentity) {
      const context: ClientAppContext = {
        name: app.name,
        path: app.path,
        manifest: app.manifest,
        parameters: parameters ?? {},
        worker: client.worker,
        service: client.service,
        clientId: client.clientId,
        requestCount: 0,
        state: {},
      };
      const check = (raw: unknown): HttpRequestSpec => {
        const request = toHttpRequest(raw);
        if (!request.ok)
          throw new Error(`client app '${app.name}' returned an invalid request: ${request.error}`);
        return request.value;
      };
      return {
        next() {
          context.requestCount++;
          const raw = app.module.nextRequest(context);
          return isThenable(raw) ? Promise.resolve(raw).then(check) : check(raw);
        },
      };
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
