import { describe, expect, it } from 'vitest';
import { TraceBuilder } from '../../../src/viewer/model/builder';
import { mergeStacks, mergeStacksSteps, type FlameGraph } from '../../../src/viewer/model/flame';
import { nameOf, parentOf } from '../../../src/viewer/model/query';
import { GroupKind, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { CpuProfileImporter } from '../../../src/viewer/import/cpuprofile';
import { CollapsedImporter } from '../../../src/viewer/import/collapsed';

/** A thread of nested slices from `[name, start, dur, children]` trees. */
type Tree = [string, number, number, Tree[]?];
function thread(trees: Tree[], name = 'Main', extra?: (b: TraceBuilder, g: number) => void): TraceModel {
  const b = new TraceBuilder('chrome-json');
  const g = b.group(GroupKind.PROCESS, '1', 'Renderer');
  const t = b.track(g, TrackKind.THREAD, '1', name);
  const add = (n: Tree): void => {
    b.addSlice(t, n[1], n[2], b.intern(n[0]), 0);
    for (const c of n[3] ?? []) add(c);
  };
  for (const n of trees) add(n);
  extra?.(b, g);
  return b.finish();
}

/** The drawn nodes as `  name total/self` lines, depth first, left to right (the layout order). */
function shape(f: FlameGraph): string[] {
  const m = f.model;
  const out: Array<{ x: number; depth: number; track: number; line: string }> = [];
  for (let i = 0; i < m.slices.count; i++) {
    const n = f.nodeOfSlice[i];
    out.push({ x: m.slices.startNs[i], depth: m.slices.depth[i], track: m.slices.track[i], line: `${m.tracks[m.slices.track[i]].name}:${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)} ${f.total[n]}/${f.self[n]}` });
  }
  return out.sort((a, b) => a.track - b.track || a.x - b.x || a.depth - b.depth).map((o) => o.line);
}

describe('merged flame graph (left heavy)', () => {
  const calls: Tree[] = [
    ['main', 0, 100, [
      ['a', 0, 10],
      ['b', 10, 30, [['c', 10, 5]]],
      ['a', 50, 20],
    ]],
    ['idle', 100, 5],
    ['main', 200, 50, [['b', 200, 40, [['c', 210, 10]]]]],
  ];

  it('merges identical paths across time: totals, self times, calls, heaviest sibling first', () => {
    const f = mergeStacks(thread(calls));
    expect(shape(f)).toEqual([
      'Main:main 150/50',
      'Main:  b 70/55',
      'Main:    c 15/15',
      'Main:  a 30/30',
      'Main:idle 5/5',
    ]);
    const m = f.model;
    // Widths are the totals, laid side by side from 0; children under their parent.
    const b = [...Array(m.slices.count).keys()].find((i) => nameOf(m, i) === 'b') as number;
    expect(nameOf(m, parentOf(m, b))).toBe('main');
    expect([m.slices.startNs[b], m.slices.durNs[b]]).toEqual([0, 70]);
    const a = [...Array(m.slices.count).keys()].find((i) => nameOf(m, i) === 'a') as number;
    expect([m.slices.startNs[a], m.slices.durNs[a]]).toEqual([70, 30]);
    expect(f.calls[f.nodeOfSlice[a]]).toBe(2);
    expect(f.calls[f.nodeOfSlice[b]]).toBe(2);
    expect(f.trackTotal[f.nodeOfSlice[a]]).toBe(155);
    // Each source slice names its node; the node its first slice.
    const src = f.source;
    for (let i = 0; i < src.slices.count; i++) expect(nameOf(m, f.sliceOfNode[f.nodeOfSource[i]])).toBe(nameOf(src, i));
    expect(nameOf(src, f.firstSlice[f.nodeOfSlice[a]])).toBe('a');
  });

  it('clips to a range: only the time inside it counts, paths without any are left out', () => {
    const f = mergeStacks(thread(calls), [60, 220]);
    expect(shape(f)).toEqual([
      'Main:main 60/30',
      'Main:  b 20/10',
      'Main:    c 10/10',
      'Main:  a 10/10',
      'Main:idle 5/5',
    ]);
  });

  it('keeps recursion as nested nodes (f › f › f), as speedscope does', () => {
    const f = mergeStacks(thread([['f', 0, 30, [['f', 0, 20, [['f', 0, 10]]]]], ['f', 40, 10, [['f', 40, 10]]]]));
    expect(shape(f)).toEqual(['Main:f 40/10', 'Main:  f 30/20', 'Main:    f 10/10']);
  });

  it('one flame graph per track, named as the track; counter and instant tracks have none', () => {
    const m = thread(calls, 'Main', (b, g) => {
      const w = b.track(g, TrackKind.THREAD, '2', 'Worker');
      b.addSlice(w, 0, 7, b.intern('job'), 0);
      b.addCounterValue(b.counterSeries(b.track(g, TrackKind.COUNTER, 'mem', 'Memory'), 'v'), 0, 1);
    });
    const f = mergeStacks(m);
    expect(f.model.tracks.map((t) => t.name)).toEqual(['Main', 'Worker']);
    expect(f.model.groups.map((g) => g.name)).toEqual(['Renderer']);
    expect(shape(f).filter((l) => l.startsWith('Worker'))).toEqual(['Worker:job 7/7']);
    expect(f.model.counters).toEqual([]);
  });

  it('a V8 .cpuprofile: samples merged by call path, in steps', () => {
    const frame = (functionName: string) => ({ functionName, scriptId: '1', url: '', lineNumber: -1, columnNumber: -1 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5] },
        { id: 2, callFrame: frame('main'), children: [3, 4] },
        { id: 3, callFrame: frame('work') },
        { id: 4, callFrame: frame('parse') },
        { id: 5, callFrame: frame('(idle)') },
      ],
      startTime: 0,
      endTime: 60,
      samples: [3, 4, 3, 5, 3, 4],
      timeDeltas: [10, 10, 10, 10, 10, 10],
    };
    const imp = new CpuProfileImporter();
    imp.push(new TextEncoder().encode(JSON.stringify(profile)));
    const m = imp.finish();
    const steps = mergeStacksSteps(m);
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    expect(yields).toBeGreaterThan(0);
    const lines = shape(r.value).map((l) => l.replace(/^[^:]*:/, ''));
    // Samples at 10, 20, …, 60 µs (the last ends the profile): work 3 × 10 µs, parse 1 × 10 µs;
    // (idle) is left out by the importer as on the timeline.
    expect(lines).toEqual(['main 40000/0', '  work 30000/30000', '  parse 10000/10000']);
    expect(r.value.model.tracks.map((t) => t.name)).toEqual(['CPU profile']);
  });

  it('spans whose children run at once: the numbers stay true, the children are drawn to fit inside their parent', () => {
    const b = new TraceBuilder('otlp-json');
    const g = b.group(GroupKind.SERVICE, 'api', 'api');
    const t = b.track(g, TrackKind.TRACE, 'trace1', 'GET /orders');
    const root = b.addSlice(t, 0, 100, b.intern('GET /orders'), 0);
    for (const [s, d] of [[10, 70], [20, 70]]) b.setParent(b.addSlice(t, s, d, b.intern('db'), 0), root);
    const f = mergeStacks(b.finish());
    expect(shape(f)).toEqual(['GET /orders:GET /orders 100/0', 'GET /orders:  db 140/140']);
    const m = f.model;
    const db = [...Array(m.slices.count).keys()].find((i) => nameOf(m, i) === 'db') as number;
    expect([m.slices.startNs[db], m.slices.durNs[db], m.slices.flags[db]]).toEqual([0, 100, 0]);
    expect(m.diagnostics.filter((d) => d.kind === 'overlapping-slice')).toEqual([]);
  });

  it('collapsed stacks (merged already, siblings by name) come out the same, heaviest first', () => {
    const imp = new CollapsedImporter();
    imp.push(new TextEncoder().encode('main;a 1\nmain;b 5\nmain;b;c 2\nidle 3\n'));
    const f = mergeStacks(imp.finish());
    expect(shape(f).map((l) => l.replace(/^[^:]*:/, ''))).toEqual(['main 8/0', '  b 7/5', '    c 2/2', '  a 1/1', 'idle 3/3']);
  });
});
