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
});
