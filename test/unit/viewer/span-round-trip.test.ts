import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { importReadableSpans, importSpanJson } from '../../../src/viewer/import/otlp-json';
import type { ReadableSpan } from '../../../src/sdk/types';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { exportChromeJson } from '../../../src/viewer/model/chrome-export';
import { detailsAt } from '../../../src/viewer/model/query';
import { TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { TINY_CPUPROFILE } from './tiny-profile';

const fixture = (path: string): Uint8Array => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url));
const exported = (m: TraceModel): Promise<string> => exportChromeJson(m).text();

/** Everything a model shows: groups, tracks, slices (all columns, details decoded), instants, flows; strings resolved. */
function dump(m: TraceModel) {
  const S = m.slices;
  const I = m.instants;
  const F = m.flows;
  const str = (id: number): string => m.strings[id];
  return {
    clock: m.clock,
    startNs: m.startNs,
    endNs: m.endNs,
    groups: m.groups.map((g) => ({ kind: g.kind, name: g.name, key: g.key, sortIndex: g.sortIndex, labels: g.labels, tracks: g.tracks })),
    tracks: m.tracks.map((t) => ({ kind: t.kind, group: t.group, name: t.name, key: t.key, rowCount: t.rowCount, traceId: t.traceId })),
    slices: Array.from({ length: S.count }, (_, s) => ({
      start: S.startNs[s], dur: S.durNs[s], track: S.track[s], depth: S.depth[s], name: str(S.name[s]), cat: str(S.category[s]),
      parent: S.parent[s], flags: S.flags[s], color: str(S.color[s]), details: detailsAt(m, S.args[s]),
    })),
    rows: [...m.rows.rowStart, -1, ...m.rows.rowSliceStart],
    instants: Array.from({ length: I.count }, (_, i) => ({
      t: I.timeNs[i], track: I.track[i], name: str(I.name[i]), cat: str(I.category[i]), scope: I.scope[i], slice: I.slice[i], details: detailsAt(m, I.args[i]),
    })),
    flows: Array.from({ length: F.count }, (_, f) => ({ from: F.fromSlice[f], to: F.toSlice[f], fromNs: F.fromNs[f], toNs: F.toNs[f], kind: F.kind[f], name: str(F.name[f]) })),
  };
}

describe('Spans saved as Chrome JSON come back as the traces they were', () => {
  it('OTLP of several services and traces → model → export → import: the same model (services, traces, parents, flows, details, times)', async () => {
    const m = importSpanJson(fixture('otlp/round-trip.json'));
    expect(m.groups.map((g) => g.name)).toEqual(['api', 'web', 'worker']);
    expect(m.tracks.every((t) => t.kind === TrackKind.TRACE)).toBe(true);
    const text = await exported(m);
    const back = importChromeJson(text);
    expect(back.diagnostics.filter((d) => /could not be rebuilt/.test(d.message))).toEqual([]);
    expect(dump(back)).toEqual(dump(m));
    // The epoch origin is kept to the float's precision (~0.25 µs at today's epoch ms).
    expect(Math.abs(back.originMs - m.originMs)).toBeLessThan(1e-3);
    expect(back.metadata).toMatchObject({ exported_by: 'spanbeam', source_format: 'otlp-json', spanbeam_spans: m.slices.count });
    // Saved again, the same file (a round trip is a fixed point).
    expect((await exported(back)).replace('"source_format":"chrome-json"', '"source_format":"otlp-json"')).toBe(text);
    // Kinds of diagnostics the layout makes are made again (orphan, cycle, open span, negative duration).
    const kinds = (x: TraceModel): string[] => x.diagnostics.map((d) => `${d.kind}×${d.count}`).sort();
    expect(kinds(back)).toEqual(kinds(m));
  });

  it('through the pipeline (the viewer worker path), as the Blob exportTrace() gives and gzipped', async () => {
    const m = await runPipeline({ kind: 'bytes', bytes: fixture('otlp/round-trip.json') });
    const blob = exportChromeJson(m);
    expect(dump(await runPipeline({ kind: 'blob', blob }))).toEqual(dump(m));
    const gz = new Blob([await new Response(blob.stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()]);
    expect(dump(await runPipeline({ kind: 'blob', blob: gz }))).toEqual(dump(m));
  });

  it('live SDK spans (fractional epoch ms, events, a link, two services) too', async () => {
    const base = 1_763_700_000_123.456;
    const sp = (name: string, spanId: string, parent: string, a: number, b: number, service = 'web'): ReadableSpan => {
      const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, traceFlags: 1 };
      return {
        name, kind: 2, spanContext: () => ctx, ...(parent ? { parentSpanId: parent } : {}), startMs: base + a, endMs: base + b,
        attributes: { 'app.k': name }, droppedAttributesCount: 0, events: [{ name: 'mark', timeMs: base + a + 0.000123, attributes: { n: 1 } }], droppedEventsCount: 0,
        links: parent ? [{ context: { ...ctx, spanId: '00f067aa0ba902b7' }, attributes: {} }] : [], droppedLinksCount: 0,
        status: { code: name === 'fetch' ? 2 : 0, message: name === 'fetch' ? 'x' : undefined }, resource: { attributes: { 'service.name': service } }, scope: { name: 'test', version: '1' },
      } as unknown as ReadableSpan;
    };
    const m = importReadableSpans([
      sp('page-load', '00f067aa0ba902b7', '', 0, 500), sp('fetch', '1000000000000001', '00f067aa0ba902b7', 10.25, 200),
      sp('server', '1000000000000003', '1000000000000001', 20, 150, 'api'),
    ]);
    expect(dump(importChromeJson(await exported(m)))).toEqual(dump(m));
  });

  it('Jaeger and Zipkin spans too (errors from tags, µs times)', async () => {
    for (const f of ['otlp/jaeger.json', 'otlp/zipkin.json', 'otlp/two-services.json', 'otlp/collector.ndjson']) {
      const m = importSpanJson(fixture(f));
      const back = importChromeJson(await exported(m));
      expect(dump(back), f).toEqual(dump(m));
    }
  });

  it('what other tools read is as before: the same events and args, plus one `spanbeam` arg per span', async () => {
    const m = importSpanJson(fixture('otlp/round-trip.json'));
    const doc = JSON.parse(await exported(m)) as { traceEvents: Array<{ ph: string; args?: Record<string, unknown> }> };
    const b = doc.traceEvents.filter((e) => e.ph === 'b');
    expect(b.length).toBe(m.slices.count);
    for (const e of b) expect(Array.isArray(e.args?.spanbeam)).toBe(true);
    // Attributes stay args; span fields they would hide are kept in the spanbeam entry.
    const render = b.find((e) => e.args?.spanId === 'shadow')!;
    expect(render.args!.spanbeam).toEqual([expect.any(Number), 0, { spanId: 'a000000000000003' }]);
  });

  it('a profile (cpuprofile) and a Chrome trace with samples round-trip as before: no span data, thread tracks', async () => {
    for (const m of [await runPipeline({ kind: 'bytes', bytes: TINY_CPUPROFILE }), importChromeJson(fixture('chrome/all-phases.json'))]) {
      const text = await exported(m);
      expect(text).not.toContain('spanbeam_spans');
      expect(text).not.toContain('"spanbeam":[');
      const back = importChromeJson(text);
      const again = importChromeJson(text.replace('"exported_by":"spanbeam"', '"exported_by":"x"'));
      expect(back.tracks.some((t) => t.kind === TrackKind.TRACE)).toBe(false);
      // The same plain import as a file of another tool but for the times (which the origin shifts).
      expect(dump(back).slices.map((s) => [s.name, s.depth, s.track, s.flags])).toEqual(dump(again).slices.map((s) => [s.name, s.depth, s.track, s.flags]));
      expect(back.slices.count).toBe(m.slices.count);
    }
  });

  it('an older export (no spanbeam_spans) imports as plain async tracks, as before', async () => {
    const m = importSpanJson(fixture('otlp/round-trip.json'));
    const text = (await exported(m)).replace(/,"spanbeam_spans":\d+/, '');
    const back = importChromeJson(text);
    expect(back.tracks.every((t) => t.kind === TrackKind.ASYNC)).toBe(true);
    expect(back.diagnostics.some((d) => /could not be rebuilt/.test(d.message))).toBe(false);
  });
});

describe('span attributes named as span fields', () => {
  const ns = (ms: number): string => `${1700000000000 + ms}000000`;
  const doc = (attrs: Array<[string, string]>) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeSpans: [{ spans: [
    { traceId: 'aa', spanId: '01', name: 'root', startTimeUnixNano: ns(0), endTimeUnixNano: ns(10), attributes: attrs.map(([key, v]) => ({ key, value: { stringValue: v } })) },
    { traceId: 'aa', spanId: '02', parentSpanId: '01', name: 'child', startTimeUnixNano: ns(1), endTimeUnixNano: ns(2) },
  ] }] }] });

  it('an attribute named as a field the span lacks (parentSpanId on a root, statusMessage, clockSkewNs) stays an attribute', async () => {
    const m = importSpanJson(doc([['parentSpanId', '02'], ['statusMessage', 'fine'], ['clockSkewNs', 'x']]));
    const back = importChromeJson(await exported(m));
    expect(back.diagnostics.filter((d) => /could not be rebuilt|parent/.test(d.message))).toEqual([]);
    expect(dump(back)).toEqual(dump(m));
  });

  it('a `spanbeam` attribute keeps its place among the attributes', async () => {
    const m = importSpanJson(doc([['a', '1'], ['spanbeam', 'mine'], ['z', '2']]));
    const back = importChromeJson(await exported(m));
    expect(Object.keys(detailsAt(back, back.slices.args[0])!.args!)).toEqual(Object.keys(detailsAt(m, m.slices.args[0])!.args!));
  });

  it('links and remote-parent arrows out of one span come back in the same order', async () => {
    // Children on another service recorded latest first: the rebuild adds them in the saved (time) order.
    const m = importSpanJson(JSON.stringify({ resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] }, scopeSpans: [{ spans: [
        { traceId: 'aa', spanId: '01', name: 'root', startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) }] }] },
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeSpans: [{ spans: [
        { traceId: 'aa', spanId: '03', parentSpanId: '01', name: 'late', startTimeUnixNano: ns(5), endTimeUnixNano: ns(6) },
        { traceId: 'aa', spanId: '02', parentSpanId: '01', name: 'early', startTimeUnixNano: ns(1), endTimeUnixNano: ns(2) }] }] },
    ] }));
    expect(dump(importChromeJson(await exported(m))).flows).toEqual(dump(m).flows);
  });
});

describe('hostile span data falls back to the plain Chrome import with a warning', () => {
  type Doc = { metadata: Record<string, unknown>; traceEvents: Array<{ ph: string; name: string; args?: Record<string, unknown> }> };
  const base = async (): Promise<Doc> => JSON.parse(await exported(importSpanJson(fixture('otlp/round-trip.json')))) as Doc;
  const spansOf = (d: Doc) => d.traceEvents.filter((e) => e.ph === 'b');
  const cases: Array<[string, (d: Doc) => void]> = [
    ['wrong count', (d) => void (d.metadata.spanbeam_spans = 1e15)],
    ['count as a string', (d) => void (d.metadata.spanbeam_spans = String(spansOf(d).length))],
    ['entry not an array', (d) => void (spansOf(d)[0].args!.spanbeam = { i: 0 })],
    ['entry missing', (d) => void delete spansOf(d)[1].args!.spanbeam],
    ['index repeated', (d) => void ((spansOf(d)[1].args!.spanbeam as unknown[])[0] = (spansOf(d)[0].args!.spanbeam as unknown[])[0])],
    ['index out of range', (d) => void ((spansOf(d)[1].args!.spanbeam as unknown[])[0] = 1e9)],
    ['index fractional', (d) => void ((spansOf(d)[1].args!.spanbeam as unknown[])[0] = 0.5)],
    ['bits not a number', (d) => void ((spansOf(d)[1].args!.spanbeam as unknown[])[1] = 'x')],
    ['span id a number', (d) => void (spansOf(d)[0].args!.spanId = 7)],
    ['resource a string', (d) => void (spansOf(d)[0].args!.resource = 'r')],
    ['links not objects', (d) => void (spansOf(d)[0].args!.links = [1, 2])],
    ['huge entry', (d) => void (spansOf(d)[0].args!.spanbeam = new Array(1000).fill(0))],
    ['no epoch origin', (d) => void delete d.metadata.epoch_origin_ms],
    ['dangling parent', (d) => {
      const e = spansOf(d).find((x) => x.name === 'render')!;
      e.args!.parentSpanId = '0123456789abcdef';
    }],
    ['parent cycle', (d) => {
      const a = spansOf(d).find((x) => x.name === 'GET /checkout')!;
      a.args!.parentSpanId = 'a000000000000002';
    }],
    ['duplicate span ids', (d) => {
      const [a, b] = spansOf(d);
      b.args!.spanId = a.args!.spanId;
      b.args!.traceId = a.args!.traceId;
    }],
    ['an instant of no span', (d) => void d.traceEvents.push({ ph: 'i', name: 'x', ts: 1, pid: 1, tid: 1, s: 't' } as never)],
  ];
  for (const [what, spoil] of cases) {
    it(what, async () => {
      const d = await base();
      spoil(d);
      const m = importChromeJson(JSON.stringify(d));
      expect(m.diagnostics.some((x) => x.kind === 'invalid-args' && /could not be rebuilt/.test(x.message))).toBe(true);
      expect(m.tracks.some((t) => t.kind === TrackKind.TRACE)).toBe(false);
      expect(m.slices.count).toBeGreaterThan(0);
    });
  }

  it('an open span under a finished one of the same name (its `e` closes the open one): not rebuilt wrong', async () => {
    const ns = (ms: number): string => `${1700000000000 + ms}000000`;
    const doc = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeSpans: [{ spans: [
      { traceId: 'aa', spanId: '01', name: 'GET', startTimeUnixNano: ns(0), endTimeUnixNano: ns(10) },
      { traceId: 'aa', spanId: '02', parentSpanId: '01', name: 'GET', startTimeUnixNano: ns(1) },
    ] }] }] };
    const m = importChromeJson(await exported(importSpanJson(JSON.stringify(doc))));
    expect(m.diagnostics.some((x) => /closed another span/.test(x.message))).toBe(true);
  });

  it('a long parent chain (50k deep) and a 50k cycle neither recurse nor hang', async () => {
    const n = 50000;
    const ev: unknown[] = [{ ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: 's' } }];
    for (let i = 0; i < n; i++) {
      const p = i === 0 ? n - 1 : i - 1;
      ev.push({ ph: 'b', name: 's', cat: 'x', id: `0x${i}`, pid: 1, tid: 1, ts: i, args: { spanId: `s${i}`, traceId: 't', parentSpanId: `s${p}`, spanbeam: [i, 0] } });
      ev.push({ ph: 'e', name: 's', cat: 'x', id: `0x${i}`, pid: 1, tid: 1, ts: i + 1 });
    }
    const doc = { metadata: { exported_by: 'spanbeam', clock: 'epoch', epoch_origin_ms: 1.7e12, spanbeam_spans: n }, traceEvents: ev };
    const t0 = performance.now();
    const cyc = importChromeJson(JSON.stringify(doc));
    expect(cyc.diagnostics.some((x) => /loops/.test(x.message))).toBe(true);
    // Without the cycle (the first span a root): a 50k-deep chain rebuilds.
    delete (ev[1] as { args: Record<string, unknown> }).args.parentSpanId;
    const chain = importChromeJson(JSON.stringify(doc));
    expect(chain.tracks[0].kind).toBe(TrackKind.TRACE);
    expect(performance.now() - t0).toBeLessThan(20000);
  }, 30000);
});

describe('round trip, differential on generated span sets (seeded)', () => {
  /** mulberry32: a small seeded PRNG so a failure names its seed. */
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const T0 = 1_763_700_000_000n * 1_000_000n;
  /** An OTLP JSON request: random trees over several services with skewed clocks, links, events, errors, open spans, orphans, cycles, duplicates, shadowing attributes. */
  function gen(seed: number): string {
    const r = rng(seed);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
    const services = ['web', 'api', 'worker', 'db'].slice(0, 1 + Math.floor(r() * 4));
    const clock = services.map(() => (r() < 0.5 ? 0 : Math.round((r() - 0.5) * 4e9))); // ns off
    const traces = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, t) => `${t + 1}`.padStart(32, 'a'));
    const n = 1 + Math.floor(r() * 40);
    type G = { trace: string; id: string; parent?: string; svc: number; start: bigint; end?: bigint; kind: number; i: number };
    const spans: G[] = [];
    for (let i = 0; i < n; i++) {
      const trace = pick(traces);
      const same = spans.filter((s) => s.trace === trace);
      const p = same.length > 0 && r() < 0.8 ? pick(same) : undefined;
      const svc = p && r() < 0.6 ? p.svc : Math.floor(r() * services.length);
      const pStart = p ? p.start - BigInt(clock[p.svc]) : BigInt(Math.floor(r() * 1e9));
      const startTrue = pStart + BigInt(Math.floor(r() * 5e7));
      const dur = BigInt(Math.floor(r() < 0.1 ? -r() * 1e6 : r() * 3e8)) + (r() < 0.2 ? BigInt(Math.floor(r() * 999)) : 0n);
      const start = startTrue + BigInt(clock[svc]);
      spans.push({ trace, id: (r() < 0.03 && spans.length ? pick(spans).id : `${i + 1}`.padStart(16, '0')), svc, start, i,
        ...(r() < 0.08 ? {} : { end: start + dur }),
        kind: pick([0, 1, 2, 3, 4, 5]),
        ...(p ? { parent: p.id } : r() < 0.1 ? { parent: 'ffffffffffffffff' } : {}) });
    }
    // A cycle now and then (a root made the child of its descendant).
    if (r() < 0.2 && n > 2) {
      const a = spans[0];
      const d = spans.filter((s) => s.parent === a.id && s.trace === a.trace);
      if (d.length) a.parent = d[0].id;
    }
    const otlpSpan = (s: G) => ({
      traceId: s.trace, spanId: s.id, ...(s.parent ? { parentSpanId: s.parent } : {}), // An open span under one of its name is a known limit (test above): open spans named apart.
      name: s.end === undefined ? `open ${s.i}` : pick(['GET /x', 'db', 'render', 'send', 'recv']),
      kind: s.kind, startTimeUnixNano: String(T0 + s.start), ...(s.end !== undefined ? { endTimeUnixNano: String(T0 + s.end) } : {}),
      ...(r() < 0.2 ? { status: { code: 2, message: 'boom' } } : r() < 0.2 ? { status: { code: 1 } } : {}),
      attributes: [
        { key: 'n', value: { intValue: String(s.i) } },
        ...(r() < 0.1 ? [{ key: 'spanId', value: { stringValue: 'shadow' } }] : []),
        ...(r() < 0.1 ? [{ key: 'spanbeam', value: { stringValue: 'mine' } }] : []),
        ...(r() < 0.05 ? [{ key: 'clockSkewNs', value: { stringValue: 'x' } }] : []),
      ],
      events: r() < 0.3 ? [{ timeUnixNano: String(T0 + s.start + 1234n), name: 'ev', attributes: [{ key: 'e', value: { boolValue: true } }] }] : [],
      links: r() < 0.15 ? [{ traceId: spans[Math.floor(r() * spans.length)].trace, spanId: spans[Math.floor(r() * spans.length)].id }] : [],
    });
    return JSON.stringify({
      resourceSpans: services.map((name, k) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] },
        scopeSpans: [{ scope: { name: 'fuzz' }, spans: spans.filter((s) => s.svc === k).map(otlpSpan) }],
      })),
    });
  }

  it('300 random span sets: export → import gives the same model, and saving again the same file', async () => {
    const t0 = performance.now();
    for (let seed = 1; seed <= 300; seed++) {
      const m = importSpanJson(gen(seed));
      const text = await exported(m);
      const back = importChromeJson(text);
      expect(back.diagnostics.filter((d) => /could not be rebuilt/.test(d.message)), `seed ${seed}`).toEqual([]);
      expect(dump(back), `seed ${seed}`).toEqual(dump(m));
      expect((await exported(back)).replace('"source_format":"chrome-json"', '"source_format":"otlp-json"'), `seed ${seed}`).toBe(text);
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
