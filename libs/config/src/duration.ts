import { envField, type EnvField } from './env-field.js';

const millisecondsPer = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type DurationUnit = keyof typeof millisecondsPer;

// One `<number><unit>` step; `ms` must be tried before `m`. A missing unit means seconds.
const durationStep = /(\d+(?:\.\d+)?)(ms|h|m|s)?/y;

/**
 * Parses galileo's duration strings (galileo/util.py `to_seconds`, protocols §8: `<int><unit>` steps
 * with units s/m/h, summed, a bare number is seconds) plus `ms` and decimals, into milliseconds:
 * `"10s"` → 10000, `"1m30s"` → 90000, `"500ms"` → 500, `"10"` → 10000, `"0.5"` → 500.
 */
export function parseDurationMs(text: string): number | undefined {
  const source = text.trim();
  if (source === '') return undefined;
  let total = 0;
  let position = 0;
  while (position < source.length) {
    durationStep.lastIndex = position;
    const step = durationStep.exec(source);
    if (step === null) return undefined;
    const unit: DurationUnit = (step[2] as DurationUnit | undefined) ?? 's';
    if (step[2] === undefined && durationStep.lastIndex < source.length) return undefined;
    total += Number(step[1]) * millisecondsPer[unit];
    position = durationStep.lastIndex;
  }
  return Math.round(total);
}

/** A duration (`10s`, `1m30s`, `500ms`, `2h`, or a number of seconds), parsed to milliseconds. */
export function envDuration(): EnvField<number> {
  return envField<number>('a duration such as 10s, 1m30s, 500ms or a number of seconds', (raw) => {
    const value = parseDurationMs(raw);
    return value === undefined ? { ok: false } : { ok: true, value };
  });
}
