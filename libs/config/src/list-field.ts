import type { z } from 'zod';
import { envField, expectedOf, type EnvField } from './env-field.js';

export interface ListOptions<T> {
  /** Parses each item; items are plain strings when omitted. */
  item?: z.ZodType<T>;
  /** Defaults to `,`. Items are trimmed and empty items dropped (`a, b,` → `[a, b]`). */
  separator?: string;
}

export function envList(options?: { separator?: string }): EnvField<string[]>;
export function envList<T>(options: ListOptions<T> & { item: z.ZodType<T> }): EnvField<T[]>;
export function envList<T>(options: ListOptions<T> = {}): EnvField<(T | string)[]> {
  const { item, separator = ',' } = options;
  const separatorName = separator === ',' ? 'comma' : `"${separator}"`;
  const itemText = item === undefined ? '' : ` of ${expectedOf(item) ?? 'valid items'}`;
  return envField<(T | string)[]>(`a ${separatorName}-separated list${itemText}`, (raw) => {
    const texts = raw
      .split(separator)
      .map((text) => text.trim())
      .filter((text) => text !== '');
    if (item === undefined) return { ok: true, value: texts };
    const values: T[] = [];
    for (const text of texts) {
      const parsed = item.safeParse(text);
      if (!parsed.success) return { ok: false, detail: `${JSON.stringify(text)} is not valid` };
      values.push(parsed.data);
    }
    return { ok: true, value: values };
  });
}
