import { describe, expect, it } from 'vitest';
import {
  deleteTraceStateValue,
  getTraceStateValue,
  isValidTraceStateKey,
  isValidTraceStateValue,
  normalizeTraceState,
  parseTraceState,
  serializeTraceState,
  setTraceStateValue,
} from '../../../src/propagation/index';

function members(n: number, from = 1): string[] {
  return Array.from({ length: n }, (_, i) => `bar${String(i + from).padStart(2, '0')}=${String(i + from).padStart(2, '0')}`);
}

describe('tracestate keys', () => {
  it('accepts the Level 2 grammar', () => {
    const all = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    for (const key of ['foo', 'a', '1special', all, 'special@vendor', 'fw529a3039@dt', 'foo@', 'foo@@bar', 'foo@bar@baz', all + '@a-z0-9_-*/']) {
      expect(isValidTraceStateKey(key), key).toBe(true);
    }
  });

  it('accepts 256 characters and rejects 257', () => {
    expect(isValidTraceStateKey('z'.repeat(256))).toBe(true);
    expect(isValidTraceStateKey('z'.repeat(257))).toBe(false);
    expect(isValidTraceStateKey('t'.repeat(241) + '@' + 'v'.repeat(14))).toBe(true);
    expect(isValidTraceStateKey('t'.repeat(242) + '@v')).toBe(true);
    expect(isValidTraceStateKey('t@' + 'v'.repeat(15))).toBe(true);
  });

  it.each(['', '@foo', 'FOO', 'Foo', 'foo.bar', 'foo ', ' foo', '_foo', '-foo', '*foo', '/foo', 'foo=bar', 'fo,o', 'föo'])(
    'rejects %j',
    (key) => {
      expect(isValidTraceStateKey(key)).toBe(false);
    },
  );

  // key = ( lcalpha / DIGIT ) 0*255( keychar ): the edges of a-z and 0-9, first and later.
  it('accepts the first and last letter and digit in every position', () => {
    for (const key of ['a', 'z', '0', '9', 'za', '9a', 'az', 'a0', 'a9']) expect(isValidTraceStateKey(key), key).toBe(true);
  });

  it.each(['`a', '{a', '/a', ':a', 'a`', 'a{', 'a:', 'a.'])('rejects %j (just outside a-z / 0-9)', (key) => {
    expect(isValidTraceStateKey(key)).toBe(false);
  });

  it('rejects non-strings instead of throwing', () => {
    expect(isValidTraceStateKey(42 as unknown as string)).toBe(false);
    expect(isValidTraceStateKey(undefined as unknown as string)).toBe(false);
  });
});

describe('tracestate values', () => {
  const allChars =
    Array.from({ length: 0x2b - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).join('') +
    Array.from({ length: 0x3c - 0x2d + 1 }, (_, i) => String.fromCharCode(0x2d + i)).join('') +
    Array.from({ length: 0x7e - 0x3e + 1 }, (_, i) => String.fromCharCode(0x3e + i)).join('');

  it('accepts every allowed character and leading spaces', () => {
    expect(isValidTraceStateValue(allChars)).toBe(true);
    expect(isValidTraceStateValue('  x')).toBe(true);
    expect(isValidTraceStateValue('a'.repeat(256))).toBe(true);
  });

  it('rejects non-strings instead of throwing', () => {
    expect(isValidTraceStateValue(42 as unknown as string)).toBe(false);
    expect(isValidTraceStateValue(null as unknown as string)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['trailing space', 'x '],
    ['comma', 'a,b'],
    ['equals', 'a=b'],
    ['tab', 'a\tb'],
    ['newline', 'a\nb'],
    ['DEL', 'a\x7f'],
    ['a control character below space', 'a\x1fb'],
    ['non-ASCII', 'é'],
    ['257 characters', 'a'.repeat(257)],
  ])('rejects %s', (_n, value) => {
    expect(isValidTraceStateValue(value)).toBe(false);
  });
});

describe('parseTraceState', () => {
  it('parses members in order', () => {
    expect(parseTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toEqual([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
  });

  it('tolerates OWS around members and empty members', () => {
    expect(parseTraceState('foo=1 \t , \t bar=2, \t baz=3')).toEqual([['foo', '1'], ['bar', '2'], ['baz', '3']]);
    expect(parseTraceState('foo=1\t \t,\t \tbar=2,\t \tbaz=3')).toEqual([['foo', '1'], ['bar', '2'], ['baz', '3']]);
    expect(parseTraceState(' foo=1')).toEqual([['foo', '1']]);
    expect(parseTraceState('\tfoo=1')).toEqual([['foo', '1']]);
    expect(parseTraceState('foo=1 ')).toEqual([['foo', '1']]);
    expect(parseTraceState('foo=1\t')).toEqual([['foo', '1']]);
    expect(parseTraceState('\t foo=1 \t')).toEqual([['foo', '1']]);
    expect(parseTraceState('foo=1,,bar=2')).toEqual([['foo', '1'], ['bar', '2']]);
    expect(parseTraceState(',  ,foo=1, ,')).toEqual([['foo', '1']]);
    expect(parseTraceState('')).toEqual([]);
    expect(parseTraceState(' , ')).toEqual([]);
  });

  it('keeps leading spaces of a value', () => {
    expect(parseTraceState('foo= 1')).toEqual([['foo', ' 1']]);
  });

  it('accepts 32 members and rejects 33', () => {
    expect(parseTraceState(members(32).join(','))).toHaveLength(32);
    expect(parseTraceState(members(33).join(','))).toBeUndefined();
    // empty members do not count
    expect(parseTraceState(members(32).join(',,') + ',,')).toHaveLength(32);
  });

  it.each([
    ['a key with a trailing space', 'foo =1'],
    ['an uppercase key', 'FOO=1'],
    ['a dotted key', 'foo.bar=1'],
    ['a key starting with @', '@foo=1,bar=2'],
    ['a 257-character key', 'foo=1,' + 'z'.repeat(257) + '=1'],
    ['an = in the value', 'foo=bar=baz'],
    ['an empty value', 'foo=,bar=3'],
    ['a member without =', 'foo,bar=2'],
    ['a member with only =', '=1'],
    ['a control character', 'foo=a\u0001b'],
  ])('rejects the whole header with %s', (_n, value) => {
    expect(parseTraceState(value)).toBeUndefined();
  });

  it('keeps the left-most of duplicated keys and the rest of the header', () => {
    expect(parseTraceState('foo=1,foo=1')).toEqual([['foo', '1']]);
    expect(parseTraceState('foo=1,bar=2,foo=3')).toEqual([['foo', '1'], ['bar', '2']]);
  });

  it('is linear on hostile input', () => {
    const hostile = 'a='.padEnd(200_000, ' ') + 'x';
    const t0 = performance.now();
    parseTraceState(hostile);
    parseTraceState(','.repeat(200_000));
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('normalizeTraceState / serializeTraceState', () => {
  it('removes OWS and empty members', () => {
    expect(normalizeTraceState(' foo=1 ,, bar=2 ')).toBe('foo=1,bar=2');
    expect(serializeTraceState([['a', '1'], ['b', '2']])).toBe('a=1,b=2');
  });

  it('returns undefined for empty or invalid', () => {
    expect(normalizeTraceState('')).toBeUndefined();
    expect(normalizeTraceState(' ,')).toBeUndefined();
    expect(normalizeTraceState('FOO=1')).toBeUndefined();
    expect(normalizeTraceState(undefined)).toBeUndefined();
  });
});

describe('mutating tracestate', () => {
  it('adds a new key at the front', () => {
    expect(setTraceStateValue('congo=t61rcWkgMzE', 'rojo', '00f067aa0ba902b7')).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(setTraceStateValue(undefined, 'rojo', '1')).toBe('rojo=1');
  });

  it('moves an updated key to the front and keeps the others in order', () => {
    expect(setTraceStateValue('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'congo', 'ucfJifl5GOE')).toBe(
      'congo=ucfJifl5GOE,rojo=00f067aa0ba902b7',
    );
    expect(setTraceStateValue('a=1,b=2,c=3,d=4', 'c', '9')).toBe('c=9,a=1,b=2,d=4');
  });

  it('drops members from the right beyond 32', () => {
    const full = members(32).join(',');
    const out = setTraceStateValue(full, 'new', 'x')!;
    const parsed = parseTraceState(out)!;
    expect(parsed).toHaveLength(32);
    expect(parsed[0]).toEqual(['new', 'x']);
    expect(parsed[1]).toEqual(['bar01', '01']);
    expect(parsed[31]).toEqual(['bar31', '31']);
    // updating an existing key of a full list keeps all 32
    const updated = parseTraceState(setTraceStateValue(full, 'bar32', 'zz'))!;
    expect(updated).toHaveLength(32);
    expect(updated[0]).toEqual(['bar32', 'zz']);
    expect(updated[31]).toEqual(['bar31', '31']);
  });

  it('ignores an invalid key or value', () => {
    expect(setTraceStateValue('a=1', 'BAD', 'x')).toBe('a=1');
    expect(setTraceStateValue('a=1', 'ok', 'x,y')).toBe('a=1');
    expect(setTraceStateValue('a=1', 'ok', '')).toBe('a=1');
  });

  it('starts a new list when the existing one is invalid', () => {
    expect(setTraceStateValue('BAD=1', 'ok', 'x')).toBe('ok=x');
  });

  it('reads and deletes keys', () => {
    expect(getTraceStateValue('a=1,b=2', 'b')).toBe('2');
    expect(getTraceStateValue('a=1,b=2', 'c')).toBeUndefined();
    expect(deleteTraceStateValue('a=1,b=2,c=3', 'b')).toBe('a=1,c=3');
    expect(deleteTraceStateValue('a=1', 'a')).toBeUndefined();
  });

  it('reads and deletes nothing from an invalid or missing tracestate, without throwing', () => {
    expect(getTraceStateValue('FOO=1', 'foo')).toBeUndefined();
    expect(getTraceStateValue(undefined, 'foo')).toBeUndefined();
    expect(deleteTraceStateValue('FOO=1,a=1', 'a')).toBeUndefined();
    expect(deleteTraceStateValue(undefined, 'a')).toBeUndefined();
  });

  it('ignores a non-string key or value (plain JS callers) instead of throwing', () => {
    expect(setTraceStateValue('a=1', 42 as unknown as string, 'x')).toBe('a=1');
    expect(setTraceStateValue('a=1', 'ok', 42 as unknown as string)).toBe('a=1');
  });
});
