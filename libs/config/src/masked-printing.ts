import { inspect } from 'node:util';

/**
 * Makes `JSON.stringify`, `console.log` and pino print `masked` instead of `target`, so an object
 * that must carry a password (a loaded config, ioredis options) does not show it when printed.
 * The hooks are non-enumerable: spreading or copying the target (as ioredis does) drops them.
 */
export function printMasked<T extends object>(target: T, masked: unknown): T {
  return Object.defineProperties(target, {
    toJSON: { value: () => masked, enumerable: false },
    [inspect.custom]: {
      value: (_depth: number, options: object) => inspect(masked, options),
      enumerable: false,
    },
  });
}
