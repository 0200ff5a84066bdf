// A collapsed-stacks flame graph counts samples on its x axis: the text the viewer announces for a
// selection must say samples, not ns; time traces keep their time units.
import { describe, expect, it } from 'vitest';
import { CollapsedImporter } from '../../../../src/viewer/import/collapsed';
import { TraceBuilder, GroupKind, TrackKind } from '../../../../src/viewer/model';
import { nameOf } from '../../../../src/viewer/model/query';
import { sliceSummary } from '../../../../src/viewer/ui/details-panel';

describe('slice summary (ARIA live text) in the model unit', () => {
  it('says samples for collapsed stacks', () => {
    const imp = new CollapsedImporter();
    imp.push(new TextEncoder().encode('main;parse;lex 3\nmain;render 1500\n'));
    const m = imp.finish();
    const at = (n: string) => [...Array(m.slices.count).keys()].find((i) => nameOf(m, i) === n) as number;
    expect(sliceSummary(m, at('lex'))).toBe('lex, start 0 samples, duration 3 samples, on Collapsed stacks › Flame graph (x = samples, not time), depth 2, 0 children');
    expect(sliceSummary(m, at('main'))).toMatch(/^main, start 0 samples, duration 1\.5 k samples,/);
    expect(sliceSummary(m, at('render'))).toMatch(/start 3 samples, duration 1\.5 k samples/);
  });

  it('keeps time units for a time trace', () => {
    const b = new TraceBuilder('chrome-json');
    const t = b.track(b.group(GroupKind.PROCESS, '1', 'p'), TrackKind.THREAD, '1', 't');
    b.addSlice(t, 0, 3e6, b.intern('Layout'), 0);
    expect(sliceSummary(b.finish(), 0)).toBe('Layout, start 0, duration 3 ms, on p › t, depth 0, 0 children');
  });
});
