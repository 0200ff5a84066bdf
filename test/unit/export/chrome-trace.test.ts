import { describe, expect, it } from 'vitest';
import { toChromeTrace, type ChromeTraceEvent } from '../../../src/export/chrome-trace';
import { fakeSpan } from './spans';

const T0 = 1_700_000_000_000;

describe('toChromeTrace', () => {
  const web = { attributes: { 'service.name': 'web' } };
  const api = { attributes: { 'service.name': 'api' } };
  const root = fakeSpan({ name: 'click', resource: web, startMs: T0, endMs: T0 + 100, attributes: { 'http.method': 'GET', n: 2 } });
  const id = (s: typeof root) => s.spanContext().spanId;
  // Two overlapping children: they cannot share one track and stay nested.
  const a = fakeSpan({ name: 'fetch a', resource: web, parentSpanId: id(root), startMs: T0 + 10, endMs: T0 + 60, status: { code: 2, message: 'boom' } });
  const b = fakeSpan({ name: 'fetch b', resource: web, parentSpanId: id(root), startMs: T0 + 20, endMs: T0 + 80 });
  const server = fakeSpan({ name: 'GET /api', resource: api, kind: 1, parentSpanId: id(a), parentIsRemote: true, startMs: T0 + 12, endMs: T0 + 50.5 });
  const evt = fakeSpan({
    name: 'with-event',
    resource: web,
    startMs: T0 + 200,
    endMs: T0 + 210,
    events: [{ name: 'mark', timeMs: T0 + 205, attributes: { k: 1 }, droppedAttributesCount: 0 }],
  });
  const trace = toChromeTrace([b, server, evt, a, root]);
  const ev = trace.traceEvents;
  const x = (name: string) => ev.find((e) => e.ph === 'X' && e.name === name) as ChromeTraceEvent;

  it('writes X events in µs with attributes in args', () => {
    expect(trace.displayTimeUnit).toBe('ms');
    expect(x('click')).toMatchObject({ ts: T0 * 1000, dur: 100_000, cat: 'test' });
    expect(x('click').args).toMatchObject({ 'http.method': 'GET', n: 2, 'span.id': id(root), 'trace.id': root.spanContext().traceId, 'span.kind': 'internal' });
    expect(x('GET /api').dur).toBeCloseTo(38_500, 3);
    expect(x('fetch a').args).toMatchObject({ status: 'ERROR: boom', 'parent.id': id(root) });
  });

  it('gives each service a pid with a process_name, and names tracks', () => {
    const procs = ev.filter((e) => e.name === 'process_name');
    expect(procs.map((p) => p.args?.name).sort()).toEqual(['api', 'web']);
    expect(x('click').pid).toBe(x('fetch a').pid);
    expect(x('GET /api').pid).not.toBe(x('click').pid);
    const threads = ev.filter((e) => e.name === 'thread_name');
    for (const e of ev.filter((e) => e.ph === 'X')) expect(threads.some((t) => t.pid === e.pid && t.tid === e.tid)).toBe(true);
  });

  it('packs spans so every track nests properly', () => {
    const byTrack = new Map<string, ChromeTraceEvent[]>();
    for (const e of ev.filter((e) => e.ph === 'X')) {
      const k = `${e.pid}/${e.tid}`;
      byTrack.set(k, [...(byTrack.get(k) ?? []), e]);
    }
    for (const list of byTrack.values())
      for (const p of list)
        for (const q of list) {
          if (p === q) continue;
          const [s1, e1, s2, e2] = [p.ts!, p.ts! + p.dur!, q.ts!, q.ts! + q.dur!];
          const disjoint = e1 <= s2 || e2 <= s1;
          const nested = (s1 <= s2 && e2 <= e1) || (s2 <= s1 && e1 <= e2);
          expect(disjoint || nested, `${p.name} vs ${q.name}`).toBe(true);
        }
    expect(x('fetch a').tid).toBe(x('click').tid); // first child nests under its parent
    expect(x('fetch b').tid).not.toBe(x('fetch a').tid);
  });

  it('draws flows to children on another track or process, and span events as instants', () => {
    const starts = ev.filter((e) => e.ph === 's');
    const ends = ev.filter((e) => e.ph === 'f');
    expect(starts).toHaveLength(2); // fetch b (other track) and the api server span (other process)
    for (const f of ends) {
      const s = starts.find((e) => e.id === f.id)!;
      expect(f.bp).toBe('e');
      expect(s).toBeDefined();
    }
    const toServer = ends.find((f) => f.pid === x('GET /api').pid)!;
    expect(toServer.ts).toBe(x('GET /api').ts);
    const from = starts.find((s) => s.id === toServer.id)!;
    expect([from.pid, from.tid]).toEqual([x('fetch a').pid, x('fetch a').tid]);
    expect(from.ts! >= x('fetch a').ts! && from.ts! <= x('fetch a').ts! + x('fetch a').dur!).toBe(true);
    expect(ev.find((e) => e.ph === 'i')).toMatchObject({ name: 'mark', s: 't', ts: (T0 + 205) * 1000, tid: x('with-event').tid, args: { k: 1 } });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  });
});

describe('toChromeTrace nesting shows parentage', () => {
  it('a child never nests under an open sibling (it would show as the sibling’s child)', () => {
    const web = { attributes: { 'service.name': 'web' } };
    const root = fakeSpan({ name: 'root', resource: web, startMs: T0, endMs: T0 + 100 });
    const rootId = root.spanContext().spanId;
    const a = fakeSpan({ name: 'a', resource: web, parentSpanId: rootId, startMs: T0 + 10, endMs: T0 + 60 });
    const b = fakeSpan({ name: 'b', resource: web, parentSpanId: rootId, startMs: T0 + 20, endMs: T0 + 40 });
    const other = fakeSpan({ name: 'other root', resource: web, startMs: T0 + 30, endMs: T0 + 35 });
    const ev = toChromeTrace([root, a, b, other]).traceEvents;
    const x = (name: string) => ev.find((e) => e.ph === 'X' && e.name === name) as ChromeTraceEvent;
    expect(x('a').tid).toBe(x('root').tid);
    expect(x('b').tid).not.toBe(x('a').tid);
    expect(x('other root').tid).not.toBe(x('b').tid);
    expect(x('other root').tid).not.toBe(x('a').tid);
    const f = ev.find((e) => e.ph === 'f' && e.tid === x('b').tid)!;
    expect(ev.find((e) => e.ph === 's' && e.id === f.id)).toMatchObject({ pid: x('root').pid, tid: x('root').tid });
  });
});

describe('toChromeTrace track packing at the boundaries', () => {
  const web = { attributes: { 'service.name': 'web' } };
  const at = (spans: ReturnType<typeof fakeSpan>[]) => {
    const ev = toChromeTrace(spans).traceEvents;
    return { ev, x: (name: string) => ev.find((e) => e.ph === 'X' && e.name === name) as ChromeTraceEvent };
  };
  const span = (name: string, start: number, end: number, parent?: ReturnType<typeof fakeSpan>, resource = web) =>
    fakeSpan({ name, resource, startMs: T0 + start, endMs: T0 + end, parentSpanId: parent?.spanContext().spanId });

  it('a child starting with its parent, or ending with it, nests on the parent’s track', () => {
    const root = span('root', 0, 100);
    const { ev, x } = at([span('same start', 0, 50, root), span('same end', 60, 100, root), root]);
    expect(x('same start').tid).toBe(x('root').tid);
    expect(x('same end').tid).toBe(x('root').tid);
    expect(ev.filter((e) => e.ph === 's')).toEqual([]);
  });

  it('back-to-back siblings share their parent’s track', () => {
    const root = span('root', 0, 100);
    const { x } = at([root, span('a', 10, 50, root), span('b', 50, 90, root)]);
    expect([x('a').tid, x('b').tid]).toEqual([x('root').tid, x('root').tid]);
  });

  it('a child goes to its parent’s track even when an earlier track is free', () => {
    const a = span('root a', 0, 100);
    const b = span('root b', 10, 200);
    const { x } = at([a, b, span('child of b', 150, 160, b)]);
    expect(x('root b').tid).not.toBe(x('root a').tid);
    expect(x('child of b').tid).toBe(x('root b').tid);
  });
});

describe('toChromeTrace args and flows', () => {
  it('names every span kind and status', () => {
    const kinds = ([0, 1, 2, 3, 4] as const).map((kind) => toChromeTrace([fakeSpan({ kind })]).traceEvents.find((e) => e.ph === 'X')!.args!['span.kind']);
    expect(kinds).toEqual(['internal', 'server', 'client', 'producer', 'consumer']);
    const status = (code: 0 | 1 | 2) => toChromeTrace([fakeSpan({ status: { code } })]).traceEvents.find((e) => e.ph === 'X')!.args!.status;
    expect([status(0), status(1), status(2)]).toEqual([undefined, 'OK', 'ERROR']);
  });

  it('starts a flow inside its parent’s slice even when the child starts after the parent ended', () => {
    const parent = fakeSpan({ name: 'p', startMs: T0, endMs: T0 + 10 });
    const child = fakeSpan({ name: 'c', resource: { attributes: { 'service.name': 'api' } }, parentSpanId: parent.spanContext().spanId, startMs: T0 + 50, endMs: T0 + 60 });
    const ev = toChromeTrace([parent, child]).traceEvents;
    const p = ev.find((e) => e.ph === 'X' && e.name === 'p')!;
    const s = ev.find((e) => e.ph === 's')!;
    expect(s.ts! >= p.ts! && s.ts! <= p.ts! + p.dur!).toBe(true);
  });

  it('draws a span that has not ended yet (e.g. a running one passed in) with zero duration', () => {
    const x = toChromeTrace([fakeSpan({ startMs: T0, endMs: NaN })]).traceEvents.find((e) => e.ph === 'X')!;
    expect([x.ts, x.dur]).toEqual([T0 * 1000, 0]);
  });

  it('gives every flow its own id (Perfetto joins flow events by id)', () => {
    const root = fakeSpan({ name: 'root', startMs: T0, endMs: T0 + 100 });
    const kids = [10, 20, 30].map((d) => fakeSpan({ parentSpanId: root.spanContext().spanId, startMs: T0 + d, endMs: T0 + 90 - d / 10 }));
    const ev = toChromeTrace([root, ...kids]).traceEvents;
    const ids = ev.filter((e) => e.ph === 's').map((e) => e.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

/**
 * How Perfetto's JSON importer reads a trace (google/perfetto src/trace_processor: importers/json/
 * json_trace_tokenizer.cc `CoerceToTs`, sorter/trace_sorter.h `SlowOperatorLess`,
 * importers/common/slice_tracker.cc `MaybeCloseStack`, importers/common/flow_tracker.cc):
 * - `ts`/`dur` become ns each on its own: whole numbers × 1000, others `llround(v * 1000)`;
 * - events run by ts, then `X` longest first, then everything else, then file order;
 * - an `X` or thread instant first pops slices that ended before it (or at its start), and is
 *   dropped (spilled, in newer versions) when it starts inside the top slice but ends after it;
 * - `s` and `f` (with `bp: "e"`) bind to the top of their thread's slice stack as it is then.
 */
function perfetto(trace: { traceEvents: ChromeTraceEvent[] }) {
  const ns = (v: number) => (Number.isInteger(v) ? v * 1000 : Math.round(v * 1000));
  const evs = trace.traceEvents
    .map((e, i) => ({ e, i, ts: ns(e.ts ?? 0), dur: e.ph === 'X' ? ns(e.dur!) : 0 }))
    .filter((x) => x.e.ph !== 'M')
    .sort((a, b) => a.ts - b.ts || (a.e.ph === 'X' ? -a.dur : 1) - (b.e.ph === 'X' ? -b.dur : 1) || a.i - b.i);
  const stacks = new Map<string, Array<{ e: ChromeTraceEvent; end: number; dur: number }>>();
  const starts = new Map<number, ChromeTraceEvent | undefined>();
  const flows: Array<[string | undefined, string | undefined]> = [];
  const overlaps: string[] = [];
  for (const { e, ts, dur } of evs) {
    const k = `${e.pid}/${e.tid}`;
    const st = stacks.get(k) ?? stacks.set(k, []).get(k)!;
    if (e.ph === 'X' || e.ph === 'i') {
      while (st.length && (st.at(-1)!.end < ts || (st.at(-1)!.end === ts && !(st.at(-1)!.dur === 0 && dur === 0)))) st.pop();
      const top = st.at(-1);
      if (top && ts < top.end && ts + dur > top.end) overlaps.push(`${e.name} overlaps ${top.e.name}`);
      else st.push({ e, end: ts + dur, dur });
    } else if (e.ph === 's') starts.set(e.id!, st.at(-1)?.e);
    else if (e.ph === 'f') flows.push([starts.get(e.id!)?.name, st.at(-1)?.e.name]);
  }
  return { flows, overlaps };
}

describe('toChromeTrace as Perfetto reads it', () => {
  const web = { attributes: { 'service.name': 'web' } };
  const span = (name: string, start: number, end: number, parent?: ReturnType<typeof fakeSpan>, resource = web) =>
    fakeSpan({ name, resource, startMs: T0 + start, endMs: T0 + end, parentSpanId: parent?.spanContext().spanId });

  it('binds every flow arrow to the parent and the child, not to a sibling still open on the parent’s track', () => {
    const root = span('root', 0, 100);
    const a = span('a', 10, 60, root);
    const b = span('b', 20, 80, root); // overlaps a: another track, a flow from root
    const c = span('c', 30, 40, a); // nests under a
    const d = span('d', 65, 70, a); // after a ended (another track): a is no longer on the stack
    const e = span('e', 70, 75, root); // back on root's track
    const server = span('server', 32, 38, c, { attributes: { 'service.name': 'api' } });
    const late = span('late', 120, 130, root);
    const { flows } = perfetto(toChromeTrace([root, a, b, c, d, e, server, late]));
    expect(flows.sort()).toEqual([
      ['a', 'd'],
      ['c', 'server'],
      ['root', 'b'],
    ]);
  });

  it('keeps a child ending with its parent, and back-to-back slices, from overlapping after Perfetto’s ns rounding', () => {
    // Times where rounding `ts` and `dur` separately from fractional epoch µs lands 256 ns off.
    const root = span('root', 0.137, 3.288);
    const child = span('same end', 3.151, 3.288, root);
    const api = { attributes: { 'service.name': 'api' } };
    const prev = span('prev', 3.151, 3.288, undefined, api);
    const next = span('next', 3.288, 5, undefined, api);
    const trace = toChromeTrace([root, child, prev, next]);
    const x = (name: string) => trace.traceEvents.find((e) => e.ph === 'X' && e.name === name)!;
    expect([x('same end').tid, x('next').tid]).toEqual([x('root').tid, x('prev').tid]);
    expect(perfetto(trace).overlaps).toEqual([]);
  });
});

describe('toChromeTrace values JSON cannot hold', () => {
  it('writes NaN and ±Infinity attributes as strings, not null', () => {
    const attributes = { nan: NaN, inf: Infinity, list: [1, -Infinity], ok: 2 };
    const span = fakeSpan({ attributes, events: [{ name: 'e', timeMs: T0, attributes: { v: NaN }, droppedAttributesCount: 0 }] });
    const trace = JSON.parse(JSON.stringify(toChromeTrace([span]))) as { traceEvents: ChromeTraceEvent[] };
    expect(trace.traceEvents.find((e) => e.ph === 'X')!.args).toMatchObject({ nan: 'NaN', inf: 'Infinity', list: [1, '-Infinity'], ok: 2 });
    expect(trace.traceEvents.find((e) => e.ph === 'i')!.args).toEqual({ v: 'NaN' });
  });
});
