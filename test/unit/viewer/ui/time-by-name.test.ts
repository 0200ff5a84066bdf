// The insights' "by name" table (speedscope's sandwich, Perfetto's slice aggregation): totals that
// count recursion once, self time, counts, clipping to a measured range, value units and a stable
// order for ties.
import { describe, expect, it } from 'vitest';
import type { TemplateResult } from 'lit';
import { CollapsedImporter } from '../../../../src/viewer/import/collapsed';
import { TraceBuilder, GroupKind, TrackKind, type TraceModel } from '../../../../src/viewer/model';
import { nestedInSameName, rankNames, selfTimes, slicesNamed, timeByName } from '../../../../src/viewer/ui/analysis';
import { computeInsights, renderInsights } from '../../../../src/viewer/ui/insights-view';

/**
 * f(0–100) › g(10–90) › f(20–70) › f(30–40), then f(200–220) alone; on another thread h(0–50).
 */
function recursive(): { m: TraceModel; id: (name: string) => number } {
  const b = new TraceBuilder('chrome-json');
  const g = b.group(GroupKind.PROCESS, '1', 'app');
  const t = b.track(g, TrackKind.THREAD, '1', 'main');
  const t2 = b.track(g, TrackKind.THREAD, '2', 'worker');
  const s = (track: number, name: string, start: number, dur: number) => b.addSlice(track, start, dur, b.intern(name), 0);
  s(t, 'f', 0, 100);
  s(t, 'g', 10, 80);
  s(t, 'f', 20, 50);
  s(t, 'f', 30, 10);
  s(t, 'f', 200, 20);
  s(t2, 'h', 0, 50);
  const m = b.finish();
  return { m, id: (name) => m.strings.indexOf(name) };
}

const row = (by: ReturnType<typeof timeByName>, id: number) => ({ count: by.count[id], total: by.total[id], self: by.self[id], sum: by.sum[id] });

/** The text a template renders (bindings' values in place; attribute bindings dropped). */
function text(t: unknown): string {
  const markup = (v: unknown): string => {
    if (Array.isArray(v)) return v.map(markup).join('');
    if (v && typeof v === 'object' && 'strings' in v) {
      const r = v as TemplateResult;
      let acc = '';
      r.strings.forEach((s, i) => {
        acc += s;
        if (i < r.values.length && acc.lastIndexOf('<') <= acc.lastIndexOf('>')) acc += markup(r.values[i]);
      });
      return acc;
    }
    return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  };
  return markup(t).replace(/<[^>]*>/g, ' ');
}

describe('time by name', () => {
  it('counts every occurrence, but a slice nested in one of the same name adds nothing to the total', () => {
    const { m, id } = recursive();
    const nested = nestedInSameName(m);
    const names = Array.from(m.slices.name, (n) => m.strings[n]);
    expect(names.map((n, i) => `${n}${nested[i] ? '*' : ''}`).sort()).toEqual(['f', 'f', 'f*', 'f*', 'g', 'h']);
    const by = timeByName(m);
    expect(row(by, id('f'))).toEqual({ count: 4, total: 120, self: 20 + 40 + 10 + 20, sum: 180 });
    expect(row(by, id('g'))).toEqual({ count: 1, total: 80, self: 30, sum: 80 });
    expect(row(by, id('h'))).toEqual({ count: 1, total: 50, self: 50, sum: 50 });
    expect(Array.from(by.ids).map((i) => m.strings[i])).toEqual(['f', 'g', 'h']);
    // Self times are those of the slices (query.ts), summed.
    const self = selfTimes(m);
    let sumSelf = 0;
    for (let i = 0; i < m.slices.count; i++) sumSelf += self[i];
    expect(by.self[id('f')] + by.self[id('g')] + by.self[id('h')]).toBe(sumSelf);
  });

  it('in a range, counts the part of each slice inside it; touching an edge is not counting', () => {
    const { m, id } = recursive();
    const by = timeByName(m, { range: [40, 210] });
    // f(0–100) → 40–100, f(20–70) → 40–70 (nested), f(30–40) only touches 40, f(200–220) → 200–210.
    // Self: f 40–100 minus g's 40–90 = 10; f 40–70 = 30 (its child ends at 40); f 200–210 = 10.
    expect(row(by, id('f'))).toEqual({ count: 3, total: 70, self: 50, sum: 100 });
    expect(row(by, id('g'))).toEqual({ count: 1, total: 50, self: 20, sum: 50 });
    expect(row(by, id('h'))).toEqual({ count: 1, total: 10, self: 10, sum: 10 });
    // Clicking the row selects the slices counted, in start order.
    const f = slicesNamed(m, id('f'), { range: [40, 210] });
    expect(f.map((i) => [m.slices.startNs[i], m.slices.durNs[i]])).toEqual([[0, 100], [20, 50], [200, 20]]);
    expect(slicesNamed(m, id('f')).map((i) => m.slices.startNs[i])).toEqual([0, 20, 30, 200]);
    // A range with nothing in it; a zero-length slice inside a range counts.
    expect(timeByName(m, { range: [150, 160] }).ids).toHaveLength(0);
    const b = new TraceBuilder('chrome-json');
    const t = b.track(b.group(GroupKind.PROCESS, '1', 'p'), TrackKind.THREAD, '1', 't');
    b.addSlice(t, 0, 2, b.intern('before'), 0);
    b.addSlice(t, 5, 0, b.intern('mark'), 0);
    const z = b.finish();
    expect(row(timeByName(z, { range: [5, 9] }), z.strings.indexOf('mark'))).toEqual({ count: 1, total: 0, self: 0, sum: 0 });
  });

  it('orders by self by default, by total or count on request; ties go by the other columns, then the name', () => {
    const b = new TraceBuilder('chrome-json');
    const g = b.group(GroupKind.PROCESS, '1', 'p');
    const t = b.track(g, TrackKind.THREAD, '1', 't');
    const s = (name: string, start: number, dur: number) => b.addSlice(t, start, dur, b.intern(name), 0);
    // 'b' and 'a': same self (10), same total, same count → by name. 'c': self 10, total 30 (a child 'd' of 20).
    s('b', 0, 10);
    s('a', 20, 10);
    s('c', 40, 30);
    s('d', 45, 20);
    s('e', 100, 1);
    s('e', 102, 1);
    s('e', 104, 1);
    const m = b.finish();
    const by = timeByName(m);
    const names = (ids: number[]) => ids.map((i) => m.strings[i]);
    expect(names(rankNames(m, by, 'self', 10))).toEqual(['d', 'c', 'a', 'b', 'e']);
    expect(names(rankNames(m, by, 'total', 10))).toEqual(['c', 'd', 'a', 'b', 'e']);
    expect(names(rankNames(m, by, 'count', 10))).toEqual(['e', 'd', 'c', 'a', 'b']);
    expect(names(rankNames(m, by, 'self', 2))).toEqual(['d', 'c']);
    // The top-k path (few rows of many names) agrees with the full sort.
    const big = new TraceBuilder('chrome-json');
    const bt = big.track(big.group(GroupKind.PROCESS, '1', 'p'), TrackKind.THREAD, '1', 't');
    for (let i = 0; i < 300; i++) big.addSlice(bt, i * 10, (i * 37) % 7, big.intern(`n${i % 100}`), 0);
    const bm = big.finish();
    const bb = timeByName(bm);
    for (const k of ['self', 'total', 'count'] as const) expect(rankNames(bm, bb, k, 5)).toEqual(rankNames(bm, bb, k, 100).slice(0, 5));
  });

  it('a profile counts samples, and the table says so', () => {
    const imp = new CollapsedImporter();
    imp.push(new TextEncoder().encode('main;f;f;f 3\nmain;g 1500\nmain;f 2\n'));
    const m = imp.finish();
    expect(m.valueUnit).toBe('samples');
    const by = timeByName(m);
    const f = m.strings.indexOf('f');
    // Stacks merge as in a flame graph: main › f (5) › f (3) › f (3); the nested f add nothing.
    expect(row(by, f)).toMatchObject({ count: 3, total: 5, self: 5 });
    expect(by.total[m.strings.indexOf('main')]).toBe(1505);
    const out = text(renderInsights(m, computeInsights(m, {}, -1), { selectOne() {}, selectMany() {} }));
    expect(out).toMatch(/By name\s+Name\s+Self\s+Total\s+Count\s+Average\s+g\s+1\.5 k samples\s+1\.5 k samples\s+1\s+1\.5 k samples\s+f\s+5 samples\s+5 samples\s+3\s+3\.67 samples/);
    expect(out).not.toMatch(/\bns\b/);
  });

  it('a time trace shows durations', () => {
    const { m } = recursive();
    const out = text(renderInsights(m, computeInsights(m, {}, -1), { selectOne() {}, selectMany() {} }));
    expect(out).toMatch(/Time by name\s+Name\s+Self\s+Total\s+Count\s+Average\s+f\s+90 ns\s+120 ns\s+4\s+45 ns/);
  });
});
