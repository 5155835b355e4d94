import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './repo.js';

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Environment variable names declared in TypeScript sources (envVar names and aliases, zod keys of the sample app). */
export function declaredVariables(dirs: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bname:\s*'([A-Za-z][A-Za-z0-9_]*)'/g)) names.add(m[1]!);
    for (const m of text.matchAll(/\baliases:\s*\[([^\]]*)\]/g)) {
      for (const a of m[1]!.matchAll(/'([A-Za-z][A-Za-z0-9_]*)'/g)) names.add(a[1]!);
    }
    for (const m of text.matchAll(/^\s+(SAMPLE_APP_[A-Z_]+):/gm)) names.add(m[1]!);
  }
  return names;
}

/** The directories whose variables a service can read: its own sources and every library. */
export function serviceSourceDirs(main: string): string[] {
  const libs = readdirSync(repoPath('libs')).map((l) => repoPath('libs', l, 'src'));
  return [repoPath(main.replace(/\/main\.ts$/, '')), ...libs];
}
