import { describe, expect, it } from 'vitest';
import { forEachHeader, getHeader, setHeader } from '../../../src/propagation/index';
import type { Carrier } from '../../../src/propagation/index';

describe('getHeader', () => {
  it('reads Headers case-insensitively and combines repeats', () => {
    const h = new Headers();
    h.append('TraceState', 'a=1');
    h.append('tracestate', 'b=2');
    expect(getHeader(h, 'TRACESTATE')).toBe('a=1, b=2');
    expect(getHeader(h, 'missing')).toBeUndefined();
  });

  it('reads plain objects case-insensitively', () => {
    expect(getHeader({ TraceParent: 'x' }, 'traceparent')).toBe('x');
    expect(getHeader({ traceparent: 'x' }, 'TRACEPARENT')).toBe('x');
    expect(getHeader({ traceparent: undefined }, 'traceparent')).toBeUndefined();
  });

  it('combines every casing of a name on plain objects, also when the lowercase one is there', () => {
    expect(getHeader({ tracestate: 'a=1', TraceState: 'b=2' }, 'tracestate')).toBe('a=1, b=2');
    expect(getHeader({ traceparent: undefined, TraceParent: 'x' }, 'traceparent')).toBe('x');
  });

  it('joins Node-style arrays with ", "', () => {
    expect(getHeader({ tracestate: ['a=1', 'b=2'] }, 'tracestate')).toBe('a=1, b=2');
    expect(getHeader({ tracestate: [] }, 'tracestate')).toBeUndefined();
  });

  it('reads tuple arrays', () => {
    const tuples: Array<[string, string]> = [['Baggage', 'a=1'], ['x', 'y'], ['baggage', 'b=2']];
    expect(getHeader(tuples, 'baggage')).toBe('a=1, b=2');
  });

  it('does not read inherited properties', () => {
    const proto = { traceparent: 'inherited' };
    expect(getHeader(Object.create(proto) as Record<string, string>, 'traceparent')).toBeUndefined();
  });

  it('reads a non-string, non-array value as its string', () => {
    expect(getHeader({ 'content-length': 5 } as unknown as Carrier, 'content-length')).toBe('5');
  });

  it('returns undefined for non-carriers', () => {
    expect(getHeader(null as unknown as Carrier, 'a')).toBeUndefined();
    expect(getHeader('str' as unknown as Carrier, 'a')).toBeUndefined();
  });
});

describe('setHeader', () => {
  it('sets on Headers', () => {
    const h = new Headers({ TraceParent: 'old' });
    expect(setHeader(h, 'traceparent', 'new')).toBe(true);
    expect(h.get('traceparent')).toBe('new');
  });

  it('replaces any casing on plain objects and writes lowercase', () => {
    const o: Record<string, string> = { TraceParent: 'old', other: '1' };
    expect(setHeader(o, 'traceparent', 'new')).toBe(true);
    expect(o).toEqual({ other: '1', traceparent: 'new' });
  });

  it('replaces or appends on tuple arrays', () => {
    const t: Array<[string, string]> = [['TraceParent', 'old'], ['a', 'b'], ['traceparent', 'dup']];
    setHeader(t, 'traceparent', 'new');
    expect(t).toEqual([['traceparent', 'new'], ['a', 'b']]);
    setHeader(t, 'tracestate', 'x=1');
    expect(t).toEqual([['traceparent', 'new'], ['a', 'b'], ['tracestate', 'x=1']]);
  });

  it('removes every duplicate on tuple arrays, also consecutive ones, and only those', () => {
    const t: Array<[string, string]> = [['traceparent', '1'], ['TraceParent', '2'], ['TRACEPARENT', '3'], ['a', 'b'], ['traceparent', '4'], ['c', 'd']];
    expect(setHeader(t, 'traceparent', 'new')).toBe(true);
    expect(t).toEqual([['traceparent', 'new'], ['a', 'b'], ['c', 'd']]);
  });

  it('sets only the header on a Headers object, no property', () => {
    const h = new Headers();
    expect(setHeader(h, 'TraceParent', 'x')).toBe(true);
    expect(h.get('traceparent')).toBe('x');
    expect(Object.keys(h)).toEqual([]);
  });

  it('removes the header under every casing when the value is undefined', () => {
    const o: Record<string, string | string[]> = { tracestate: 'a=1', TraceState: ['b=2'], other: '1' };
    expect(setHeader(o, 'tracestate', undefined)).toBe(true);
    expect(o).toEqual({ other: '1' });
    const t: Array<[string, string]> = [['TraceState', 'a=1'], ['x', 'y'], ['tracestate', 'b=2']];
    expect(setHeader(t, 'tracestate', undefined)).toBe(true);
    expect(t).toEqual([['x', 'y']]);
    const h = new Headers({ TraceState: 'a=1', x: 'y' });
    expect(setHeader(h, 'tracestate', undefined)).toBe(true);
    expect([...h]).toEqual([['x', 'y']]);
    expect(setHeader({}, 'tracestate', undefined)).toBe(true);
  });

  it('returns false, without throwing, when a Headers-like carrier cannot remove', () => {
    const like = { get: () => 'a=1', set: () => {}, forEach: () => {} };
    expect(setHeader(like, 'tracestate', undefined)).toBe(false);
  });

  it('returns false for non-carriers', () => {
    expect(setHeader(null as unknown as Carrier, 'a', 'b')).toBe(false);
    expect(setHeader('str' as unknown as Carrier, 'a', 'b')).toBe(false);
  });

  it('returns false instead of throwing on refusing carriers', () => {
    const frozen = Object.freeze({ a: '1' }) as Record<string, string>;
    expect(setHeader(frozen, 'traceparent', 'x')).toBe(false);
    const immutable = new Response('').headers; // guard "immutable" in browsers, may be mutable in Node
    expect(typeof setHeader(immutable, 'traceparent', 'x')).toBe('boolean');
    const throwing = { get: () => null, set: () => { throw new TypeError('immutable'); }, forEach: () => {} };
    expect(setHeader(throwing, 'traceparent', 'x')).toBe(false);
  });
});

describe('forEachHeader', () => {
  it('visits every header with a lowercase name', () => {
    const seen: string[] = [];
    forEachHeader({ 'UberCtx-A': '1', b: ['2', '3'], c: undefined }, (n, v) => seen.push(`${n}:${v}`));
    expect(seen).toEqual(['uberctx-a:1', 'b:2, 3']);
    const seen2: string[] = [];
    forEachHeader(new Headers({ X: '1' }), (n, v) => seen2.push(`${n}:${v}`));
    expect(seen2).toEqual(['x:1']);
  });

  it('visits tuple arrays, skipping holes and non-string names', () => {
    const seen: string[] = [];
    const tuples = [['UberCtx-A', '1'], null, [7, 'x'], ['b', '2']] as unknown as Array<[string, string]>;
    forEachHeader(tuples, (n, v) => seen.push(`${n}:${v}`));
    expect(seen).toEqual(['uberctx-a:1', 'b:2']);
  });

  it('visits only the headers of a duck-typed Headers object, and nothing when it cannot iterate', () => {
    const seen: string[] = [];
    const like = { get: () => null, set: () => {}, forEach: (cb: (v: string, n: string) => void) => cb('1', 'X-A') };
    forEachHeader(like, (n, v) => seen.push(`${n}:${v}`));
    expect(seen).toEqual(['x-a:1']);
    const noForEach = { get: () => null, set: () => {} } as unknown as Carrier;
    expect(() => forEachHeader(noForEach, () => seen.push('called'))).not.toThrow();
    expect(seen).toEqual(['x-a:1']);
  });

  it('skips inherited properties and non-carriers without throwing', () => {
    const seen: string[] = [];
    const own = Object.assign(Object.create({ inherited: 'x' }) as Record<string, string>, { a: '1' });
    forEachHeader(own, (n, v) => seen.push(`${n}:${v}`));
    forEachHeader(null as unknown as Carrier, (n) => seen.push(n));
    forEachHeader('str' as unknown as Carrier, (n) => seen.push(n));
    expect(seen).toEqual(['a:1']);
  });
});
