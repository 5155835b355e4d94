import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientAppRequestFactory, createClientAppLoader } from './client-apps.js';

const shippedApps = fileURLToPath(new URL('../apps', import.meta.url));
const client = { worker: 'w1', service: 'svc', clientId: 'w1:svc:0' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'galileo-apps-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function app(name: string, files: Record<string, string>) {
  await mkdir(join(dir, name));
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, name, file), text);
}

describe('client apps', () => {
  it('loads the shipped counter app (manifest.yml + generator.ts) and counts per client', async () => {
    const loaded = await createClientAppLoader(shippedApps).load('counter');
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.value.manifest).toMatchObject({ name: 'counter' });
    const factory = clientAppRequestFactory(loaded.value, { path: '/p' });
    const first = factory.forClient(client);
    const other = factory.forClient({ ...client, clientId: 'w1:svc:1' });
    expect(await first.next()).toEqual({
      method: 'GET',
      path: '/p?counter=1&client=w1%3Asvc%3A0',
      headers: {},
    });
    expect(await first.next()).toMatchObject({ path: '/p?counter=2&client=w1%3Asvc%3A0' });
    expect(await other.next()).toMatchObject({ path: '/p?counter=1&client=w1%3Asvc%3A1' });
  });

  it('loads a JSON manifest with a JavaScript module, async nextRequest and per-client state', async () => {
    await app('js-app', {
      'manifest.json': JSON.stringify({ name: 'js-app' }),
      'index.mjs': `export async function nextRequest(ctx) {
        ctx.state.n = (ctx.state.n ?? 0) + 10;
        return ['post', '/js/' + ctx.state.n, { json: ctx.parameters }];
      }`,
    });
    const loaded = await createClientAppLoader(dir).load('js-app');
    if (!loaded.ok) throw new Error(loaded.error);
    const requests = clientAppRequestFactory(loaded.value, { k: 1 }).forClient(client);
    expect(await requests.next()).toEqual({
      method: 'POST',
      path: '/js/10',
      headers: { 'content-type': 'application/json' },
      body: '{"k":1}',
    });
    expect(await requests.next()).toMatchObject({ path: '/js/20' });
  });

  it('turns an invalid request of an app into an error naming the app', async () => {
    await app('bad-output', {
      'manifest.yml': 'name: bad-output\n',
      'generator.mjs': 'export const nextRequest = () => ({ method: 1 });',
    });
    const loaded = await createClientAppLoader(dir).load('bad-output');
    if (!loaded.ok) throw new Error(loaded.error);
    const requests = clientAppRequestFactory(loaded.value, null).forClient(client);
    expect(() => requests.next()).toThrow(/client app 'bad-output' returned an invalid request: method/);
  });

  it('explains what is missing', async () => {
    await app('no-manifest', { 'index.mjs': 'export const nextRequest = () => ({})' });
    await app('no-name', {
      'manifest.yml': 'description: x\n',
      'index.mjs': 'export const nextRequest = () => ({})',
    });
    await app('no-module', { 'manifest.yml': 'name: no-module\n' });
    await app('no-export', { 'manifest.yml': 'name: no-export\n', 'index.mjs': 'export const other = 1' });
    await app('broken-yaml', { 'manifest.yml': 'name: [unclosed\n', 'index.mjs': '' });
    const loader = createClientAppLoader(dir);
    const expectations: [string, RegExp][] = [
      ['nowhere', /No client app 'nowhere' in .*manifest\.yml/],
      ['no-manifest', /No client app 'no-manifest'/],
      ['no-name', /has no 'name'/],
      ['no-module', /no module found; expected one of generator\.ts/],
      ['no-export', /does not export a function nextRequest/],
      ['broken-yaml', /cannot read/],
      ['../escape', /Invalid client app name/],
    ];
    for (const [name, reason] of expectations) {
      const loaded = await loader.load(name);
      expect(loaded.ok, name).toBe(false);
      if (!loaded.ok) expect(loaded.error).toMatch(reason);
    }
  });
});
