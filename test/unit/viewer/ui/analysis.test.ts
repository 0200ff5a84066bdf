import { describe, expect, it } from 'vitest';
import { TraceBuilder, GroupKind, TrackKind, type TraceModel } from '../../../../src/viewer/model';
import { childIndex, criticalPath, findFanOuts, selfTimes, topSlices } from '../../../../src/viewer/ui/analysis';
import { computeInsights, insightsSteps } from '../../../../src/viewer/ui/insights-view';
import { drain } from '../../../../src/viewer/model/query';

/** A request with an N+1: 'load' calls 8 sequential 'SELECT id=…'; 'render' is the bottleneck. */
function trace(): { m: TraceModel; id: (name: string) => number } {
  const b = new TraceBuilder('chrome-json');
  const g = b.group(GroupKind.PROCESS, '1', 'app');
  const t = b.track(g, TrackKind.THREAD, '1', 'main');
  const s = (name: string, start: number, dur: number) => b.addSlice(t, start, dur, b.intern(name), 0);
  s('request', 0, 1000);
  s('load', 10, 400);
  for (let i = 0; i < 8; i++) s(`SELECT id=${i}`, 20 + i * 45, 40);
  s('render', 420, 500);
  s('format', 430, 50);
  const m = b.finish();
  const id = (name: string) => {
    const n = m.strings.indexOf(name);
    for (let i = 0; i < m.slices.count; i++) if (m.slices.name[i] === n) return i;
    throw new Error(name);
  };
  return { m, id };
}

describe('analysis', () => {
  it('indexes children in start order', () => {
    const { m, id } = trace();
    const c = childIndex(m);
    const kids = Array.from(c.list.subarray(c.start[id('request')], c.start[id('request') + 1]));
    expect(kids).toEqual([id('load'), id('render')]);
  });

  it('computes self time as duration minus covered child time', () => {
    const { m, id } = trace();
    const self = selfTimes(m);
    expect(self[id('request')]).toBe(100);
    expect(self[id('load')]).toBe(400 - 8 * 40);
    expect(self[id('render')]).toBe(450);
    expect(topSlices(m, self, 2)).toEqual([id('render'), id('request')]);
    expect(topSlices(m, m.slices.durNs, 1)).toEqual([id('request')]);
    // Range scope: only slices overlapping [500, 600].
    expect(topSlices(m, self, 5, { range: [500, 600] })).toEqual([id('render'), id('request')]);
  });

  it('finds the N+1 fan-out with count, total and sequential flag', () => {
    const { m, id } = trace();
    const f = findFanOuts(m, 5);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ parent: id('load'), key: 'SELECT id=#', count: 8, totalNs: 320, sequential: true });
    expect(findFanOuts(m, 9)).toHaveLength(0);
  });

  it('walks the critical path back from the end', () => {
    const { m, id } = trace();
    const path = criticalPath(m, id('request'));
    expect(path).toContain(id('render'));
    expect(path).toContain(id('load'));
    expect(path).toContain(id('SELECT id=7'));
    expect(path[0]).toBe(id('request'));
  });
});

describe('insights in steps', () => {
  /** 200k slices: roots with three children, some of the same name (fan-outs need five). */
  function big(): TraceModel {
    const b = new TraceBuilder('chrome-json');
    const g = b.group(GroupKind.PROCESS, '1', 'app');
    const names = Array.from({ length: 20 }, (_, i) => b.intern(`op ${i}`));
    const t = b.track(g, TrackKind.THREAD, '1', 'main');
    for (let r = 0; r < 50_000; r++) {
      b.addSlice(t, r * 100, 90, names[r % 20], 0);
      for (let c = 0; c < 3; c++) b.addSlice(t, r * 100 + 5 + c * 25, 20 + (r % 7), names[(r + c) % 20], 0);
    }
    return b.finish();
  }

  it('yields often on a big trace (each step a few ms), and gives what computing at once gives', () => {
    const steps = insightsSteps(big(), {}, -1);
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) yields++;
    // At once, a million slices' insights were one task of 60–80 ms: at least one yield per
    // ANALYSIS_STEP slices per pass (child index, self times, rankings, fan-outs, time by name).
    expect(yields).toBeGreaterThanOrEqual(20);
    // A fresh model: nothing cached from the stepped run.
    expect(r.value).toEqual(computeInsights(big(), {}, -1));
    const m = big();
    expect(drain(insightsSteps(m, { range: [1_000_000, 2_000_000] }, 7))).toEqual(computeInsights(big(), { range: [1_000_000, 2_000_000] }, 7));
  });
});
