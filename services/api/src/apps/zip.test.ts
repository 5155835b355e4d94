import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from './app-repository.js';
import { createZip, listZipEntries, readZipEntry } from './zip.js';

describe('zip', () => {
  it('reads what it writes, and what Info-ZIP writes (deflated)', () => {
    const zip = createZip({ 'manifest.yml': 'name: a\n', 'x/y.txt': 'hello' });
    expect(listZipEntries(zip)).toEqual({ ok: true, value: ['manifest.yml', 'x/y.txt'] });
    expect(readZipEntry(zip, 'x/y.txt')).toEqual({ ok: true, value: Buffer.from('hello') });
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    writeFileSync(join(dir, 'manifest.yml'), `name: deflated\ntext: ${'abc '.repeat(200)}\n`);
    execFileSync('zip', ['-q', '-9', 'app.zip', 'manifest.yml'], { cwd: dir });
    const info = readManifest(readFileSync(join(dir, 'app.zip')));
    expect(info.ok && info.value.name).toBe('deflated');
    // and unzip reads ours
    writeFileSync(join(dir, 'ours.zip'), zip);
    expect(execFileSync('unzip', ['-p', 'ours.zip', 'x/y.txt'], { cwd: dir, encoding: 'utf8' })).toBe(
      'hello',
    );
  });
});
