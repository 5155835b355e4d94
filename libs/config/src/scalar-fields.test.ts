import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { envBool, envEnum, envFloat, envInt, envPort, envString } from './scalar-fields.js';
import { expectedOf } from './env-field.js';

function rejection(schema: z.ZodType, raw: string): string | undefined {
  const parsed = schema.safeParse(raw);
  return parsed.success ? undefined : parsed.error.issues.map((issue) => issue.message).join('; ');
}

describe('envInt', () => {
  it('accepts integers with surrounding blanks and a sign', () => {
    expect(envInt().parse(' 42 ')).toBe(42);
    expect(envInt().parse('-7')).toBe(-7);
    expect(envInt({ min: 0 }).parse('0')).toBe(0);
  });

  it.each(['abc', '1.5', '1e3', '', '0x10', '99999999999999999999'])('rejects %j', (raw) => {
    expect(rejection(envInt(), raw)).toBe('expected an integer');
  });

  it('names the range in the expected text', () => {
    expect(rejection(envInt({ min: 0 }), '-1')).toBe('expected an integer >= 0');
    expect(rejection(envInt({ max: 10 }), '11')).toBe('expected an integer <= 10');
    expect(rejection(envInt({ min: 1, max: 5 }), '6')).toBe('expected an integer 1-5');
    expect(rejection(envInt({ min: -5, max: 5 }), '6')).toBe('expected an integer from -5 to 5');
  });
});

describe('envPort', () => {
  it('accepts 1-65535', () => {
    expect(envPort().parse('6379')).toBe(6379);
    expect(envPort().parse('65535')).toBe(65535);
  });

  it.each(['0', '65536', 'abc', '63.79'])('rejects %j as a port', (raw) => {
    expect(rejection(envPort(), raw)).toBe('expected an integer port 1-65535');
  });

  it('registers its expected text', () => {
    expect(expectedOf(envPort())).toBe('an integer port 1-65535');
  });
});

describe('envFloat', () => {
  it('accepts decimals and exponents', () => {
    expect(envFloat().parse('0.5')).toBe(0.5);
    expect(envFloat().parse('.25')).toBe(0.25);
    expect(envFloat().parse('-1e3')).toBe(-1000);
  });

  it.each(['abc', 'Infinity', 'NaN', '1,5', ''])('rejects %j', (raw) => {
    expect(rejection(envFloat(), raw)).toBe('expected a number');
  });

  it('checks the range', () => {
    expect(envFloat({ min: 0, max: 1 }).parse('1')).toBe(1);
    expect(rejection(envFloat({ min: 0, max: 1 }), '1.01')).toBe('expected a number 0-1');
  });
});

describe('envBool', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    [' Yes ', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('reads %j as %s', (raw, value) => {
    expect(envBool().parse(raw)).toBe(value);
  });

  it.each(['on', 'y', '2', 'constructor', 'toString'])('rejects %j', (raw) => {
    expect(rejection(envBool(), raw)).toBe('expected a boolean (true/false/1/0/yes/no)');
  });
});

describe('envString', () => {
  it('keeps the value as written', () => {
    expect(envString().parse(' pass word ')).toBe(' pass word ');
  });

  it('rejects a blank value unless empty is allowed', () => {
    expect(rejection(envString(), '  ')).toBe('expected a non-empty string');
    expect(envString({ allowEmpty: true }).parse('')).toBe('');
    expect(rejection(envString({ expected: 'a file path' }), '')).toBe('expected a file path');
  });
});

describe('envEnum', () => {
  const driver = envEnum(['sqlite', 'mysql', 'influxdb', 'mixed']);

  it('accepts the listed values', () => {
    expect(driver.parse('mysql')).toBe('mysql');
  });

  it('lists the values it expects', () => {
    expect(rejection(driver, 'postgres')).toBe('expected one of sqlite, mysql, influxdb, mixed');
  });
});
