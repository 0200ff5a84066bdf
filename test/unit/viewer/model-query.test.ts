import { describe, expect, it } from 'vitest';
import { TraceBuilder } from '../../../src/viewer/model/builder';
import { GroupKind, TrackKind, InstantScope, type TraceModel } from '../../../src/viewer/model/trace-model';
import {
  counterRange,
  instantRange,
  maxDepth,
  rowOf,
  searchSlices,
  searchSteps,
  selfTimeNs,
  siblingOf,
  sliceAt,
  sliceRangeInRow,
  tracksInDisplayOrder,
  nameOf,
  argsOf,
} from '../../../src/viewer/model/query';

/** Thread with: A[0,100) { B[10,30), C[40,90) { D[50,60) } }, E[200,300). */
function model(): TraceModel {
  const b = new TraceBuilder('chrome-json');
  const g = b.group(GroupKind.PROCESS, '1', 'P');
  const t = b.track(g, TrackKind.THREAD, '1', 'main');
  const add = (name: string, s: number, d: number, args?: Record<string, unknown>): number =>
    b.addSlice(t, s, d, b.intern(name), b.intern('cat'), 0, args ? b.addDetails({ args }) : -1);
  add('E', 200, 100);
  add('D', 50, 10, { url: 'https://example.test/needle' });
  add('A', 0, 100);
  add('C', 40, 50);
  add('B', 10, 20);
  const c = b.track(g, TrackKind.COUNTER, 'mem', 'mem');
  const s = b.counterSeries(c, 'used');
  b.addCounterValue(s, 0, 1);
  b.addCounterValue(s, 100, 5);
  b.addCounterValue(s, 200, 2);
  b.addInstant(t, 150, b.intern('tick'), 0, InstantScope.THREAD);
  b.addInstant(t, 50, b.intern('tock'), 0, InstantScope.THREAD);
  return b.finish();
}

describe('TraceModel layout and query helpers', () => {
  const m = model();
  const thread = m.tracks.findIndex((t) => t.kind === TrackKind.THREAD);
  const names = (r: [number, number]): string[] => {
    const out = [];
    for (let i = r[0]; i < r[1]; i++) out.push(nameOf(m, i));
    return out;
  };

  it('sorts by (track, depth, start) and indexes rows', () => {
    expect(maxDepth(m, thread)).toBe(2);
    expect(m.tracks[thread].rowCount).toBe(3);
    expect(names(sliceRangeInRow(m, thread, 0, -Infinity, Infinity))).toEqual(['A', 'E']);
    expect(names(sliceRangeInRow(m, thread, 1, -Infinity, Infinity))).toEqual(['B', 'C']);
    expect(names(sliceRangeInRow(m, thread, 2, -Infinity, Infinity))).toEqual(['D']);
    expect(rowOf(m, thread, 3)).toBe(-1);
    for (let i = 1; i < m.slices.count; i++) {
      const a = m.slices.track[i - 1] * 65536 + m.slices.depth[i - 1];
      const b = m.slices.track[i] * 65536 + m.slices.depth[i];
      expect(a < b || (a === b && m.slices.startNs[i - 1] <= m.slices.startNs[i])).toBe(true);
    }
  });

  it('sliceRangeInRow finds a window with binary searches (closed interval)', () => {
    expect(names(sliceRangeInRow(m, thread, 0, 100, 199))).toEqual(['A']);
    expect(names(sliceRangeInRow(m, thread, 0, 101, 199))).toEqual([]);
    expect(names(sliceRangeInRow(m, thread, 0, 150, 250))).toEqual(['E']);
    expect(names(sliceRangeInRow(m, thread, 1, 25, 45))).toEqual(['B', 'C']);
  });

  it('sliceAt hits the slice under a time, with slop', () => {
    expect(nameOf(m, sliceAt(m, thread, 1, 15))).toBe('B');
    expect(sliceAt(m, thread, 1, 35)).toBe(-1);
    expect(nameOf(m, sliceAt(m, thread, 1, 36, 6))).toBe('C'); // nearest wins
  });

  it('parents, children, self time, siblings', () => {
    const a = sliceAt(m, thread, 0, 1);
    const c = sliceAt(m, thread, 1, 45);
    const d = sliceAt(m, thread, 2, 55);
    expect(m.slices.parent[d]).toBe(c);
    expect(m.slices.parent[c]).toBe(a);
    expect(selfTimeNs(m, a)).toBe(100 - 20 - 50);
    expect(nameOf(m, siblingOf(m, c, -1))).toBe('B');
    expect(siblingOf(m, c, 1)).toBe(-1);
  });

  it('args decoded lazily; search by name and by arg value', () => {
    const d = sliceAt(m, thread, 2, 55);
    expect(argsOf(m, d).args).toEqual({ url: 'https://example.test/needle' });
    expect(searchSlices(m, 'c').map((i) => nameOf(m, i))).toEqual(['A', 'B', 'C', 'D', 'E']); // category "cat"
    expect(searchSlices(m, 'NEEDLE')).toEqual([]);
    expect(searchSlices(m, 'NEEDLE', { args: true }).map((i) => nameOf(m, i))).toEqual(['D']);
    expect(searchSlices(m, 'needle', { args: true, caseSensitive: true })).toHaveLength(1);
  });

  it('search finds a span by the name of an event it owns; an event of no span finds nothing', () => {
    const b = new TraceBuilder('otlp-json');
    const t = b.track(b.group(GroupKind.PROCESS, 's', 'svc'), TrackKind.THREAD, 't', 'trace');
    b.addSlice(t, 0, 100, b.intern('checkout'), 0);
    const pay = b.addSlice(t, 10, 50, b.intern('POST /pay'), 0);
    b.addInstant(t, 20, b.intern('exception'), 0, InstantScope.THREAD, pay);
    b.addInstant(t, 90, b.intern('exceptional tick'), 0, InstantScope.THREAD);
    const em = b.finish();
    expect(searchSlices(em, 'EXCEPTION').map((i) => nameOf(em, i))).toEqual(['POST /pay']);
  });

  it('counters are step functions; instants sorted per track', () => {
    const s = m.counters[0];
    expect(counterRange(s, 150, 160)).toEqual([1, 2]); // value in effect at 150 is the one set at 100
    expect(counterRange(s, -10, 1000)).toEqual([0, 3]);
    expect([s.min, s.max]).toEqual([1, 5]);
    const [lo, hi] = instantRange(m, thread, 0, 1000);
    expect(Array.from(m.instants.timeNs.subarray(lo, hi))).toEqual([50, 150]);
    expect(instantRange(m, thread, 60, 140)).toEqual([lo + 1, lo + 1]);
  });

  it('display order lists counter tracks before threads; model survives structuredClone', () => {
    expect(tracksInDisplayOrder(m).map((t) => m.tracks[t].kind)).toEqual([TrackKind.COUNTER, TrackKind.THREAD]);
    const copy = structuredClone(m);
    expect(Array.from(copy.slices.startNs)).toEqual(Array.from(m.slices.startNs));
  });

  it('heap budget: columns cost ≤ 100 bytes per slice', () => {
    const b = new TraceBuilder('chrome-json');
    const t = b.track(b.group(GroupKind.PROCESS, '1'), TrackKind.THREAD, '1');
    const n = 20000;
    for (let i = 0; i < n; i++) b.addSlice(t, i * 10, 5, b.intern(`f${i % 50}`), 0);
    const mm = b.finish();
    const s = mm.slices;
    let bytes = 0;
    for (const a of [s.startNs, s.durNs, s.track, s.depth, s.name, s.category, s.parent, s.flags, s.color, s.args]) bytes += a.byteLength;
    bytes += mm.rows.rowSliceStart.byteLength + mm.args.bytes.byteLength + mm.args.offsets.byteLength;
    expect(bytes / n).toBeLessThanOrEqual(50);
  });
});

describe('searchSteps', () => {
  it('yields between steps of a big search, and sorts the matches by start as searchSlices does', () => {
    // 30 threads × nested rows: matches come in many runs of index order, starts interleaved.
    const b = new TraceBuilder('chrome-json');
    const g = b.group(GroupKind.PROCESS, '1', 'P');
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const names = ['alpha', 'beta', 'gamma'].map((n) => b.intern(n));
    for (let t = 0; t < 30; t++) {
      const track = b.track(g, TrackKind.THREAD, String(t), `t${t}`);
      for (let k = 0; k < 10_000; k++) {
        const s = k * 100 + Math.floor(rand() * 50);
        b.addSlice(track, s, 40, names[k % 3], 0);
        b.addSlice(track, s + 5, 20, names[(k + 1) % 3], 0, 0, k % 7 ? -1 : b.addDetails({ args: { k } }));
      }
    }
    const m = b.finish();
    const steps = searchSteps(m, 'ALPHA', { args: true });
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    expect(yields).toBeGreaterThan(10);
    const S = m.slices.startNs;
    const expected = [];
    for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === 'alpha') expected.push(i);
    expected.sort((x, y) => S[x] - S[y] || x - y);
    expect(r.value).toEqual(expected);
    expect(searchSlices(m, 'alpha', { limit: 5 })).toEqual(expected.slice(0, 5));
    // Arg matches too ({"k":…}: key 'k' holds for every entry).
    expect(searchSlices(m, '"k"', { args: true })).toHaveLength(30 * Math.ceil(10_000 / 7));
  });
});
