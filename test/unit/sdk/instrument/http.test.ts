import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, SpanContext } from '../../../../src/sdk/types';
import type { Route } from '../../../../src/sdk/instrument/http';
import { httpConfig, traceHeaders } from '../../../../src/sdk/instrument/http';
import { getTracer } from '../../../../src/sdk/tracer';
import { b3Single, normalizeTraceState, setTraceStateValue } from '../../../../src/propagation';

const g = globalThis as { location?: unknown; self?: unknown; document?: unknown };
const saved = { location: g.location, self: g.self, document: g.document };
const doc = { baseURI: 'https://app.example/shop/' };
beforeAll(() => {
  // The document's origin (`self.origin`) and its URL's (`location.origin`): the same but when sandboxed.
  g.location = { origin: 'https://app.example' };
  g.self = { origin: 'https://app.example' };
  g.document = doc;
});
afterAll(() => {
  for (const k of ['location', 'self', 'document'] as const) if (saved[k] === undefined) delete g[k];
  else g[k] = saved[k];
});

const span = (c: Partial<SpanContext>): Span =>
  ({ spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, ...c }) }) as Span;

describe('routes: what a request URL means for tracing', () => {
  it('resolves against the base, redacts url.full, and keys Resource Timing by the URL without fragment', () => {
    const r = httpConfig()('api?token=s3cr3t&page=2#frag');
    expect(r).toMatchObject({
      k: 'https://app.example/shop/api?token=s3cr3t&page=2',
      u: 'https://app.example/shop/api?token=REDACTED&page=2#frag',
      h: 'app.example',
      p: 443,
    });
    expect(httpConfig()('http://user:pw@127.0.0.1:8080/x')).toMatchObject({ u: 'http://REDACTED:REDACTED@127.0.0.1:8080/x', h: '127.0.0.1', p: 8080 });
  });

  it('is 0 (not traced) for ignored, non-http and unparsable URLs', () => {
    const route = httpConfig({ ignoreUrls: ['/v1/traces', /health/g] });
    expect(route('https://collector.example/v1/traces')).toBe(0);
    expect(route('/healthz')).toBe(0);
    expect(route('/healthz?deep')).toBe(0); // a global RegExp keeps no state between URLs
    expect(route('data:text/plain,hi')).toBe(0);
    expect(route('http://[bad')).toBe(0);
    expect(route('/ok')).toMatchObject({ k: 'https://app.example/ok' });
  });

  it('is worked out once per URL, and again after the base changes', () => {
    const route = httpConfig();
    const a = route('items');
    expect(route('items')).toBe(a);
    doc.baseURI = 'https://app.example/admin/';
    try {
      expect((route('items') as Route).k).toBe('https://app.example/admin/items');
    } finally {
      doc.baseURI = 'https://app.example/shop/';
    }
    for (let i = 0; i < 100; i++) route(`/x${i}`); // bounded: starts over rather than growing
    expect(route('items')).not.toBe(a);
    expect((route('items') as Route).k).toBe((a as Route).k);
  });
});

describe('trace headers for requests', () => {
  const at = (url: string, o?: Parameters<typeof httpConfig>[0]): Route => httpConfig(o)(url) as Route;

  it('same origin gets traceparent, and a canonical tracestate as is', () => {
    const h = traceHeaders(at('https://app.example/api'), span({ traceFlags: 3, traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }));
    expect(h).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03',
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
  });

  it('a sandboxed document (opaque origin) sends none to its URL’s origin: its requests there are cross-origin', () => {
    g.self = { origin: 'null' };
    try {
      expect(at('/api').ps).toEqual([]);
      expect(at('https://app.example/api').ps).toEqual([]);
      expect(at('https://app.example/api', { propagateTo: ['https://app.example'] }).ps).toHaveLength(1);
    } finally {
      g.self = { origin: 'https://app.example' };
    }
  });

  it('sends every tracestate the propagation helpers produce (Level 2 keys), and no over-long key', () => {
    const r = at('/');
    const valid = [
      normalizeTraceState('foo@=1, foo@@bar=2,foo@bar@baz=3')!, // the w3c test suite's Level 2 keys
      setTraceStateValue(undefined, 't@' + 'v'.repeat(15), '1')!,
      setTraceStateValue('a=1', 'z'.repeat(256), ' x')!,
    ];
    for (const traceState of valid) expect(traceHeaders(r, span({ traceState }))?.tracestate, traceState).toBe(traceState);
    const tooLong = 'z'.repeat(256) + '@' + 'v'.repeat(14) + '=1'; // a 271-character key
    expect(normalizeTraceState(tooLong)).toBeUndefined();
    expect(traceHeaders(r, span({ traceState: tooLong }))?.tracestate).toBeUndefined();
  });

  it('never sends an invalid tracestate or traceparent', () => {
    const r = at('/');
    expect(traceHeaders(r, span({ traceState: 'Bad Key=1\n' }))).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    // Request spans come from the tracer, which gives no span invalid ids: a bad parent starts a new trace.
    const ok = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 3 };
    for (const bad of [{ traceId: '0'.repeat(32) }, { spanId: '0'.repeat(16) }, { spanId: 'XYZ' }, { traceId: ok.traceId.toUpperCase() }]) {
      const tp = traceHeaders(r, getTracer().startSpan('x', { parent: { ...ok, ...bad } }))?.traceparent;
      expect(tp).toMatch(/^00-(?!0{32}-)[\da-f]{32}-(?!0{16}-)[\da-f]{16}-0[0-3]$/);
      expect(tp).not.toContain(ok.traceId);
    }
  });

  it('cross origin only when allowlisted, with the entry propagators', () => {
    const o = { propagateTo: ['https://api.example', { match: /legacy/, propagators: [b3Single] }] };
    expect(traceHeaders(at('https://other.example/', o), span({}))).toBeUndefined();
    expect(Object.keys(traceHeaders(at('https://api.example/x', o), span({}))!)).toEqual(['traceparent']);
    expect(traceHeaders(at('https://legacy.example/', o), span({}))).toEqual({ b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' });
  });
});
