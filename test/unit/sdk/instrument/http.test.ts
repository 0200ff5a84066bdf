import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, SpanContext } from '../../../../src/sdk/types';
import { httpConfig, traceHeaders } from '../../../../src/sdk/instrument/http';
import { b3Single } from '../../../../src/propagation';

const g = globalThis as { location?: unknown };
const had = 'location' in g;
const saved = g.location;
beforeAll(() => void (g.location = { origin: 'https://app.example' }));
afterAll(() => void (had ? (g.location = saved) : delete g.location));

const span = (c: Partial<SpanContext>): Span =>
  ({ spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, ...c }) }) as Span;

describe('trace headers for requests', () => {
  it('same origin gets traceparent, and a canonical tracestate as is', () => {
    const h = traceHeaders(httpConfig(), span({ traceFlags: 3, traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }), 'https://app.example/api');
    expect(h).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03',
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
  });

  it('never sends an invalid tracestate or traceparent', () => {
    const cfg = httpConfig();
    expect(traceHeaders(cfg, span({ traceState: 'Bad Key=1\n' }), 'https://app.example/')).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(traceHeaders(cfg, span({ traceId: '0'.repeat(32) }), 'https://app.example/')).toEqual({});
    expect(traceHeaders(cfg, span({ spanId: 'XYZ' }), 'https://app.example/')).toEqual({});
  });

  it('cross origin only when allowlisted, with the entry propagators', () => {
    const cfg = httpConfig({ propagateTo: ['https://api.example', { match: /legacy/, propagators: [b3Single] }] });
    expect(traceHeaders(cfg, span({}), 'https://other.example/')).toEqual({});
    expect(Object.keys(traceHeaders(cfg, span({}), 'https://api.example/x'))).toEqual(['traceparent']);
    expect(traceHeaders(cfg, span({}), 'https://legacy.example/')).toEqual({ b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' });
  });
});
