import { describe, expect, it } from 'vitest';
import { TraceBuilder, GroupKind, TrackKind, InstantScope } from '../../../../src/viewer/model';
import { Layout, RowKind, GROUP_HEIGHT_CSS_PX, ROW_HEIGHT_CSS_PX, INSTANT_HEIGHT_CSS_PX } from '../../../../src/viewer/render/layout';
import { PALETTE, hashString, paletteIndexOf, packHex, mix } from '../../../../src/viewer/render/colors';

function model() {
  const b = new TraceBuilder('chrome-json');
  const g1 = b.group(GroupKind.PROCESS, '1', 'Browser');
  const g2 = b.group(GroupKind.PROCESS, '2', 'Renderer');
  const t1 = b.track(g1, TrackKind.THREAD, '1', 'Main');
  const t2 = b.track(g2, TrackKind.THREAD, '2', 'Worker');
  b.addSlice(t1, 0, 100, b.intern('a'), 0);
  b.addSlice(t1, 10, 50, b.intern('b'), 0);
  b.addSlice(t2, 0, 10, b.intern('c'), 0);
  b.addInstant(t2, 5, b.intern('mark'), 0, InstantScope.THREAD);
  return b.finish();
}

describe('Layout', () => {
  it('stacks group headers, instant lanes and slice rows', () => {
    const m = model();
    const l = new Layout(m, { collapsed: new Set(), pinned: new Set() });
    expect(l.rows.map((r) => r.kind)).toEqual([RowKind.GROUP, RowKind.SLICES, RowKind.SLICES, RowKind.GROUP, RowKind.INSTANTS, RowKind.SLICES]);
    expect(l.rows[0].label).toBe('Browser 1');
    expect(l.rows[1].label).toBe('Main');
    expect(l.rows[2].label).toBe('');
    expect(l.rows[1].y).toBe(GROUP_HEIGHT_CSS_PX);
    expect(l.rows[2].y).toBe(GROUP_HEIGHT_CSS_PX + ROW_HEIGHT_CSS_PX);
    const t2 = l.rows[5].track;
    expect(l.sliceTop[t2]).toBe(l.rows[4].y + INSTANT_HEIGHT_CSS_PX);
    expect(Layout.rowIndexAt(l.rows, l.rows[2].y + 3)).toBe(2);
    expect(Layout.rowIndexAt(l.rows, -5)).toBe(-1);
  });

  it('hides collapsed groups and lifts pinned tracks into the fixed area', () => {
    const m = model();
    const l = new Layout(m, { collapsed: new Set([0]), pinned: new Set([1]) });
    expect(l.rows.filter((r) => r.kind === RowKind.SLICES)).toHaveLength(0);
    expect(l.rows[0].collapsed).toBe(true);
    expect(l.pinnedRows.map((r) => r.kind)).toEqual([RowKind.INSTANTS, RowKind.SLICES]);
    expect(l.trackPinned[1]).toBe(1);
    expect(l.sliceTop[0]).toBe(-1);
    expect(l.pinnedHeightCssPx).toBeGreaterThan(0);
  });
});

describe('colours', () => {
  it('hash names stably, ignoring digits', () => {
    expect(hashString('RunTask')).toBe(hashString('RunTask'));
    expect(paletteIndexOf('request 12')).toBe(paletteIndexOf('request 13'));
    expect(PALETTE[paletteIndexOf('x')]).toBeTypeOf('number');
  });
  it('packs and mixes little-endian RGBA', () => {
    expect(packHex('#ff0000')).toBe(0xff0000ff);
    expect(mix(packHex('#000000'), packHex('#ffffff'), 0.5)).toBe(0xff808080);
  });
});
