import { describe, expect, it } from 'vitest';
import { formatCount, formatNumber } from '../../../../src/viewer/ui/format';

describe('formatCount', () => {
  it('groups thousands as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 12345, 100000, 1234567, 1000000000, -1, -1234, 2 ** 31]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });
  it('drops a fraction', () => {
    expect(formatCount(1234.9)).toBe('1,234');
    expect(formatCount(-0.5)).toBe('0');
  });
});

describe('formatNumber', () => {
  it('matches toLocaleString("en-US") for counter values', () => {
    for (const v of [0, 1, 0.5, 1.25, 3.14159, 1234.5678, 1e6, -42.001, -0.0001, 99.9996, 12.1, 1e-7]) {
      expect(formatNumber(v)).toBe(v.toLocaleString('en-US'));
    }
  });
  it('keeps non-finite and huge values readable', () => {
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('Infinity');
    expect(formatNumber(1e21)).toBe('1e+21');
  });
});
