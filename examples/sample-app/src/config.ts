import { z } from 'zod';

/** Empty environment variables count as unset. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const count = (max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be ≥ 0' })
    .max(max, { error: `must be ≤ ${max}` });

/**
 * The sample app's configuration, declared once (STYLE §9): names, defaults and descriptions.
 * The README's table is checked against `environmentTable()`.
 */
export const sampleAppEnvironmentSchema = z.object({
  SAMPLE_APP_PORT: z
    .preprocess(
      unsetIfEmpty,
      z.coerce
        .number({ error: 'must be a number' })
        .int({ error: 'must be an integer' })
        .min(0, { error: 'must be ≥ 0' })
        .max(65535, { error: 'must be ≤ 65535' })
        .default(8080),
    )
    .describe('TCP port to listen on; 0 picks a free port'),
  SAMPLE_APP_HOST: z.preprocess(unsetIfEmpty, z.string().default('0.0.0.0')).describe('Address to bind'),
  SAMPLE_APP_NAME: z
    .preprocess(unsetIfEmpty, z.string().default('sample-app'))
    .describe('Name reported in the `X-Sample-App` header and the JSON body'),
  SAMPLE_APP_CPU_MS: z
    .preprocess(unsetIfEmpty, count(60_000).default(0))
    .describe('Busy CPU work per request, in milliseconds'),
  SAMPLE_APP_CPU_ITERATIONS: z
    .preprocess(unsetIfEmpty, count(1_000_000_000).default(0))
    .describe('Fixed CPU work per request, in loop iterations'),
  SAMPLE_APP_RESPONSE_BYTES: z
    .preprocess(unsetIfEmpty, count(64 * 1024 * 1024).optional())
    .describe('Response body size in bytes; unset = a small JSON description of the request'),
});

export type SampleAppEnvironment = z.output<typeof sampleAppEnvironmentSchema>;

/** Reads the environment; a bad value comes back as a message naming the variable. */
export function readSampleAppEnvironment(
  env: Record<string, string | undefined>,
): { ok: true; value: SampleAppEnvironment } | { ok: false; error: string } {
  const parsed = sampleAppEnvironmentSchema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`,
  );
  return { ok: false, error: `Invalid sample-app configuration: ${problems.join('; ')}` };
}

/** The README table of environment variables, generated from the schema. */
export function environmentTable(): string {
  const defaults = sampleAppEnvironmentSchema.parse({});
  const rows = Object.entries(sampleAppEnvironmentSchema.shape).map(([name, schema]) => {
    const fallback = defaults[name as keyof SampleAppEnvironment];
    return `| \`${name}\` | ${fallback === undefined ? '–' : `\`${fallback}\``} | ${schema.description ?? ''} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
