import { describe, expect, it } from 'vitest';
import { extractContext, injectContext, w3cTraceContext } from '../../../src/propagation/index';
import type { IncomingHttpHeaders } from 'node:http';

const TID = '12345678901234567890123456789012';
const SID = '1234567890123456';
const TP = `00-${TID}-${SID}-01`;

describe('extractContext', () => {
  it('reads traceparent and tracestate from Headers', () => {
    const h = new Headers({ traceparent: TP, tracestate: 'foo=1,bar=2' });
    expect(extractContext(h)).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, traceState: 'foo=1,bar=2', isRemote: true });
  });

  it('matches header names case-insensitively', () => {
    for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) {
      expect(extractContext({ [name]: TP, TRACESTATE: 'foo=1' })).toMatchObject({ traceId: TID, traceState: 'foo=1' });
    }
  });

  it('ignores wrong header names', () => {
    expect(extractContext({ 'trace-parent': TP })).toBeUndefined();
    expect(extractContext({ 'trace.parent': TP })).toBeUndefined();
    expect(extractContext({ traceparent: TP, 'trace-state': 'foo=1' })?.traceState).toBeUndefined();
  });

  it('rejects duplicated traceparent headers in every carrier form', () => {
    const other = `00-${TID.replace(/2/g, '3')}-${SID}-01`;
    expect(extractContext({ traceparent: [TP, other] })).toBeUndefined();
    expect(extractContext({ traceparent: `${TP}, ${other}` })).toBeUndefined();
    const h = new Headers();
    h.append('traceparent', TP);
    h.append('traceparent', other);
    expect(extractContext(h)).toBeUndefined();
    expect(extractContext([['traceparent', TP], ['TraceParent', other]])).toBeUndefined();
    expect(extractContext({ traceparent: TP, TraceParent: other })).toBeUndefined();
    expect(extractContext({ TraceParent: other, traceparent: TP })).toBeUndefined();
    // A later version may carry more fields after the flags, but never a comma: ", " joined them.
    const future = `cc-${TID}-${SID}-01-x`;
    expect(extractContext({ traceparent: future })).toMatchObject({ traceId: TID });
    expect(extractContext({ traceparent: [future, future] })).toBeUndefined();
    expect(extractContext({ traceparent: `${future}, ${other}` })).toBeUndefined();
    expect(extractContext([['traceparent', `cc-${TID}-${SID}-01`], ['traceparent', future]])).toBeUndefined();
  });

  it('ignores tracestate when traceparent is missing or invalid', () => {
    expect(extractContext({ tracestate: 'foo=1' })).toBeUndefined();
    expect(extractContext({ traceparent: `ff-${TID}-${SID}-01`, tracestate: 'foo=1' })).toBeUndefined();
  });

  it('keeps traceparent when tracestate is invalid', () => {
    const ctx = extractContext({ traceparent: TP, tracestate: 'FOO=1' });
    expect(ctx).toEqual({ traceId: TID, spanId: SID, traceFlags: 1, isRemote: true });
    expect(ctx && 'traceState' in ctx).toBe(false);
  });

  it('combines multiple tracestate headers in order (Node arrays, Headers, joined strings)', () => {
    const parts = ['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'];
    const expected = 'foo=1,bar=2,rojo=1,congo=2,baz=3';
    expect(extractContext({ traceparent: TP, tracestate: parts })?.traceState).toBe(expected);
    expect(extractContext({ traceparent: TP, tracestate: parts.join(', ') })?.traceState).toBe(expected);
    const h = new Headers({ traceparent: TP });
    for (const p of parts) h.append('tracestate', p);
    expect(extractContext(h)?.traceState).toBe(expected);
  });

  it('handles empty tracestate headers', () => {
    expect(extractContext({ traceparent: TP, tracestate: '' })?.traceState).toBeUndefined();
    expect(extractContext({ traceparent: TP, tracestate: ['foo=1', ''] })?.traceState).toBe('foo=1');
    expect(extractContext({ traceparent: TP, tracestate: ['', 'foo=1'] })?.traceState).toBe('foo=1');
  });

  it('drops the whole tracestate when 33 members arrive across headers', () => {
    const m = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => `bar${a + i}=${a + i}`).join(',');
    expect(extractContext({ traceparent: TP, tracestate: [m(1, 10), m(11, 20), m(21, 30), m(31, 32)] })?.traceState?.split(',')).toHaveLength(32);
    expect(extractContext({ traceparent: TP, tracestate: [m(1, 10), m(11, 20), m(21, 30), m(31, 33)] })?.traceState).toBeUndefined();
  });

  it('reads Node IncomingHttpHeaders', () => {
    const headers: IncomingHttpHeaders = { host: 'x', traceparent: TP, tracestate: 'a=1, b=2' };
    expect(extractContext(headers)?.traceState).toBe('a=1,b=2');
  });

  it('keeps the random flag (Level 2)', () => {
    expect(extractContext({ traceparent: `00-${TID}-${SID}-02` })?.traceFlags).toBe(2);
  });
});

describe('injectContext', () => {
  it('writes traceparent and tracestate', () => {
    const carrier: Record<string, string> = {};
    injectContext({ traceId: TID, spanId: SID, traceFlags: 3, traceState: 'congo=x,rojo=y' }, carrier);
    expect(carrier).toEqual({ traceparent: `00-${TID}-${SID}-03`, tracestate: 'congo=x,rojo=y' });
  });

  it('omits an absent, empty or invalid tracestate', () => {
    for (const traceState of [undefined, '', 'BAD=1', 'a=1\r\nx-evil: 1']) {
      const h = new Headers();
      injectContext({ traceId: TID, spanId: SID, traceFlags: 1, traceState }, h);
      expect(h.get('traceparent')).toBe(TP);
      expect(h.has('tracestate')).toBe(false);
    }
  });

  it('writes nothing for an invalid context', () => {
    const carrier: Record<string, string> = {};
    injectContext({ traceId: '0'.repeat(32), spanId: SID, traceFlags: 1, traceState: 'a=1' }, carrier);
    injectContext({ traceId: TID, spanId: 'nothex!!nothex!!', traceFlags: 1 }, carrier);
    expect(carrier).toEqual({});
  });

  // "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate" and
  // "Vendors SHOULD clean up tracestate collection on traceparent restart": a tracestate already in
  // the carrier (headers copied from the incoming request) must not go out beside a traceparent
  // it does not belong to.
  it('removes a tracestate the carrier had when the context has none or an invalid one', () => {
    for (const traceState of [undefined, '', 'BAD=1']) {
      const record: Record<string, string | string[]> = { TraceState: 'congo=t61rcWkgMzE', tracestate: ['rojo=1'], other: '1' };
      injectContext({ traceId: TID, spanId: SID, traceFlags: 1, traceState }, record);
      expect(record).toEqual({ traceparent: TP, other: '1' });
      const h = new Headers({ tracestate: 'congo=t61rcWkgMzE' });
      injectContext({ traceId: TID, spanId: SID, traceFlags: 1, traceState }, h);
      expect([...h]).toEqual([['traceparent', TP]]);
      const tuples = [['tracestate', 'congo=t61rcWkgMzE']];
      injectContext({ traceId: TID, spanId: SID, traceFlags: 1, traceState }, tuples);
      expect(tuples).toEqual([['traceparent', TP]]);
    }
  });

  it('leaves the carrier alone for an invalid context', () => {
    const carrier = { tracestate: 'congo=t61rcWkgMzE' };
    injectContext({ traceId: '0'.repeat(32), spanId: SID, traceFlags: 1 }, carrier);
    expect(carrier).toEqual({ tracestate: 'congo=t61rcWkgMzE' });
  });

  it('replaces existing headers of any casing', () => {
    const carrier: Record<string, string> = { TraceParent: 'stale' };
    injectContext({ traceId: TID, spanId: SID, traceFlags: 1 }, carrier);
    expect(carrier).toEqual({ traceparent: TP });
  });

  it('round-trips through the propagator interface', () => {
    const h = new Headers();
    const ctx = { traceId: TID, spanId: SID, traceFlags: 1, traceState: 'a=1' };
    w3cTraceContext.inject(ctx, h);
    expect(w3cTraceContext.extract(h)).toEqual({ ...ctx, isRemote: true });
    expect(w3cTraceContext.fields).toEqual(['traceparent', 'tracestate']);
  });
});
