/** Bundles `services/<name>/src/main.ts` into `services/<name>/dist/main.mjs`; resolves with that path. */
export function bundleService(name: string): Promise<string>;
