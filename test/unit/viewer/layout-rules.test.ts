// Layout and Chrome Trace Event semantics at their boundaries: ties, back-to-back slices, ordering
// of groups and tracks, flow binding, the trace's extent and time shift, and async id matching.
import { describe, expect, it } from 'vitest';
import { ChromeJsonImporter, importChromeJson } from '../../../src/viewer/import/chrome-json';
import { GroupKind, SliceFlag, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { argsOf, flowsIn, flowsOut, nameOf } from '../../../src/viewer/model/query';

type Ev = Record<string, unknown>;
const ev = (e: Ev): Ev => ({ pid: 1, tid: 1, ...e });
const load = (events: Ev[]): TraceModel => importChromeJson(JSON.stringify(events.map(ev)));
const find = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};
const diag = (m: TraceModel, kind: string): number => m.diagnostics.find((d) => d.kind === kind)?.count ?? 0;
const targets = (m: TraceModel, from: string): string[] => flowsOut(m, find(m, from)).map((f) => nameOf(m, m.flows.toSlice[f]));

describe('thread nesting at the boundaries', () => {
  it('back-to-back slices are siblings, not parent and child', () => {
    const m = load([{ ph: 'X', ts: 0, dur: 10, name: 'a' }, { ph: 'X', ts: 10, dur: 10, name: 'b' }]);
    expect([m.slices.depth[find(m, 'a')], m.slices.depth[find(m, 'b')]]).toEqual([0, 0]);
    expect(m.slices.durNs[find(m, 'b')]).toBe(10_000);
    expect(diag(m, 'overlapping-slice')).toBe(0);
  });

  it('same start, shorter one first in the file: the longer one is still the parent', () => {
    const m = load([{ ph: 'X', ts: 0, dur: 10, name: 'short' }, { ph: 'X', ts: 0, dur: 20, name: 'long' }]);
    expect(m.slices.depth[find(m, 'long')]).toBe(0);
    expect(m.slices.parent[find(m, 'short')]).toBe(find(m, 'long'));
    expect([m.slices.durNs[find(m, 'short')], m.slices.durNs[find(m, 'long')]]).toEqual([10_000, 20_000]);
  });

  it('marks a negative duration as repaired', () => {
    const m = load([{ ph: 'X', ts: 0, dur: -5, name: 'neg' }]);
    expect(m.slices.flags[find(m, 'neg')] & SliceFlag.TRUNCATED).toBeTruthy();
    expect(argsOf(m, find(m, 'neg')).originalDurNs).toBe(-5_000);
  });

  it('`{}` args carry no details', () => {
    const m = load([{ ph: 'X', ts: 0, dur: 1, name: 'x', args: {} }]);
    expect(argsOf(m, find(m, 'x'))).toEqual({});
  });
});

describe('order of groups and tracks', () => {
  const m = load([
    { ph: 'M', pid: 10, name: 'process_name', args: { name: 'ten' } },
    { ph: 'M', pid: 2, name: 'process_name', args: { name: 'two' } },
    { ph: 'M', pid: 3, name: 'process_name', args: { name: 'metadata only' } },
    { ph: 'M', pid: 2, name: 'process_labels', args: { labels: 'a,a, b' } },
    { ph: 'R', pid: 2, ts: 1, name: 'global', s: 'g' },
    { ph: 'X', pid: 10, ts: 0, dur: 1, name: 'x10' },
    { ph: 'X', pid: 2, tid: 10, ts: 0, dur: 1, name: 'thread 10' },
    { ph: 'X', pid: 2, tid: 2, ts: 0, dur: 1, name: 'thread 2' },
    { ph: 'b', pid: 2, ts: 0, name: 'async', cat: 'c', id: 1 },
    { ph: 'e', pid: 2, ts: 5, name: 'async', cat: 'c', id: 1 },
    { ph: 'C', pid: 2, ts: 0, name: 'counter', args: { v: 1 } },
    { ph: 'I', pid: 2, ts: 2, name: 'process instant', s: 'p' },
  ]);

  it('lists processes by numeric pid, the global group after them, and no group without tracks', () => {
    expect(m.groups.map((g) => g.name)).toEqual(['two', 'ten', 'Global']);
    expect(m.groups[2].kind).toBe(GroupKind.GLOBAL);
    expect(m.groups[0].labels).toEqual(['a', 'b']);
  });

  it('lists a process’s instants, counters, async tracks, then threads by numeric tid', () => {
    const tracks = m.groups[0].tracks.map((t) => m.tracks[t]);
    expect(tracks.map((t) => t.kind)).toEqual([TrackKind.INSTANTS, TrackKind.COUNTER, TrackKind.ASYNC, TrackKind.THREAD, TrackKind.THREAD]);
    expect(tracks.slice(3).map((t) => t.key)).toEqual(['2', '10']);
  });
});

describe('flows', () => {
  it('flow v2: flows are indexed by source slice whatever the order they were read in', () => {
    const m = load([
      { ph: 'X', ts: 100, dur: 10, name: 'a', bind_id: 1, flow_out: true },
      { ph: 'X', ts: 0, dur: 10, name: 'b', bind_id: 2, flow_out: true },
      { ph: 'X', ts: 200, dur: 10, name: 'c', bind_id: 1, flow_in: true },
      { ph: 'X', ts: 50, dur: 10, name: 'd', bind_id: 2, flow_in: true },
    ]);
    expect(targets(m, 'a')).toEqual(['c']);
    expect(targets(m, 'b')).toEqual(['d']);
    expect(flowsIn(m, find(m, 'c')).map((f) => nameOf(m, m.flows.fromSlice[f]))).toEqual(['a']);
  });

  it('flow v2: a chain goes in time order through a slice that is both flow_in and flow_out', () => {
    const m = load([
      { ph: 'X', ts: 200, dur: 10, name: 'last', bind_id: 9, flow_in: true },
      { ph: 'X', ts: 0, dur: 10, name: 'first', bind_id: 9, flow_out: true },
      { ph: 'X', ts: 100, dur: 10, name: 'middle', bind_id: 9, flow_in: true, flow_out: true },
    ]);
    expect(targets(m, 'first')).toEqual(['middle']);
    expect(targets(m, 'middle')).toEqual(['last']);
  });

  it('flow v1: s binds the deepest enclosing slice, t continues the chain, f binds the next slice starting at its ts and ends the chain', () => {
    const m = load([
      { ph: 'X', ts: 0, dur: 100, name: 'outer' },
      { ph: 'X', ts: 10, dur: 50, name: 'inner' },
      { ph: 's', ts: 20, id: 1, cat: 'f', name: 'flow' },
      { ph: 'X', tid: 2, ts: 140, dur: 20, name: 'step' },
      { ph: 't', tid: 2, ts: 150, id: 1, cat: 'f', name: 'flow' },
      { ph: 'X', tid: 2, ts: 300, dur: 5, name: 'end' },
      { ph: 'X', tid: 2, ts: 310, dur: 5, name: 'later' },
      { ph: 'f', tid: 2, ts: 300, id: 1, cat: 'f', name: 'flow' },
      { ph: 'X', tid: 2, ts: 395, dur: 10, name: 'after' },
      { ph: 't', tid: 2, ts: 400, id: 1, cat: 'f', name: 'flow' },
    ]);
    expect(targets(m, 'inner')).toEqual(['step']);
    expect(targets(m, 'step')).toEqual(['end']);
    expect(targets(m, 'end')).toEqual([]);
    expect(m.slices.flags[find(m, 'step')] & SliceFlag.HAS_FLOWS).toBeTruthy();
    expect(m.slices.flags[find(m, 'end')] & SliceFlag.HAS_FLOWS).toBeTruthy();
    expect(diag(m, 'unbound-flow')).toBe(1); // the t after the chain ended
  });

  it('flow v1: f with bp "e" binds the enclosing slice, not the next one', () => {
    const m = load([
      { ph: 'X', ts: 0, dur: 10, name: 'src' },
      { ph: 's', ts: 5, id: 2, cat: 'f', name: 'flow' },
      { ph: 'X', tid: 3, ts: 0, dur: 100, name: 'enclosing' },
      { ph: 'X', tid: 3, ts: 60, dur: 10, name: 'next' },
      { ph: 'f', tid: 3, ts: 50, id: 2, cat: 'f', name: 'flow', bp: 'e' },
    ]);
    expect(targets(m, 'src')).toEqual(['enclosing']);
  });
});

describe('trace extent and time shift', () => {
  it('ends at the latest slice end, E event, or noted event', () => {
    expect(load([{ ph: 'X', ts: 0, dur: 10, name: 'a' }, { ph: 'X', tid: 2, ts: 5, dur: 100, name: 'b' }]).endNs).toBe(105_000);
    expect(load([{ ph: 'B', ts: 0, name: 'a' }, { ph: 'X', tid: 2, ts: 5, dur: 10, name: 'b' }, { ph: 'E', ts: 500 }]).endNs).toBe(500_000);
    expect(load([{ ph: 'X', ts: 0, dur: 10, name: 'a' }, { ph: 'N', ts: 900, name: 'obj', id: 1 }]).endNs).toBe(900_000);
  });

  it('shifts slices, instants, counters and flows so the earliest event is at 0, wherever it is in the file', () => {
    const m = load([
      { ph: 'X', ts: 100, dur: 10, name: 'first in file', bind_id: 5, flow_out: true },
      { ph: 'i', ts: 50, name: 'mark', s: 't' },
      { ph: 'C', ts: 40, name: 'cnt', args: { v: 1 } },
      { ph: 'C', ts: 30, name: 'cnt', args: { v: 2 } },
      { ph: 'X', tid: 2, ts: 150, dur: 5, name: 'target', bind_id: 5, flow_in: true },
    ]);
    expect(m.originMs).toBeCloseTo(0.03, 9);
    expect(m.slices.startNs[find(m, 'first in file')]).toBe(70_000);
    expect(m.endNs).toBe(125_000);
    expect(Array.from(m.instants.timeNs)).toEqual([20_000]);
    expect(Array.from(m.counters[0].timesNs)).toEqual([0, 10_000]);
    expect(Array.from(m.counters[0].values)).toEqual([2, 1]);
    expect([m.flows.fromNs[0], m.flows.toNs[0]]).toEqual([70_000, 120_000]);
    const instantFirst = load([{ ph: 'X', ts: 100, dur: 10, name: 'x' }, { ph: 'i', ts: 50, name: 'mark', s: 't' }]);
    expect([instantFirst.instants.timeNs[0], instantFirst.slices.startNs[0]]).toEqual([0, 50_000]);
  });
});

describe('async slices', () => {
  it('nestable: an end closes the innermost open slice of its name; the scope is part of the id', () => {
    const m = load([
      { ph: 'b', ts: 0, name: 'A', cat: 'c', id: 1 },
      { ph: 'b', ts: 10, name: 'B', cat: 'c', id: 1 },
      { ph: 'e', ts: 30, name: 'A', cat: 'c', id: 1 },
      { ph: 'e', ts: 40, name: 'B', cat: 'c', id: 1 },
      { ph: 'b', ts: 0, name: 'S', cat: 'c', id: 2, scope: 'x' },
      { ph: 'b', ts: 10, name: 'S', cat: 'c', id: 2, scope: 'y' },
      { ph: 'e', ts: 20, name: 'S', cat: 'c', id: 2, scope: 'x' },
      { ph: 'e', ts: 50, name: 'S', cat: 'c', id: 2, scope: 'y' },
    ]);
    expect([m.slices.durNs[find(m, 'A')], m.slices.durNs[find(m, 'B')]]).toEqual([30_000, 30_000]);
    const s = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => i < m.slices.count && nameOf(m, i) === 'S').map((i) => [m.slices.startNs[i], m.slices.durNs[i]]);
    expect(s.sort((p, q) => p[0] - q[0])).toEqual([[0, 20_000], [10_000, 40_000]]);
    expect(diag(m, 'unmatched-async-end') + diag(m, 'unclosed-async')).toBe(0);
  });

  it('nestable: id2 global ids match across processes, local ones only within one', () => {
    const m = load([
      { ph: 'b', pid: 1, ts: 0, name: 'G', cat: 'c', id2: { global: 'a' } },
      { ph: 'b', pid: 1, ts: 5, name: 'G', cat: 'c', id2: { global: 'b' } },
      { ph: 'e', pid: 2, ts: 20, name: 'G', cat: 'c', id2: { global: 'a' } },
      { ph: 'e', pid: 2, ts: 30, name: 'G', cat: 'c', id2: { global: 'b' } },
      { ph: 'b', pid: 1, ts: 0, name: 'L', cat: 'c', id2: { local: 'x' } },
      { ph: 'e', pid: 2, ts: 10, name: 'L', cat: 'c', id2: { local: 'x' } },
    ]);
    const g = [];
    for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === 'G') g.push([m.slices.startNs[i], m.slices.durNs[i]]);
    expect(g.sort((p, q) => p[0] - q[0])).toEqual([[0, 20_000], [5_000, 25_000]]);
    expect(m.slices.flags[find(m, 'L')] & SliceFlag.UNFINISHED).toBeTruthy();
    expect(diag(m, 'unmatched-async-end')).toBe(1);
    expect(diag(m, 'unclosed-async')).toBe(1);
  });

  it('legacy S/F: matched by name as well as id, and closed for good', () => {
    const m = load([
      { ph: 'S', ts: 0, name: 'A', cat: 'c', id: 1 },
      { ph: 'S', ts: 10, name: 'B', cat: 'c', id: 1 },
      { ph: 'F', ts: 30, name: 'A', cat: 'c', id: 1 },
      { ph: 'F', ts: 50, name: 'B', cat: 'c', id: 1 },
    ]);
    expect([m.slices.durNs[find(m, 'A')], m.slices.durNs[find(m, 'B')]]).toEqual([30_000, 40_000]);
    expect(diag(m, 'unclosed-async') + diag(m, 'unmatched-async-end')).toBe(0);
  });

  it('back-to-back async slices share a row', () => {
    const m = load([
      { ph: 'b', ts: 0, name: 'req', cat: 'c', id: 1 },
      { ph: 'e', ts: 10, name: 'req', cat: 'c', id: 1 },
      { ph: 'b', ts: 10, name: 'req', cat: 'c', id: 2 },
      { ph: 'e', ts: 20, name: 'req', cat: 'c', id: 2 },
    ]);
    expect(Array.from(m.slices.depth)).toEqual([0, 0]);
    expect(m.tracks[m.slices.track[0]].rowCount).toBe(1);
  });

  it('E args override B args of the same name', () => {
    const m = load([{ ph: 'B', ts: 0, name: 'x', args: { a: 1, k: 'begin' } }, { ph: 'E', ts: 5, args: { k: 'end' } }]);
    expect(argsOf(m, find(m, 'x')).args).toEqual({ a: 1, k: 'end' });
  });
});

describe('ids, profiles and progress', () => {
  it('keeps 64-bit thread ids apart (beyond 2^53 a number would merge them)', () => {
    const text = '[{"ph":"X","pid":1,"tid":1152921504606846976,"ts":0,"dur":1,"name":"a"},{"ph":"X","pid":1,"tid":1152921504606846977,"ts":0,"dur":1,"name":"b"}]';
    const m = importChromeJson(text);
    expect(m.slices.track[find(m, 'a')]).not.toBe(m.slices.track[find(m, 'b')]);
  });

  const v8Profile = (last: Record<string, unknown>[] = []) =>
    load([
      { ph: 'X', ts: 1000, dur: 1, name: 'anchor' },
      { ph: 'P', ts: 1500, name: 'Profile', id: '0x1', args: { data: { startTime: 1000 } } },
      {
        ph: 'P',
        ts: 1600,
        name: 'ProfileChunk',
        id: '0x1',
        args: {
          data: {
            cpuProfile: {
              nodes: [
                { id: 1, callFrame: { functionName: '(root)' } },
                { id: 2, parent: 1, callFrame: { functionName: 'main' } },
                { id: 3, parent: 1, callFrame: { functionName: '(idle)' } },
              ],
              samples: [2, 2, 3, 2],
            },
            timeDeltas: [10, 10, 10, 10],
          },
        },
      },
      ...last,
    ]);
  const mainSlices = (m: ReturnType<typeof load>) => {
    const main = [];
    for (let i = 0; i < m.slices.count; i++) {
      expect(nameOf(m, i)).not.toBe('(idle)');
      if (nameOf(m, i) === 'main') main.push([m.slices.startNs[i], m.slices.durNs[i]]);
    }
    return main.sort((p, q) => p[0] - q[0]);
  };

  it('V8 CPU profile: samples at startTime plus cumulative timeDeltas; idle time is not a frame', () => {
    // Each stack lasts until the next sample; the last one has no known end, so no width.
    expect(mainSlices(v8Profile())).toEqual([[10_000, 20_000], [40_000, 0]]);
  });

  it("V8 CPU profile: the last chunk's endTime ends the last sample, as in a .cpuprofile", () => {
    const end = { ph: 'P', ts: 1700, name: 'ProfileChunk', id: '0x1', args: { data: { cpuProfile: { nodes: [], samples: [] }, timeDeltas: [], endTime: 1045 } } };
    expect(mainSlices(v8Profile([end]))).toEqual([[10_000, 20_000], [40_000, 5_000]]);
  });

  it('reports progress every 65536 events', () => {
    const seen: number[] = [];
    const imp = new ChromeJsonImporter({ onEvents: (n) => seen.push(n) });
    imp.push(new TextEncoder().encode(`[${Array.from({ length: 70_000 }, (_, i) => `{"ph":"i","ts":${i}}`).join(',')}]`));
    imp.finish();
    expect(seen).toEqual([65_536]);
  });

  it('a preview keeps async parentage, and leaves the final model’s diagnostics alone', () => {
    const imp = new ChromeJsonImporter();
    imp.push(
      new TextEncoder().encode(
        JSON.stringify(
          [
            { ph: 'b', ts: 0, name: 'req', cat: 'c', id: 1 },
            { ph: 'e', ts: 10, name: 'req', cat: 'c', id: 1 },
            { ph: 'b', ts: 5, name: 'req', cat: 'c', id: 2 },
            { ph: 'b', ts: 20, name: 'sub', cat: 'c', id: 2 },
            { ph: 'X', ts: 30, dur: -1, name: 'neg' },
          ].map(ev),
        ),
      ),
    );
    const preview = imp.preview().finish();
    expect(preview.slices.depth[find(preview, 'sub')]).toBe(2); // below its parent (row 1), though row 0 is free
    const m = imp.finish();
    expect(m.slices.depth[find(m, 'sub')]).toBe(2);
    expect(diag(m, 'negative-duration')).toBe(1);
  });
});

describe('packed tracks with explicit parents (span formats)', () => {
  it('a chain of children each starting before its parent is drawn root first, each at parent depth + 1; a parent loop still places everything', async () => {
    const { TraceBuilder } = await import('../../../src/viewer/model/builder');
    const b = new TraceBuilder('otlp-json');
    const track = b.track(b.group(GroupKind.SERVICE, 's', 's'), TrackKind.TRACE, 't');
    const root = b.addSlice(track, 30, 10, b.intern('root'), 0);
    const child = b.addSlice(track, 20, 40, b.intern('child'), 0);
    const grandchild = b.addSlice(track, 10, 60, b.intern('grandchild'), 0);
    const later = b.addSlice(track, 35, 1, b.intern('later sibling'), 0);
    b.setParent(child, root);
    b.setParent(grandchild, child);
    b.setParent(later, root);
    // Two slices naming each other (no importer should build this; the layout must not lose them).
    const x = b.addSlice(track, 100, 5, b.intern('x'), 0);
    const y = b.addSlice(track, 101, 2, b.intern('y'), 0);
    b.setParent(x, y);
    b.setParent(y, x);
    const m = b.finish();
    const depth = (name: string): number => m.slices.depth[find(m, name)];
    expect([depth('root'), depth('child'), depth('grandchild')]).toEqual([0, 1, 2]);
    // Under its parent, not on the child's row (taken).
    expect(depth('later sibling')).toBeGreaterThan(depth('root'));
    expect(depth('later sibling')).not.toBe(depth('child'));
    expect(m.slices.parent[find(m, 'grandchild')]).toBe(find(m, 'child'));
    expect(m.slices.count).toBe(6);
    expect(Math.abs(depth('x') - depth('y'))).toBe(1);
  });

  it('Chrome JSON threads still nest by time: a slice ending after its parent is cut', () => {
    const m = load([{ ph: 'X', ts: 0, dur: 10, name: 'p' }, { ph: 'X', ts: 5, dur: 10, name: 'c' }]);
    expect([m.slices.depth[find(m, 'p')], m.slices.depth[find(m, 'c')]]).toEqual([0, 1]);
    expect(m.slices.durNs[find(m, 'c')]).toBe(5_000);
    expect(diag(m, 'overlapping-slice')).toBe(1);
  });
});
