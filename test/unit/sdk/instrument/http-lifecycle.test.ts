// When a request's span ends: at its Resource Timing entry, or after a grace period without one,
// in the entry observer's callback or from the shared timer (never on the page's path), or at once
// when the page hides.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Pending, Route } from '../../../../src/sdk/instrument/http';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, getTracer, setTracerProvider } from '../../../../src/sdk/index';
import { timeOriginMs } from '../../../../src/sdk/clock';
import { TIMING_GRACE_MS, acquireTiming, ended, httpConfig, startRequest, track } from '../../../../src/sdk/instrument/http';

type G = Record<'self' | 'document' | 'window' | 'PerformanceObserver', unknown>;
const g = globalThis as unknown as G;
const KEYS = ['self', 'document', 'window', 'PerformanceObserver'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, g[k]])) as G;
let deliver: (entries: object[]) => void = () => {};
let route: Route;

beforeAll(() => {
  g.self = { origin: 'https://app.example' };
  g.document = { baseURI: 'https://app.example/' };
  g.window = new EventTarget();
  g.PerformanceObserver = class {
    constructor(cb: (list: { getEntries(): object[] }) => void) {
      deliver = (entries) => cb({ getEntries: () => entries });
    }
    observe() {}
    disconnect() {}
  };
  route = httpConfig()('/api/items') as Route;
});
afterAll(() => {
  for (const k of KEYS) if (saved[k] === undefined) delete g[k];
  else g[k] = saved[k];
});

let exporter: InMemorySpanExporter;
let release: () => void;
// The page's clocks (performance.now, and Date.now in step with it) and its timers, moved forward together.
let hr = 1000;
const advance = (ms: number) => {
  hr += ms;
  vi.advanceTimersByTime(ms);
};
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  vi.spyOn(performance, 'now').mockImplementation(() => hr);
  vi.spyOn(Date, 'now').mockImplementation(() => Math.floor(performance.timeOrigin + hr));
  const provider = new TracerProvider();
  provider.configure({ serviceName: 'unit', session: false });
  exporter = new InMemorySpanExporter();
  provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
  setTracerProvider(provider);
  release = acquireTiming();
});
afterEach(() => {
  release();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const start = (): Pending => track(startRequest(getTracer('t'), 'get', route, 'fetch'));
const entry = (p: Pending, o: object = {}) => ({
  name: `${route.k}#frag`,
  initiatorType: 'fetch',
  startTime: p.t + 0.1,
  fetchStart: p.t + 0.1,
  requestStart: p.t + 1,
  responseStart: p.t + 2,
  responseEnd: p.t + 3,
  transferSize: 300,
  encodedBodySize: 4,
  decodedBodySize: 4,
  nextHopProtocol: 'http/1.1',
  ...o,
});
const spans = () => exporter.getFinishedSpans();

describe('request spans', () => {
  it('end at their entry’s responseEnd, in the entry observer’s callback, not when the body ends', () => {
    const p = start();
    p.st = 200;
    ended(p);
    expect(spans()).toHaveLength(0);
    const e = entry(p);
    deliver([e]);
    const [s] = spans();
    expect(s.name).toBe('GET');
    expect(s.endMs).toBeCloseTo(timeOriginMs() + e.responseEnd, 6);
    expect(s.events.map((x) => x.name)).toEqual(['fetchStart', 'requestStart', 'responseStart', 'responseEnd']);
    expect(s.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': 'https://app.example/api/items',
      'http.response.status_code': 200,
      'http.response.size': 300,
      'network.protocol.version': '1.1',
    });
    expect(s.status.code).not.toBe(2);
  });

  it('wait for the response before ending at an entry that came first', () => {
    const p = start();
    deliver([entry(p)]);
    advance(TIMING_GRACE_MS * 2);
    expect(spans()).toHaveLength(0);
    p.st = 204;
    ended(p); // what fetch does for a response whose entry is in
    advance(TIMING_GRACE_MS);
    expect(spans()[0].attributes['http.response.status_code']).toBe(204);
  });

  it('take only entries of their own kind that started after them', () => {
    const p = start();
    p.st = 200;
    deliver([entry(p, { initiatorType: 'xmlhttprequest' }), entry(p, { startTime: p.t - 5 })]);
    advance(7);
    const bodyEnd = timeOriginMs() + hr;
    ended(p);
    advance(TIMING_GRACE_MS - 1);
    expect(spans()).toHaveLength(0); // still waiting for its own entry
    advance(1);
    const [s] = spans();
    expect(s.events).toHaveLength(0); // no entry: ended at the body's end
    expect(s.endMs).toBeCloseTo(bodyEnd, 6);
  });

  it('to one URL at once each take their own entry: the latest one started before it', () => {
    const a = start();
    advance(50);
    const b = start();
    a.st = b.st = 200;
    deliver([entry(b)]); // b's response came first
    expect(spans().map((s) => s.spanContext().spanId)).toEqual([b.s.spanContext().spanId]);
    advance(1500);
    deliver([entry(a, { responseEnd: hr })]);
    const s = spans()[1];
    expect(s.spanContext().spanId).toBe(a.s.spanContext().spanId);
    expect(s.endMs).toBeCloseTo(timeOriginMs() + hr, 6);
  });

  it('record 4xx/5xx and failures as errors, with a fixed message (browsers put the URL in theirs)', () => {
    const a = start();
    a.st = 503;
    ended(a);
    const b = start();
    ended(b, Object.assign(new Error('stop'), { name: 'AbortError' }));
    const c = start();
    ended(c, new TypeError("Failed to execute 'fetch' on 'Window': Request cannot be constructed from a URL that includes credentials: http://u:hunter2@h/"));
    advance(TIMING_GRACE_MS);
    const [sa, sb, sc] = spans();
    expect([sa.attributes['error.type'], sa.status.code]).toEqual(['503', 2]);
    expect([sb.attributes['error.type'], sb.status]).toEqual(['AbortError', { code: 2, message: 'aborted' }]);
    expect([sc.attributes['error.type'], sc.status]).toEqual(['TypeError', { code: 2, message: 'TypeError' }]);
  });

  it('all end at once when the page hides', () => {
    const p = start();
    p.st = 200;
    ended(p);
    start(); // still in flight
    (g.window as EventTarget).dispatchEvent(new Event('pagehide'));
    expect(spans()).toHaveLength(2);
  });
});
