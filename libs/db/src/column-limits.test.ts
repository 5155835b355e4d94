import { describe, expect, it } from 'vitest';
import { fitBytes, fitChars } from './column-limits.js';

describe('fitting values into galileo columns', () => {
  it('cuts characters without splitting a surrogate pair', () => {
    expect(fitChars('abcdef', 4)).toBe('abcd');
    expect(fitChars('abc', 4)).toBe('abc');
    expect(fitChars('ab😀cd', 3)).toBe('ab');
    expect(fitChars('ab😀cd', 4)).toBe('ab😀');
  });

  it('cuts UTF-8 bytes at a character boundary', () => {
    expect(fitBytes('a'.repeat(70_000))).toHaveLength(65_535);
    const umlauts = fitBytes('ä'.repeat(40_000));
    expect(Buffer.byteLength(umlauts)).toBe(65_534);
    expect(umlauts).toBe('ä'.repeat(32_767));
    const mixed = fitBytes('€'.repeat(30_000), 10);
    expect(mixed).toBe('€€€');
    expect(fitBytes('short')).toBe('short');
  });
});
