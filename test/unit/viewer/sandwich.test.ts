// Callers and callees of one name (speedscope's Sandwich view): the merged trees, their totals and
// self times, sibling order, recursion counted once, clipping to a measured range, in steps.
import { describe, expect, it } from 'vitest';
import { TraceBuilder } from '../../../src/viewer/model/builder';
import { type FlameGraph } from '../../../src/viewer/model/flame';
import { sandwichSteps } from '../../../src/viewer/model/sandwich';
import { drain, nameOf } from '../../../src/viewer/model/query';
import { GroupKind, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { timeByName } from '../../../src/viewer/ui/analysis';
import { callsOf } from '../../../src/viewer/ui/flame-view';

type Node = [string, number, number, Node[]?];
/**
 * main: main(0–100) › [f(0–40) › [g(0–10), f(10–30) › h(10–20)], g(50–70) › f(50–60) › h(52–56)],
 * idle(100–105); worker: f(0–20) › h(5–10); a counter track.
 */
function trace(): TraceModel {
  const b = new TraceBuilder('chrome-json');
  const g = b.group(GroupKind.PROCESS, '1', 'app');
  const add = (t: number, n: Node): void => {
    b.addSlice(t, n[1], n[2], b.intern(n[0]), 0);
    for (const c of n[3] ?? []) add(t, c);
  };
  const main = b.track(g, TrackKind.THREAD, '1', 'main');
  add(main, ['main', 0, 100, [['f', 0, 40, [['g', 0, 10], ['f', 10, 20, [['h', 10, 10]]]]], ['g', 50, 20, [['f', 50, 10, [['h', 52, 4]]]]]]]);
  add(main, ['idle', 100, 5]);
  const worker = b.track(g, TrackKind.THREAD, '2', 'worker');
  add(worker, ['f', 0, 20, [['h', 5, 5]]]);
  return b.finish();
}

const sandwich = (m: TraceModel, name: string, range: [number, number] | null = null): FlameGraph => drain(sandwichSteps(m, m.strings.indexOf(name), range));

/** Drawn nodes per track as `track:  name total/self calls`, depth first, left to right. */
function shape(f: FlameGraph): string[] {
  const m = f.model;
  const out: Array<{ x: number; depth: number; track: number; line: string }> = [];
  for (let i = 0; i < m.slices.count; i++) {
    const n = f.nodeOfSlice[i];
    const t = m.tracks[m.slices.track[i]].name.replace(/ .*/, '');
    out.push({ x: m.slices.startNs[i], depth: m.slices.depth[i], track: m.slices.track[i], line: `${t}:${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)} ${f.total[n]}/${f.self[n]} ×${f.calls[n]}` });
  }
  return out.sort((a, b) => a.track - b.track || a.x - b.x || a.depth - b.depth).map((o) => o.line);
}

describe('sandwich: callers and callees of a name', () => {
  it('callees: each outermost call with what it calls, merged by path (recursion counted once, nested below it); callers inverted', () => {
    const m = trace();
    const f = sandwich(m, 'f');
    expect(shape(f)).toEqual([
      // Callers: f's 70 (40 + 10 + 20) split by who called it; the worker's f has no caller (self 20).
      'Callers:f 70/20 ×3',
      'Callers:  main 40/40 ×1',
      'Callers:  g 10/0 ×1',
      'Callers:    main 10/10 ×1',
      // Callees: the f inside f (10–30) is part of the outer call: f › f, not a second f root.
      'Callees:f 70/31 ×3',
      'Callees:  f 20/10 ×1',
      'Callees:    h 10/10 ×1',
      'Callees:  g 10/10 ×1',
      'Callees:  h 9/9 ×2',
    ]);
    // Both trees' roots are the time-by-name table's total (recursion once).
    expect(timeByName(m).total[m.strings.indexOf('f')]).toBe(70);
    expect(f.focus).toBe(m.strings.indexOf('f'));
    expect(f.model.groups.map((g) => g.name)).toEqual(['f · all threads merged']);
    expect(f.model.tracks.map((t) => t.name)).toEqual(['Callers (inverted)', 'Callees']);
    // Shares are of the name's total.
    for (let i = 0; i < f.model.slices.count; i++) expect(f.trackTotal[f.nodeOfSlice[i]]).toBe(70);
    // Widths are the totals, heaviest sibling first, children under their parent.
    const at = (track: number, name: string, depth: number) => [...Array(f.model.slices.count).keys()].find((i) => f.model.slices.track[i] === track && nameOf(f.model, i) === name && f.model.slices.depth[i] === depth) as number;
    const calleeG = at(1, 'g', 1);
    expect([f.model.slices.startNs[calleeG], f.model.slices.durNs[calleeG]]).toEqual([20, 10]);
    expect(nameOf(f.model, f.model.slices.parent[calleeG])).toBe('f');
  });

  it('the calls behind a node: callees merged into it; for a caller, the calls of the name reached through it', () => {
    const m = trace();
    const f = sandwich(m, 'f');
    const slice = (track: number, name: string, depth: number) => [...Array(f.model.slices.count).keys()].find((i) => f.model.slices.track[i] === track && nameOf(f.model, i) === name && f.model.slices.depth[i] === depth) as number;
    const desc = (list: number[]) => list.map((i) => `${nameOf(m, i)}@${m.slices.startNs[i]}`);
    expect(desc(callsOf(f, slice(1, 'h', 1)))).toEqual(['h@52', 'h@5']);
    expect(desc(callsOf(f, slice(1, 'f', 0)))).toEqual(['f@0', 'f@50', 'f@0']);
    expect(desc(callsOf(f, slice(0, 'g', 1)))).toEqual(['f@50']);
    expect(desc(callsOf(f, slice(0, 'main', 1)))).toEqual(['f@0']);
    expect(desc(callsOf(f, slice(0, 'f', 0))).sort()).toEqual(['f@0', 'f@0', 'f@50']);
  });

  it('a leaf name: callees are itself alone; callers split by path; calls through several tracks', () => {
    const m = trace();
    expect(shape(sandwich(m, 'h'))).toEqual([
      'Callers:h 19/0 ×3',
      // Every h is called by an f: one node (the worker's f is a root: self 5), then split.
      'Callers:  f 19/5 ×3',
      'Callers:    f 10/0 ×1',
      'Callers:      main 10/10 ×1',
      'Callers:    g 4/0 ×1',
      'Callers:      main 4/4 ×1',
      'Callees:h 19/19 ×3',
    ]);
  });

  it('clips to a measured range: only the time inside it counts', () => {
    const m = trace();
    expect(shape(sandwich(m, 'f', [5, 55]))).toEqual([
      'Callers:f 55/15 ×3',
      'Callers:  main 35/35 ×1',
      'Callers:  g 5/0 ×1',
      'Callers:    main 5/5 ×1',
      'Callees:f 55/22 ×3',
      'Callees:  f 20/10 ×1',
      'Callees:    h 10/10 ×1',
      'Callees:  h 8/8 ×2',
      'Callees:  g 5/5 ×1',
    ]);
    // Calls outside the range are left out of both.
    expect(shape(sandwich(m, 'f', [60, 105]))).toEqual([]);
    expect(shape(sandwich(m, 'idle', [60, 105]))).toEqual(['Callers:idle 5/5 ×1', 'Callees:idle 5/5 ×1']);
  });

  it('runs in steps: a big trace yields many times, and its totals match time by name', () => {
    const b = new TraceBuilder('chrome-json');
    const t = b.track(b.group(GroupKind.PROCESS, '1', 'app'), TrackKind.THREAD, '1', 'main');
    const [r, a, c] = ['run', 'a', 'c'].map((s) => b.intern(s));
    for (let k = 0; k < 20_000; k++) {
      b.addSlice(t, k * 10, 9, r, 0);
      b.addSlice(t, k * 10, 5, k % 2 ? a : c, 0);
      if (k % 2) b.addSlice(t, k * 10 + 1, 2, c, 0);
    }
    const m = b.finish();
    const steps = sandwichSteps(m, c);
    let yields = 0;
    let res = steps.next();
    for (; !res.done; res = steps.next()) yields++;
    expect(yields).toBeGreaterThan(5);
    const f = res.value;
    expect(shape(f)).toEqual([
      'Callers:c 70000/0 ×20000',
      'Callers:  run 50000/50000 ×10000',
      'Callers:  a 20000/0 ×10000',
      'Callers:    run 20000/20000 ×10000',
      'Callees:c 70000/70000 ×20000',
    ]);
    expect(timeByName(m).total[c]).toBe(70000);
  });
});
