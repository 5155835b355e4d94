import { envField, type EnvField } from './env-field.js';

export function envString(options: { expected?: string; allowEmpty?: boolean } = {}): EnvField<string> {
  const { allowEmpty = false, expected = allowEmpty ? 'a string' : 'a non-empty string' } = options;
  return envField<string>(expected, (raw) =>
    allowEmpty || raw.trim() !== '' ? { ok: true, value: raw } : { ok: false },
  );
}

export function envEnum<const V extends readonly [string, ...string[]]>(values: V): EnvField<V[number]> {
  const isAllowed = (raw: string): raw is V[number] => values.includes(raw);
  return envField<V[number]>(`one of ${values.join(', ')}`, (raw) => {
    const value = raw.trim();
    return isAllowed(value) ? { ok: true, value } : { ok: false };
  });
}

export interface NumberRange {
  min?: number;
  max?: number;
}

function describeRange({ min, max }: NumberRange): string {
  if (min !== undefined && max !== undefined) return min < 0 ? ` from ${min} to ${max}` : ` ${min}-${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

const inRange = (n: number, { min, max }: NumberRange): boolean =>
  (min === undefined || n >= min) && (max === undefined || n <= max);

const integerText = /^[+-]?\d+$/;
const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** An integer such as `6379`; `noun` names what it counts (`an integer port 1-65535`). */
export function envInt(options: NumberRange & { noun?: string } = {}): EnvField<number> {
  const noun = options.noun === undefined ? '' : ` ${options.noun}`;
  return envField<number>(`an integer${noun}${describeRange(options)}`, (raw) => {
    const text = raw.trim();
    const value = Number(text);
    return integerText.test(text) && Number.isSafeInteger(value) && inRange(value, options)
      ? { ok: true, value }
      : { ok: false };
  });
}

export function envPort(): EnvField<number> {
  return envInt({ min: 1, max: 65535, noun: 'port' });
}

/** A finite decimal number such as `0.5` or `1e3`. */
export function envFloat(options: NumberRange = {}): EnvField<number> {
  return envField<number>(`a number${describeRange(options)}`, (raw) => {
    const text = raw.trim();
    const value = Number(text);
    return decimalText.test(text) && Number.isFinite(value) && inRange(value, options)
      ? { ok: true, value }
      : { ok: false };
  });
}

const booleanWords: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);

/** A flag: `true/false/1/0/yes/no`, case-insensitive. */
export function envBool(): EnvField<boolean> {
  return envField<boolean>('a boolean (true/false/1/0/yes/no)', (raw) => {
    const value = booleanWords.get(raw.trim().toLowerCase());
    return value === undefined ? { ok: false } : { ok: true, value };
  });
}
