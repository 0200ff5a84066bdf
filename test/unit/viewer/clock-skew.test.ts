// Clock-skew adjustment at import (spans.ts `clockSkew`): a span under a parent of another service
// that does not fit in it moves to the parent's middle with its service's spans below (Jaeger's rule).
import { describe, expect, it } from 'vitest';
import { SpanJsonImporter, importSpanJson } from '../../../src/viewer/import/otlp-json';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, flowsIn, nameOf } from '../../../src/viewer/model/query';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { exportChromeJson } from '../../../src/viewer/model/chrome-export';
import { FlowKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { otlpRoot, toProtoObject } from '../export/otlp-proto';

const T0 = 1_700_000_000_000; // epoch ms of the trace's first span
const MS = 1e6;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

interface S {
  id: string;
  parent?: string;
  name: string;
  /** ms from T0 as recorded (on its service's clock) */
  start: number;
  end?: number;
  kind?: number;
  trace?: string;
  events?: number[];
}
const ns = (ms: number): string => String(BigInt(T0) * 1_000_000n + BigInt(Math.round(ms * MS)));
const id = (s: string): string => s.padStart(16, '0');
/** One OTLP request, a resourceSpans entry per service. */
function otlp(services: Record<string, S[]>): object {
  return {
    resourceSpans: Object.entries(services).map(([service, spans]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          spans: spans.map((s) => ({
            traceId: s.trace ?? TRACE,
            spanId: id(s.id),
            ...(s.parent ? { parentSpanId: id(s.parent) } : {}),
            name: s.name,
            kind: s.kind ?? 1,
            startTimeUnixNano: ns(s.start),
            ...(s.end !== undefined ? { endTimeUnixNano: ns(s.end) } : {}),
            events: (s.events ?? []).map((t) => ({ timeUnixNano: ns(t), name: `at ${t}` })),
          })),
        },
      ],
    })),
  };
}
const slice = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};
/** [start, end] in ms from T0 as shown. */
const at = (m: TraceModel, name: string): [number, number] => {
  const i = slice(m, name);
  const o = (m.originMs - T0) * MS;
  return [(o + m.slices.startNs[i]) / MS, (o + m.slices.startNs[i] + m.slices.durNs[i]) / MS];
};
const skewMs = (m: TraceModel, name: string): number | undefined => {
  const v = argsOf(m, slice(m, name)).clockSkewNs;
  return v === undefined ? undefined : v / MS;
};
const skewDiag = (m: TraceModel) => m.diagnostics.find((d) => d.kind === 'clock-skew');

// A browser (the reference: its root has no parent) calls a backend whose clock
// is 5 s ahead; the backend calls inventory, whose clock is 3 s behind the browser's.
const SHOP = {
  browser: [
    { id: 'a1', name: 'click', start: 0, end: 1000 },
    { id: 'a2', parent: 'a1', name: 'fetch /cart', start: 100, end: 900, kind: 3 },
  ],
  backend: [
    { id: 'b1', parent: 'a2', name: 'POST /cart', start: 5100, end: 5700, kind: 2, events: [5150] },
    { id: 'b2', parent: 'b1', name: 'db', start: 5120, end: 5140 },
    { id: 'b3', parent: 'b1', name: 'GET inventory', start: 5200, end: 5600, kind: 3 },
    { id: 'b4', parent: 'b2', name: 'db row', start: 5125, end: 5130 },
  ],
  inventory: [
    { id: 'c1', parent: 'b3', name: 'inventory', start: -2900, end: -2700, kind: 2 },
    { id: 'c2', parent: 'c1', name: 'query', start: -2850, end: -2800 },
  ],
};

describe('clock skew adjustment', () => {
  it('moves a cross-service child to the middle of its parent, its same-service subtree with it, and checks deeper services against the moved parent', () => {
    const m = importSpanJson(otlp(SHOP));
    // fetch 100..900 (800 ms), POST 600 ms: latency 100 each side → 200..800; shift -4900 ms.
    expect(at(m, 'POST /cart')).toEqual([200, 800]);
    expect(skewMs(m, 'POST /cart')).toBe(-4900);
    for (const [name, range] of [['db', [220, 240]], ['db row', [225, 230]], ['GET inventory', [300, 700]]] as const) {
      expect(at(m, name)).toEqual(range);
      expect(skewMs(m, name)).toBe(-4900);
    }
    // inventory (200 ms) against the moved GET inventory 300..700: 400..600.
    expect(at(m, 'inventory')).toEqual([400, 600]);
    expect(skewMs(m, 'inventory')).toBe(3300);
    expect(at(m, 'query')).toEqual([450, 500]);
    // The browser's spans are where they were; the trace starts with them.
    expect(at(m, 'click')).toEqual([0, 1000]);
    expect(at(m, 'fetch /cart')).toEqual([100, 900]);
    expect(skewMs(m, 'click')).toBeUndefined();
    expect(m.originMs).toBe(T0);
    // Events move with their span; the cross-service arrow joins the moved starts.
    const ev = m.instants.timeNs[0] / MS;
    expect(ev).toBe(250);
    const post = slice(m, 'POST /cart');
    const f = flowsIn(m, post).find((x) => m.flows.kind[x] === FlowKind.REMOTE_PARENT)!;
    expect(m.flows.fromNs[f] / MS).toBe(100);
    expect(m.flows.toNs[f] / MS).toBe(200);
    expect(m.endNs / MS).toBe(1000);
    // One warning line: all 6 moved spans, the first one that moved on its own described.
    const d = skewDiag(m)!;
    expect(d.count).toBe(6);
    expect(d.message).toBe(
      'span "POST /cart" of backend moved by -4.9 s to the middle of its parent "fetch /cart" of browser, as their clocks differ (the spans of backend under it move with it; skew="off" keeps the recorded times)',
    );
  });

  it('keeps recorded times with skew off (importer option and pipeline option)', async () => {
    const text = JSON.stringify(otlp(SHOP));
    const imp = new SpanJsonImporter('otlp-json', false);
    imp.push(new TextEncoder().encode(text));
    const viaPipeline = await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(text) }, { skew: false });
    for (const m of [imp.finish(), viaPipeline]) {
      expect(at(m, 'POST /cart')).toEqual([5100, 5700]);
      expect(at(m, 'inventory')).toEqual([-2900, -2700]);
      expect(skewMs(m, 'POST /cart')).toBeUndefined();
      expect(skewDiag(m)).toBeUndefined();
    }
    expect(at(await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(text) }), 'POST /cart')).toEqual([200, 800]);
  });

  it('leaves a cross-service child longer than its parent, and its subtree, as recorded', () => {
    const m = importSpanJson(
      otlp({
        browser: [{ id: 'a1', name: 'fetch', start: 0, end: 100, kind: 3 }],
        backend: [
          { id: 'b1', parent: 'a1', name: 'handle', start: 5000, end: 5200, kind: 2 },
          { id: 'b2', parent: 'b1', name: 'work', start: 5010, end: 5020 },
        ],
      }),
    );
    expect(at(m, 'handle')).toEqual([5000, 5200]);
    expect(at(m, 'work')).toEqual([5010, 5020]);
    expect(skewDiag(m)).toBeUndefined();
  });

  it('leaves spans that fit (edges included), same-service children that stick out, messaging and unended spans alone', () => {
    const m = importSpanJson(
      otlp({
        browser: [
          { id: 'a1', name: 'click', start: 0, end: 1000 },
          { id: 'a2', parent: 'a1', name: 'late child', start: 900, end: 1500 }, // same service: never moved
          { id: 'a3', parent: 'a1', name: 'fetch', start: 100, end: 300, kind: 3 },
          { id: 'a4', parent: 'a1', name: 'send', start: 400, end: 410, kind: 4 }, // PRODUCER
          { id: 'a5', parent: 'a1', name: 'fetch running', start: 500 }, // no end
        ],
        backend: [
          { id: 'b1', parent: 'a3', name: 'fits exactly', start: 100, end: 300, kind: 2 },
          { id: 'b2', parent: 'a4', name: 'consumed later', start: 9000, end: 9010, kind: 5 },
          { id: 'b3', parent: 'a5', name: 'under unended', start: 7000, end: 7010, kind: 2 },
        ],
        worker: [{ id: 'c1', parent: 'a1', name: 'consumer', start: 8000, end: 8001, kind: 5 }],
      }),
    );
    expect(at(m, 'late child')).toEqual([900, 1500]);
    expect(at(m, 'fits exactly')).toEqual([100, 300]);
    expect(at(m, 'consumed later')).toEqual([9000, 9010]);
    expect(at(m, 'consumer')).toEqual([8000, 8001]);
    expect(at(m, 'under unended')).toEqual([7000, 7010]);
    expect(skewDiag(m)).toBeUndefined();
    for (let i = 0; i < m.slices.count; i++) expect(argsOf(m, i).clockSkewNs).toBeUndefined();
  });

  it('adjusts each root and each trace on its own; orphans are roots; a cross-service child that fits after its parent moved stays', () => {
    const OTHER = 'ffffffffffffffffffffffffffffffff';
    const m = importSpanJson(
      otlp({
        browser: [
          { id: 'a1', name: 'load', start: 0, end: 400, kind: 3 },
          { id: 'a9', name: 'second root', start: 2000, end: 2100, kind: 3 },
          { id: 'a1', name: 'other trace fetch', start: 50, end: 150, kind: 3, trace: OTHER },
        ],
        backend: [
          { id: 'b1', parent: 'a1', name: 'serve', start: -1000, end: -800, kind: 2 }, // 200 ms under 400 → 100..300
          { id: 'b2', parent: 'b1', name: 'call', start: -950, end: -850, kind: 3 },
          { id: 'b9', parent: 'a9', name: 'serve 2', start: 2090, end: 2150, kind: 2 }, // 60 under 100 → 2020..2080
          { id: 'b1', parent: 'a1', name: 'other trace serve', start: 150, end: 170, kind: 2, trace: OTHER }, // 20 under 100 → 90..110
          { id: 'b5', parent: 'zz', name: 'orphan', start: 60000, end: 60010, kind: 2 },
        ],
        // Same clock as the browser: recorded inside the moved "call" (100+50=150..250 → it starts at 150).
        db: [{ id: 'c1', parent: 'b2', name: 'query', start: 160, end: 240, kind: 2 }],
      }),
    );
    expect(at(m, 'serve')).toEqual([100, 300]);
    expect(at(m, 'call')).toEqual([150, 250]);
    expect(at(m, 'query')).toEqual([160, 240]);
    expect(skewMs(m, 'query')).toBeUndefined();
    expect(at(m, 'serve 2')).toEqual([2020, 2080]);
    expect(at(m, 'other trace serve')).toEqual([90, 110]);
    expect(at(m, 'orphan')).toEqual([60000, 60010]);
    expect(skewDiag(m)!.count).toBe(4);
    expect(skewDiag(m)!.message).toMatch(/^span "serve" of backend moved by \+1\.1 s /);
  });

  it('adjusts OTLP protobuf, Jaeger and Zipkin spans the same way', async () => {
    const doc = otlp(SHOP);
    const t = otlpRoot().lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    const pb = t.encode(t.fromObject(toProtoObject(doc) as Record<string, unknown>)).finish();
    const fromPb = await runPipeline({ kind: 'bytes', bytes: pb });
    expect(fromPb.format).toBe('otlp-proto');
    expect(at(fromPb, 'POST /cart')).toEqual([200, 800]);
    expect(at(fromPb, 'inventory')).toEqual([400, 600]);
    expect(skewDiag(fromPb)!.count).toBe(6);
    const rawPb = await runPipeline({ kind: 'bytes', bytes: pb }, { skew: false });
    expect(at(rawPb, 'POST /cart')).toEqual([5100, 5700]);

    const us = (ms: number): number => (T0 + ms) * 1000;
    const zipkin = importSpanJson([
      { traceId: TRACE, id: 'a', name: 'fetch', kind: 'CLIENT', timestamp: us(0), duration: 100_000, localEndpoint: { serviceName: 'web' } },
      { traceId: TRACE, id: 'b', parentId: 'a', name: 'serve', kind: 'SERVER', timestamp: us(-3000), duration: 50_000, localEndpoint: { serviceName: 'api' } },
    ]);
    expect(zipkin.format).toBe('zipkin-json');
    expect(at(zipkin, 'serve')).toEqual([25, 75]);
    const jaeger = importSpanJson({
      data: [
        {
          traceID: TRACE,
          processes: { p1: { serviceName: 'web' }, p2: { serviceName: 'api' } },
          spans: [
            { traceID: TRACE, spanID: 'a', operationName: 'fetch', processID: 'p1', startTime: us(0), duration: 100_000, references: [] },
            { traceID: TRACE, spanID: 'b', operationName: 'serve', processID: 'p2', startTime: us(4000), duration: 50_000, references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'a' }] },
          ],
        },
      ],
    });
    expect(jaeger.format).toBe('jaeger-json');
    expect(at(jaeger, 'serve')).toEqual([25, 75]);
  });
});

describe('clock skew and Save', () => {
  it('a skew-adjusted trace saved and reopened keeps the adjusted times and says by how much each span moved', async () => {
    const m = importSpanJson(otlp(SHOP));
    const back = importChromeJson(await exportChromeJson(m).text());
    expect(back.diagnostics.filter((d) => /could not be rebuilt/.test(d.message))).toEqual([]);
    for (const name of ['click', 'fetch /cart', 'POST /cart', 'db', 'GET inventory', 'inventory', 'query']) {
      expect(at(back, name)).toEqual(at(m, name));
      expect(skewMs(back, name)).toBe(skewMs(m, name));
    }
  });
});

describe('clock skew: whole ns, and skew="off" on a saved trace', () => {
  it('a shift of an odd number of ns is whole ns, so Save keeps it', async () => {
    const m = importSpanJson(otlp({
      browser: [{ id: 'a1', name: 'fetch', start: 0, end: 1.000001, kind: 3 }],
      backend: [{ id: 'b1', parent: 'a1', name: 'handle', start: 5000, end: 5001, kind: 2 }],
    }));
    expect(Number.isInteger(argsOf(m, slice(m, 'handle')).clockSkewNs)).toBe(true);
    expect(Number.isInteger(m.slices.startNs[slice(m, 'handle')])).toBe(true);
    const back = importChromeJson(await exportChromeJson(m).text());
    expect(at(back, 'handle')).toEqual(at(m, 'handle'));
  });

  it('a trace saved with skew off reopened with skew off keeps its recorded times', async () => {
    const off = await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(JSON.stringify(otlp(SHOP))) }, { skew: false });
    const back = await runPipeline({ kind: 'blob', blob: exportChromeJson(off) }, { skew: false });
    expect(back.tracks[0].kind).toBe(off.tracks[0].kind);
    expect(at(back, 'POST /cart')).toEqual([5100, 5700]);
    expect(skewDiag(back)).toBeUndefined();
  });
});
