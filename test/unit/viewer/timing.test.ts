import { afterEach, describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { mark, replayMarks } from '../../../src/viewer/import/timing';

const flag = globalThis as { spanbeamTiming?: unknown };
const ours = (): PerformanceEntry[] => performance.getEntriesByType('mark').filter((e) => e.name.startsWith('spanbeam:'));

describe('load timeline marks', () => {
  afterEach(() => {
    delete flag.spanbeamTiming;
    performance.clearMarks();
  });

  it('are off unless the page asks for them', () => {
    mark('load');
    replayMarks([['parsed', performance.timeOrigin + 1]]);
    expect(ours()).toEqual([]);
  });

  it('copy worker phases (epoch ms) onto this timeline', () => {
    flag.spanbeamTiming = true;
    mark('load');
    replayMarks([['parsed', performance.timeOrigin + 12.5]]);
    const byName = new Map(ours().map((e) => [e.name, e.startTime]));
    expect(byName.has('spanbeam:load')).toBe(true);
    expect(byName.get('spanbeam:worker:parsed')).toBeCloseTo(12.5, 3);
  });

  it('the pipeline reports its phases in order', async () => {
    const phases: string[] = [];
    const text = JSON.stringify({ traceEvents: [{ ph: 'X', pid: 1, tid: 1, ts: 1, dur: 2, name: 'a' }] });
    await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(text) }, { onPhase: (p) => phases.push(p) });
    expect(phases).toEqual(['first-byte', 'parsed', 'built']);
  });
});
