/**
 * The timeline painter: one canvas, one synchronous `paint()` per frame over the model's columns.
 *
 * Cost is bounded by pixels, not events: each visible row binary-searches its visible slice range,
 * and a run of slices narrower than one device pixel becomes one column, skipped over with another
 * binary search. Rectangles go into a 32-bit pixel buffer (one `putImageData`); only text, markers,
 * outlines and arrows use the 2D context. Nothing is allocated per frame on the slice paths.
 */
import { SliceFlag, type TraceModel } from '../model/trace-model';
import { counterRange, firstEndingAtOrAfter, firstStartingAfter, sliceAt } from '../model/query';
import { graphemeCut, type GraphemeCache } from './graphemes';
import { Layout, RowKind, ROW_HEIGHT_CSS_PX, type LayoutRow } from './layout';
import { TimeScale, computeTicks, formatDuration, formatTick } from './time-scale';
import { PALETTE, cnameColor, luminance, mix, packHex, paletteIndexOf, parseCssColor, unpackCss } from './colors';

export interface ThemeColors {
  background: string;
  panel: string;
  text: string;
  textMuted: string;
  grid: string;
  groupHeader: string;
  selection: string;
  hover: string;
  match: string;
  error: string;
  flow: string;
  measure: string;
  instant: string;
  font: string;
  /**
   * Forced colours (Windows high contrast): the colours are system colours, and slices are told
   * apart by outlines (text colour) rather than hue, the selection filled with the highlight.
   */
  forced?: boolean;
  /** Text on the selection colour (default: the background). */
  selectionText?: string;
  /** Slices dimmed by a search, in forced colours (GrayText). */
  dimmed?: string;
}

export const DEFAULT_THEME: ThemeColors = {
  background: '#ffffff',
  panel: '#f3f4f6',
  text: '#1f2328',
  textMuted: '#59636e',
  grid: 'rgba(0,0,0,0.08)',
  groupHeader: '#e6e8eb',
  selection: '#0969da',
  hover: '#1f2328',
  match: '#ffd33d',
  error: '#c41e2a',
  flow: '#6e40c9',
  measure: 'rgba(9,105,218,0.12)',
  instant: '#bf3989',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
};

export type FlowMode = 'none' | 'selection' | 'all';

/** Highlighted slices (search matches, insight entries): a mask plus prefix counts for runs. */
export interface Marks {
  readonly mask: Uint8Array;
  /** prefix[i] = number of marked slices with index < i (length count + 1). */
  readonly prefix: Uint32Array;
  readonly count: number;
}

export function buildMarks(sliceCount: number, slices: ArrayLike<number>): Marks {
  const mask = new Uint8Array(sliceCount);
  for (let k = 0; k < slices.length; k++) mask[slices[k]] = 1;
  const prefix = new Uint32Array(sliceCount + 1);
  let c = 0;
  for (let i = 0; i < sliceCount; i++) {
    prefix[i] = c;
    c += mask[i];
  }
  prefix[sliceCount] = c;
  return { mask, prefix, count: c };
}

export interface PaintState {
  scale: TimeScale;
  /** Vertical scroll of the scroll area, CSS px. */
  scrollY: number;
  selected: number;
  hovered: number;
  marks: Marks | null;
  /** Measured range [t0, t1] in ns, or null. */
  measure: readonly [number, number] | null;
  flows: FlowMode;
  /** Row index (in layout.rows) with keyboard focus on its label, or -1. */
  focusedRow: number;
  /** The search match shown that is a group header (track -1) or a track name: its label is highlighted. */
  found?: { group: number; track: number } | null;
}

export interface Hit {
  area: 'ruler' | 'label' | 'timeline' | 'none';
  row: LayoutRow | null;
  rowIndex: number;
  slice: number;
  instant: number;
  /** Counter series under the pointer (COUNTER rows), its value at tNs; else -1 / NaN. */
  counter: number;
  value: number;
  tNs: number;
}

export const LABEL_WIDTH_CSS_PX = 180;
export const RULER_HEIGHT_CSS_PX = 24;
const LABEL_MIN_CSS_PX = 30;
const MAX_LABELS = 8192;
const MAX_FLOWS_DRAWN = 4000;

export class TimelineRenderer {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private model: TraceModel | null = null;
  private layout: Layout | null = null;
  private cssW = 1;
  private cssH = 1;
  private dpr = 1;
  private image: ImageData | null = null;
  private buf = new Uint32Array(0);
  private bufferQueued = false;

  private theme: ThemeColors = DEFAULT_THEME;
  private bg = 0;
  private headerBg = 0;
  private errorC = 0;
  private matchC = 0;
  private panelC = 0;
  private textC = 0;
  private dimC = 0;
  private selC = 0;
  private forced = false;
  private dark = false;
  private nameColor = new Uint32Array(0);
  private nameDim = new Uint32Array(0);
  private nameWidth = new Float32Array(0);
  private readonly cnameCache = new Map<number, number>();
  /** Grapheme starts of the names cut (per frame, thousands of labels are). */
  private readonly cuts: GraphemeCache = new Map();
  private ellipsisW = 0;
  private font = '';
  private boldFont = '';

  private readonly labelSlice = new Int32Array(MAX_LABELS);
  private readonly labelX0 = new Float64Array(MAX_LABELS);
  private readonly labelX1 = new Float64Array(MAX_LABELS);
  private readonly labelY = new Float64Array(MAX_LABELS);
  private labelCount = 0;
  /** Arrow head points of the flows being painted (x, y pairs). */
  private readonly flowHeads = new Float64Array(2 * MAX_FLOWS_DRAWN);

  /** Milliseconds the last paint took (for the benchmark and tests). */
  lastPaintMs = 0;

  constructor(canvas: HTMLCanvasElement, theme: ThemeColors = DEFAULT_THEME) {
    this.canvas = canvas;
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    this.setTheme(theme);
  }

  get devicePixelRatio(): number {
    return this.dpr;
  }

  get labelWidthCssPx(): number {
    return Math.min(LABEL_WIDTH_CSS_PX, Math.max(80, Math.floor(this.cssW * 0.3)));
  }

  get timelineWidthCssPx(): number {
    return Math.max(1, this.cssW - this.labelWidthCssPx);
  }

  get viewportHeightCssPx(): number {
    return this.cssH;
  }

  /** Height of the scroll area's viewport (below ruler and pinned rows). */
  get scrollViewportCssPx(): number {
    return Math.max(0, this.cssH - RULER_HEIGHT_CSS_PX - (this.layout?.pinnedHeightCssPx ?? 0));
  }

  setModel(model: TraceModel | null): void {
    this.model = model;
    const n = model ? model.strings.length : 0;
    this.nameColor = new Uint32Array(n);
    this.nameDim = new Uint32Array(n);
    this.nameWidth = new Float32Array(n).fill(-1);
    this.cnameCache.clear();
    this.cuts.clear();
  }

  setLayout(layout: Layout | null): void {
    this.layout = layout;
  }

  setTheme(theme: ThemeColors): void {
    this.theme = theme;
    const c = this.ctx;
    this.bg = parseCssColor(c, theme.background, packHex('#ffffff'));
    // Any CSS colour (#000, rgb(), a name): dark when its channels average below half.
    this.dark = (this.bg & 255) + ((this.bg >>> 8) & 255) + ((this.bg >>> 16) & 255) < 384;
    this.panelC = parseCssColor(c, theme.panel, this.bg);
    this.headerBg = parseCssColor(c, theme.groupHeader, this.bg);
    this.errorC = parseCssColor(c, theme.error, packHex('#c41e2a'));
    this.matchC = parseCssColor(c, theme.match, packHex('#ffd33d'));
    this.forced = !!theme.forced;
    this.textC = parseCssColor(c, theme.text, packHex('#1f2328'));
    this.dimC = parseCssColor(c, theme.dimmed ?? theme.textMuted, this.textC);
    this.selC = parseCssColor(c, theme.selection, packHex('#0969da'));
    // A search's matches: the text colour's thick band under the outline (no hue to tell them by).
    if (this.forced) this.matchC = this.textC;
    this.font = `11px ${theme.font}`;
    this.boldFont = `600 11px ${theme.font}`;
    this.nameColor.fill(0);
    this.nameDim.fill(0);
    this.nameWidth.fill(-1);
    this.cnameCache.clear();
    c.font = this.font;
    this.ellipsisW = c.measureText('…').width;
  }

  /** Sizes the backing store in device pixels; call on container resize or DPR change. */
  resize(cssW: number, cssH: number, dpr: number): void {
    this.cssW = Math.max(1, Math.floor(cssW));
    this.cssH = Math.max(1, Math.floor(cssH));
    this.dpr = dpr > 0 ? dpr : 1;
    const w = Math.max(1, Math.round(this.cssW * this.dpr));
    const h = Math.max(1, Math.round(this.cssH * this.dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = null;
      this.buf = new Uint32Array(0);
      // The pixel buffer (4 bytes a device pixel) is made when the thread is idle, e.g. while a
      // trace loads: not on the first render, nor next to the arriving model (where allocating
      // megabytes may also set off a garbage collection).
      if (!this.bufferQueued && typeof requestIdleCallback === 'function') {
        this.bufferQueued = true;
        requestIdleCallback(
          () => {
            this.bufferQueued = false;
            this.ensureBuffer();
          },
          { timeout: 1000 },
        );
      }
    }
  }

  private ensureBuffer(): void {
    const W = this.canvas.width;
    const H = this.canvas.height;
    if (this.buf.length === W * H) return;
    this.image = this.ctx.createImageData(W, H);
    this.buf = new Uint32Array(this.image.data.buffer);
  }

  // ---- colours ----

  private baseColor(i: number): number {
    const m = this.model as TraceModel;
    const sl = m.slices;
    if (sl.flags[i] & SliceFlag.ERROR) return this.errorC;
    const cn = sl.color[i];
    if (cn !== 0) {
      let c = this.cnameCache.get(cn);
      if (c === undefined) {
        c = cnameColor(m.strings[cn]) ?? this.nameColorOf(sl.name[i]);
        this.cnameCache.set(cn, c);
      }
      return c;
    }
    return this.nameColorOf(sl.name[i]);
  }

  private nameColorOf(nameId: number): number {
    let c = this.nameColor[nameId];
    if (c === 0) {
      c = PALETTE[paletteIndexOf((this.model as TraceModel).strings[nameId] ?? '')];
      // Darkened enough for white labels to reach 4.5:1 (WCAG AA) on every palette colour.
      if (this.dark) c = mix(c, 0xff000000, 0.45);
      this.nameColor[nameId] = c;
    }
    return c;
  }

  private dimColor(i: number): number {
    const m = this.model as TraceModel;
    const id = m.slices.name[i];
    if (m.slices.flags[i] & SliceFlag.ERROR || m.slices.color[i] !== 0) return mix(this.baseColor(i), this.bg, 0.7);
    let c = this.nameDim[id];
    if (c === 0) {
      c = mix(this.nameColorOf(id), this.bg, 0.7);
      this.nameDim[id] = c;
    }
    return c;
  }

  private textWidth(nameId: number, s: string): number {
    let w = this.nameWidth[nameId];
    if (w < 0) {
      w = this.ctx.measureText(s).width;
      this.nameWidth[nameId] = w;
    }
    return w;
  }

  // ---- pixel buffer ----

  private fillRect(x0: number, x1: number, y0: number, y1: number, c: number, clipL: number): void {
    const W = this.canvas.width;
    let a = x0 < clipL ? clipL : Math.floor(x0);
    let b = x1 > W ? W : Math.ceil(x1);
    if (b <= a) b = a + 1;
    if (a >= W) return;
    if (b > W) b = W;
    const buf = this.buf;
    if (b - a === 1) {
      for (let y = y0; y < y1; y++) buf[y * W + a] = c;
    } else {
      for (let y = y0; y < y1; y++) buf.fill(c, y * W + a, y * W + b);
    }
  }

  // ---- paint ----

  paint(st: PaintState): void {
    const t0 = performance.now();
    const ctx = this.ctx;
    const W = this.canvas.width;
    const H = this.canvas.height;
    const D = this.dpr;
    this.labelCount = 0;
    const m = this.model;
    const layout = this.layout;
    const LW = this.labelWidthCssPx;
    st.scale.widthCssPx = this.timelineWidthCssPx;
    if (m && layout) {
      this.ensureBuffer();
      this.buf.fill(this.bg);
      const pinH = layout.pinnedHeightCssPx;
      this.paintRowsToBuffer(st, layout.pinnedRows, RULER_HEIGHT_CSS_PX, 0, RULER_HEIGHT_CSS_PX, RULER_HEIGHT_CSS_PX + pinH);
      this.paintRowsToBuffer(st, layout.rows, RULER_HEIGHT_CSS_PX + pinH, st.scrollY, RULER_HEIGHT_CSS_PX + pinH, this.cssH);
      ctx.putImageData(this.image as ImageData, 0, 0);
    } else {
      // Nothing to draw pixel by pixel: no screen-sized buffer to fill and upload (the empty
      // viewer paints while the import worker is starting).
      ctx.fillStyle = unpackCss(this.bg);
      ctx.fillRect(0, 0, W, H);
    }
    ctx.setTransform(D, 0, 0, D, 0, 0);
    ctx.font = this.font;
    ctx.textBaseline = 'middle';
    if (m && layout) {
      this.paintGrid(st);
      this.paintLabels(st);
      const pinH = layout.pinnedHeightCssPx;
      this.paintRowsOverlay(st, layout.pinnedRows, RULER_HEIGHT_CSS_PX, 0, RULER_HEIGHT_CSS_PX, RULER_HEIGHT_CSS_PX + pinH);
      this.paintRowsOverlay(st, layout.rows, RULER_HEIGHT_CSS_PX + pinH, st.scrollY, RULER_HEIGHT_CSS_PX + pinH, this.cssH);
      this.paintFlows(st);
      // (Forced colours: 1 px would not show on the slice's own outline.)
      this.paintOutline(st, st.hovered, this.theme.hover, this.forced ? 2 : 1);
      this.paintOutline(st, st.selected, this.theme.selection, 2);
      this.paintMeasure(st);
      this.paintLabelColumn(st, layout.pinnedRows, RULER_HEIGHT_CSS_PX, 0, RULER_HEIGHT_CSS_PX, RULER_HEIGHT_CSS_PX + pinH);
      this.paintLabelColumn(st, layout.rows, RULER_HEIGHT_CSS_PX + pinH, st.scrollY, RULER_HEIGHT_CSS_PX + pinH, this.cssH);
      this.paintScrollbar(st, layout);
      if (pinH > 0) {
        ctx.fillStyle = this.theme.textMuted;
        ctx.fillRect(0, RULER_HEIGHT_CSS_PX + pinH - 1, this.cssW, 1);
      }
    } else {
      ctx.fillStyle = this.theme.panel;
      ctx.fillRect(0, 0, LW, this.cssH);
    }
    this.paintRuler(st);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.lastPaintMs = performance.now() - t0;
  }

  /** Rows of one area into the pixel buffer: slices, counters, header bands. */
  private paintRowsToBuffer(st: PaintState, rows: readonly LayoutRow[], areaTopCss: number, scrollY: number, clipTopCss: number, clipBotCss: number): void {
    const D = this.dpr;
    const m = this.model as TraceModel;
    const clipTop = Math.round(clipTopCss * D);
    const clipBot = Math.min(this.canvas.height, Math.round(clipBotCss * D));
    if (clipBot <= clipTop) return;
    const first = Layout.firstRowFrom(rows, scrollY);
    const LWd = this.labelWidthCssPx * D;
    for (let r = first; r < rows.length; r++) {
      const row = rows[r];
      const topCss = row.y - scrollY + areaTopCss;
      if (topCss >= clipBotCss) break;
      let y0 = Math.round(topCss * D);
      let y1 = Math.round((topCss + row.height) * D);
      if (row.kind === RowKind.GROUP) {
        y1 -= Math.max(1, Math.round(D));
        if (y0 < clipTop) y0 = clipTop;
        if (y1 > clipBot) y1 = clipBot;
        if (y1 > y0) this.fillRect(0, this.canvas.width, y0, y1, this.headerBg, 0);
        if (row.collapsed) {
          // Summary of a collapsed group: its tracks' top-level slices, merged into one band.
          const inset = Math.round(5 * D);
          const g = m.groups[row.group];
          for (let k = 0; g && k < g.tracks.length && k < 32; k++) {
            const t = g.tracks[k];
            if (m.tracks[t].rowCount > 0 && y1 - inset > y0 + inset) {
              this.paintSliceRow(st, m, t, 0, y0 + inset, y1 - inset, LWd, -1);
            }
          }
        }
        continue;
      }
      if (row.kind === RowKind.SLICES) {
        y1 -= Math.max(1, Math.round(D));
        if (y0 < clipTop) y0 = clipTop;
        if (y1 > clipBot) y1 = clipBot;
        if (y1 > y0) this.paintSliceRow(st, m, row.track, row.depth, y0, y1, LWd, topCss);
      } else if (row.kind === RowKind.COUNTER) {
        y0 += Math.round(3 * D);
        y1 -= Math.max(1, Math.round(D));
        const fullTop = y0;
        const fullBot = y1;
        if (y0 < clipTop) y0 = clipTop;
        if (y1 > clipBot) y1 = clipBot;
        if (y1 > y0) this.paintCounterRow(st, m, row.depth, fullTop, fullBot, y0, y1, LWd);
      }
    }
  }

  private paintSliceRow(st: PaintState, m: TraceModel, track: number, depth: number, y0: number, y1: number, LWd: number, topCss: number): void {
    const rowId = m.rows.rowStart[track] + depth;
    const rss = m.rows.rowSliceStart;
    const a = rss[rowId];
    const b = rss[rowId + 1];
    if (a === b) return;
    const scale = st.scale;
    const lo = firstEndingAtOrAfter(m, a, b, scale.startNs);
    const hi = firstStartingAfter(m, lo, b, scale.endNs);
    if (lo >= hi) return;
    const D = this.dpr;
    const kd = scale.pxPerNs * D;
    const ox = LWd - scale.startNs * kd;
    const S = m.slices.startNs;
    const Dur = m.slices.durNs;
    const marks = st.marks;
    const mask = marks ? marks.mask : null;
    const prefix = marks ? marks.prefix : null;
    const W = this.canvas.width;
    const labelMin = LABEL_MIN_CSS_PX * D;
    const flags = m.slices.flags;
    const cname = m.slices.color;
    const names = m.slices.name;
    const nameColor = this.nameColor;
    let i = lo;
    while (i < hi) {
      const xa = S[i] * kd + ox;
      const xb = (S[i] + Dur[i]) * kd + ox;
      if (xb - xa >= 1) {
        if (this.forced) this.outlinedSlice(st, i, xa, xb, y0, y1, mask !== null && mask[i] === 0, LWd);
        else this.fillRect(xa, xb, y0, y1, mask && mask[i] === 0 ? this.dimColor(i) : this.baseColor(i), LWd);
        if (mask && mask[i] === 1) this.matchStripe(xa, xb, y0, y1, LWd);
        if (topCss >= 0 && (xb - xa >= labelMin || (m.slices.flags[i] & SliceFlag.UNFINISHED) !== 0) && this.labelCount < MAX_LABELS) {
          const k = this.labelCount++;
          this.labelSlice[k] = i;
          this.labelX0[k] = xa / D;
          this.labelX1[k] = xb / D;
          this.labelY[k] = topCss;
        }
        i++;
        continue;
      }
      // A run of sub-pixel slices: everything starting before the next device column is one column.
      const col = Math.floor(xa);
      if (col >= W) break;
      const tNext = (col + 1 - ox) / kd;
      // Galloping search: the next column's first slice is usually close by.
      let lo2 = i + 1;
      let step = 1;
      while (lo2 + step < hi && S[lo2 + step] < tNext) {
        lo2 += step;
        step *= 2;
      }
      let hi2 = lo2 + step < hi ? lo2 + step : hi;
      while (lo2 < hi2) {
        const mid = (lo2 + hi2) >>> 1;
        if (S[mid] < tNext) lo2 = mid + 1;
        else hi2 = mid;
      }
      let j = lo2;
      let end = (S[j - 1] + Dur[j - 1]) * kd + ox;
      if (j - 1 > i && end - col > 2) {
        // The run ends with a wide slice: paint that one on its own.
        j--;
        end = col + 1;
      }
      const any = prefix ? prefix[j] - prefix[i] > 0 : true;
      const fast = flags[i] === 0 && cname[i] === 0 ? nameColor[names[i]] : 0;
      const c = this.forced ? (any ? this.textC : this.dimC) : any ? (fast !== 0 ? fast : this.baseColor(i)) : this.dimColor(i);
      this.fillRect(col, end > col + 1 ? end : col + 1, y0, y1, prefix && any ? this.matchC : c, LWd);
      i = j;
    }
  }

  /**
   * Forced colours: a slice is an outline in the text colour (GrayText when a search dims it),
   * filled with the background; an error is filled with the text colour, the selection with the
   * highlight. Too small for an inside, it is a solid block of the outline colour.
   */
  private outlinedSlice(st: PaintState, i: number, xa: number, xb: number, y0: number, y1: number, dim: boolean, LWd: number): void {
    const sel = i === st.selected;
    this.fillRect(xa, xb, y0, y1, sel ? this.selC : dim ? this.dimC : this.textC, LWd);
    const d = Math.max(1, Math.round(this.dpr));
    const solid = sel || (!dim && ((this.model as TraceModel).slices.flags[i] & SliceFlag.ERROR) !== 0);
    if (!solid && xb - xa > 2 * d && y1 - y0 > 2 * d) this.fillRect(xa + d, xb - d, y0 + d, y1 - d, this.bg, LWd);
  }

  /** Text colour of a slice's label in forced colours (see outlinedSlice). */
  private forcedLabel(st: PaintState, i: number): string {
    const t = this.theme;
    if (i === st.selected) return t.selectionText ?? t.background;
    if (st.marks && st.marks.mask[i] === 0) return t.dimmed ?? t.textMuted;
    return (this.model as TraceModel).slices.flags[i] & SliceFlag.ERROR ? t.background : t.text;
  }

  /** A bright band at the bottom of a matched slice, so matches stay visible in any colour. */
  private matchStripe(xa: number, xb: number, y0: number, y1: number, LWd: number): void {
    const h = Math.max(2, Math.round(3 * this.dpr));
    this.fillRect(xa, xb, Math.max(y0, y1 - h), y1, this.matchC, LWd);
  }

  private paintCounterRow(st: PaintState, m: TraceModel, seriesId: number, fullTop: number, fullBot: number, y0: number, y1: number, LWd: number): void {
    const s = m.counters[seriesId];
    if (!s || s.timesNs.length === 0) return;
    const scale = st.scale;
    const D = this.dpr;
    const kd = scale.pxPerNs * D;
    const ox = LWd - scale.startNs * kd;
    const ts = s.timesNs;
    const vs = s.values;
    const n = ts.length;
    const vmin = Math.min(0, s.min);
    const range = s.max - vmin || 1;
    const hgt = fullBot - fullTop;
    let c = PALETTE[paletteIndexOf(s.name)];
    if (this.dark) c = mix(c, 0xff000000, 0.35);
    let line = mix(c, 0xff000000, 0.35);
    if (this.forced) {
      c = this.dimC;
      line = this.textC;
    }
    const range0 = counterRange(s, scale.startNs, scale.endNs);
    let idx = range0[0];
    const W = this.canvas.width;
    const buf = this.buf;
    const startCol = Math.max(Math.floor(LWd), Math.floor(ts[0] * kd + ox));
    for (let x = startCol; x < W; x++) {
      const tStart = (x - ox) / kd;
      const tEnd = (x + 1 - ox) / kd;
      if (ts[idx] > tEnd) continue;
      while (idx + 1 < n && ts[idx + 1] <= tStart) idx++;
      let v = vs[idx];
      if (idx + 1 < n && ts[idx + 1] < tEnd) {
        // Several samples in this column: binary-search the last one, take the max of a bounded sample.
        let lo = idx + 1;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (ts[mid] < tEnd) lo = mid + 1;
          else hi = mid;
        }
        const last = lo - 1;
        const step = Math.max(1, Math.floor((last - idx) / 32));
        for (let k = idx + 1; k <= last; k += step) if (vs[k] > v) v = vs[k];
        if (vs[last] > v) v = vs[last];
        idx = last;
      }
      const top = Math.round(fullBot - ((v - vmin) / range) * hgt);
      const ya = Math.max(y0, top);
      for (let y = ya; y < y1; y++) buf[y * W + x] = y === ya && top >= y0 ? line : c;
      if (idx >= n - 1 && ts[n - 1] < tStart && x > startCol + 1 && tStart > m.endNs) break;
    }
  }

  // ---- overlay (2D context, CSS px) ----

  private paintGrid(st: PaintState): void {
    const ctx = this.ctx;
    const ticks = computeTicks(st.scale, undefined, this.model?.valueUnit);
    const LW = this.labelWidthCssPx;
    ctx.fillStyle = this.theme.grid;
    const px = 1 / this.dpr;
    for (let t = ticks.firstNs; t <= st.scale.endNs; t += ticks.stepNs) {
      const x = Math.round((LW + st.scale.timeToPx(t)) * this.dpr) / this.dpr;
      ctx.fillRect(x, RULER_HEIGHT_CSS_PX, px, this.cssH - RULER_HEIGHT_CSS_PX);
    }
  }

  /** Slice labels and unfinished markers queued by the buffer pass. */
  private paintLabels(st: PaintState): void {
    const m = this.model as TraceModel;
    const ctx = this.ctx;
    const LW = this.labelWidthCssPx;
    const right = this.cssW;
    const sl = m.slices;
    for (let k = 0; k < this.labelCount; k++) {
      const i = this.labelSlice[k];
      const x0 = Math.max(this.labelX0[k], LW);
      const x1 = Math.min(this.labelX1[k], right);
      const y = this.labelY[k];
      if (sl.flags[i] & SliceFlag.UNFINISHED) {
        const ex = this.labelX1[k];
        if (ex <= right + 1 && ex - 6 > LW) {
          ctx.fillStyle = this.theme.text;
          ctx.beginPath();
          ctx.moveTo(ex - 6, y + 3);
          ctx.lineTo(ex, y + ROW_HEIGHT_CSS_PX / 2 - 0.5);
          ctx.lineTo(ex - 6, y + ROW_HEIGHT_CSS_PX - 4);
          ctx.fill();
        }
      }
      const avail = x1 - x0 - 6;
      if (avail < 12) continue;
      const nameId = sl.name[i];
      const name = m.strings[nameId];
      if (!name) continue;
      const w = this.textWidth(nameId, name);
      if (this.forced) ctx.fillStyle = this.forcedLabel(st, i);
      else {
        const base = st.marks && st.marks.mask[i] === 0 ? this.dimColor(i) : this.baseColor(i);
        // Above 0.21 dark text contrasts more than white does (the two ratios cross there).
        ctx.fillStyle = luminance(base) > 0.21 ? '#1b1f24' : '#ffffff';
      }
      const ty = y + (ROW_HEIGHT_CSS_PX - 1) / 2;
      if (w <= avail) {
        ctx.fillText(name, x0 + 3, ty);
      } else {
        const t = this.truncate(name, w, avail);
        if (t) ctx.fillText(t, x0 + 3, ty);
      }
    }
  }

  /** Instant markers (one per CSS pixel column at most). */
  private paintRowsOverlay(st: PaintState, rows: readonly LayoutRow[], areaTopCss: number, scrollY: number, clipTopCss: number, clipBotCss: number): void {
    const m = this.model as TraceModel;
    const ctx = this.ctx;
    const LW = this.labelWidthCssPx;
    const ins = m.instants;
    const scale = st.scale;
    const k = scale.pxPerNs;
    ctx.save();
    ctx.beginPath();
    ctx.rect(LW, clipTopCss, this.cssW - LW, clipBotCss - clipTopCss);
    ctx.clip();
    ctx.fillStyle = this.theme.instant;
    ctx.beginPath();
    const first = Layout.firstRowFrom(rows, scrollY);
    for (let r = first; r < rows.length; r++) {
      const row = rows[r];
      const top = row.y - scrollY + areaTopCss;
      if (top >= clipBotCss) break;
      if (row.kind !== RowKind.INSTANTS) continue;
      const a = ins.trackStart[row.track];
      const b = ins.trackStart[row.track + 1];
      let lo = a;
      let hi = b;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ins.timeNs[mid] < scale.startNs) lo = mid + 1;
        else hi = mid;
      }
      let i = lo;
      const h = row.height - 2;
      while (i < b && ins.timeNs[i] <= scale.endNs) {
        const x = LW + (ins.timeNs[i] - scale.startNs) * k;
        ctx.moveTo(x, top + 1);
        ctx.lineTo(x + h / 2, top + 1 + h / 2);
        ctx.lineTo(x, top + 1 + h);
        ctx.lineTo(x - h / 2, top + 1 + h / 2);
        ctx.closePath();
        // Skip to the next CSS pixel column.
        const tNext = scale.startNs + (Math.floor(x - LW) + 1) / k;
        let l2 = i + 1;
        let h2 = b;
        while (l2 < h2) {
          const mid = (l2 + h2) >>> 1;
          if (ins.timeNs[mid] < tNext) l2 = mid + 1;
          else h2 = mid;
        }
        i = l2;
      }
    }
    ctx.fill();
    ctx.restore();
  }

  /** Centre y (CSS px, canvas coordinates) of a slice's row, or NaN when hidden or off screen. */
  sliceCenterY(st: PaintState, slice: number): number {
    const m = this.model;
    const layout = this.layout;
    if (!m || !layout) return NaN;
    const t = m.slices.track[slice];
    const top = layout.sliceTop[t];
    if (top < 0) return NaN;
    const y = top + m.slices.depth[slice] * ROW_HEIGHT_CSS_PX + ROW_HEIGHT_CSS_PX / 2;
    if (layout.trackPinned[t]) return y + RULER_HEIGHT_CSS_PX;
    const v = y - st.scrollY + RULER_HEIGHT_CSS_PX + layout.pinnedHeightCssPx;
    return v < RULER_HEIGHT_CSS_PX + layout.pinnedHeightCssPx - ROW_HEIGHT_CSS_PX ? NaN : v;
  }

  private paintFlows(st: PaintState): void {
    const m = this.model as TraceModel;
    const f = m.flows;
    if (st.flows === 'none' || f.count === 0) return;
    const ctx = this.ctx;
    const LW = this.labelWidthCssPx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(LW, RULER_HEIGHT_CSS_PX, this.cssW - LW, this.cssH - RULER_HEIGHT_CSS_PX);
    ctx.clip();
    ctx.strokeStyle = this.theme.flow;
    ctx.fillStyle = this.theme.flow;
    ctx.lineWidth = 1.25;
    // One arrow per pixel position: zoomed out, thousands of flows share one, and drawing each
    // used up the cap on the first flows (by slice order), leaving the rest of the trace without
    // arrows. Curves go in one path and heads in another (not a stroke and a fill per arrow).
    const seen = new Set<number>();
    const heads = this.flowHeads;
    const H = this.cssH;
    const W = this.cssW;
    const px = (x: number): number => Math.round(Math.min(Math.max(x, -1), W + 1)) + 1;
    const py = (y: number): number => Math.round(Math.min(Math.max(y, -1), H + 1)) + 1;
    let drawn = 0;
    ctx.beginPath();
    const draw = (k: number): void => {
      const xa = LW + st.scale.timeToPx(f.fromNs[k]);
      const xb = LW + st.scale.timeToPx(f.toNs[k]);
      if ((xa < LW && xb < LW) || (xa > W && xb > W)) return;
      const ya = this.sliceCenterY(st, f.fromSlice[k]);
      const yb = this.sliceCenterY(st, f.toSlice[k]);
      if (ya !== ya || yb !== yb || (ya > H && yb > H)) return;
      const key = ((px(xa) * 8192 + py(ya)) * 8192 + px(xb)) * 8192 + py(yb);
      if (seen.has(key)) return;
      seen.add(key);
      const dx = Math.max(12, Math.abs(xb - xa) / 2);
      ctx.moveTo(xa, ya);
      ctx.bezierCurveTo(xa + dx, ya, xb - dx, yb, xb, yb);
      heads[2 * drawn] = xb;
      heads[2 * drawn + 1] = yb;
      drawn++;
    };
    if (st.flows === 'all') {
      for (let k = 0; k < f.count && drawn < MAX_FLOWS_DRAWN; k++) draw(k);
    } else if (st.selected >= 0 && m.slices.flags[st.selected] & SliceFlag.HAS_FLOWS) {
      const s = st.selected;
      for (let k = 0; k < f.count && drawn < MAX_FLOWS_DRAWN; k++) if (f.fromSlice[k] === s || f.toSlice[k] === s) draw(k);
    }
    ctx.stroke();
    ctx.beginPath();
    for (let i = 0; i < drawn; i++) {
      const xb = heads[2 * i];
      const yb = heads[2 * i + 1];
      ctx.moveTo(xb, yb);
      ctx.lineTo(xb - 6, yb - 3.5);
      ctx.lineTo(xb - 6, yb + 3.5);
    }
    ctx.fill();
    ctx.restore();
  }

  private paintOutline(st: PaintState, slice: number, color: string, width: number): void {
    const m = this.model as TraceModel;
    if (slice < 0 || slice >= m.slices.count) return;
    const cy = this.sliceCenterY(st, slice);
    if (cy !== cy) return;
    const LW = this.labelWidthCssPx;
    let x0 = LW + st.scale.timeToPx(m.slices.startNs[slice]);
    let x1 = LW + st.scale.timeToPx(m.slices.startNs[slice] + m.slices.durNs[slice]);
    if (x1 < LW || x0 > this.cssW) return;
    x0 = Math.max(x0, LW - 2);
    x1 = Math.min(Math.max(x1, x0 + 1), this.cssW + 2);
    const ctx = this.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(LW, RULER_HEIGHT_CSS_PX, this.cssW - LW, this.cssH - RULER_HEIGHT_CSS_PX);
    ctx.clip();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    const top = cy - ROW_HEIGHT_CSS_PX / 2;
    ctx.strokeRect(x0 + width / 2, top + width / 2, Math.max(1, x1 - x0 - width), ROW_HEIGHT_CSS_PX - 1 - width);
    ctx.restore();
  }

  private paintMeasure(st: PaintState): void {
    if (!st.measure) return;
    const ctx = this.ctx;
    const LW = this.labelWidthCssPx;
    const a = Math.max(LW, LW + st.scale.timeToPx(st.measure[0]));
    const b = Math.min(this.cssW, LW + st.scale.timeToPx(st.measure[1]));
    if (b < a) return;
    ctx.fillStyle = this.theme.measure;
    ctx.fillRect(a, RULER_HEIGHT_CSS_PX, Math.max(1, b - a), this.cssH - RULER_HEIGHT_CSS_PX);
    ctx.fillStyle = this.theme.selection;
    ctx.fillRect(a, RULER_HEIGHT_CSS_PX, 1, this.cssH - RULER_HEIGHT_CSS_PX);
    ctx.fillRect(b, RULER_HEIGHT_CSS_PX, 1, this.cssH - RULER_HEIGHT_CSS_PX);
  }

  private paintLabelColumn(st: PaintState, rows: readonly LayoutRow[], areaTopCss: number, scrollY: number, clipTopCss: number, clipBotCss: number): void {
    const ctx = this.ctx;
    const LW = this.labelWidthCssPx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, clipTopCss, LW, clipBotCss - clipTopCss);
    ctx.clip();
    ctx.fillStyle = this.theme.panel;
    ctx.fillRect(0, clipTopCss, LW, clipBotCss - clipTopCss);
    const first = Layout.firstRowFrom(rows, scrollY);
    const m = this.model as TraceModel;
    const f = st.found;
    for (let r = first; r < rows.length; r++) {
      const row = rows[r];
      const top = row.y - scrollY + areaTopCss;
      if (top >= clipBotCss) break;
      // The search match shown, when it is this name: on the match colour, as matched slices are.
      const found = !!f && f.group === row.group && f.track === row.track && (row.kind === RowKind.GROUP || !!row.label);
      if (found) {
        ctx.fillStyle = this.theme.match;
        ctx.fillRect(0, top, LW, Math.min(row.height, GROUP_OR_ROW(row)) - 1);
      }
      const onMatch = this.forced ? this.theme.background : '#1b1f24';
      if (row.kind === RowKind.GROUP) {
        if (!found) {
          ctx.fillStyle = this.theme.groupHeader;
          ctx.fillRect(0, top, LW, row.height - 1);
        }
        ctx.font = this.boldFont;
        ctx.fillStyle = found ? onMatch : this.theme.text;
        this.fitText(`${row.collapsed ? '▸' : '▾'} ${row.label}`, 6, top + row.height / 2, LW - 10);
        ctx.font = this.font;
      } else if (row.label) {
        ctx.fillStyle = found ? onMatch : this.theme.textMuted;
        this.fitText(row.label, 14, top + Math.min(row.height, ROW_HEIGHT_CSS_PX) / 2, LW - 20);
        if (row.kind === RowKind.COUNTER) {
          const s = m.counters[row.depth];
          if (s) this.fitText(`max ${formatNumber(s.max)}`, 14, top + row.height - 8, LW - 20);
        }
      }
      if (r === st.focusedRow && !row.pinned) {
        ctx.strokeStyle = this.theme.selection;
        ctx.lineWidth = 2;
        ctx.strokeRect(1, top + 1, LW - 2, Math.min(row.height, GROUP_OR_ROW(row)) - 2);
      }
    }
    ctx.fillStyle = this.theme.grid;
    ctx.fillRect(LW - 1, clipTopCss, 1, clipBotCss - clipTopCss);
    ctx.restore();
  }

  /** A thin thumb at the right edge when the tracks are taller than the viewport. */
  private paintScrollbar(st: PaintState, layout: Layout): void {
    const top = RULER_HEIGHT_CSS_PX + layout.pinnedHeightCssPx;
    const vh = this.cssH - top;
    const total = layout.heightCssPx;
    if (total <= vh || vh <= 0) return;
    const h = Math.max(16, (vh * vh) / total);
    const y = top + (st.scrollY / Math.max(1, total - vh)) * (vh - h);
    this.ctx.fillStyle = this.theme.grid;
    this.ctx.fillRect(this.cssW - 6, top, 6, vh);
    this.ctx.fillStyle = this.theme.textMuted;
    this.ctx.fillRect(this.cssW - 5, Math.min(y, this.cssH - h), 4, h);
  }

  private fitText(s: string, x: number, y: number, maxW: number): void {
    const ctx = this.ctx;
    const w = ctx.measureText(s).width;
    if (w <= maxW) {
      ctx.fillText(s, x, y);
      return;
    }
    const t = this.truncate(s, w, maxW);
    if (t) ctx.fillText(t, x, y);
  }

  /** `s` (`w` wide) cut to fit `maxW` with an ellipsis; '' when nothing fits. */
  private truncate(s: string, w: number, maxW: number): string {
    // The cut is guessed from the average glyph width, then measured and shrunk: a name of wide
    // glyphs first (CJK, then ASCII) overflowed into the next slice.
    let n = Math.floor((s.length * (maxW - this.ellipsisW)) / w);
    for (let k = 0; n > 0 && k < 8; k++) {
      // Not inside a grapheme (a surrogate pair, a family emoji, a flag, an accented letter):
      // a broken glyph was drawn.
      if ((n = graphemeCut(s, n, this.cuts)) === 0) break;
      const t = `${s.slice(0, n)}…`;
      const tw = this.ctx.measureText(t).width;
      if (tw <= maxW) return t;
      n = Math.min(n - 1, Math.floor((n * (maxW - this.ellipsisW)) / Math.max(1, tw - this.ellipsisW)));
    }
    return '';
  }

  private paintRuler(st: PaintState): void {
    const ctx = this.ctx;
    const D = this.dpr;
    ctx.setTransform(D, 0, 0, D, 0, 0);
    ctx.font = this.font;
    ctx.textBaseline = 'middle';
    const LW = this.labelWidthCssPx;
    ctx.fillStyle = this.theme.panel;
    ctx.fillRect(0, 0, this.cssW, RULER_HEIGHT_CSS_PX);
    ctx.fillStyle = this.theme.grid;
    ctx.fillRect(0, RULER_HEIGHT_CSS_PX - 1, this.cssW, 1);
    if (!this.model) return;
    const unit = this.model.valueUnit;
    let ticks = computeTicks(st.scale, undefined, unit);
    // Labels far into a long trace ("8316000000400 ns" zoomed in at 2 h) can be wider than the
    // default gap: space the ticks by the widest label in view so they never overlap (a clock's
    // widest is not always the farthest: "2 h" after "1 h 59 min 59.9999 s").
    let widest = 0;
    for (let t = ticks.firstNs; t <= st.scale.endNs; t += ticks.stepNs) widest = Math.max(widest, ctx.measureText(formatTick(t, ticks)).width + 12);
    if (widest > ticks.stepNs * st.scale.pxPerNs) ticks = computeTicks(st.scale, widest, unit);
    ctx.fillStyle = this.theme.textMuted;
    for (let t = ticks.firstNs; t <= st.scale.endNs; t += ticks.stepNs) {
      const x = Math.round((LW + st.scale.timeToPx(t)) * D) / D;
      ctx.fillRect(x, RULER_HEIGHT_CSS_PX - 7, 1 / D, 6);
      const label = formatTick(t, ticks);
      if (x + 3 + ctx.measureText(label).width <= this.cssW) ctx.fillText(label, x + 3, RULER_HEIGHT_CSS_PX / 2 - 2);
    }
    ctx.fillStyle = this.theme.panel;
    ctx.fillRect(0, 0, LW, RULER_HEIGHT_CSS_PX - 1);
    ctx.fillStyle = this.theme.text;
    this.fitText(`${formatDuration(st.scale.spanNs, 3, unit)} shown`, 6, RULER_HEIGHT_CSS_PX / 2, LW - 10);
    if (st.measure) {
      const a = LW + st.scale.timeToPx(st.measure[0]);
      const b = LW + st.scale.timeToPx(st.measure[1]);
      const label = formatDuration(st.measure[1] - st.measure[0], 3, unit);
      const w = ctx.measureText(label).width + 8;
      const cx = Math.min(Math.max((a + b) / 2 - w / 2, LW), this.cssW - w);
      ctx.fillStyle = this.theme.selection;
      ctx.fillRect(cx, 3, w, RULER_HEIGHT_CSS_PX - 7);
      // The background colour, as the selected tab's text: white on the dark theme's blue was 3.1:1.
      ctx.fillStyle = this.theme.selectionText ?? this.theme.background;
      ctx.fillText(label, cx + 4, RULER_HEIGHT_CSS_PX / 2 - 1);
    }
  }

  // ---- hit testing ----

  hitTest(st: PaintState, xCss: number, yCss: number): Hit {
    const hit: Hit = { area: 'none', row: null, rowIndex: -1, slice: -1, instant: -1, counter: -1, value: NaN, tNs: NaN };
    const m = this.model;
    const layout = this.layout;
    if (!m || !layout || xCss < 0 || yCss < 0 || xCss > this.cssW || yCss > this.cssH) return hit;
    const LW = this.labelWidthCssPx;
    hit.tNs = st.scale.pxToTime(xCss - LW);
    if (yCss < RULER_HEIGHT_CSS_PX) {
      hit.area = 'ruler';
      return hit;
    }
    const pinH = layout.pinnedHeightCssPx;
    let rows: readonly LayoutRow[];
    let y: number;
    if (yCss < RULER_HEIGHT_CSS_PX + pinH) {
      rows = layout.pinnedRows;
      y = yCss - RULER_HEIGHT_CSS_PX;
    } else {
      rows = layout.rows;
      y = yCss - RULER_HEIGHT_CSS_PX - pinH + st.scrollY;
    }
    const ri = Layout.rowIndexAt(rows, y);
    hit.area = xCss < LW ? 'label' : 'timeline';
    if (ri < 0) return hit;
    const row = rows[ri];
    hit.row = row;
    hit.rowIndex = rows === layout.rows ? ri : -1;
    if (hit.area !== 'timeline') return hit;
    const slop = 2 / st.scale.pxPerNs;
    if (row.kind === RowKind.SLICES) {
      hit.slice = sliceAt(m, row.track, row.depth, hit.tNs, slop);
    } else if (row.kind === RowKind.COUNTER) {
      const series = m.counters[row.depth];
      if (series && series.timesNs.length > 0 && hit.tNs >= series.timesNs[0]) {
        const [a] = counterRange(series, hit.tNs, hit.tNs);
        hit.counter = row.depth;
        hit.value = series.values[a];
      }
    } else if (row.kind === RowKind.INSTANTS) {
      const ins = m.instants;
      const slop4 = 4 / st.scale.pxPerNs;
      let best = -1;
      let bestD = Infinity;
      let i0 = ins.trackStart[row.track];
      let i1 = ins.trackStart[row.track + 1];
      const end = i1;
      while (i0 < i1) {
        const mid = (i0 + i1) >>> 1;
        if (ins.timeNs[mid] < hit.tNs - slop4) i0 = mid + 1;
        else i1 = mid;
      }
      for (let i = i0; i < end; i++) {
        const d = Math.abs(ins.timeNs[i] - hit.tNs);
        if (d <= slop4 && d < bestD) {
          best = i;
          bestD = d;
        }
        if (ins.timeNs[i] > hit.tNs + slop4) break;
      }
      hit.instant = best;
    }
    return hit;
  }
}

function GROUP_OR_ROW(row: LayoutRow): number {
  return row.kind === RowKind.GROUP ? row.height : ROW_HEIGHT_CSS_PX;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

export { unpackCss };
