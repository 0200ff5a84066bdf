// Trace Event Format rules at their edges: event counts per phase, pid/tid identity, V8 profile
// events without "ts", thread time of open X events, unclosed legacy async slices.
import { describe, expect, it } from 'vitest';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { SliceFlag, TrackKind, TraceImportError, type TraceModel } from '../../../src/viewer/model/trace-model';
import { argsOf, nameOf } from '../../../src/viewer/model/query';

type Ev = Record<string, unknown>;
const load = (events: Ev[]): TraceModel => importChromeJson(JSON.stringify(events));
const find = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};
const diag = (m: TraceModel, kind: string): number => m.diagnostics.find((d) => d.kind === kind)?.count ?? 0;

describe('Chrome JSON: events counted by phase', () => {
  it('one count per phase read, including events without "ph" and multi-letter phases; no zero entries', () => {
    const m = importChromeJson(
      '[{"ph":"X","name":"a","ts":0,"dur":1,"pid":1,"tid":1},{"ph":"\\u0058","name":"b","ts":1,"dur":1,"pid":1,"tid":1},' +
        '{"name":"no ph","ts":2,"pid":1,"tid":1},{"ph":"XX","name":"c","ts":3,"pid":1,"tid":1},{"ph":"i","name":"d","ts":4,"pid":1,"tid":1}]',
    );
    expect(m.eventCounts).toEqual({ X: 2, i: 1, '(none)': 1, XX: 1 });
  });
});

describe('Chrome JSON: pid and tid identity', () => {
  // Numbers and numeric strings name the same thread (the format allows either); other text stays
  // text; 16+ digit strings stay text (a double could not tell them apart); a pid/tid that is
  // neither a number nor a string is as if absent.
  const tids: Array<[string, unknown]> = [
    ['n5', 5], ['s5', '5'],
    ['n-5', -5], ['s-5', '-5'],
    ['n0', 0], ['s0', '0'], ['empty', ''],
    ['n15', 123456789012345], ['s15', '123456789012345'],
    ['s16a', '9007199254740993'], ['s16b', '9007199254740992'],
    ['tail', '12abc'], ['head', 'abc12'],
    ['none', undefined], ['null', null], ['bool', true], ['obj', { a: 1 }],
  ];
  const m = load(tids.map(([name, tid], i) => ({ ph: 'X', name, ts: i, dur: 1, pid: 1, ...(tid === undefined ? {} : { tid }) })));
  const track = (name: string): number => m.slices.track[find(m, name)];

  it('merges a number with its numeric string, keeps the rest apart', () => {
    expect(m.slices.count).toBe(tids.length);
    for (const [a, b] of [['n5', 's5'], ['n-5', 's-5'], ['n0', 's0'], ['n15', 's15'], ['none', 'null'], ['none', 'bool'], ['none', 'obj']]) {
      expect(track(a), `${a} ~ ${b}`).toBe(track(b));
    }
    const distinct = ['n5', 'n-5', 'n0', 'n15', 's16a', 's16b', 'tail', 'head', 'none'];
    expect(new Set(distinct.map(track)).size).toBe(distinct.length);
    // "" is no number: not thread 0 (it shares the unnamed track of events without a tid)
    expect(track('empty')).not.toBe(track('n0'));
    expect(['n5', 'n-5', 'n0', 'n15', 's16a', 'tail', 'head', 'none'].map((n) => m.tracks[track(n)].key)).toEqual(['5', '-5', '0', '123456789012345', '9007199254740993', '12abc', 'abc12', '']);
  });

  it('merges numeric and string pids into one process', () => {
    const p = load([
      { ph: 'X', name: 'a', ts: 0, dur: 1, pid: 7, tid: 1 },
      { ph: 'X', name: 'b', ts: 1, dur: 1, pid: '7', tid: 1 },
      { ph: 'X', name: 'c', ts: 2, dur: 1, pid: -1, tid: 1 },
    ]);
    expect(p.groups.map((g) => g.key)).toEqual(['-1', '7']);
    expect(p.slices.track[find(p, 'a')]).toBe(p.slices.track[find(p, 'b')]);
  });
});

describe('Chrome JSON: V8 profile events', () => {
  const chunk = { cpuProfile: { nodes: [{ id: 1, callFrame: { functionName: '(root)' } }, { id: 2, parent: 1, callFrame: { functionName: 'main' } }], samples: [2, 2] }, timeDeltas: [10, 10] };

  it('Profile/ProfileChunk without "ts" are still read (Profile carries data.startTime); another P without ts is reported', () => {
    const m = load([
      { ph: 'X', ts: 1000, dur: 1, name: 'anchor', pid: 1, tid: 1 },
      { ph: 'P', name: 'Profile', id: '0x1', pid: 1, tid: 1, args: { data: { startTime: 1000 } } },
      { ph: 'P', name: 'ProfileChunk', id: '0x1', pid: 1, tid: 1, args: { data: chunk } },
      { ph: 'P', pid: 1, tid: 1, sf: 1 },
    ]);
    const main = find(m, 'main');
    expect(m.slices.startNs[main]).toBe(10_000);
    expect(diag(m, 'invalid-event')).toBe(1);
  });
});

describe('Chrome JSON: open and unclosed slices', () => {
  it('an X without "dur" and an open B keep their thread time and flow v2 bindings (by "id" too), and are only UNFINISHED', () => {
    const m = load([
      { ph: 'B', name: 'b1', ts: 0, tts: 7, pid: 1, tid: 2, id: 'f1', flow_out: true },
      { ph: 'X', name: 'open1', ts: 10, tts: 5, tdur: 2, pid: 1, tid: 1, id: 'f1', flow_in: true },
      { ph: 'X', name: 'open2', ts: 20, pid: 1, tid: 3, id: 'f2', flow_out: true },
      { ph: 'B', name: 'b2', ts: 30, pid: 1, tid: 4, id: 'f2', flow_in: true },
    ]);
    const [b1, open1, open2, b2] = ['b1', 'open1', 'open2', 'b2'].map((n) => find(m, n));
    expect(argsOf(m, open1)).toMatchObject({ threadStartNs: 5000, threadDurNs: 2000 });
    expect(argsOf(m, b1)).toMatchObject({ threadStartNs: 7000 });
    expect([b1, open1, open2, b2].map((i) => m.slices.flags[i])).toEqual(Array(4).fill(SliceFlag.UNFINISHED | SliceFlag.HAS_FLOWS));
    const flows = Array.from({ length: m.flows.count }, (_, f) => [m.flows.fromSlice[f], m.flows.toSlice[f]]);
    expect(flows.sort((x, y) => x[0] - y[0])).toEqual([[b1, open1], [open2, b2]].sort((x, y) => x[0] - y[0]));
  });

  it('B/E are matched in ts order even when only the first two events are out of order', () => {
    const m = load([
      { ph: 'B', name: 'a', ts: 5, pid: 1, tid: 1 },
      { ph: 'B', name: 'b', ts: 0, pid: 1, tid: 1 },
      { ph: 'E', ts: 8, pid: 1, tid: 1 },
      { ph: 'E', ts: 20, pid: 1, tid: 1 },
    ]);
    expect([m.slices.durNs[find(m, 'a')], m.slices.durNs[find(m, 'b')]]).toEqual([3000, 20_000]);
    // an E written after its B but earlier in time ends nothing
    const late = load([{ ph: 'B', name: 'a', ts: 5, pid: 1, tid: 1 }, { ph: 'E', ts: 3, pid: 1, tid: 1 }]);
    expect([diag(late, 'unmatched-end'), diag(late, 'unclosed-begin')]).toEqual([1, 1]);
    // an unmatched E still counts toward the trace extent
    const lone = load([{ ph: 'X', name: 'x', ts: 0, dur: 1, pid: 1, tid: 1 }, { ph: 'E', ts: 50, pid: 1, tid: 1 }]);
    expect([lone.slices.count, lone.endNs, lone.slices.durNs[0]]).toEqual([1, 50_000, 1000]);
  });

  it('each E merges its own args into the B it closes', () => {
    const m = load([
      { ph: 'B', name: 'one', ts: 0, pid: 1, tid: 1 },
      { ph: 'E', ts: 1, pid: 1, tid: 1, args: { a: 1 } },
      { ph: 'B', name: 'two', ts: 2, pid: 1, tid: 1 },
      { ph: 'E', ts: 3, pid: 1, tid: 1, args: { b: 2 } },
    ]);
    expect([argsOf(m, find(m, 'one')).args, argsOf(m, find(m, 'two')).args]).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('legacy async: F args merge into the S; an F or T without S is reported and counts toward the extent', () => {
    const m = load([
      { ph: 'S', name: 'load', cat: 'c', id: 1, ts: 0, pid: 1, tid: 1, args: { url: 'u' } },
      { ph: 'F', name: 'load', cat: 'c', id: 1, ts: 4, pid: 1, tid: 1, args: { status: 200 } },
      { ph: 'T', name: 'load', cat: 'c', id: 9, ts: 6, pid: 1, tid: 1 },
      { ph: 'F', name: 'gone', cat: 'c', id: 2, ts: 60, pid: 1, tid: 1 },
    ]);
    expect([m.slices.count, m.instants.count]).toEqual([1, 0]);
    expect(argsOf(m, 0).args).toEqual({ url: 'u', status: 200 });
    expect(m.diagnostics.find((d) => d.kind === 'unmatched-async-end')).toMatchObject({ count: 2, message: 'async step "load" without a matching begin' });
    expect(m.endNs).toBe(60_000);
  });

  it('each legacy async S without F is reported once as never ended', () => {
    // BUG fixed: S is kept under two keys (with and without its name, for T/p steps), and each
    // key was reported, so one open slice counted as two.
    const m = load([
      { ph: 'S', name: 'load', cat: 'c', id: 1, ts: 0, pid: 1, tid: 1 },
      { ph: 'S', name: 'parse', cat: 'c', id: 2, ts: 1, pid: 1, tid: 1 },
      { ph: 'S', name: 'done', cat: 'c', id: 3, ts: 2, pid: 1, tid: 1 },
      { ph: 'F', name: 'done', cat: 'c', id: 3, ts: 4, pid: 1, tid: 1 },
      { ph: 'X', name: 'x', ts: 5, dur: 1, pid: 1, tid: 1 },
    ]);
    expect(m.diagnostics.find((d) => d.kind === 'unclosed-async')).toMatchObject({ count: 2, message: 'async slice (c 1 load) never ended' });
  });
});

describe('Chrome JSON: instants', () => {
  it('a thread-scoped instant is on its own thread and belongs to no slice', () => {
    const m = load([
      { ph: 'X', name: 'a', ts: 0, dur: 10, pid: 1, tid: 1 },
      { ph: 'X', name: 'b', ts: 0, dur: 10, pid: 1, tid: 2 },
      { ph: 'i', name: 'mark', ts: 5, pid: 1, tid: 2 },
    ]);
    expect(m.instants.count).toBe(1);
    expect(m.instants.track[0]).toBe(m.slices.track[find(m, 'b')]);
    expect(m.instants.slice[0]).toBe(-1);
  });
});

describe('Chrome JSON: metadata', () => {
  it('a process_name or thread_name that is no string is reported and leaves the name alone', () => {
    const m = load([
      { ph: 'X', name: 'a', ts: 0, dur: 1, pid: 3, tid: 4 },
      { ph: 'M', name: 'process_name', pid: 3, args: { name: 5 } },
      { ph: 'M', name: 'thread_name', pid: 3, tid: 4, args: { name: null } },
    ]);
    expect(m.groups.map((g) => g.name)).toEqual(['']);
    expect(m.tracks[m.slices.track[0]].name).toBe('');
    expect(diag(m, 'invalid-args')).toBe(2);
  });
});

describe('Chrome JSON: counters', () => {
  it('args that are no number (true, null) are reported, not fatal; a counter without values still counts toward the extent', () => {
    const m = load([
      { ph: 'X', name: 'a', ts: 0, dur: 1, pid: 1, tid: 1 },
      { ph: 'C', name: 'mem', ts: 2, pid: 1, args: { heap: 5, flag: true, none: null } },
      { ph: 'C', name: 'cpu', ts: 80, pid: 1, args: { idle: null } },
    ]);
    expect(m.counters.map((c) => c.name)).toEqual(['heap']);
    expect(diag(m, 'invalid-args')).toBe(2);
    expect(m.endNs).toBe(80_000);
  });
});

describe('Chrome JSON: async and flow events', () => {
  it('nestable async slices of one name and category are told apart by id', () => {
    const m = load([
      { ph: 'b', name: 'req', cat: 'net', id: 1, ts: 0, pid: 1, tid: 1 },
      { ph: 'b', name: 'req', cat: 'net', id: 2, ts: 1, pid: 1, tid: 1 },
      { ph: 'e', name: 'req', cat: 'net', id: 1, ts: 10, pid: 1, tid: 1 },
      { ph: 'e', name: 'req', cat: 'net', id: 2, ts: 5, pid: 1, tid: 1 },
    ]);
    expect(Array.from(m.slices.durNs).sort((x, y) => x - y)).toEqual([4000, 10_000]);
    expect(m.diagnostics).toEqual([]);
  });

  it('nestable async slices of one id nest under the innermost open one, on its track', () => {
    const m = load(['outer', 'mid', 'inner'].flatMap((name, i) => [
      { ph: 'b', name, cat: 'c', id: 7, ts: i, pid: 1, tid: 1 },
      { ph: 'e', name, cat: 'c', id: 7, ts: 10 - i, pid: 1, tid: 1 },
    ]).sort((x, y) => (x.ph === y.ph ? 0 : x.ph === 'b' ? -1 : 1)));
    const [outer, mid, inner] = ['outer', 'mid', 'inner'].map((n) => find(m, n));
    expect([m.slices.parent[outer], m.slices.parent[mid], m.slices.parent[inner]]).toEqual([-1, outer, mid]);
    expect(new Set([outer, mid, inner].map((i) => m.slices.track[i])).size).toBe(1);
    expect(m.instants.count).toBe(0);
  });

  it('nestable async ends: the innermost open slice of the name, or of any name when the end has none; others are unmatched', () => {
    const ev = (ph: string, ts: number, name?: string): Ev => ({ ph, cat: 'c', id: 1, ts, pid: 1, tid: 1, ...(name ? { name } : {}) });
    const m = load([
      ev('b', 0, 'x'), ev('b', 1, 'x'), ev('n', 2, 'step'), ev('e', 3, 'x'), ev('n', 3.5, 'step2'), ev('e', 4, 'y'), ev('b', 5, 'z'), ev('e', 6), ev('e', 90, 'x'),
      { ph: 'X', name: 'tail', ts: 100, dur: 1, pid: 1, tid: 1 },
    ]);
    const xs = Array.from({ length: m.slices.count }, (_, i) => i).filter((i) => nameOf(m, i) === 'x');
    // the inner x (ts 1) ends at 3, the outer at 90; z ends at 6 (an end without a name)
    expect(xs.map((i) => [m.slices.startNs[i], m.slices.durNs[i]]).sort((p, q) => p[0] - q[0])).toEqual([[0, 90_000], [1000, 2000]]);
    expect(m.slices.durNs[find(m, 'z')]).toBe(1000);
    expect(diag(m, 'unmatched-async-end')).toBe(1);
    expect(diag(m, 'unclosed-async')).toBe(0);
    // the steps are inside the innermost open x: the inner one, then the outer one
    const outer = xs.find((i) => m.slices.startNs[i] === 0)!;
    expect(Array.from(m.instants.slice)).toEqual([xs.find((i) => m.slices.startNs[i] === 1000), outer]);
    expect(Array.from(m.instants.track)).toEqual([m.slices.track[outer], m.slices.track[outer]]);
  });

  it('an n event with no open slice is an instant on the async track; an unmatched end still counts toward the extent', () => {
    const m = load([{ ph: 'X', name: 'a', ts: 0, dur: 1, pid: 1, tid: 1 }, { ph: 'n', name: 'lone', cat: 'c', id: 3, ts: 2, pid: 1, tid: 1 }, { ph: 'e', name: 'late', cat: 'c', id: 4, ts: 70, pid: 1, tid: 1 }]);
    expect(m.instants.count).toBe(1);
    expect(m.instants.slice[0]).toBe(-1);
    expect(m.tracks[m.instants.track[0]].kind).toBe(TrackKind.ASYNC);
    expect(m.endNs).toBe(70_000);
  });

  it('nestable async without id (id2 null) matches on category and name; its details say id ""', () => {
    const m = load([
      { ph: 'b', name: 'job', cat: 'w', id2: null, ts: 0, pid: 1, tid: 1 },
      { ph: 'e', name: 'job', cat: 'w', id2: null, ts: 3, pid: 1, tid: 1 },
    ]);
    expect(m.slices.durNs[0]).toBe(3000);
    expect(argsOf(m, 0).id).toBe('');
  });

  it('flow v2: a flow_in without an earlier flow_out of its id binds nothing and is reported', () => {
    const m = load([
      { ph: 'X', name: 'first', ts: 0, dur: 1, pid: 1, tid: 1 },
      { ph: 'X', name: 'in', ts: 5, dur: 1, pid: 1, tid: 1, bind_id: 'q', flow_in: true },
    ]);
    expect(m.flows.count).toBe(0);
    expect(diag(m, 'unbound-flow')).toBe(1);
  });

  it('flow v1 events count toward the trace extent and draw nothing else', () => {
    const m = load([
      { ph: 'X', name: 'a', ts: 0, dur: 1, pid: 1, tid: 1 },
      { ph: 's', name: 'fl', cat: 'c', id: 1, ts: 0, pid: 1, tid: 1 },
      { ph: 'f', name: 'fl', cat: 'c', id: 1, ts: 50, pid: 1, tid: 1 },
    ]);
    expect(m.endNs).toBe(50_000);
    expect(m.tracks.map((t) => t.kind)).toEqual([TrackKind.THREAD]);
  });
});

describe('Chrome JSON: an object that is no trace', () => {
  it('is an error even with a single member', () => {
    expect(() => importChromeJson('{"name":"my-app"}')).toThrow(TraceImportError);
  });
});
