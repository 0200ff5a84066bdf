/**
 * Owns the canvas world of the viewer: renderer, time scale, layout, vertical scroll, and the
 * input that moves them (wheel zoom at the cursor, drag pan, shift-drag measure, held W/A/S/D,
 * click to select). The element owns the DOM; this reports back through callbacks.
 */
import { SliceFlag, type TraceModel } from '../model/trace-model';
import { rowOf, rowSlices, firstEndingAtOrAfter } from '../model/query';
import { Layout, RowKind, ROW_HEIGHT_CSS_PX } from '../render/layout';
import { TimelineRenderer, RULER_HEIGHT_CSS_PX, buildMarks, type FlowMode, type Hit, type Marks, type PaintState, type ThemeColors } from '../render/renderer';
import { TimeScale } from '../render/time-scale';
import { FrameScheduler } from '../render/scheduler';
import { childrenList } from './analysis';

export interface TimelineCallbacks {
  onSelect(slice: number): void;
  onHover(hit: Hit | null, xCss: number, yCss: number): void;
  onMeasure(range: readonly [number, number] | null): void;
  /** The layout or the vertical scroll changed (the element re-renders its label buttons). */
  onViewport?(): void;
}

const KEY_ZOOM_PER_S = 3.2;
const KEY_PAN_PER_S = 0.9;
const DRAG_SLOP_CSS_PX = 4;
/** Two clicks at one spot within this time are a double-click (a common OS default). */
const DOUBLE_CLICK_MS = 500;

export class TimelineController {
  readonly scale = new TimeScale();
  readonly scheduler = new FrameScheduler();
  renderer: TimelineRenderer | null = null;
  model: TraceModel | null = null;
  layout: Layout | null = null;
  readonly collapsed = new Set<number>();
  readonly pinned = new Set<number>();
  readonly state: PaintState = {
    scale: this.scale,
    scrollY: 0,
    selected: -1,
    hovered: -1,
    marks: null,
    measure: null,
    flows: 'selection',
    focusedRow: -1,
  };
  private readonly cb: TimelineCallbacks;
  private container: HTMLElement | null = null;
  private readonly paintSlot: number;
  private readonly animSlot: number;
  private readonly held = new Set<string>();
  private lastAnimMs = 0;
  private drag: { x: number; y: number; lastX: number; lastY: number; measure: boolean; moved: boolean; id: number } | null = null;
  /** The last click that selected in the timeline: where, when, and what it hit. */
  private lastClick: { x: number; y: number; t: number; slice: number } | null = null;
  private theme: ThemeColors | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private dprQuery: MediaQueryList | null = null;
  private cssW = 0;
  private cssH = 0;
  private readonly lastViewport: { layout: Layout | null; scrollY: number; cssH: number; cssW: number } = { layout: null, scrollY: NaN, cssH: 0, cssW: 0 };
  /** The window as the model was first shown (to tell whether the user has moved it since). */
  private fullWindow: [number, number] = [NaN, NaN];

  constructor(cb: TimelineCallbacks) {
    this.cb = cb;
    // Animation first: a held key moves the view and the same frame paints it.
    this.animSlot = this.scheduler.register((now) => this.animate(now));
    this.paintSlot = this.scheduler.register(() => this.paintNow());
  }

  /** Connects to the DOM; safe to call again after `detach` (element moved in the document). */
  attach(container: HTMLElement, canvas: HTMLCanvasElement): void {
    if (this.container) this.detach();
    this.container = container;
    if (this.renderer?.canvas !== canvas) {
      this.renderer = new TimelineRenderer(canvas, this.theme ?? undefined);
      this.cssW = NaN; // not sized yet: the next measure paints
      this.renderer.setModel(this.model);
      this.renderer.setLayout(this.layout);
    }
    this.resizeObserver = new ResizeObserver(() => this.measureSize());
    this.resizeObserver.observe(container);
    this.watchDpr();
    container.addEventListener('wheel', this.onWheel, { passive: false });
    container.addEventListener('pointerdown', this.onPointerDown);
    container.addEventListener('pointermove', this.onPointerMove);
    container.addEventListener('pointerup', this.onPointerUp);
    container.addEventListener('pointercancel', this.onPointerUp);
    container.addEventListener('pointerleave', this.onPointerLeave);
    container.addEventListener('dblclick', this.onDblClick);
    this.measureSize();
  }

  detach(): void {
    // Taken out of the document, it has lost the pointer: its tooltip, hover or drag showed on
    // after it came back (elsewhere, the pointer far away) until the pointer crossed it again.
    if (this.container) this.onPointerLeave();
    this.drag = null;
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.dprQuery?.removeEventListener('change', this.onDprChange);
    this.dprQuery = null;
    this.scheduler.cancel();
    this.held.clear();
    const c = this.container;
    this.container = null;
    if (!c) return;
    c.removeEventListener('wheel', this.onWheel);
    c.removeEventListener('pointerdown', this.onPointerDown);
    c.removeEventListener('pointermove', this.onPointerMove);
    c.removeEventListener('pointerup', this.onPointerUp);
    c.removeEventListener('pointercancel', this.onPointerUp);
    c.removeEventListener('pointerleave', this.onPointerLeave);
    c.removeEventListener('dblclick', this.onDblClick);
  }

  /**
   * A devicePixelRatio change alone (window moved to another screen) resizes nothing, so the
   * ResizeObserver stays silent: a media query for the current ratio reports it instead.
   */
  private watchDpr(): void {
    this.dprQuery?.removeEventListener('change', this.onDprChange);
    this.dprQuery = globalThis.matchMedia?.(`(resolution: ${globalThis.devicePixelRatio || 1}dppx)`) ?? null;
    this.dprQuery?.addEventListener('change', this.onDprChange);
  }

  private readonly onDprChange = (): void => {
    this.watchDpr();
    this.measureSize();
  };

  /** Reads the container size and device pixel ratio; paints synchronously so no blank frame shows. */
  measureSize(): void {
    if (!this.container || !this.renderer) return;
    const r = this.container.getBoundingClientRect();
    const dpr = globalThis.devicePixelRatio || 1;
    // The ResizeObserver's first call (and any call that finds nothing changed) repaints nothing.
    if (r.width === this.cssW && r.height === this.cssH && dpr === this.renderer.devicePixelRatio) return;
    this.cssW = r.width;
    this.cssH = r.height;
    this.renderer.resize(r.width, r.height, dpr);
    this.scale.widthCssPx = this.renderer.timelineWidthCssPx;
    this.clampScroll();
    this.paintNow();
  }

  /**
   * keepView: same trace grown (live spans) — keep collapse, pins, selection and window.
   * keepWindow: a new model of the same trace (a preview's final model) — reset everything but
   * the scroll position and a window the user moved to.
   */
  setModel(model: TraceModel | null, keepView = false, keepWindow = false): void {
    const prev = this.model;
    const sc = this.scale;
    const moved = keepWindow && prev && (sc.startNs !== this.fullWindow[0] || sc.endNs !== this.fullWindow[1]);
    const userWindow = moved ? [sc.startNs, sc.endNs] : null;
    const scrollY = this.state.scrollY;
    this.model = model;
    this.renderer?.setModel(model);
    if (!keepView || !prev) {
      this.collapsed.clear();
      this.pinned.clear();
      this.state.scrollY = 0;
      this.state.selected = -1;
      this.state.hovered = -1;
      this.state.marks = null;
      this.state.measure = null;
    } else if (this.state.selected >= (model?.slices.count ?? 0)) this.state.selected = -1;
    this.state.found = null;
    if (keepWindow) this.state.scrollY = scrollY;
    this.relayout();
    if (model && (!keepView || !prev)) {
      this.scale.setExtent(model.startNs, model.endNs);
      this.fullWindow = [this.scale.startNs, this.scale.endNs];
      if (userWindow) this.scale.setWindow(userWindow[0], userWindow[1]);
    } else if (model) {
      const { startNs, endNs } = this.scale;
      const follow = prev && endNs >= prev.endNs;
      this.scale.setExtent(model.startNs, model.endNs);
      if (follow) this.scale.setWindow(Math.max(model.startNs, model.endNs - (endNs - startNs)), model.endNs);
      else this.scale.setWindow(startNs, endNs);
    }
    this.paintNow();
  }

  setTheme(theme: ThemeColors): void {
    // Kept for a renderer made later (the element reads its theme before the first paint).
    this.theme = theme;
    if (!this.renderer) return;
    this.renderer.setTheme(theme);
    this.requestPaint();
  }

  setFlows(mode: FlowMode): void {
    if (this.state.flows === mode) return;
    this.state.flows = mode;
    this.requestPaint();
  }

  setMarks(slices: ArrayLike<number> | null): Marks | null {
    this.state.marks = slices && this.model ? buildMarks(this.model.slices.count, slices) : null;
    this.requestPaint();
    return this.state.marks;
  }

  relayout(): void {
    this.layout = this.model ? new Layout(this.model, { collapsed: this.collapsed, pinned: this.pinned }) : null;
    this.renderer?.setLayout(this.layout);
    this.clampScroll();
    this.requestPaint();
  }

  requestPaint(): void {
    this.scheduler.request(this.paintSlot);
  }

  paintNow(): void {
    if (!this.renderer) return;
    // Painted now: a frame already requested for this would paint the same picture again.
    this.scheduler.ranEarly(this.paintSlot);
    if ((globalThis.devicePixelRatio || 1) !== this.renderer.devicePixelRatio) {
      this.renderer.resize(this.cssW, this.cssH, globalThis.devicePixelRatio || 1);
    }
    this.renderer.paint(this.state);
    const v = this.lastViewport;
    if (v.layout !== this.layout || v.scrollY !== this.state.scrollY || v.cssH !== this.cssH || v.cssW !== this.cssW) {
      v.layout = this.layout;
      v.scrollY = this.state.scrollY;
      v.cssH = this.cssH;
      v.cssW = this.cssW;
      this.cb.onViewport?.();
    }
  }

  /**
   * Shows a group header (track -1) or a track name a search found: expands its group, scrolls it
   * into view and highlights the name (null: no name highlighted).
   */
  showFound(found: { group: number; track: number } | null): void {
    this.state.found = found;
    if (found && found.track >= 0 && !this.pinned.has(found.track) && this.collapsed.delete(found.group)) this.relayout();
    const row = found && this.layout?.rows.find((r) => r.group === found.group && r.track === found.track && (found.track < 0 || r.label));
    if (row) this.revealY(row.y, row.kind === RowKind.GROUP ? row.height : Math.min(row.height, ROW_HEIGHT_CSS_PX));
    this.requestPaint();
  }

  /** Scrolls the track area so rows [yCss, yCss + hCss) of the scroll area are visible. */
  revealY(yCss: number, hCss: number): void {
    if (!this.renderer) return;
    const vh = this.renderer.scrollViewportCssPx;
    if (yCss < this.state.scrollY) this.state.scrollY = yCss;
    else if (yCss + hCss > this.state.scrollY + vh) this.state.scrollY = yCss + hCss - vh;
    else return;
    this.clampScroll();
    this.paintNow();
  }

  // ---- view operations ----

  private maxScroll(): number {
    if (!this.layout || !this.renderer) return 0;
    return Math.max(0, this.layout.heightCssPx - this.renderer.scrollViewportCssPx + 8);
  }

  private clampScroll(): void {
    this.state.scrollY = Math.min(Math.max(0, this.state.scrollY), this.maxScroll());
  }

  scrollBy(dyCssPx: number): void {
    this.state.scrollY += dyCssPx;
    this.clampScroll();
    this.requestPaint();
  }

  zoomAt(xCss: number, factor: number): void {
    this.scale.zoomAt(xCss, factor);
    this.requestPaint();
  }

  pan(dxCss: number): void {
    this.scale.panPx(dxCss);
    this.requestPaint();
  }

  resetZoom(): void {
    if (!this.model) return;
    this.scale.setExtent(this.model.startNs, this.model.endNs);
    this.requestPaint();
  }

  zoomToRange(t0: number, t1: number): void {
    const pad = Math.max((t1 - t0) * 0.08, TimeScale.MIN_SPAN_NS);
    this.scale.setWindow(t0 - pad, t1 + pad);
    this.requestPaint();
  }

  zoomToSlice(slice: number): void {
    const m = this.model;
    if (!m || slice < 0) return;
    this.zoomToRange(m.slices.startNs[slice], m.slices.startNs[slice] + m.slices.durNs[slice]);
  }

  /** Zooms to the selection, else the measured range. */
  zoomToSelection(): void {
    if (this.state.selected >= 0) this.zoomToSlice(this.state.selected);
    else if (this.state.measure) this.zoomToRange(this.state.measure[0], this.state.measure[1]);
  }

  toggleGroup(group: number): void {
    if (this.collapsed.has(group)) this.collapsed.delete(group);
    else this.collapsed.add(group);
    this.relayout();
  }

  togglePin(track: number): void {
    if (this.pinned.has(track)) this.pinned.delete(track);
    else this.pinned.add(track);
    this.relayout();
  }

  /** Selects a slice, expanding its group and scrolling/panning so it is visible. */
  select(slice: number, reveal = true): void {
    const m = this.model;
    if (!m || slice >= m.slices.count) slice = -1;
    this.state.selected = slice;
    if (slice >= 0 && reveal) this.reveal(slice);
    this.requestPaint();
    this.cb.onSelect(slice);
  }

  reveal(slice: number): void {
    const m = this.model;
    if (!m || !this.renderer) return;
    const track = m.slices.track[slice];
    const group = m.tracks[track].group;
    if (this.collapsed.has(group) && !this.pinned.has(track)) {
      this.collapsed.delete(group);
      this.relayout();
    }
    const layout = this.layout;
    if (layout && !layout.trackPinned[track]) {
      const y = layout.sliceTop[track] + m.slices.depth[slice] * ROW_HEIGHT_CSS_PX;
      const vh = this.renderer.scrollViewportCssPx;
      if (y < this.state.scrollY) this.state.scrollY = Math.max(0, y - ROW_HEIGHT_CSS_PX * 2);
      else if (y + ROW_HEIGHT_CSS_PX > this.state.scrollY + vh) this.state.scrollY = y - vh + ROW_HEIGHT_CSS_PX * 3;
      this.clampScroll();
    }
    const s = m.slices.startNs[slice];
    const e = s + m.slices.durNs[slice];
    const sc = this.scale;
    if (e < sc.startNs || s > sc.endNs) {
      const span = sc.spanNs;
      if (e - s > span) this.zoomToSlice(slice);
      else sc.setWindow((s + e) / 2 - span / 2, (s + e) / 2 + span / 2);
    }
  }

  /** Arrow-key navigation: left/right = previous/next in the row, up = parent, down = first child. */
  navigate(key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown'): void {
    const m = this.model;
    if (!m || m.slices.count === 0) return;
    const cur = this.state.selected;
    if (cur < 0) {
      this.select(this.firstVisibleSlice());
      return;
    }
    let next = -1;
    if (key === 'ArrowUp') next = m.slices.parent[cur];
    else if (key === 'ArrowDown') {
      const kids = childrenList(m, cur);
      next = kids.length > 0 ? kids[0] : -1;
    } else {
      const row = rowOf(m, m.slices.track[cur], m.slices.depth[cur]);
      const [lo, hi] = rowSlices(m, row);
      const j = cur + (key === 'ArrowLeft' ? -1 : 1);
      next = j >= lo && j < hi ? j : -1;
    }
    if (next >= 0) this.select(next);
  }

  /** First slice in the first visible slice row within the time window (or anywhere). */
  firstVisibleSlice(): number {
    const m = this.model;
    const layout = this.layout;
    if (!m || !layout) return -1;
    const rows = [...layout.pinnedRows, ...layout.rows.slice(Layout.firstRowFrom(layout.rows, this.state.scrollY))];
    for (const r of rows) {
      if (r.kind !== RowKind.SLICES) continue;
      const row = rowOf(m, r.track, r.depth);
      const [lo, hi] = rowSlices(m, row);
      const i = firstEndingAtOrAfter(m, lo, hi, this.scale.startNs);
      if (i < hi && m.slices.startNs[i] <= this.scale.endNs) return i;
    }
    return m.slices.count > 0 ? 0 : -1;
  }

  // ---- keys ----

  /** Returns true when the key was handled. */
  keyDown(e: KeyboardEvent): boolean {
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (k === 'w' || k === 'a' || k === 's' || k === 'd') {
      if (e.ctrlKey || e.metaKey || e.altKey) return false;
      if (!e.repeat && !this.held.has(k)) {
        this.held.add(k);
        this.keyStep(k, 0.12);
        this.lastAnimMs = performance.now();
        this.scheduler.request(this.animSlot);
      }
      return true;
    }
    if (k === 'ArrowLeft' || k === 'ArrowRight' || k === 'ArrowUp' || k === 'ArrowDown') {
      this.navigate(k);
      return true;
    }
    if (k === 'f' || k === 'Enter') {
      this.zoomToSelection();
      return true;
    }
    if (k === '0') {
      this.resetZoom();
      return true;
    }
    if (k === 'PageDown' || k === 'PageUp') {
      const vh = this.renderer?.scrollViewportCssPx ?? 300;
      this.scrollBy((k === 'PageDown' ? 1 : -1) * vh * 0.8);
      return true;
    }
    if (k === 'Home' || k === 'End') {
      this.state.scrollY = k === 'Home' ? 0 : this.maxScroll();
      this.requestPaint();
      return true;
    }
    return false;
  }

  keyUp(e: KeyboardEvent): void {
    this.held.delete(e.key.toLowerCase());
  }

  releaseKeys(): void {
    this.held.clear();
  }

  /** One step of a W/A/S/D key; `amount` is the fraction of a second of motion. */
  private keyStep(k: string, seconds: number): void {
    const w = this.scale.widthCssPx;
    const cx = this.hoverX >= 0 ? this.hoverX : w / 2;
    if (k === 'w') this.scale.zoomAt(cx, Math.exp(KEY_ZOOM_PER_S * seconds * 0.7));
    else if (k === 's') this.scale.zoomAt(cx, Math.exp(-KEY_ZOOM_PER_S * seconds * 0.7));
    else if (k === 'a') this.scale.panPx(-w * KEY_PAN_PER_S * seconds);
    else if (k === 'd') this.scale.panPx(w * KEY_PAN_PER_S * seconds);
    this.requestPaint();
  }

  private animate(now: number): void {
    if (this.held.size === 0) return;
    const dt = Math.min(0.05, Math.max(0, (now - this.lastAnimMs) / 1000));
    this.lastAnimMs = now;
    for (const k of this.held) this.keyStep(k, dt);
    this.scheduler.request(this.animSlot);
  }

  // ---- pointer ----

  private hoverX = -1;

  private local(e: MouseEvent): [number, number] {
    const r = (this.container as HTMLElement).getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private readonly onWheel = (e: WheelEvent): void => {
    if (!this.model || !this.renderer) return;
    const [x, y] = this.local(e);
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.cssH : 1;
    const dx = e.deltaX * unit;
    const dy = e.deltaY * unit;
    const LW = this.renderer.labelWidthCssPx;
    if (x < LW || e.shiftKey) {
      const top = this.state.scrollY;
      this.scrollBy(e.shiftKey && dy === 0 ? dx : dy);
      // Tracks that cannot scroll that way (all shown, or at their end) leave a vertical wheel to
      // the page, as a native scroll box does: the page around the viewer stopped there. Not a
      // sideways one (a trackpad swipe the browser may take for Back) nor a pinch (Ctrl).
      if (this.state.scrollY !== top || e.ctrlKey || dx) e.preventDefault();
      return;
    }
    e.preventDefault();
    if (Math.abs(dx) > Math.abs(dy)) {
      this.pan(dx);
      return;
    }
    this.zoomAt(x - LW, Math.exp(-dy * (e.ctrlKey ? 0.01 : 0.0025)));
    void y;
  };

  private readonly onPointerDown = (e: PointerEvent): void => {
    if (e.button !== 0 || !this.model) return;
    const [x, y] = this.local(e);
    if (y < RULER_HEIGHT_CSS_PX && !e.shiftKey) return;
    this.drag = { x, y, lastX: x, lastY: y, measure: e.shiftKey, moved: false, id: e.pointerId };
    try {
      (this.container as HTMLElement).setPointerCapture(e.pointerId);
    } catch {
      // synthetic pointers cannot be captured
    }
  };

  private readonly onPointerMove = (e: PointerEvent): void => {
    const [x, y] = this.local(e);
    const LW = this.renderer?.labelWidthCssPx ?? 0;
    this.hoverX = x >= LW ? x - LW : -1;
    const d = this.drag;
    if (d) {
      if (!d.moved && Math.abs(x - d.x) + Math.abs(y - d.y) < DRAG_SLOP_CSS_PX) return;
      d.moved = true;
      if (d.measure) {
        const a = this.scale.pxToTime(Math.max(0, d.x - LW));
        const b = this.scale.pxToTime(Math.max(0, x - LW));
        this.state.measure = [Math.min(a, b), Math.max(a, b)];
        this.cb.onMeasure(this.state.measure);
        this.requestPaint();
      } else {
        this.scale.panPx(d.lastX - x);
        this.scrollBy(d.lastY - y);
        this.requestPaint();
      }
      d.lastX = x;
      d.lastY = y;
      this.cb.onHover(null, x, y);
      return;
    }
    if (!this.renderer || !this.model) return;
    const hit = this.renderer.hitTest(this.state, x, y);
    const hovered = hit.slice;
    if (hovered !== this.state.hovered) {
      this.state.hovered = hovered;
      this.requestPaint();
    }
    this.cb.onHover(hit.slice >= 0 || hit.instant >= 0 || hit.counter >= 0 ? hit : null, x, y);
  };

  private readonly onPointerUp = (e: PointerEvent): void => {
    const d = this.drag;
    this.drag = null;
    if (!d || e.type === 'pointercancel' || !this.renderer) return;
    if (d.moved) return;
    const [x, y] = this.local(e);
    const hit = this.renderer.hitTest(this.state, x, y);
    if (hit.area === 'label' && hit.row) {
      if (hit.row.kind === RowKind.GROUP) this.toggleGroup(hit.row.group);
      else if (hit.row.label) this.togglePin(hit.row.track);
      return;
    }
    if (d.measure) {
      this.state.measure = null;
      this.cb.onMeasure(null);
      this.requestPaint();
      return;
    }
    if (hit.area === 'timeline') {
      // Selecting opens the details beside the timeline, which narrows it and so moves every
      // slice: the second click of a double-click (same spot, soon after) means what the first hit.
      if (this.atLastClick(x, y) && e.timeStamp - this.lastClick!.t < DOUBLE_CLICK_MS) return;
      const ins = this.model?.instants;
      const slice = hit.slice >= 0 ? hit.slice : hit.instant >= 0 && ins ? ins.slice[hit.instant] : -1;
      this.lastClick = { x, y, t: e.timeStamp, slice };
      this.select(slice, false);
    }
  };

  private readonly onPointerLeave = (): void => {
    this.hoverX = -1;
    if (this.state.hovered !== -1) {
      this.state.hovered = -1;
      this.requestPaint();
    }
    this.cb.onHover(null, 0, 0);
  };

  private readonly onDblClick = (e: MouseEvent): void => {
    if (!this.renderer) return;
    const [x, y] = this.local(e);
    const slice = this.atLastClick(x, y) ? this.lastClick!.slice : this.renderer.hitTest(this.state, x, y).slice;
    this.lastClick = null;
    if (slice >= 0) this.zoomToSlice(slice);
  };

  /** Whether (x, y) is where the last selecting click was (within the drag slop). */
  private atLastClick(x: number, y: number): boolean {
    const c = this.lastClick;
    return !!c && Math.abs(x - c.x) <= DRAG_SLOP_CSS_PX && Math.abs(y - c.y) <= DRAG_SLOP_CSS_PX;
  }

  /** Whether the slice is unfinished (for the details panel). */
  isUnfinished(slice: number): boolean {
    return !!this.model && (this.model.slices.flags[slice] & SliceFlag.UNFINISHED) !== 0;
  }
}
