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
