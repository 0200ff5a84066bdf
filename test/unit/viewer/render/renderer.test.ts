// The painter against a fake 2D context: checks the pixel buffer (where slices land, merging of
// sub-pixel runs, dimming of non-matches) without a browser.
import { describe, expect, it } from 'vitest';
import { TraceBuilder, GroupKind, TrackKind, type TraceModel } from '../../../../src/viewer/model';
import { Layout, GROUP_HEIGHT_CSS_PX } from '../../../../src/viewer/render/layout';
import { TimelineRenderer, RULER_HEIGHT_CSS_PX, buildMarks, type PaintState } from '../../../../src/viewer/render/renderer';
import { TimeScale } from '../../../../src/viewer/render/time-scale';
import { PALETTE, paletteIndexOf, packHex } from '../../../../src/viewer/render/colors';

function fakeCanvas(): { canvas: HTMLCanvasElement; image: () => ImageData | null; curves: number[]; strokes: () => number } {
  let img: ImageData | null = null;
  const curves: number[] = [];
  let strokes = 0;
  let fill = '#000000';
  const ctx = {
    get fillStyle() {
      return fill;
    },
    set fillStyle(v: string) {
      fill = /^#[0-9a-f]{6}$/i.test(v) ? v.toLowerCase() : fill;
    },
    createImageData(w: number, h: number) {
      img = { width: w, height: h, data: new Uint8ClampedArray(w * h * 4), colorSpace: 'srgb' } as ImageData;
      return img;
    },
    measureText: (s: string) => ({ width: s.length * 6 }),
    putImageData() {},
    setTransform() {},
    fillRect() {},
    fillText() {},
    strokeRect() {},
    beginPath() {},
    moveTo() {},
    lineTo() {},
    bezierCurveTo(_a: number, _b: number, _c: number, _d: number, x: number) {
      curves.push(x);
    },
    closePath() {},
    rect() {},
    clip() {},
    fill() {},
    stroke() {
      strokes++;
    },
    save() {},
    restore() {},
  };
  const canvas = { width: 0, height: 0, getContext: () => ctx } as unknown as HTMLCanvasElement;
  return { canvas, image: () => img, curves, strokes: () => strokes };
}

function model(slices: Array<[number, number, string]>): TraceModel {
  const b = new TraceBuilder('chrome-json');
  const g = b.group(GroupKind.PROCESS, '1', 'p');
  const t = b.track(g, TrackKind.THREAD, '1', 't');
  for (const [s, d, n] of slices) b.addSlice(t, s, d, b.intern(n), 0);
  return b.finish();
}

function setup(m: TraceModel, widthCss = 1180, marks: number[] | null = null) {
  const { canvas, image } = fakeCanvas();
  const r = new TimelineRenderer(canvas);
  r.setModel(m);
  r.setLayout(new Layout(m, { collapsed: new Set(), pinned: new Set() }));
  r.resize(widthCss, 200, 1);
  const scale = new TimeScale();
  scale.widthCssPx = r.timelineWidthCssPx;
  scale.setExtent(0, 1000);
  scale.setWindow(0, 1000);
  const st: PaintState = { scale, scrollY: 0, selected: -1, hovered: -1, marks: marks ? buildMarks(m.slices.count, marks) : null, measure: null, flows: 'none', focusedRow: -1 };
  r.paint(st);
  const img = image() as ImageData;
  const px = new Uint32Array(img.data.buffer);
  const y = RULER_HEIGHT_CSS_PX + GROUP_HEIGHT_CSS_PX + 8; // middle of the depth-0 row
  const x0 = r.labelWidthCssPx; // timeline starts here; 1 px = 1 ns with width 1000
  return { at: (tNs: number) => px[y * img.width + x0 + Math.round(tNs)], bg: packHex('#ffffff') };
}

describe('TimelineRenderer pixel buffer', () => {
  it('paints wide slices in their name colour where they are, and background elsewhere', () => {
    // The builder moves the origin to the earliest event: anchor it at 0.
    const m = model([
      [0, 1, 'origin'],
      [100, 200, 'alpha'],
      [500, 100, 'beta'],
    ]);
    const { at, bg } = setup(m);
    expect(at(150)).toBe(PALETTE[paletteIndexOf('alpha')]);
    expect(at(550)).toBe(PALETTE[paletteIndexOf('beta')]);
    expect(at(50)).toBe(bg);
    expect(at(400)).toBe(bg);
    expect(at(800)).toBe(bg);
  });

  it('merges runs of sub-pixel slices into covered columns, keeping real gaps', () => {
    const slices: Array<[number, number, string]> = [];
    // 2000 slices of 0.1 ns every 0.2 ns over [0, 400): far below one pixel each.
    for (let i = 0; i < 2000; i++) slices.push([i * 0.2, 0.1, 'tiny']);
    slices.push([700, 0.3, 'tiny']);
    const m = model(slices);
    const { at, bg } = setup(m);
    const c = PALETTE[paletteIndexOf('tiny')];
    for (const t of [0, 1, 50, 123, 250, 399]) expect(at(t)).toBe(c);
    expect(at(450)).toBe(bg);
    expect(at(700)).toBe(c);
    expect(at(702)).toBe(bg);
  });

  it('dims slices that do not match the marks', () => {
    const m = model([
      [0, 1, 'origin'],
      [100, 100, 'same'],
      [300, 100, 'same'],
    ]);
    const { at } = setup(m, 1180, [2]);
    expect(at(350)).toBe(PALETTE[paletteIndexOf('same')]);
    expect(at(150)).not.toBe(PALETTE[paletteIndexOf('same')]);
  });
});

describe('pixel buffer', () => {
  it('is not made for an empty timeline, and is made on the first paint with a model', () => {
    const { canvas, image } = fakeCanvas();
    const r = new TimelineRenderer(canvas);
    r.resize(800, 200, 1);
    const scale = new TimeScale();
    scale.widthCssPx = r.timelineWidthCssPx;
    const st: PaintState = { scale, scrollY: 0, selected: -1, hovered: -1, marks: null, measure: null, flows: 'none', focusedRow: -1 };
    r.paint(st);
    expect(image()).toBeNull();
    const m = model([[0, 100, 'a']]);
    r.setModel(m);
    r.setLayout(new Layout(m, { collapsed: new Set(), pinned: new Set() }));
    scale.setExtent(0, 1000);
    scale.setWindow(0, 1000);
    r.paint(st);
    expect(image()?.width).toBe(800);
    expect(image()?.height).toBe(200);
  });
});

describe('flow arrows', () => {
  it('"all" shows flows over the whole window when there are more than it draws (one per pixel position)', () => {
    // 20k flows from one thread to another, one every 0.05 ns over [0, 1000]: 20 a pixel.
    const b = new TraceBuilder('chrome-json');
    const g = b.group(GroupKind.PROCESS, '1', 'p');
    const t1 = b.track(g, TrackKind.THREAD, '1', 'sender');
    const t2 = b.track(g, TrackKind.THREAD, '2', 'receiver');
    const name = b.intern('x');
    for (let i = 0; i < 20_000; i++) {
      const ts = i * 0.05;
      b.addFlow(b.addSlice(t1, ts, 0.02, name, 0), b.addSlice(t2, ts + 0.01, 0.02, name, 0), ts, ts + 0.01, 0);
    }
    const m = b.finish();
    expect(m.flows.count).toBe(20_000);
    const { canvas, curves, strokes } = fakeCanvas();
    const r = new TimelineRenderer(canvas);
    r.setModel(m);
    r.setLayout(new Layout(m, { collapsed: new Set(), pinned: new Set() }));
    r.resize(1180, 300, 1);
    const scale = new TimeScale();
    scale.widthCssPx = r.timelineWidthCssPx;
    scale.setExtent(0, 1000);
    scale.setWindow(0, 1000);
    r.paint({ scale, scrollY: 0, selected: -1, hovered: -1, marks: null, measure: null, flows: 'all', focusedRow: -1 });
    const x0 = r.labelWidthCssPx;
    // The cap (4000 arrows) went to the first flows: none past the first fifth of the window.
    expect(Math.max(...curves)).toBeGreaterThan(x0 + 990);
    expect(curves.filter((x) => x > x0 + 500).length).toBeGreaterThan(400);
    expect(curves.length).toBeLessThanOrEqual(1100);
    expect(strokes()).toBe(1);
  });
});

describe('ruler', () => {
  /** A two-hour trace on a 1000 px renderer whose fillText calls are recorded; `paintedTicks()` paints and returns the ruler's tick labels, left to right. */
  const rulerOfTwoHours = () => {
    const m = model([[0, 7200e9, 'nightly batch']]);
    const { canvas } = fakeCanvas();
    const texts: Array<{ s: string; x: number; y: number }> = [];
    (canvas.getContext('2d') as unknown as { fillText: (s: string, x: number, y: number) => void }).fillText = (s, x, y) => texts.push({ s, x, y });
    const r = new TimelineRenderer(canvas);
    r.setModel(m);
    r.setLayout(new Layout(m, { collapsed: new Set(), pinned: new Set() }));
    r.resize(1000, 200, 1);
    const scale = new TimeScale();
    scale.widthCssPx = r.timelineWidthCssPx;
    scale.setExtent(0, 7200e9);
    const st: PaintState = { scale, scrollY: 0, selected: -1, hovered: -1, marks: null, measure: null, flows: 'none', focusedRow: -1 };
    const paintedTicks = () => {
      texts.length = 0;
      r.paint(st);
      return texts.filter((t) => t.y < RULER_HEIGHT_CSS_PX && t.x > r.labelWidthCssPx).sort((a, b) => a.x - b.x);
    };
    return { scale, paintedTicks };
  };
  /** No label reaches the next (the fake context measures 6 px a character). */
  const expectApart = (ticks: Array<{ s: string; x: number }>) => {
    expect(ticks.length).toBeGreaterThan(2);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i - 1].x + ticks[i - 1].s.length * 6, `${ticks[i - 1].s} | ${ticks[i].s}`).toBeLessThan(ticks[i].x);
  };
  it('spaces ticks by their widest label: zoomed in far into a long trace, labels never overlap', () => {
    const { scale, paintedTicks } = rulerOfTwoHours();
    // Windows whose 1/2/5 tick step lands just over the default 90 px gap.
    for (const [at, step] of [[7000e9, 100], [7000e9, 1e3], [3600e9, 1e6], [10e9, 1]]) {
      scale.setWindow(at, at + (step * scale.widthCssPx) / 92);
      expectApart(paintedTicks());
    }
  });

  it('clock labels: the far tick may be the shortest ("2 h" after "1 h 59 min 30 s"), and labels still never overlap', () => {
    const { scale, paintedTicks } = rulerOfTwoHours();
    // Windows ending at the round 2 h, whose step lands just over the default 90 px gap: 30 s steps
    // and tiny ones, where every other label has minutes and seconds.
    for (const step of [30e9, 100, 1e5]) {
      const w = (step * scale.widthCssPx) / 92;
      scale.setWindow(7200e9 - w, 7200e9);
      expectApart(paintedTicks());
    }
  });
});
