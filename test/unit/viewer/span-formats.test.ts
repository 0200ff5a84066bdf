import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importSpanJson, importReadableSpans } from '../../../src/viewer/import/otlp-json';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { detectFormat } from '../../../src/viewer/import/detect';
import { FlowKind, SliceFlag, GroupKind, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { argsOf, flowsIn, nameOf, childrenOf, instantArgsOf } from '../../../src/viewer/model/query';
import { encodeOtlpJsonString } from '../../../src/export/otlp-json';
import { toChromeTrace } from '../../../src/export/chrome-trace';
import type { ReadableSpan, SpanContext } from '../../../src/sdk/types';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../fixtures/otlp/${name}`, import.meta.url));
const one = (m: TraceModel, name: string): number => {
  const all: number[] = [];
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) all.push(i);
  expect(all, name).toHaveLength(1);
  return all[0];
};
const diag = (m: TraceModel, kind: string): number => m.diagnostics.find((d) => d.kind === kind)?.count ?? 0;

describe('OTLP JSON', () => {
  const m = importSpanJson(fixture('two-services.json'));

  it('services → groups, traces → tracks, epoch clock with ns precision', () => {
    expect(m.format).toBe('otlp-json');
    expect(m.clock).toBe('epoch');
    expect(m.groups.map((g) => [g.kind, g.name])).toEqual([
      [GroupKind.SERVICE, 'api'],
      [GroupKind.SERVICE, 'frontend'],
    ]);
    const root = one(m, 'GET /');
    const track = m.tracks[m.slices.track[root]];
    expect(track.kind).toBe(TrackKind.TRACE);
    expect(track.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(track.name).toBe('GET /');
    expect(m.originMs).toBe(1700000000000);
    expect(m.slices.startNs[one(m, 'fetch api')]).toBe(10_000_123);
    expect(m.slices.durNs[root]).toBe(100_000_000);
  });

  it('nests by parentSpanId, attributes typed, error flagged, events as instants', () => {
    const root = one(m, 'GET /');
    const fetchApi = one(m, 'fetch api');
    expect(m.slices.parent[fetchApi]).toBe(root);
    expect(m.slices.depth[fetchApi]).toBe(1);
    expect(m.slices.flags[fetchApi] & SliceFlag.ERROR).toBeTruthy();
    const d = argsOf(m, root);
    expect(d.args).toEqual({ 'http.status': 200, ratio: 0.5, ok: true, tags: ['x', 'y'] });
    expect(d.spanId).toBe('b7ad6b7169203331');
    expect(d.kind).toBe('SERVER');
    expect(d.resource).toEqual({ 'service.name': 'frontend', host: 'a' });
    expect(argsOf(m, fetchApi)).toMatchObject({ statusCode: 'ERROR', statusMessage: 'boom', kind: 'CLIENT' });
    expect(m.instants.count).toBe(1);
    expect(m.instants.slice[0]).toBe(root);
    expect(m.instants.timeNs[0]).toBe(50_000_000);
    expect(instantArgsOf(m, 0).args).toEqual({ k: 'v' });
  });

  it('cross-service parent is a flow and keeps the parent link; links are flows', () => {
    const handle = one(m, 'handle');
    const fetchApi = one(m, 'fetch api');
    expect(m.slices.parent[handle]).toBe(fetchApi);
    expect(m.slices.flags[handle] & SliceFlag.REMOTE_PARENT).toBeTruthy();
    const kinds = flowsIn(m, handle).map((f) => [m.flows.fromSlice[f], m.flows.kind[f]]);
    expect(kinds).toContainEqual([fetchApi, FlowKind.REMOTE_PARENT]);
    expect(kinds).toContainEqual([one(m, 'render'), FlowKind.LINK]);
    expect(childrenOf(m, fetchApi)).toEqual([handle]);
  });

  it('orphans marked, cycles broken, unended spans unfinished', () => {
    expect(m.slices.flags[one(m, 'lost child')] & SliceFlag.ORPHAN).toBeTruthy();
    expect(diag(m, 'orphan-span')).toBe(1);
    expect(diag(m, 'parent-cycle')).toBe(1);
    const a = one(m, 'cyc-a');
    const b = one(m, 'cyc-b');
    expect(m.slices.parent[a] === -1 || m.slices.parent[b] === -1).toBe(true);
    expect(m.slices.flags[one(m, 'running')] & SliceFlag.UNFINISHED).toBeTruthy();
  });

  it('reads NDJSON (collector file exporter) and arrays of requests', () => {
    const nd = importSpanJson(fixture('collector.ndjson'));
    expect(nd.slices.count).toBe(2);
    expect(nd.tracks).toHaveLength(2);
    const arr = importSpanJson(`[${new TextDecoder().decode(fixture('collector.ndjson')).trim().split('\n').join(',')}]`);
    expect(arr.slices.count).toBe(2);
    expect(arr.format).toBe('otlp-json');
  });

  it('reports the line of a broken NDJSON line', () => {
    expect(() => importSpanJson('{"resourceSpans":[]}\n{"resourceSpans":[}\n')).toThrowError(/line 2/);
  });

  it('accepts base64 ids', () => {
    const req = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'CvdlGRbNQ92ESOshHIAxnA==', spanId: 't61rcWkgMzE=', name: 'b64', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }],
    };
    const mm = importSpanJson(req);
    expect(argsOf(mm, 0).traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(argsOf(mm, 0).spanId).toBe('b7ad6b7169203331');
  });
});

describe('OTLP JSON as trace APIs return it', () => {
  const spans = [
    { traceId: 'CvdlGRbNQ92ESOshHIAxnA==', spanId: 't61rcWkgMzE=', name: 'GET /cart', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000050000000' },
    { traceId: 'CvdlGRbNQ92ESOshHIAxnA==', spanId: 'AAAAAAAAAAE=', parentSpanId: 't61rcWkgMzE=', name: 'SELECT cart', startTimeUnixNano: '1700000000010000000', endTimeUnixNano: '1700000000020000000' },
  ];
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'shop-api' } }] };
  const check = (m: TraceModel) => {
    expect(m.format).toBe('otlp-json');
    expect(m.groups.map((g) => g.name)).toEqual(['shop-api']);
    const child = one(m, 'SELECT cart');
    expect(m.slices.parent[child]).toBe(one(m, 'GET /cart'));
    expect(argsOf(m, child).traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(m.diagnostics).toEqual([]);
  };

  it("Tempo's trace by id (`batches`, base64 ids, and the older instrumentationLibrarySpans)", () => {
    const tempo = { batches: [{ resource, scopeSpans: [{ scope: { name: 'x' }, spans }] }] };
    expect(detectFormat(new TextEncoder().encode(JSON.stringify(tempo)))).toBe('otlp-json');
    check(importSpanJson(JSON.stringify(tempo)));
    const old = { batches: [{ resource, instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'x' }, spans }] }] };
    expect(detectFormat(new TextEncoder().encode(JSON.stringify(old)))).toBe('otlp-json');
    check(importSpanJson(JSON.stringify(old)));
  });

  it("Tempo's v2 API (`{ trace: … }`) and Jaeger v2's api_v3 (`{ result: … }`)", () => {
    for (const doc of [{ trace: { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] } }, { result: { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] } }]) {
      expect(detectFormat(new TextEncoder().encode(JSON.stringify(doc)))).toBe('otlp-json');
      check(importSpanJson(JSON.stringify(doc)));
    }
  });
});

describe('Jaeger and Zipkin JSON', () => {
  it('Jaeger UI download: processes → services, CHILD_OF → parent, error tag, logs', () => {
    const m = importSpanJson(fixture('jaeger.json'));
    expect(m.format).toBe('jaeger-json');
    const root = one(m, 'root');
    const child = one(m, 'child');
    expect(m.slices.parent[child]).toBe(root);
    expect(m.slices.flags[child] & SliceFlag.ERROR).toBeTruthy();
    expect(m.slices.durNs[root]).toBe(1_000_000);
    expect(m.groups.map((g) => g.name).sort()).toEqual(['db', 'gateway']);
    expect(m.instants.count).toBe(1);
    expect(m.strings[m.instants.name[0]]).toBe('hello');
  });

  it('Zipkin v2: parentId nesting, µs times, error tag, annotations', () => {
    const m = importSpanJson(fixture('zipkin.json'));
    expect(m.format).toBe('zipkin-json');
    const q = one(m, 'query');
    expect(m.slices.parent[q]).toBe(one(m, 'get /api'));
    expect(m.slices.startNs[q]).toBe(500_000);
    expect(m.slices.flags[q] & SliceFlag.ERROR).toBeTruthy();
    expect(m.instants.count).toBe(1);
  });
});

// ---- round trips from SDK spans ----

function span(p: {
  name: string;
  traceId: string;
  spanId: string;
  parent?: string;
  startMs: number;
  endMs: number;
  service?: string;
  error?: boolean;
}): ReadableSpan {
  const ctx: SpanContext = { traceId: p.traceId, spanId: p.spanId, traceFlags: 1 };
  return {
    name: p.name,
    kind: 0,
    spanContext: () => ctx,
    ...(p.parent ? { parentSpanId: p.parent } : {}),
    startMs: p.startMs,
    endMs: p.endMs,
    attributes: { 'app.k': p.name },
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: p.error ? 2 : 0 },
    resource: { attributes: { 'service.name': p.service ?? 'web' } },
    scope: { name: 'test' },
  };
}

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const base = 1_763_700_000_123.456;
const sdkSpans = [
  span({ name: 'page-load', traceId: T, spanId: '00f067aa0ba902b7', startMs: base, endMs: base + 500 }),
  span({ name: 'fetch', traceId: T, spanId: '1000000000000001', parent: '00f067aa0ba902b7', startMs: base + 10.25, endMs: base + 200, error: true }),
  span({ name: 'parse', traceId: T, spanId: '1000000000000002', parent: '1000000000000001', startMs: base + 50, endMs: base + 60 }),
  span({ name: 'server', traceId: T, spanId: '1000000000000003', parent: '1000000000000001', startMs: base + 20, endMs: base + 150, service: 'api' }),
];

function checkRoundTrip(m: TraceModel, exactIds: boolean, spanParents = true): void {
  const load = one(m, 'page-load');
  const fetchS = one(m, 'fetch');
  const parse = one(m, 'parse');
  const server = one(m, 'server');
  expect(m.slices.parent[fetchS]).toBe(load);
  expect(m.slices.parent[parse]).toBe(fetchS);
  expect(m.slices.depth[parse]).toBe(2);
  // Chrome has no cross-process parents: the exporter writes a flow instead (checked below).
  if (spanParents) expect(m.slices.parent[server]).toBe(fetchS);
  // times relative to the origin, to well under a microsecond
  const rel = (i: number): number => m.originMs + m.slices.startNs[i] / 1e6;
  expect(Math.abs(rel(load) - base)).toBeLessThan(1e-3);
  expect(Math.abs(m.slices.startNs[fetchS] - 10.25e6)).toBeLessThan(1000);
  expect(Math.abs(m.slices.durNs[fetchS] - (200 - 10.25) * 1e6)).toBeLessThan(1000);
  if (exactIds) {
    expect(argsOf(m, fetchS)).toMatchObject({ traceId: T, spanId: '1000000000000001', parentSpanId: '00f067aa0ba902b7' });
    expect(m.slices.flags[fetchS] & SliceFlag.ERROR).toBeTruthy();
  }
}

describe('round trips', () => {
  it('SDK spans → model directly', () => {
    const m = importReadableSpans(sdkSpans);
    expect(m.format).toBe('spanbeam-spans');
    checkRoundTrip(m, true);
  });

  it('SDK spans → OTLP JSON (src/export) → model keeps ids, nesting and times', () => {
    const m = importSpanJson(encodeOtlpJsonString(sdkSpans));
    checkRoundTrip(m, true);
    expect(argsOf(m, one(m, 'fetch')).args).toEqual({ 'app.k': 'fetch' });
  });

  it('SDK spans → Chrome export (src/export) → model keeps nesting, times and ids in args', () => {
    const m = importChromeJson(JSON.stringify(toChromeTrace(sdkSpans)));
    checkRoundTrip(m, false, false);
    expect(argsOf(m, one(m, 'fetch')).args).toMatchObject({ 'trace.id': T, 'span.id': '1000000000000001', 'parent.id': '00f067aa0ba902b7' });
    // cross-service parent exported as a flow
    expect(flowsIn(m, one(m, 'server')).map((f) => m.flows.fromSlice[f])).toEqual([one(m, 'fetch')]);
  });

  it('SDK spans → Chrome export → model binds every flow to the parent and the child, whichever encoding it took', () => {
    // Spans starting in the same µs as a child on their track, and spans that are flow targets and sources.
    const hex = (n: number) => n.toString(16).padStart(16, '0');
    const s = (name: string, id: number, start: number, end: number, parent?: number, service?: string) =>
      span({ name, traceId: T, spanId: hex(id), ...(parent ? { parent: hex(parent) } : {}), startMs: base + start, endMs: base + end, service });
    const spans = [
      s('load', 1, 0, 100),
      s('docFetch', 2, 0, 30, 1),
      s('fetch a', 3, 10, 50, 1), // beside docFetch: a flow from load; calls the api
      s('handler', 4, 20, 45, 3, 'api'),
      s('handler mw', 5, 20, 30, 4, 'api'),
      s('fetch b', 6, 12, 60, 1), // another track: calls the api too
      s('server', 7, 25, 55, 6, 'api'),
      s('server mw', 8, 25, 50, 7, 'api'),
      s('query', 9, 26, 40, 7, 'api'), // server mw is open: another track
    ];
    const m = importChromeJson(JSON.stringify(toChromeTrace(spans)));
    const from = (name: string) => flowsIn(m, one(m, name)).map((f) => nameOf(m, m.flows.fromSlice[f]));
    expect([from('fetch a'), from('handler'), from('fetch b'), from('server'), from('query')]).toEqual([['load'], ['fetch a'], ['load'], ['fetch b'], ['server']]);
    expect(m.flows.count).toBe(5);
    expect(diag(m, 'unbound-flow')).toBe(0);
  });
});
