import { z } from 'zod';

/** What a field parser concluded about one raw environment value. */
export type FieldParse<T> = { ok: true; value: T } | { ok: false; detail?: string };

/** A zod schema that turns the raw string of an environment variable into a typed value. */
export type EnvField<T> = z.ZodType<T, string>;

const expectations = z.registry<{ expected: string }>();

/**
 * Builds an environment field from a parse function. Every rejection carries the message
 * `expected <expected>` (plus an optional detail), which is what a config error line shows.
 */
export function envField<T>(expected: string, parse: (raw: string) => FieldParse<T>): EnvField<T> {
  const message = `expected ${expected}`;
  const schema = z.string({ error: message }).transform((raw, ctx): T => {
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({
      code: 'custom',
      input: raw,
      message: parsed.detail === undefined ? message : `${message} (${parsed.detail})`,
    });
    return z.NEVER;
  });
  expectations.add(schema, { expected });
  return schema;
}

/** The human-readable form a field expects (`an integer port 1-65535`), when it is an env field. */
export function expectedOf(schema: z.ZodType): string | undefined {
  return expectations.get(schema)?.expected;
}
