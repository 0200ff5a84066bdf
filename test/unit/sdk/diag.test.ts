import { describe, expect, it } from 'vitest';
import { getSelfCounters, numbers, resetSelfCounters } from '../../../src/sdk/diag';

describe('numbers (number options from plain JS)', () => {
  it('takes a number from 0 (or a numeric string); anything else is the default, counted under <scope>.bad_option', () => {
    resetSelfCounters();
    const o = { a: 5, b: 0, c: '7', d: Infinity, e: NaN, f: -1, g: 'x', h: undefined } as Record<string, unknown>;
    const num = numbers(o, 'errors');
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => num(k, 100))).toEqual([5, 0, 7, Infinity, 100, 100, 100, 100]);
    expect(getSelfCounters()['errors.bad_option']).toBe(3);
  });
});
