/**
 * <spanbeam-viewer>: an embeddable trace viewer. Inputs: `src` (URL), `load(input)` / `.data`
 * (object, string, ArrayBuffer, Blob/File, ReadableStream), drag-and-drop, a file picker, and
 * `.source` (a live span source). Views: flame-chart timeline, waterfall, insights, merged flame graph.
 * Events (bubbling, composed): spanbeam-load, spanbeam-progress, spanbeam-select, spanbeam-error.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { cssProps } from './css-props';
import { bidiVisible, formatCount, formatNumber } from './format';
import type { ReadableSpan } from '../../sdk/types';
import { GroupKind, TraceImportError, type Diagnostic, type ImportErrorInfo, type ImportProgress, type SourceFormat, type TraceModel } from '../model/trace-model';
import { instantArgsOf, nameOf, searchSteps, searchTrackNames, type TrackMatch } from '../model/query';
import { importSpans, importTrace, type TraceInput } from '../import/client';
import { mark } from '../import/timing';
import { flatten, luminance, parseRgb, unpackCss } from '../render/colors';
import { DEFAULT_THEME, RULER_HEIGHT_CSS_PX, type FlowMode, type Hit, type ThemeColors } from '../render/renderer';
import { Layout, RowKind, type LayoutRow } from '../render/layout';
import { formatDuration } from '../render/time-scale';
import { TimelineController } from './timeline-controller';
import { renderDetails, sliceSummary, trackLabel, valueText } from './details-panel';
import { WATERFALL_ROW_CSS_PX, buildWaterfall, renderWaterfall, type Waterfall } from './waterfall-view';
import { BY_NAME_ROWS, insightsSteps, renderInsights, type ByNameView, type Insights } from './insights-view';
import { rootOf } from './analysis';
import type { FlameGraph } from '../model/flame';
import { callsOf, flameSummary, flameTip, renderFlameDetails } from './flame-view';
import { treeKey } from './tree-keys';
import { viewerStyles } from './styles';

/**
 * A live source of ended spans. The SDK side provides it (the instrumentation/export helpers
 * own that adapter, e.g. a span processor that forwards `onEnd` batches); the viewer only calls
 * `subscribe` and the returned unsubscribe. `subscribe` hands over the spans kept so far at once,
 * then each new batch (as `liveSpans()` does): the viewer is subscribed only while it is in the
 * document, and when re-added it subscribes again, skipping the spans it has already.
 */
export interface LiveSpanSource {
  subscribe(onSpans: (spans: readonly ReadableSpan[]) => void): () => void;
}

/** The element's events (bubbling, composed), typed for `addEventListener`. */
export interface SpanbeamViewerEventMap {
  'spanbeam-load': CustomEvent<ViewerLoadDetail>;
  'spanbeam-progress': CustomEvent<ImportProgress>;
  'spanbeam-select': CustomEvent<ViewerSelectDetail>;
  'spanbeam-error': CustomEvent<ViewerErrorDetail>;
}

export interface ViewerLoadDetail {
  format: SourceFormat;
  slices: number;
  counters: number;
  instants: number;
  flows: number;
  tracks: number;
  groups: number;
  diagnostics: readonly Diagnostic[];
}

export interface ViewerSelectDetail {
  /** Slice index in the model, or -1 when the selection was cleared. */
  slice: number;
  name: string;
  startNs: number;
  durNs: number;
  track: number;
}

export interface ViewerErrorDetail {
  message: string;
  /** Present for unreadable input: format, offset, line/column, what was expected. */
  info?: ImportErrorInfo;
}

export type ViewerView = 'timeline' | 'waterfall' | 'insights' | 'flame';

/** The views in tab order, with their tab labels; the first is the default. */
const VIEWS: ReadonlyArray<[ViewerView, string]> = [
  ['timeline', 'Timeline'],
  ['waterfall', 'Waterfall'],
  ['insights', 'Insights'],
  ['flame', 'Flame graph'],
];
/** Merging in the flame view runs in tasks of at most this long (the page stays responsive). */
const FLAME_TASK_MS = 12;
/** A flame node's track and stack of names (to find it again in another merge). */
const stackOf = (m: TraceModel, s: number): string => {
  let k = m.tracks[m.slices.track[s]].name;
  for (let i = s; i >= 0; i = m.slices.parent[i]) k += `\0${m.strings[m.slices.name[i]]}`;
  return k;
};
const viewAt = (i: number): ViewerView => VIEWS[(i + VIEWS.length) % VIEWS.length][0];

export interface ViewerStats {
  /** Canvas frames painted so far. */
  frames: number;
  lastPaintMs: number;
  startNs: number;
  endNs: number;
  scrollY: number;
  /** Time from the model arriving to its first frame painted (layout + paint), ms. */
  setupMs: number;
}

interface Tooltip {
  /** What it shows: 's' + slice, 'i' + instant or 'c' + counter series. */
  key: string;
  x: number;
  y: number;
  title: string;
  lines: string[];
}

/** A row of the track-label tree: `pos` / `size` among its siblings (aria-posinset / aria-setsize). */
interface LabelItem {
  row: LayoutRow;
  key: string;
  level: 1 | 2;
  pos: number;
  size: number;
}

const labelKey = (row: LayoutRow): string => (row.kind === RowKind.GROUP ? `g${row.group}` : `t${row.track}`);

const LIVE_REBUILD_MS = 250;
/** Live spans shown at most (the newest). */
const LIVE_KEEP = 5000;

export class SpanbeamViewer extends LitElement {
  static override styles = viewerStyles;

  static override properties = {
    src: { type: String },
    theme: { type: String, reflect: true },
    workerUrl: { type: String, attribute: 'worker-url' },
    flows: { type: String },
    view: { type: String },
    skew: { type: String },
    _model: { state: true },
    _partial: { state: true },
    _progress: { state: true },
    _error: { state: true },
    _selected: { state: true },
    _tip: { state: true },
    _query: { state: true },
    _matches: { state: true },
    _matchIndex: { state: true },
    _searching: { state: true },
    _help: { state: true },
    _measure: { state: true },
    _wfScroll: { state: true },
    _wfTick: { state: true },
    _flame: { state: true },
    _flameSel: { state: true },
    _sandwich: { state: true },
  };

  /** URL of a trace to load. */
  declare src: string | null;
  /** 'light', 'dark', or null (follows prefers-color-scheme). */
  declare theme: string | null;
  /** URL of viewer-worker.js when it is not next to the viewer module. */
  declare workerUrl: string | null;
  /** Flow arrows: 'selection' (default), 'all' or 'none'. */
  declare flows: FlowMode;
  declare view: ViewerView;
  /** 'off': span times as recorded, without clock-skew adjustment (read at import). */
  declare skew: string | null;

  declare private _model: TraceModel | null;
  /** The model shown is a preview of a load still in progress. */
  declare private _partial: boolean;
  declare private _progress: ImportProgress | null;
  declare private _error: ViewerErrorDetail | null;
  declare private _selected: number;
  declare private _tip: Tooltip | null;
  declare private _query: string;
  declare private _matches: number[];
  declare private _matchIndex: number;
  /** Processes, services and threads the query names: matches before the slices (`_matchIndex` counts them first). */
  private found: TrackMatch[] = [];
  /** A typed query is being matched (in steps; see runSearch). */
  declare private _searching: boolean;
  declare private _help: boolean;
  declare private _measure: readonly [number, number] | null;
  declare private _wfScroll: number;
  declare private _wfTick: number;
  /** The flame view's merged stacks (of `_model`, in the measured range), null while merging; its selected node slice. */
  declare private _flame: FlameGraph | null;
  declare private _flameSel: number;
  /** The flame view shows the callers and callees of this name id (a sandwich), -1: the flame graph; the view to go back to. */
  declare private _sandwich: number;
  private sandwichBack: ViewerView = 'insights';

  private readonly timeline: TimelineController;
  /** The flame view: the same canvas timeline, drawing the merged stacks (a derived model). */
  private readonly flameTl: TimelineController;
  /** Merged stacks per model and range ('' = all): switching views or ranges back costs nothing. */
  private flameCache = new WeakMap<TraceModel, Map<string, FlameGraph>>();
  /** The merge in progress: of which model and range. */
  private flameJob: { model: TraceModel; key: string } | null = null;
  /** A live update's flame view, restored in the next merge: zoom kept, the selected node found by its stack. */
  private flameKeep: { stack: string | null } | null = null;
  private abort: AbortController | null = null;
  /** The input of the load in progress, and one that removal cancelled (re-adding resumes it). */
  private loading: TraceInput | null = null;
  private resume: TraceInput | null = null;
  private loadGen = 0;
  private loadedSrc: string | null = null;
  /** The name of the input loaded (a File's, a URL's last segment), or ''. */
  private inputName = '';
  /** loadGen of the load started for `src` (to tell it from a load of another input). */
  private srcGen = 0;
  private liveUnsub: (() => void) | null = null;
  private liveSource: LiveSpanSource | null = null;
  private liveSpans: ReadableSpan[] = [];
  private liveTimer: ReturnType<typeof setTimeout> | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  /** The search in progress, and the match to step to when it is done (0: none). */
  private searchJob: { step: -1 | 0 | 1 } | null = null;
  private wfCollapsed = new Set<number>();
  /** The waterfall row Escape cleared the selection on: the Tab stop while nothing is selected. */
  private wfCurrent = -1;
  /** The waterfall scrolls to `_wfScroll` after this update (the selection was revealed). */
  private wfJump = false;
  private wfCache: { key: string; wf: Waterfall | null } | null = null;
  /** The insights shown, or being computed (`ins` null until done). */
  private insightsCache: { key: string; ins: Insights | null } | null = null;
  /** Sort and length of the insights' by-name table (kept across ranges, reset by a new trace). */
  private byNameView: ByNameView = { sort: 'self', shown: BY_NAME_ROWS };
  private detailsCache: { model: TraceModel; slice: number; tpl: TemplateResult } | null = null;
  /** The slice whose details show every argument (the user asked to). */
  private detailsAll = -1;
  private summary = '';
  /** The control focused when the help opened: focus goes back to it when the help closes. */
  private helpOpener: HTMLElement | null = null;
  /** Key of the focused track label ('g3', 't12'), kept focused across re-renders. */
  private labelFocus = '';
  /** Key of the label that is the tree's Tab stop: where focus was last (Tab comes back to it). */
  private labelCurrent = '';
  /** The labels in visual order, per layout (the tree's rows: arrows move through them). */
  private labelCache: { layout: Layout; items: LabelItem[]; index: Map<string, number> } | null = null;
  private setupMs = 0;
  private media: MediaQueryList | null = null;
  private forcedMedia: MediaQueryList | null = null;
  /** What the tooltip dismissed with Escape showed ('s12', 'i3', 'c1'): it stays hidden until the pointer leaves it. */
  private tipDismissed = '';
  /** Selection and window set while no trace was shown: applied to the next one (not to a preview). */
  private pending: { slice?: number | undefined; window?: { startNs: number; endNs: number } } | null = null;

  constructor() {
    super();
    this.src = null;
    this.theme = null;
    this.workerUrl = null;
    this.flows = 'selection';
    this.view = 'timeline';
    this.skew = null;
    this._model = null;
    this._partial = false;
    this._progress = null;
    this._error = null;
    this._selected = -1;
    this._tip = null;
    this._query = '';
    this._matches = [];
    this._matchIndex = -1;
    this._searching = false;
    this._help = false;
    this._measure = null;
    this._wfScroll = 0;
    this._wfTick = 0;
    this._flame = null;
    this._flameSel = -1;
    this._sandwich = -1;
    this.flameTl = new TimelineController({
      onSelect: (slice) => {
        this._flameSel = slice;
        if (this._flame && slice >= 0) this.summary = `Selected ${flameSummary(this._flame, slice)}.`;
      },
      onHover: (hit, x, y) => this.onFlameHover(hit, x, y),
      // x is total time, not a timeline: a measure there is no range of the trace (it is only shown).
      onMeasure: () => undefined,
    });
    this.timeline = new TimelineController({
      onSelect: (slice) => this.onTimelineSelect(slice),
      onHover: (hit, x, y) => this.onHover(hit, x, y),
      onMeasure: (range) => {
        this._measure = range;
        this.insightsCache = null;
      },
      // Label buttons follow the layout and vertical scroll (not pan/zoom, which leave them be).
      // Without a model there are none: no update (the first measure happens inside firstUpdated,
      // where an update request would cost a second render for nothing).
      onViewport: () => {
        if (this._model && this.view === 'timeline') this.requestUpdate();
      },
    });
    // Frameworks may set `.data`, `.source`, … before the element is defined: re-apply them
    // through the accessors now that the class is in place (an own property left would hide them for good).
    for (const key of ['data', 'source', 'selection', 'viewWindow'] as const) {
      if (Object.prototype.hasOwnProperty.call(this, key)) {
        const value = (this as unknown as Record<string, unknown>)[key];
        delete (this as unknown as Record<string, unknown>)[key];
        queueMicrotask(() => ((this as unknown as Record<string, unknown>)[key] = value));
      }
    }
    this.addEventListener('dragover', this.onDragOver);
    this.addEventListener('dragleave', this.onDragLeave);
    this.addEventListener('drop', this.onDrop);
  }

  // ---- public API ----

  /** The loaded model (read-only), or null. While `partial`, a preview of a load in progress. */
  get model(): TraceModel | null {
    return this._model;
  }

  /**
   * The trace shown as Chrome Trace Event JSON (Perfetto, chrome://tracing and this viewer open
   * it), from the model, so for every input format and live spans. Built in short tasks; rejects
   * when no trace is shown.
   */
  async exportTrace(): Promise<Blob> {
    const m = this._model;
    if (!m) throw new Error('no trace to export');
    const mod = await import('../model/chrome-export');
    const name = this.liveSource ? '' : this.inputName;
    const steps = mod.chromeJsonSteps(m, name ? { fileName: name } : {});
    return new Promise<Blob>((resolve, reject) => {
      const ch = new MessageChannel();
      const work = (): void => {
        const until = performance.now() + 10;
        try {
          for (let r = steps.next(); ; r = steps.next()) {
            if (r.done) {
              ch.port1.close();
              return resolve(r.value);
            }
            if (performance.now() > until) return ch.port2.postMessage(null);
          }
        } catch (e) {
          ch.port1.close();
          reject(e);
        }
      };
      ch.port1.onmessage = work;
      work();
    });
  }

  /** The Save button: downloads `<name>.trace.json`. */
  private async saveTrace(): Promise<void> {
    const blob = await this.exportTrace();
    const base = (this.liveSource ? 'live-spans' : this.inputName || 'trace').replace(/(\.(json|gz|zst|ndjson|jsonl|txt|cpuprofile|folded|pftrace|perfetto-trace|pb|binpb|pprof|prof|trace|ftrace|html))+$/i, '') || 'trace';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${base}.trace.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  /** True while the model shown is an early preview (the import is still running). */
  get partial(): boolean {
    return this._partial;
  }

  /** Selected slice index, or -1. Setting it selects (and reveals) the slice; set while no trace is shown, in the next one. */
  get selection(): number {
    return this.pending?.slice ?? this._selected;
  }
  set selection(slice: number) {
    // No trace yet (e.g. bound before `.data` has loaded): the index is meant for the next one.
    if (!this._model) this.pending = { ...this.pending, slice: slice >= 0 ? slice : undefined };
    else this.timeline.select(slice);
  }

  /** Sets the input (same as `load`, errors are reported as events only). */
  set data(input: TraceInput | null) {
    // '' too: a framework's empty binding means no trace (as `src=""` does), not an error.
    if (input === null || input === undefined || input === '') {
      this.clear();
      return;
    }
    this.load(input).catch(() => undefined);
  }

  /** A live span source; spans appear as they end. Set null to stop following it. */
  get source(): LiveSpanSource | null {
    return this.liveSource;
  }
  set source(src: LiveSpanSource | null) {
    // Re-setting the source followed now (e.g. a framework re-binding) would drop the spans
    // collected so far: the source need not hand them over again.
    if (src && src === this.liveSource) return;
    this.stopLive();
    this.liveSpans = [];
    if (!src) return;
    this.liveSource = src;
    // Supersedes a load in progress: its cancellation is no error to show.
    this.loadGen++;
    this.cancel();
    this._progress = null;
    this.setPartial(false);
    this._error = null;
    if (this.isConnected) this.subscribeLive();
  }

  /** Visible time window (ns relative to the model origin); set while no trace is shown, for the next one. */
  get viewWindow(): { startNs: number; endNs: number } {
    return this.pending?.window ?? { startNs: this.timeline.scale.startNs, endNs: this.timeline.scale.endNs };
  }
  set viewWindow(w: { startNs: number; endNs: number }) {
    if (!this._model) {
      this.pending = { ...this.pending, window: { startNs: w.startNs, endNs: w.endNs } };
      return;
    }
    this.timeline.scale.setWindow(w.startNs, w.endNs);
    this.timeline.requestPaint();
  }

  get stats(): ViewerStats {
    const s = this.timeline;
    return {
      frames: s.scheduler.frames,
      lastPaintMs: s.renderer?.lastPaintMs ?? 0,
      startNs: s.scale.startNs,
      endNs: s.scale.endNs,
      scrollY: s.state.scrollY,
      setupMs: this.setupMs,
    };
  }

  /**
   * Loads a trace: URL string, JSON text, object, ArrayBuffer, Blob/File or ReadableStream.
   * Resolves with the model; rejects with the import error (also shown and sent as an event).
   */
  async load(input: TraceInput): Promise<TraceModel> {
    this.cancel();
    this.stopLive();
    const ac = new AbortController();
    this.abort = ac;
    this.loading = input;
    // For the saved file's name and metadata: a File's name, or a URL's last segment.
    this.inputName = typeof File !== 'undefined' && input instanceof File ? input.name : typeof input === 'string' && !/^\s*[[{]/.test(input) && !input.includes('\n') ? input.replace(/[?#].*$/s, '').split('/').pop() ?? '' : '';
    const gen = ++this.loadGen;
    this._error = null;
    this._progress = { bytes: 0, events: 0, phase: 'reading' };
    // Announced once: the progress text changes on every update, so it is no live region.
    this.summary = 'Loading a trace…';
    try {
      // Settle on abort even if the importer is still starting up (e.g. waiting for its worker).
      const aborted = new Promise<never>((_, reject) =>
        ac.signal.addEventListener('abort', () => reject(new DOMException('The import was cancelled', 'AbortError')), { once: true }),
      );
      aborted.catch(() => undefined);
      const imported = importTrace(input, {
        signal: ac.signal,
        ...(this.workerUrl ? { workerUrl: new URL(this.workerUrl, document.baseURI).href } : {}),
        ...(this.skew === 'off' ? { skew: false } : {}),
        onProgress: (p) => {
          if (gen !== this.loadGen) return;
          this._progress = p;
          this.emit('spanbeam-progress', { ...p });
        },
        onPartial: (preview) => {
          if (gen !== this.loadGen) return;
          this.setPartial(true);
          this.setModel(preview, false, 'partial');
        },
      });
      imported.catch(() => undefined);
      const model = await Promise.race([imported, aborted]);
      if (gen !== this.loadGen) throw new DOMException('Superseded by a newer load', 'AbortError');
      this._progress = null;
      this.abort = null;
      this.loading = null;
      const afterPreview = this._partial;
      this.setPartial(false);
      this.setModel(model, false, afterPreview ? 'after-partial' : 'final');
      return model;
    } catch (e) {
      if (gen === this.loadGen) {
        this.summary = '';
        this._progress = null;
        this.abort = null;
        this.loading = null;
        const err = e as Error;
        if (err.name === 'AbortError') {
          this._error = { message: 'Loading cancelled.' };
        } else {
          const detail: ViewerErrorDetail = { message: err.message || String(e) };
          if (e instanceof TraceImportError) detail.info = e.info;
          this._error = detail;
          this.setPartial(false);
          this.setModel(null, false);
          this.emit('spanbeam-error', detail);
        }
      }
      throw e;
    }
  }

  /** Cancels a load in progress. */
  cancel(): void {
    this.resume = null;
    this.loading = null;
    if (this.abort) {
      this.abort.abort();
      this.abort = null;
    }
  }

  /** Removes the trace. */
  clear(): void {
    // Supersedes a load in progress: its cancellation is no error to show.
    this.loadGen++;
    this.pending = null;
    this._progress = null;
    this.cancel();
    this.stopLive();
    this._error = null;
    this.setPartial(false);
    this.setModel(null, false);
  }

  /**
   * Searches names, categories, owned event names and args, and the names of processes, services
   * and threads; shows the first match (selects a slice, or scrolls to a track and highlights its
   * name). Returns the number of matches.
   */
  search(query: string): number {
    this._query = query;
    this.runSearch(1, true);
    return this.found.length + this._matches.length;
  }

  /** Steps through search matches (+1 next, -1 previous). */
  stepMatch(dir: 1 | -1): void {
    const f = this.found.length;
    const n = f + this._matches.length;
    if (n === 0) return;
    this._matchIndex = (this._matchIndex + dir + n) % n;
    const m = this._model;
    if (this._matchIndex < f) {
      // A track name (as Perfetto's search finds): scrolled into view, its name highlighted.
      const t = this.found[this._matchIndex];
      this.timeline.showFound(t);
      // The flame graph has its own tracks, named as the timeline's: the same one is revealed there.
      if (this.view === 'flame') this.flameTl.showFound(this.flameTrack(t));
      if (m) this.summary = `Match ${this._matchIndex + 1} of ${n}: ${t.track >= 0 ? `track ${trackLabel(m, t.track)}` : `${m.groups[t.group].kind === GroupKind.SERVICE ? 'service' : 'process'} ${m.groups[t.group].name}`}.`;
      return;
    }
    if (f) {
      this.timeline.showFound(null);
      this.flameTl.showFound(null);
    }
    const slice = this._matches[this._matchIndex - f];
    this.timeline.select(slice);
    // The flame view selects the node merging it (the announcement says which match it was).
    const fg = this.view === 'flame' ? this._flame : null;
    if (fg && fg.nodeOfSource[slice] >= 0) this.flameTl.select(fg.sliceOfNode[fg.nodeOfSource[slice]]);
    // The one announcement of a step (the visible count is no live region: it doubled each one).
    if (m && this._selected === slice) this.summary = `Match ${this._matchIndex + 1} of ${n}: ${sliceSummary(m, slice)}.`;
  }

  /** Highlights a set of slices (as search does) and selects the first. */
  highlight(slices: readonly number[]): void {
    this.stopSearch();
    this.setFound([]);
    this._matches = [...slices].sort((a, b) => (this._model ? this._model.slices.startNs[a] - this._model.slices.startNs[b] : 0));
    this._matchIndex = this._matches.length ? 0 : -1;
    this.timeline.setMarks(this._matches.length ? this._matches : null);
    if (this._matches.length) this.timeline.select(this._matches[0]);
  }

  /**
   * Centre of a slice's visible part in CSS px relative to the timeline area (for overlays and
   * tests), or null when it is off screen or hidden.
   */
  slicePosition(slice: number): { x: number; y: number } | null {
    const m = this._model;
    const r = this.timeline.renderer;
    if (!m || !r || slice < 0 || slice >= m.slices.count) return null;
    const y = r.sliceCenterY(this.timeline.state, slice);
    if (y !== y) return null;
    const sc = this.timeline.scale;
    const a = Math.max(sc.startNs, m.slices.startNs[slice]);
    const b = Math.min(sc.endNs, m.slices.startNs[slice] + m.slices.durNs[slice]);
    if (b < a) return null;
    return { x: r.labelWidthCssPx + sc.timeToPx((a + b) / 2), y };
  }

  zoomToSelection(): void {
    this.timeline.zoomToSelection();
  }

  resetZoom(): void {
    this.timeline.resetZoom();
  }

  // ---- lifecycle ----

  override connectedCallback(): void {
    super.connectedCallback();
    mark('connected');
    this.media = globalThis.matchMedia?.('(prefers-color-scheme: dark)') ?? null;
    this.media?.addEventListener('change', this.onMedia);
    this.forcedMedia = globalThis.matchMedia?.('(forced-colors: active)') ?? null;
    this.forcedMedia?.addEventListener('change', this.onMedia);
    this.resized.observe(this);
    addEventListener('keydown', this.onTipKey, true);
    // Re-attached after a move in the document: reconnect the canvas world. The colours may have
    // changed while it was out (system scheme, `theme` read without styles); the repaint this
    // requests also replaces one the detach cancelled.
    if (this.hasUpdated) {
      this.applyTheme();
      this.attachTimeline();
    }
    // A load that removal cancelled (of `src` or another input) starts again.
    if (this.hasUpdated && this.src && this.src !== this.loadedSrc) this.loadSrc();
    else if (this.resume !== null) this.load(this.resume).catch(() => undefined);
    this.subscribeLive();
  }

  private attachTimeline(): void {
    const root = this.renderRoot as ShadowRoot;
    const container = root.querySelector('.timeline') as HTMLElement | null;
    const canvas = root.querySelector('canvas');
    if (container && canvas) this.timeline.attach(container, canvas);
    const flame = root.querySelector('.flame') as HTMLElement | null;
    const flameCanvas = flame?.querySelector('canvas');
    if (flame && flameCanvas) this.flameTl.attach(flame, flameCanvas);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.media?.removeEventListener('change', this.onMedia);
    this.forcedMedia?.removeEventListener('change', this.onMedia);
    removeEventListener('keydown', this.onTipKey, true);
    this.resized.disconnect();
    this.timeline.detach();
    this.flameTl.detach();
    // Removed for good (not just moved): stop loading, and unsubscribe from the live source.
    setTimeout(() => {
      if (this.isConnected) return;
      // A load not done is forgotten (no error to show) and re-adding starts it again, unless
      // its input cannot be read twice (a stream).
      const input = this.abort ? this.loading : null;
      const again = input !== null && !(input instanceof ReadableStream);
      const fromSrc = this.loadGen === this.srcGen;
      if (again) {
        this.loadGen++;
        this._progress = null;
      }
      this.cancel();
      if (again && fromSrc) this.loadedSrc = null;
      else if (again) this.resume = input;
      // The source and the spans collected stay: re-adding the element follows it again.
      this.pauseLive();
    });
  }

  protected override firstUpdated(): void {
    // Theme first: the first paint (inside attach) is then the only one, in the right colours.
    this.applyTheme();
    this.attachTimeline();
    if (this._model) this.timeline.setModel(this._model);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A removed or unknown `view` (e.g. a framework unbinding it) shows the default, not nothing.
    if (changed.has('view') && !VIEWS.some(([v]) => v === this.view)) this.view = viewAt(0);
    // A tooltip belongs to the canvas it was hovered on (the timeline's or the flame graph's).
    if (changed.has('view')) this._tip = null;
    // A sandwich is a state of the flame view: leaving the view leaves it (its tab shows the flame graph).
    if (changed.has('view') && this.view !== 'flame') this._sandwich = -1;
    if (this.view === 'waterfall' && (changed.has('view') || changed.has('_selected' as keyof SpanbeamViewer))) this.revealInWaterfall();
    // Skew is applied at import: what `src` or a live source shows is imported again (other inputs at their next load).
    if (changed.has('skew') && changed.get('skew') !== undefined && (this.skew === 'off') !== (changed.get('skew') === 'off')) {
      if (this.liveSource) this.scheduleLive();
      else if (this.src && this.src === this.loadedSrc && this.loadGen === this.srcGen) this.loadSrc();
    }
    // Before rendering, so the fetch starts without waiting for the first render.
    if (!changed.has('src')) return;
    if (this.src) {
      if (this.src !== this.loadedSrc) this.loadSrc();
    } else if (this.loadedSrc !== null) {
      this.loadedSrc = null;
      // What src loaded (or is loading) goes with it; an input shown since then stays.
      if (this.loadGen === this.srcGen) this.clear();
    }
  }

  private loadSrc(): void {
    const src = this.src as string;
    this.loadedSrc = src;
    mark('load');
    this.load(src).catch(() => undefined);
    this.srcGen = this.loadGen;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this._tip && changed.has('_tip' as keyof SpanbeamViewer)) this.placeTip(this._tip);
    if (this.labelFocus) {
      const root = this.renderRoot as ShadowRoot;
      // Gone (its group collapsed, e.g. with C): the tree's Tab stop, so focus stays in the tree.
      const el = (root.querySelector(`.track-label[data-key="${this.labelFocus}"]`) ?? root.querySelector('.track-label[tabindex="0"]')) as HTMLElement | null;
      if (el && root.activeElement !== el) el.focus({ preventScroll: true });
    }
    // The first update's theme was read in firstUpdated, before the first paint.
    if (changed.has('theme') && this.theme !== this.appliedTheme) this.applyTheme();
    if (changed.has('flows')) this.timeline.setFlows(this.flows);
    // A modal dialog takes focus, wherever it was opened from (Escape there closes it).
    if (changed.has('_help' as keyof SpanbeamViewer) && this._help) {
      this.helpOpener = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
      (this.renderRoot.querySelector('.help button') as HTMLElement | null)?.focus();
    }
    // A new waterfall body starts at the top: scroll it to the rows rendered (and to the selection).
    const body = this.view === 'waterfall' && (changed.has('view') || this.wfJump) ? (this.renderRoot.querySelector('.wf-body') as HTMLElement | null) : null;
    if (body) body.scrollTop = this._wfScroll;
    this.wfJump = false;
    // Back on the timeline tab: its size may have changed while hidden (firstUpdated measured it the first time).
    if (changed.has('view') && changed.get('view') !== undefined && this.view === 'timeline') queueMicrotask(() => this.timeline.measureSize());
    if (this.view === 'flame') {
      if (changed.has('view')) queueMicrotask(() => this.flameTl.measureSize());
      this.ensureFlame();
      if (changed.has('_matches' as keyof SpanbeamViewer) || changed.has('_flame' as keyof SpanbeamViewer) || changed.has('view')) this.flameMarks();
    }
  }

  /** Shows the merged stacks of the model shown and the measured range: cached, else merged in tasks of ≤ FLAME_TASK_MS. */
  private ensureFlame(): void {
    const m = this._model;
    const range = this._measure;
    const name = this._sandwich;
    const key = `${range ? range.join(',') : ''}|${name}`;
    if (!m || (this._flame?.source === m && `${this._flame.range?.join(',') ?? ''}|${this._flame.focus ?? -1}` === key)) return;
    if (this.flameJob?.model === m && this.flameJob.key === key) return;
    const cached = this.flameCache.get(m)?.get(key);
    if (cached) return this.showFlame(cached);
    const job = { model: m, key };
    this.flameJob = job;
    let steps: ReturnType<typeof import('../model/flame').mergeStacksSteps> | null = null;
    const work = (): void => {
      if (this.flameJob !== job || !steps) return;
      const until = performance.now() + FLAME_TASK_MS;
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) {
          this.flameJob = null;
          let per = this.flameCache.get(m);
          if (!per) this.flameCache.set(m, (per = new Map()));
          // A few ranges per trace: each holds a model of its own.
          if (per.size >= 4) per.delete(per.keys().next().value as string);
          per.set(key, r.value);
          if (m === this._model) this.showFlame(r.value);
          return;
        }
        if (performance.now() > until) break;
      }
      setTimeout(work);
    };
    // Loaded with the first flame graph: it needs the model builder, which the timeline alone does not.
    (name >= 0 ? import('../model/sandwich').then((mod) => mod.sandwichSteps(m, name, range)) : import('../model/flame').then((mod) => mod.mergeStacksSteps(m, range))).then(
      (s) => {
        steps = s;
        work();
      },
      () => {
        if (this.flameJob === job) this.flameJob = null;
      },
    );
  }

  private showFlame(f: FlameGraph): void {
    const keep = this.flameKeep;
    this.flameKeep = null;
    this._flame = f;
    this._flameSel = -1;
    this.flameTl.setModel(f.model, false, keep !== null);
    if (!keep?.stack) return;
    for (let i = 0; i < f.model.slices.count; i++) {
      if (stackOf(f.model, i) === keep.stack) return this.flameTl.select(i, false);
    }
  }

  /** A process, service or thread of the timeline as the flame graph's (same names), or null (none there). */
  private flameTrack(t: TrackMatch): TrackMatch | null {
    const m = this._model;
    const fm = this._flame?.model;
    if (!m || !fm) return null;
    const g = m.groups[t.group];
    const group = fm.groups.findIndex((x) => x.kind === g.kind && x.name === g.name && x.key === g.key);
    if (group < 0 || t.track < 0) return group < 0 ? null : { group, track: -1 };
    const name = m.tracks[t.track].name;
    const track = fm.groups[group].tracks.find((i) => fm.tracks[i].name === name);
    return track === undefined ? null : { group, track };
  }

  /** Search matches, as the flame graph's nodes that merge them. */
  private flameMarks(): void {
    const f = this._flame;
    if (!f) return;
    const nodes = new Set<number>();
    for (const s of this._matches) {
      const n = f.nodeOfSource[s] ?? -1;
      if (n >= 0 && f.sliceOfNode[n] >= 0) nodes.add(f.sliceOfNode[n]);
    }
    this.flameTl.setMarks(this._matches.length ? [...nodes] : null);
  }

  /** The `theme` attribute the colours were last read for (undefined: not read yet). */
  private appliedTheme: string | null | undefined;

  private readonly onMedia = (): void => this.applyTheme();

  /** The waterfall renders the rows its height holds: grown, it needs more (they were blank). */
  private readonly resized = new ResizeObserver(() => {
    if (this.view === 'waterfall') this.requestUpdate();
  });

  /**
   * Re-reads the `--sb-*` colours for the canvas. The toolbar and panels follow CSS by themselves;
   * the canvas reads the colours when the theme or the system colour scheme changes, so call this
   * after changing the custom properties at run time.
   */
  refreshTheme(): void {
    this.applyTheme();
  }

  private applyTheme(): void {
    this.appliedTheme = this.theme;
    // Colours as the browser resolves them, on an element of ours: system colours (canvas fillStyle
    // need not resolve them to the forced palette), relative colours. Undefined when not a colour.
    const probe = document.createElement('span');
    probe.style.setProperty('forced-color-adjust', 'none');
    this.renderRoot?.appendChild(probe); // (not connected yet: nothing resolves, the defaults stay)
    const resolve = (css: string): number | undefined => {
      probe.style.color = '';
      probe.style.color = css;
      return probe.style.color ? parseRgb(getComputedStyle(probe).color) : undefined;
    };
    const forced = !!this.forcedMedia?.matches;
    // The palette follows the background (WCAG 1.4.3): with only --sb-bg set, e.g. a dark one on
    // the light theme, the text, panels and accents stayed the light theme's (dark text on a dark
    // background in the help, the details, the buttons). The `scheme` attribute switches the
    // colours not set on the element to the other theme's; those set (the page's) stay.
    this.removeAttribute('scheme');
    const bg = forced ? undefined : resolve(getComputedStyle(this).getPropertyValue('--sb-bg'));
    if (bg !== undefined && bg >>> 24 === 255) {
      // Where dark and light text contrast equally with it (WCAG luminance ~0.18).
      const dark = luminance(bg) < 0.18;
      if (dark !== (this.theme === 'dark' || (this.theme !== 'light' && !!this.media?.matches))) this.setAttribute('scheme', dark ? 'dark' : 'light');
    }
    const cs = getComputedStyle(this);
    const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
    const t: ThemeColors = forced ? this.forcedTheme(resolve, v('--sb-font', DEFAULT_THEME.font)) : {
      background: v('--sb-bg', DEFAULT_THEME.background),
      panel: v('--sb-panel', DEFAULT_THEME.panel),
      text: v('--sb-text', DEFAULT_THEME.text),
      textMuted: v('--sb-text-muted', DEFAULT_THEME.textMuted),
      grid: v('--sb-grid', DEFAULT_THEME.grid),
      groupHeader: v('--sb-group-header', DEFAULT_THEME.groupHeader),
      selection: v('--sb-selection', DEFAULT_THEME.selection),
      hover: v('--sb-hover', DEFAULT_THEME.hover),
      match: v('--sb-match', DEFAULT_THEME.match),
      error: v('--sb-error', DEFAULT_THEME.error),
      flow: v('--sb-flow', DEFAULT_THEME.flow),
      measure: v('--sb-measure', DEFAULT_THEME.measure),
      instant: v('--sb-instant', DEFAULT_THEME.instant),
      font: v('--sb-font', DEFAULT_THEME.font),
    };
    probe.remove();
    this.timeline.setTheme(t);
    this.flameTl.setTheme(t);
  }

  /**
   * Forced colours: the canvas in the system's colours as the DOM parts are (it is not forced by
   * the browser). Translucent ones (Chromium's Highlight) are made opaque on Canvas for the
   * pixel buffer; the grid and the measured range are tints.
   */
  private forcedTheme(resolve: (css: string) => number | undefined, font: string): ThemeColors {
    const canvas = resolve('Canvas') ?? 0xffffffff;
    const sys = (name: string, fallback: number): number => flatten(resolve(name) ?? fallback, canvas);
    const text = unpackCss(sys('CanvasText', 0xff000000));
    const gray = unpackCss(sys('GrayText', 0xff808080));
    const hi = sys('Highlight', 0xffd77800);
    const tint = (c: number, a: number): string => `rgba(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255},${a})`;
    const bg = unpackCss(canvas);
    return {
      forced: true,
      background: bg,
      panel: bg,
      text,
      textMuted: text,
      grid: tint(sys('GrayText', 0xff808080), 0.5),
      groupHeader: bg,
      selection: unpackCss(hi),
      selectionText: unpackCss(sys('HighlightText', 0xffffffff)),
      hover: text,
      match: text,
      error: text,
      flow: text,
      measure: tint(hi, 0.25),
      instant: text,
      dimmed: gray,
      font,
    };
  }

  private setPartial(on: boolean): void {
    this._partial = on;
    this.toggleAttribute('partial', on);
  }

  /**
   * Shows a model. 'partial' = an early preview (no load event); 'after-partial' = the final
   * model replacing a preview: indices changed, so the selection goes, but a window the user
   * zoomed or panned to while it loaded stays.
   */
  private setModel(model: TraceModel | null, keepView: boolean, kind: 'final' | 'partial' | 'after-partial' = 'final'): void {
    const hadSelection = this._selected >= 0;
    const old = this._model;
    this._model = model;
    this._selected = keepView ? this._selected : -1;
    this.found = []; // (the timeline drops its highlight with the model)
    this._matches = [];
    this._matchIndex = -1;
    this._measure = keepView ? this._measure : null;
    this._tip = null;
    this.wfCache = null;
    this.wfCurrent = -1;
    this.insightsCache = null;
    // A live update (keepView) keeps the flame view as it is: the sandwich's name (string ids are
    // the model's), the selected node and the zoom; the old graph stays drawn while the new merges.
    const f = this._flame;
    const live = keepView && model && old && this.view === 'flame';
    this.flameKeep = live ? { stack: f && this._flameSel >= 0 ? stackOf(f.model, this._flameSel) : null } : null;
    this._sandwich = live && this._sandwich >= 0 ? model.strings.indexOf(old.strings[this._sandwich]) : -1;
    this.flameJob = null;
    this._flame = null;
    this._flameSel = -1;
    if (!live) this.flameTl.setModel(null);
    if (!keepView) this.byNameView = { sort: 'self', shown: BY_NAME_ROWS };
    // The cached details hold their model: a replaced trace must not stay in memory through them.
    this.detailsCache = null;
    this.detailsAll = -1;
    if (!keepView) {
      this.wfCollapsed.clear();
      this.labelCurrent = ''; // a key of the trace replaced ('t12') is another track in this one
    }
    const t0 = performance.now();
    this.timeline.setModel(model, keepView, kind === 'after-partial');
    this.setupMs = performance.now() - t0;
    mark(kind === 'partial' ? 'preview-painted' : 'model-painted');
    this.stopSearch();
    if (this._query && model) this.runSearch(0);
    // A selection the new model dropped is reported, so embedders do not keep a stale slice index.
    if (hadSelection && this._selected < 0) this.onTimelineSelect(-1);
    if (!model) return;
    if (kind === 'partial') {
      this.summary = `Loading: showing the first ${model.slices.count} slices.`;
      return;
    }
    // Selection and window set before the trace came are for it: applied before the load event (its
    // listeners see the trace as shown) and the summary (the load is what is announced).
    const p = this.pending;
    this.pending = null;
    if (p?.window) this.viewWindow = p.window;
    if (p?.slice !== undefined) this.timeline.select(p.slice);
    this.summary = `Loaded ${model.slices.count} slices on ${model.tracks.length} tracks.`;
    const detail: ViewerLoadDetail = {
      format: model.format,
      slices: model.slices.count,
      counters: model.counters.length,
      instants: model.instants.count,
      flows: model.flows.count,
      tracks: model.tracks.length,
      groups: model.groups.length,
      diagnostics: model.diagnostics,
    };
    this.emit('spanbeam-load', detail);
  }

  private stopLive(): void {
    this.pauseLive();
    this.liveSource = null;
    if (this.liveTimer !== null) clearTimeout(this.liveTimer);
    this.liveTimer = null;
  }

  /** Unsubscribes while out of the document: a source must not keep a removed element alive. */
  private pauseLive(): void {
    this.liveUnsub?.();
    this.liveUnsub = null;
  }

  private subscribeLive(): void {
    const src = this.liveSource;
    if (!src || this.liveUnsub) return;
    // On a re-subscribe the source hands over what it kept, which includes spans shown already.
    const held = new Set<string>();
    for (const s of this.liveSpans) held.add(liveKey(s));
    let replay = held.size > 0;
    const onSpans = (spans: readonly ReadableSpan[]): void => {
      if (src !== this.liveSource) return;
      for (const s of spans) if (!replay || !held.has(liveKey(s))) this.liveSpans.push(s);
      // The last ones, as liveSpans() keeps: every span of a page open for days was held and
      // imported again at each update, on the page's main thread.
      const over = this.liveSpans.length - LIVE_KEEP;
      if (over > 0) this.liveSpans.splice(0, over);
      this.scheduleLive();
    };
    try {
      this.liveUnsub = src.subscribe(onSpans);
    } catch (e) {
      this._error = { message: `Live spans could not be followed: ${(e as Error).message}` };
    }
    replay = false;
  }

  private scheduleLive(): void {
    if (this.liveTimer === null && this.liveSpans.length > 0) this.liveTimer = setTimeout(() => this.rebuildLive(), this._model ? LIVE_REBUILD_MS : 0);
  }

  private rebuildLive(): void {
    this.liveTimer = null;
    if (this.liveSpans.length === 0) return;
    const source = this.liveSource;
    importSpans(this.liveSpans, this.skew !== 'off').then(
      (model) => {
        if (source !== this.liveSource) return;
        this.setModel(model, this._model !== null);
      },
      (e: unknown) => {
        this._error = { message: `Live spans could not be shown: ${(e as Error).message}` };
      },
    );
  }

  private emit<K extends keyof SpanbeamViewerEventMap>(type: K, detail: SpanbeamViewerEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // ---- selection, hover, search ----

  private onTimelineSelect(slice: number): void {
    this._selected = slice;
    const m = this._model;
    if (!m || slice < 0) {
      this.summary = 'Nothing selected.';
      this.emit('spanbeam-select', { slice: -1, name: '', startNs: 0, durNs: 0, track: -1 } satisfies ViewerSelectDetail);
      return;
    }
    this.summary = `Selected ${sliceSummary(m, slice)}.`;
    const detail: ViewerSelectDetail = {
      slice,
      name: nameOf(m, slice),
      startNs: m.slices.startNs[slice],
      durNs: m.slices.durNs[slice],
      track: m.slices.track[slice],
    };
    this.emit('spanbeam-select', detail);
  }

  private onHover(hit: Hit | null, x: number, y: number): void {
    const m = this._model;
    if (!hit || !m) {
      if (this._tip) this._tip = null;
      this.tipDismissed = '';
      return;
    }
    const key = hit.slice >= 0 ? `s${hit.slice}` : hit.instant >= 0 ? `i${hit.instant}` : `c${hit.counter}`;
    if (key === this.tipDismissed) return;
    this.tipDismissed = '';
    if (hit.slice >= 0) {
      const i = hit.slice;
      const lines = [`${formatDuration(m.slices.durNs[i], 3, m.valueUnit)} · starts ${formatDuration(m.slices.startNs[i], 3, m.valueUnit)}`, trackLabel(m, m.slices.track[i])];
      const cat = m.strings[m.slices.category[i]];
      if (cat) lines.push(`category ${cat}`);
      this._tip = { key, x, y, title: nameOf(m, i) || '(unnamed)', lines };
    } else if (hit.counter >= 0) {
      const series = m.counters[hit.counter];
      this._tip = { key, x, y, title: `${m.tracks[series.track].name} ${series.name}`.trim(), lines: [`${formatNumber(hit.value)} at ${formatDuration(hit.tNs, 3, m.valueUnit)}`] };
    } else if (hit.instant >= 0) {
      const i = hit.instant;
      const a = instantArgsOf(m, i).args;
      this._tip = {
        key,
        x,
        y,
        title: m.strings[m.instants.name[i]] || '(instant)',
        lines: [`at ${formatDuration(m.instants.timeNs[i], 3, m.valueUnit)}`, ...(a ? [valueText(a)] : [])],
      };
    }
  }

  private onFlameHover(hit: Hit | null, x: number, y: number): void {
    const f = this._flame;
    if (!hit || !f || hit.slice < 0) {
      if (this._tip) this._tip = null;
      this.tipDismissed = '';
      return;
    }
    const key = `f${hit.slice}`;
    if (key === this.tipDismissed) return;
    this.tipDismissed = '';
    this._tip = { key, x, y, ...flameTip(f, hit.slice) };
  }

  /**
   * Escape hides the hover tooltip without moving the pointer (WCAG 1.4.13), and does only that:
   * the selection, measure or query it would otherwise clear stay for the next Escape. Listened
   * to on the window (capture) since focus may be anywhere while the pointer rests on a slice;
   * the modal help keeps its Escape, and a page's own Escape (focus outside the viewer) still acts.
   */
  private readonly onTipKey = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape' || !this._tip || this._help || (this.view !== 'timeline' && this.view !== 'flame') || browserKey(e)) return;
    this.tipDismissed = this._tip.key;
    this._tip = null;
    if (!e.composedPath().includes(this)) return;
    e.preventDefault();
    e.stopPropagation();
  };

  private setFound(found: TrackMatch[]): void {
    this.found = found;
    if (this.timeline.state.found) this.timeline.showFound(null);
    if (this.flameTl.state.found) this.flameTl.showFound(null);
  }

  private stopSearch(): void {
    this.searchJob = null;
    this._searching = false;
  }

  /**
   * Matches the query, then steps to match `step` (0: selects none). Unless `sync`, in tasks of
   * ~10 ms: one search of a million slices blocked typing and painting for seconds. A newer query
   * (or model) drops a search in progress.
   */
  private runSearch(step: -1 | 0 | 1, sync = false): void {
    this.stopSearch();
    const m = this._model;
    const q = this._query.trim();
    this.setFound([]);
    if (!m || !q) {
      this._matches = [];
      this._matchIndex = -1;
      this.timeline.setMarks(null);
      return;
    }
    // Arg values are searched too, unless the args table is too big to scan while typing.
    const steps = searchSteps(m, q, { args: m.args.bytes.length < 64 << 20 });
    const job = { step };
    this.searchJob = job;
    this._searching = true;
    const work = (): void => {
      if (this.searchJob !== job) return;
      const until = performance.now() + 10;
      for (let r = steps.next(); ; r = steps.next()) {
        if (r.done) {
          this.stopSearch();
          this.setFound(searchTrackNames(m, q));
          this._matches = r.value;
          this._matchIndex = -1;
          this.timeline.setMarks(r.value);
          const n = this.found.length + r.value.length;
          this.summary = `${n} ${n === 1 ? 'match' : 'matches'} for ${q}.`;
          if (job.step) this.stepMatch(job.step);
          return;
        }
        if (!sync && performance.now() > until) break;
      }
      setTimeout(work);
    };
    work();
  }

  private readonly onSearchInput = (e: Event): void => {
    this._query = (e.target as HTMLInputElement).value;
    this.stopSearch(); // the query it matches is gone
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      this.searchTimer = null;
      this.runSearch(0);
    }, 150);
  };

  private readonly onSearchKey = (e: KeyboardEvent): void => {
    keepTyping(e);
    if (e.key === 'Enter') {
      e.preventDefault();
      const dir = e.shiftKey ? -1 : 1;
      if (this.searchTimer !== null) {
        clearTimeout(this.searchTimer);
        this.searchTimer = null;
        this.runSearch(dir);
      } else if (this.searchJob) this.searchJob.step = dir; // taken when the matches are in
      else this.stepMatch(dir);
    } else if (e.key === 'Escape') {
      // Escape clears a query; on an empty box it is the page's (e.g. to close its dialog, which
      // closes on any Escape not default-prevented: stopping propagation does not keep it open).
      if (this._query) {
        e.preventDefault();
        e.stopPropagation();
      }
      this.search('');
      // Back to the view shown: the timeline, or the waterfall's or insights' own tab stop.
      const sel = this.view === 'timeline' ? '.timeline' : this.view === 'flame' ? '.flame' : this.view === 'waterfall' ? '.wf-row[tabindex="0"]' : '.insights button';
      (this.renderRoot.querySelector(sel) as HTMLElement | null)?.focus();
    }
  };

  // ---- keys ----

  /**
   * A key the timeline acts on is its own: prevented, and kept from the page's shortcut handlers
   * (shadow DOM retargets it to the element, so a page's own `/`, `?` or letter shortcut acted too).
   */
  private readonly onTimelineKey = (e: KeyboardEvent): void => {
    if (browserKey(e) || !this.timelineKey(e)) return;
    e.preventDefault();
    e.stopPropagation();
  };

  /** Acts on a key on the timeline (or its track names); false when it is not the timeline's. */
  private timelineKey(e: KeyboardEvent): boolean {
    if (e.key === '?') {
      this._help = !this._help;
      return true;
    }
    if (e.key === 'Escape') {
      if (this._help) this._help = false;
      else if (this._measure) {
        this._measure = null;
        this.timeline.state.measure = null;
        this.timeline.requestPaint();
      } else if (this._selected >= 0) this.timeline.select(-1);
      // Nothing to clear: the page's (a <dialog> the viewer is in closes on an Escape not prevented).
      else return false;
      return true;
    }
    if (e.key === '/') {
      (this.renderRoot.querySelector('input[type=search]') as HTMLInputElement | null)?.focus();
      return true;
    }
    if ((e.key === 'c' || e.key === 'p') && this._model && this._selected >= 0) {
      const track = this._model.slices.track[this._selected];
      if (e.key === 'p') this.timeline.togglePin(track);
      else this.timeline.toggleGroup(this._model.tracks[track].group);
      return true;
    }
    if (e.key === 'n' || e.key === 'N') {
      this.stepMatch(e.shiftKey ? -1 : 1);
      return true;
    }
    if (e.key === 'b' && this._model && this._selected >= 0) {
      this.openSandwich(this._model.slices.name[this._selected]);
      return true;
    }
    return this.timeline.keyDown(e);
  }

  /**
   * ? opens the help from every view (and the details): only the timeline's keys had it, so a
   * keyboard user in the waterfall or insights, whose keys the help lists, pressed it for nothing.
   */
  private readonly onViewKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || browserKey(e)) return; // the timeline's own ? toggled it already
    if (e.key === '?') {
      this._help = true;
      e.preventDefault();
      e.stopPropagation();
    } else if (e.key === 'Escape' && this._selected >= 0 && (e.target as Element).closest('.waterfall, .insights')) {
      // Escape clears the selection in the waterfall and insights as on the timeline; with nothing
      // selected it is the page's (as on an empty search box). Focus stays on the row or entry.
      const at = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
      const row = at?.closest('.wf-row') as HTMLElement | null;
      if (row) this.wfCurrent = +(row.dataset.slice ?? -1);
      e.preventDefault();
      e.stopPropagation();
      this.keepFocus(() => this.timeline.select(-1), at);
    }
  };

  /** The flame view's keys: the timeline's (zoom, pan, arrows through the nodes, F, 0), on its own canvas. */
  private readonly onFlameKey = (e: KeyboardEvent): void => {
    if (browserKey(e) || !this.flameKey(e)) return;
    e.preventDefault();
    e.stopPropagation();
  };

  private flameKey(e: KeyboardEvent): boolean {
    const k = e.key;
    if (k === '?' || k === '/' || k === 'n' || k === 'N') return this.timelineKey(e);
    if (k === 'Escape') {
      if (this._help) this._help = false;
      else if (this.flameTl.state.measure) {
        this.flameTl.state.measure = null;
        this.flameTl.requestPaint();
      } else if (this._flameSel >= 0) this.flameTl.select(-1);
      else if (this._sandwich >= 0) this.closeSandwich();
      else return false;
      return true;
    }
    if (k === 'b' && this._flame && this._flameSel >= 0) {
      this.openSandwich(this._flame.model.slices.name[this._flameSel]);
      return true;
    }
    if ((k === 'c' || k === 'p') && this._flame && this._flameSel >= 0) {
      const track = this._flame.model.slices.track[this._flameSel];
      if (k === 'p') this.flameTl.togglePin(track);
      else this.flameTl.toggleGroup(this._flame.model.tracks[track].group);
      return true;
    }
    return this.flameTl.keyDown(e);
  }

  private readonly onTimelineKeyUp = (e: KeyboardEvent): void => this.timeline.keyUp(e);
  private readonly onTimelineBlur = (): void => this.timeline.releaseKeys();

  // ---- files ----

  private readonly onDragOver = (e: DragEvent): void => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.toggleAttribute('dragging', true);
  };

  private readonly onDragLeave = (): void => {
    this.toggleAttribute('dragging', false);
  };

  private readonly onDrop = (e: DragEvent): void => {
    this.toggleAttribute('dragging', false);
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    this.load(file).catch(() => undefined);
  };

  private openPicker(): void {
    (this.renderRoot.querySelector('input[type=file]') as HTMLInputElement | null)?.click();
  }

  private readonly onFile = (e: Event): void => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) this.load(file).catch(() => undefined);
    input.value = '';
  };

  // ---- render ----

  private setView(v: ViewerView): void {
    this.view = v;
  }

  /** Tab pattern: arrows, Home and End move between the view tabs (only the selected one is a Tab stop). */
  private readonly onTabKey = (e: KeyboardEvent): void => {
    const i = VIEWS.findIndex(([v]) => v === this.view);
    const k = e.key;
    if (e.altKey || e.ctrlKey || e.metaKey) return; // Alt+← is the browser's Back
    const to = k === 'ArrowRight' ? i + 1 : k === 'ArrowLeft' ? i - 1 : k === 'Home' ? 0 : k === 'End' ? -1 : undefined;
    if (to === undefined) return;
    e.preventDefault();
    const v = (this.view = viewAt(to));
    this.updateComplete.then(() => (this.renderRoot.querySelector(`#tab-${v}`) as HTMLElement | null)?.focus());
  };

  /**
   * Runs `act`, which removes the focused button: focus goes to the timeline (or the selected
   * view's tab) instead of falling back to the page, where a keyboard user would lose their place.
   */
  private keepFocus(act: () => void, to: HTMLElement | null = null): void {
    act();
    const root = this.renderRoot;
    this.updateComplete.then(() => {
      // `to` first, unless it is gone or hidden since (focus() on it would do nothing).
      const el = to?.isConnected && to.getClientRects().length ? to : root.querySelector('.timeline:not([hidden]), .flame:not([hidden])') ?? root.querySelector('[role=tab][aria-selected=true]');
      (el as HTMLElement | null)?.focus();
    });
  }

  private waterfall(): Waterfall | null {
    const m = this._model;
    if (!m) return null;
    // Nothing selected (Escape): the trace shown stays, not the first trace's.
    const at = this._selected >= 0 ? this._selected : (this.wfCache?.wf?.roots[0] ?? -1);
    const key = `${at >= 0 ? m.tracks[m.slices.track[at]].traceId || at : ''}|${this._wfTick}`;
    if (!this.wfCache || this.wfCache.key !== key) this.wfCache = { key, wf: buildWaterfall(m, at, this.wfCollapsed) };
    return this.wfCache.wf;
  }

  /**
   * Makes the selection's waterfall row shown: a selection made by search, the timeline or
   * insights opens its collapsed ancestors and scrolls to it (the waterfall showed other rows).
   */
  private revealInWaterfall(): void {
    const m = this._model;
    const i = this._selected;
    if (!m || i < 0) return;
    let opened = false;
    for (let p = m.slices.parent[i], guard = 0; p >= 0 && guard < 1 << 16; p = m.slices.parent[p], guard++) opened = this.wfCollapsed.delete(p) || opened;
    if (opened) this._wfTick++;
    const row = this.waterfall()?.rows.findIndex((r) => r.slice === i) ?? -1;
    if (row < 0) return;
    const h = (this.renderRoot.querySelector('.wf-body') as HTMLElement | null)?.clientHeight || 400;
    const top = row * WATERFALL_ROW_CSS_PX;
    if (top >= this._wfScroll && top + WATERFALL_ROW_CSS_PX <= this._wfScroll + h) return;
    this._wfScroll = Math.max(0, top - Math.floor(h / 3));
    this.wfJump = true;
  }

  /** The details template, rebuilt only when the selection changes (not on every hover). */
  private details(m: TraceModel, slice: number): TemplateResult {
    const c = this.detailsCache;
    if (c && c.model === m && c.slice === slice) return c.tpl;
    if (this.detailsAll !== slice) this.detailsAll = -1;
    const showAll = (): void =>
      this.keepFocus(() => {
        this.detailsAll = slice;
        this.detailsCache = null;
        this.requestUpdate();
      });
    const tpl = renderDetails(m, slice, (i) => this.timeline.select(i), () => this.timeline.zoomToSelection(), this.detailsAll === slice ? null : showAll, () =>
      this.openSandwich(m.slices.name[slice]),
    );
    this.detailsCache = { model: m, slice, tpl };
    return tpl;
  }

  private insights(): Insights | null {
    const m = this._model;
    if (!m) return null;
    // The critical path is of the selection's tree: a selection in another tree changes it.
    const key = `${this._measure ? this._measure.join(',') : ''}|${this._selected >= 0 ? rootOf(m, this._selected) : -1}`;
    if (!this.insightsCache || this.insightsCache.key !== key) {
      // In tasks of ~10 ms, as a search (a small trace's in this render): at once, a million slices'
      // took one task of 60–80 ms. A newer range, selection tree or model drops the job.
      const job: { key: string; ins: Insights | null } = { key, ins: null };
      this.insightsCache = job;
      const steps = insightsSteps(m, this._measure ? { range: this._measure } : {}, this._selected);
      // Next step in a message task: setTimeout's 4 ms clamp after a few nested calls added up over
      // dozens of steps.
      const ch = new MessageChannel();
      const work = (later: boolean): void => {
        if (this.insightsCache !== job) return ch.port1.close();
        const until = performance.now() + 10;
        for (let r = steps.next(); ; r = steps.next()) {
          if (r.done) {
            job.ins = r.value;
            ch.port1.close();
            if (later) this.requestUpdate();
            return;
          }
          if (performance.now() > until) return ch.port2.postMessage(null);
        }
      };
      ch.port1.onmessage = () => work(true);
      work(false);
    }
    return this.insightsCache.ins;
  }

  protected override render(): TemplateResult {
    const m = this._model;
    const p = this._progress;
    const total = this.found.length + this._matches.length;
    return html`
      <div class="root">
        <div class="toolbar" role="toolbar" aria-label="Trace viewer">
          <button @click=${() => this.openPicker()} title="Open a trace file">Open…</button>
          <!-- accept filters the OS file dialog (macOS greys out the rest): each format's usual extensions -->
          <input type="file" hidden accept=".json,.gz,.zst,.ndjson,.jsonl,.txt,.cpuprofile,.folded,.pftrace,.perfetto-trace,.pb,.binpb,.pprof,.prof,.trace,.ftrace,.html,application/json,application/gzip,application/zstd,application/x-protobuf" @change=${this.onFile} />
          <div role="tablist" aria-label="View" @keydown=${this.onTabKey}>
            ${VIEWS.map(
              ([v, label]) =>
                html`<button role="tab" id=${`tab-${v}`} aria-controls="main" aria-selected=${this.view === v ? 'true' : 'false'} tabindex=${this.view === v ? '0' : '-1'}
                  class=${`tab-${v}`} @click=${() => this.setView(v)}>${label}</button>`,
            )}
          </div>
          <span class="spacer"></span>
          <input
            type="search"
            placeholder="Search names and args"
            title="Matches slice names, the names of a span's events, arg values, and process, service and thread names"
            aria-label="Search slices"
            aria-describedby="match-count"
            .value=${this._query}
            @input=${this.onSearchInput}
            @keydown=${this.onSearchKey}
            @keypress=${keepTyping}
            @keyup=${keepTyping}
          />
          <span class="count" id="match-count">${this._searching ? '…' : this._query || total ? `${this._matchIndex >= 0 ? this._matchIndex + 1 : 0} / ${total}` : ''}</span>
          <button aria-label="Previous match" @click=${() => this.stepMatch(-1)} ?disabled=${total === 0}>‹</button>
          <button aria-label="Next match" @click=${() => this.stepMatch(1)} ?disabled=${total === 0}>›</button>
          <select aria-label="Flow arrows" @change=${(e: Event) => (this.flows = (e.target as HTMLSelectElement).value as FlowMode)}>
            <option value="selection" ?selected=${this.flows === 'selection'}>Flows: selection</option>
            <option value="all" ?selected=${this.flows === 'all'}>Flows: all</option>
            <option value="none" ?selected=${this.flows === 'none'}>Flows: none</option>
          </select>
          <button aria-label="Save trace as Chrome JSON" title="Save as Chrome trace JSON (opens in Perfetto and chrome://tracing)" ?disabled=${!m} @click=${() => this.saveTrace().catch((e: unknown) => (this._error = { message: `Save failed: ${String(e)}` }))}>Save</button>
          <button aria-label="Keyboard shortcuts" @click=${() => (this._help = !this._help)}>?</button>
        </div>
        ${p
          ? html`<div class="progress">
              <span>${p.phase === 'building' ? 'Building…' : 'Loading…'} ${formatBytes(p.bytes)}${p.totalBytes ? ` of ${formatBytes(p.totalBytes)}` : ''} · ${formatCount(p.events)} events</span>
              ${p.totalBytes
                ? html`<progress max=${p.totalBytes} .value=${p.bytes} aria-label="Loading progress"></progress>`
                : html`<progress aria-label="Loading progress"></progress>`}
              <button class="cancel" @click=${() => this.keepFocus(() => this.cancel())}>Cancel</button>
            </div>`
          : nothing}
        ${this._error
          ? html`<div class="load-error" role="alert">
              <button class="small dismiss" aria-label="Dismiss" @click=${() => this.keepFocus(() => (this._error = null))}>×</button>
              <strong>Could not open the trace.</strong> <span class="message">${bidiVisible(this._error.message)}</span>
              ${this._error.info?.expected ? html`<div>Expected ${this._error.info.expected}.</div>` : nothing}
              <div class="muted">Open another file to try again.</div>
            </div>`
          : nothing}
        <div class="body">
          <div class="main" id="main" role="tabpanel" aria-labelledby=${`tab-${this.view}`} @keydown=${this.onViewKey}>
            <div
              class="timeline"
              tabindex="0"
              role="application"
              aria-roledescription="trace timeline"
              aria-label=${m
                ? `Trace timeline${this._partial ? ' (preview, still loading)' : ''}: ${m.slices.count} slices on ${m.tracks.length} tracks. Press ? for keys.`
                : 'Trace timeline, empty'}
              aria-describedby="summary"
              ?hidden=${this.view !== 'timeline'}
              @keydown=${this.onTimelineKey}
              @keyup=${this.onTimelineKeyUp}
              @blur=${this.onTimelineBlur}
            >
              <canvas aria-hidden="true"></canvas>
              ${m && this.view === 'timeline' ? this.renderLabelButtons() : nothing}
              ${!m && !p
                ? html`<div class="empty">
                    <div>Drop a trace here (Chrome JSON, OTLP, Jaeger, Zipkin, .cpuprofile, speedscope, Firefox Profiler, Safari timeline, collapsed stacks, perf script, Perfetto, pprof, callgrind, systrace; .gz too)</div>
                    <button @click=${() => this.openPicker()}>Open a file…</button>
                  </div>`
                : nothing}
              ${this._tip && this.view === 'timeline' ? this.renderTip(this._tip) : nothing}
            </div>
            ${this.renderFlameView()}
            ${this.view === 'flame' && this._sandwich >= 0 && m
              ? html`<div class="sandwich-bar muted">
                  Callers and callees of <bdi>${m.strings[this._sandwich] || '(unnamed)'}</bdi>, all threads merged${this._measure ? ' (measured range)' : ''}
                  <button class="small" @click=${() => this.closeSandwich()} title="Back (Esc)">Back</button>
                </div>`
              : nothing}
            ${this.view === 'waterfall' ? this.renderWaterfallView() : nothing}
            ${this.view === 'insights' ? this.renderInsightsView() : nothing}
            ${this.view === 'flame'
              ? this._flame && this._flameSel >= 0
                ? html`<aside class="side">${this.flameDetails(this._flame, this._flameSel)}</aside>`
                : nothing
              : m && this._selected >= 0
                ? html`<aside class="side">${this.details(m, this._selected)}</aside>`
                : nothing}
            ${this._help ? this.renderHelp() : nothing}
          </div>
        </div>
        <div class="status">
          ${m
            ? html`<span class="format">${m.format}</span>
                ${this.view === 'flame'
                  ? html`<span class="axis">x axis: total ${m.valueUnit ?? 'time'} per stack, not a timeline${this._measure ? ' (measured range)' : ''}</span>`
                  : m.valueUnit ? html`<span class="axis">x axis: ${m.valueUnit}, not time (1 ns = 1 ${m.valueUnit.slice(0, -1)})</span>` : nothing}
                <span class="counts">${formatCount(m.slices.count)} slices · ${m.tracks.length} tracks · ${m.counters.length} counters · ${m.flows.count} flows</span>
                ${this._measure ? html`<span>measured ${formatDuration(this._measure[1] - this._measure[0], 3, m.valueUnit)}</span>` : nothing}
                ${m.diagnostics.length
                  ? html`<details class="diagnostics">
                      <summary>${plural(m.diagnostics.reduce((a, d) => a + d.count, 0), 'input warning')}</summary>
                      <ul>
                        ${m.diagnostics.map((d) => html`<li><span class="mono">${d.kind}</span> × ${d.count}: ${bidiVisible(d.message)}</li>`)}
                      </ul>
                    </details>`
                  : nothing}`
            : html`<span>No trace loaded</span>`}
          ${m && this._partial ? html`<span class="partial">Preview: first ${formatCount(m.slices.count)} slices, ${p ? 'still loading…' : 'loading stopped'}</span>` : nothing}
        </div>
        <div id="summary" class="sr-only" aria-live="polite">${this.summary}</div>
      </div>
    `;
  }

  /** The labelled rows (group headers, track names) in visual order: the pinned ones, then the scrolling ones. */
  private labelItems(layout: Layout): NonNullable<SpanbeamViewer['labelCache']> {
    if (this.labelCache?.layout === layout) return this.labelCache;
    const items: LabelItem[] = [];
    const kids: number[] = []; // per group: its track labels shown
    let top = 0;
    const seen = new Set<string>();
    for (const row of [...layout.pinnedRows, ...layout.rows]) {
      const key = labelKey(row);
      // One item per track: its counter series are labelled rows too (same key), which arrows stuck on.
      if ((row.kind !== RowKind.GROUP && !row.label) || seen.has(key)) continue;
      seen.add(key);
      const inGroup = row.kind !== RowKind.GROUP && !row.pinned;
      items.push({ row, key, level: inGroup ? 2 : 1, pos: inGroup ? (kids[row.group] = (kids[row.group] ?? 0) + 1) : ++top, size: 0 });
    }
    // aria-posinset / aria-setsize: only the labels near the viewport are in the DOM.
    for (const it of items) it.size = it.level === 1 ? top : kids[it.row.group];
    const index = new Map(items.map((it, i) => [it.key, i]));
    return (this.labelCache = { layout, items, index });
  }

  /**
   * Keyboard access to the label column (painted on the canvas): a tree of the group headers and
   * track names near the viewport, in visual order, over the canvas. One Tab stop (the label last
   * focused); arrows, Home and End move (the label scrolls into view), ← / → or Enter / Space
   * collapse and expand a group, Enter / Space pin a track. Mouse input passes through to the canvas.
   */
  private renderLabelButtons(): TemplateResult | typeof nothing {
    const t = this.timeline;
    const layout = t.layout;
    const r = t.renderer;
    const m = this._model;
    if (!layout || !r || !m) return nothing;
    const { items, index } = this.labelItems(layout);
    const vh = r.scrollViewportCssPx;
    const top = t.state.scrollY - vh;
    const bottom = t.state.scrollY + 2 * vh;
    const near: LabelItem[] = [];
    for (let i = Layout.firstRowFrom(layout.rows, top); i < layout.rows.length && layout.rows[i].y <= bottom; i++) {
      const at = index.get(labelKey(layout.rows[i]));
      if (at !== undefined && items[at].row === layout.rows[i]) near.push(items[at]);
    }
    // The Tab stop: the label last focused; when it is gone, its group's header (collapsed), else
    // the first label in view (or the last above it: a deep track fills the view with unlabelled rows).
    const cur = this.labelCurrent;
    let stop = index.get(cur) ?? (cur[0] === 't' ? index.get(`g${m.tracks[+cur.slice(1)]?.group}`) : undefined);
    if (stop === undefined && items.length) {
      const first = items[0].row.pinned ? items[0] : (near.find((it) => it.row.y + it.row.height > t.state.scrollY) ?? near[near.length - 1] ?? items[0]);
      stop = index.get(first.key);
    }
    const stopItem = stop === undefined ? undefined : items[stop];
    // The Tab stop scrolled far away (focused, or not): keep it (in order), so focus stays put and Tab finds it.
    if (stopItem && !stopItem.row.pinned && !near.includes(stopItem)) {
      const at = near.findIndex((it) => it.row.y > stopItem.row.y);
      near.splice(at < 0 ? near.length : at, 0, stopItem);
    }
    const label = (it: LabelItem, y: number): TemplateResult => {
      const { row, key: k } = it;
      const group = row.kind === RowKind.GROUP;
      const style = cssProps({ transform: `translateY(${y}px)`, height: `${group ? row.height - 1 : Math.min(row.height, 18)}px` });
      const n = group ? (m.groups[row.group]?.tracks.length ?? 0) : 0;
      return html`<div class="track-label" role="treeitem" data-key=${k} ${style} tabindex=${it === stopItem ? '0' : '-1'}
        aria-level=${it.level} aria-posinset=${it.pos} aria-setsize=${it.size}
        aria-expanded=${group ? (row.collapsed ? 'false' : 'true') : nothing} aria-checked=${group ? nothing : row.pinned ? 'true' : 'false'}
        aria-label=${group ? `${row.label}: group of ${n} track${n === 1 ? '' : 's'}` : `Pin track ${row.label.replace(/^📌 /, '')}`}
        @focus=${() => this.onLabelFocus(k, row)} @blur=${this.onLabelBlur} @keydown=${(e: KeyboardEvent) => this.onLabelKey(e, k)}
        @click=${() => this.actOnLabel(row)}></div>`;
    };
    const pinned = items.filter((it) => it.row.pinned); // first in the tree
    const w = `${r.labelWidthCssPx}px`;
    const pinH = layout.pinnedHeightCssPx;
    return html`<div class="labels" role="tree" aria-label="Tracks" ${cssProps({ width: w })}>
      <div class="labels-pinned" ${cssProps({ top: `${RULER_HEIGHT_CSS_PX}px`, height: `${pinH}px` })}>
        ${repeat(pinned, (it) => it.key, (it) => label(it, it.row.y))}
      </div>
      <div class="labels-scroll" ${cssProps({ top: `${RULER_HEIGHT_CSS_PX + pinH}px` })}>
        ${repeat(near, (it) => it.key, (it) => label(it, it.row.y - t.state.scrollY))}
      </div>
    </div>`;
  }

  /** Enter / Space on a label (or a screen reader's click): collapses / expands the group, pins / unpins the track. */
  private actOnLabel(row: LayoutRow): void {
    if (row.kind === RowKind.GROUP) this.timeline.toggleGroup(row.group);
    else this.timeline.togglePin(row.track);
  }

  private onLabelFocus(key: string, row: LayoutRow): void {
    this.labelFocus = key;
    if (this.labelCurrent !== key) {
      this.labelCurrent = key;
      this.requestUpdate(); // the Tab stop moves here
    }
    if (!row.pinned) this.timeline.revealY(row.y, row.kind === RowKind.GROUP ? row.height : Math.min(row.height, 18));
  }

  private readonly onLabelBlur = (e: FocusEvent): void => {
    // Focus taken by another control (the page's too): forget the label now, or an update already
    // queued would focus it again. Focus moving to another label sets the key in its focus handler.
    if (e.relatedTarget) this.labelFocus = '';
    queueMicrotask(() => {
      if (!(this.renderRoot as ShadowRoot).activeElement?.classList.contains('track-label')) this.labelFocus = '';
    });
  };

  /** The tree keys; the others (W/S/A/D, ?, /, …) go on to the timeline's. */
  private onLabelKey(e: KeyboardEvent, key: string): void {
    const layout = this.timeline.layout;
    if (!layout) return;
    const { items, index } = this.labelItems(layout);
    const idx = index.get(key);
    if (idx === undefined) return;
    const row = items[idx].row;
    // PageUp / PageDown move by the labels a view holds (a tree's page): the timeline's scrolled
    // the tracks and left the focused label out of view.
    const { scrollY } = this.timeline.state;
    const vh = this.timeline.renderer?.scrollViewportCssPx ?? 0;
    let page = 0;
    for (const it of items) if (!it.row.pinned && it.row.y >= scrollY && it.row.y + Math.min(it.row.height, 18) <= scrollY + vh) page++;
    const to = treeKey(e, idx, items.length, (i) => items[i].level, row.kind === RowKind.GROUP ? !row.collapsed : undefined, Math.max(1, page - 1));
    if (to === null) return;
    e.preventDefault();
    e.stopPropagation();
    if (to === 'toggle' || to === 'activate') this.actOnLabel(row);
    else if (to !== idx) {
      // It may be far from the labels rendered: as the Tab stop it is rendered, the update focuses
      // it (see updated) and its focus handler scrolls it into view.
      this.labelFocus = this.labelCurrent = items[to].key;
      this.requestUpdate();
    }
  }

  private renderTip(t: Tooltip): TemplateResult {
    // Placed in `updated`, where its size is known.
    return html`<div class="tooltip" role="tooltip">
      <div class="tname">${t.title}</div>
      ${t.lines.map((l) => html`<div class="muted">${l}</div>`)}
    </div>`;
  }

  /**
   * Below-right of the pointer, else above / left of it: within the timeline and the window's
   * viewport (a viewer taller than the window, in a scrolling page, has its bottom out of view).
   * A fixed guess of its size (300 × 70 px) put a taller tooltip over the pointer or cut it off.
   */
  private placeTip(t: Tooltip): void {
    const root = this.renderRoot;
    const el = root.querySelector('.tooltip') as HTMLElement | null;
    // The canvas shown: the timeline's or the flame graph's.
    const box = root.querySelector('.timeline:not([hidden]), .flame:not([hidden])') as HTMLElement | null;
    if (!el || !box) return;
    const r = box.getBoundingClientRect();
    const doc = document.documentElement;
    const left = Math.max(0, -r.left);
    const top = Math.max(0, -r.top);
    const right = Math.min(box.clientWidth, doc.clientWidth - r.left);
    const bottom = Math.min(box.clientHeight, doc.clientHeight - r.top);
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const x = t.x + 14 + w <= right ? t.x + 14 : t.x - 14 - w >= left ? t.x - 14 - w : Math.max(left, right - w);
    const y = t.y + 16 + h <= bottom ? t.y + 16 : t.y - 8 - h >= top ? t.y - 8 - h : Math.max(top, bottom - h);
    el.style.setProperty('transform', `translate(${x}px, ${y}px)`);
  }

  private renderWaterfallView(): TemplateResult {
    const m = this._model;
    const wf = this.waterfall();
    if (!m || !wf) return html`<div class="panel muted">Load a trace to see its waterfall.</div>`;
    const body = this.renderRoot.querySelector('.wf-body') as HTMLElement | null;
    return html`<div class="waterfall">
      ${renderWaterfall(m, wf, this._selected, this._selected >= 0 ? this._selected : this.wfCurrent, this.wfCollapsed, this._wfScroll, body?.clientHeight || 800, {
        select: (i, row) => {
          // Rows are rendered around the scroll position only: scroll the row in first (a key
          // stepping past the rendered rows found no row to focus, and focus stuck there).
          const view = this.renderRoot.querySelector('.wf-body') as HTMLElement | null;
          if (view) {
            const top = row * WATERFALL_ROW_CSS_PX;
            if (top < view.scrollTop) view.scrollTop = top;
            else if (top + WATERFALL_ROW_CSS_PX > view.scrollTop + view.clientHeight) view.scrollTop = top + WATERFALL_ROW_CSS_PX - view.clientHeight;
            this._wfScroll = view.scrollTop;
          }
          this.timeline.select(i);
          this.updateComplete.then(() => (this.renderRoot.querySelector(`.wf-row[data-slice="${i}"]`) as HTMLElement | null)?.focus());
        },
        toggle: (i) => {
          if (this.wfCollapsed.has(i)) this.wfCollapsed.delete(i);
          else this.wfCollapsed.add(i);
          this._wfTick++;
        },
        scrolled: (e) => (this._wfScroll = (e.target as HTMLElement).scrollTop),
      })}
    </div>`;
  }

  /**
   * The flame view: a second canvas timeline drawing the merged stacks (always in the DOM, hidden
   * in the other views, so its canvas world stays attached like the timeline's; styled as it is).
   */
  private renderFlameView(): TemplateResult {
    const m = this._model;
    const f = this._flame;
    const on = this.view === 'flame';
    const already = m && (m.format === 'collapsed-stacks' || m.format === 'pprof');
    const sw = this._sandwich >= 0 && m ? m.strings[this._sandwich] || '(unnamed)' : null;
    const label = sw
      ? `Callers and callees of ${sw}, all threads merged${f?.range ? ' in the measured range' : ''}: ${f ? f.model.slices.count : 0} nodes. Press ? for keys, Escape to go back.`
      : f
        ? `Flame graph, stacks merged${f.range ? ' in the measured range' : ''}: ${f.model.slices.count} nodes on ${f.model.tracks.length} tracks. Press ? for keys.`
        : 'Flame graph, empty';
    return html`<div class="flame" tabindex="0" role="application" aria-roledescription="flame graph" aria-label=${label}
      aria-describedby="summary" ?hidden=${!on}
      @keydown=${this.onFlameKey} @keyup=${(e: KeyboardEvent) => this.flameTl.keyUp(e)} @blur=${() => this.flameTl.releaseKeys()}>
      <canvas aria-hidden="true"></canvas>
      ${on && m && !f && !this.flameKeep ? html`<div class="empty" role="status">Merging stacks…</div>` : nothing}
      ${on && f && f.model.slices.count === 0 ? html`<div class="empty">${sw ? `No ${sw}` : 'No nested slices'}${f.range ? ' in the measured range' : ''}${sw ? '.' : ' to merge.'}</div>` : nothing}
      ${on && !m ? html`<div class="empty">Load a trace to see its flame graph.</div>` : nothing}
      ${on && f && already && !sw ? html`<div class="flame-note muted">This input is merged already (the timeline shows it the same way, siblings by name).</div>` : nothing}
      ${on && this._tip ? this.renderTip(this._tip) : nothing}
    </div>`;
  }

  private flameDetails(f: FlameGraph, slice: number): TemplateResult {
    return renderFlameDetails(
      f,
      slice,
      () => {
        // Its calls on the timeline, highlighted as search matches (N steps through them).
        const calls = callsOf(f, slice);
        this.view = 'timeline';
        this.highlight(calls);
        if (calls.length) this.updateComplete.then(() => (this.renderRoot.querySelector('.timeline') as HTMLElement | null)?.focus());
      },
      () => this.flameTl.zoomToSelection(),
      () => this.openSandwich(f.model.slices.name[slice]),
    );
  }

  /**
   * Callers and callees of a name (speedscope's Sandwich): the flame view, merging all threads, over
   * the measured range if any; Escape or Back returns to the view it came from.
   */
  private openSandwich(name: number): void {
    if (!this._model) return;
    if (this._sandwich < 0 || this.view !== 'flame') this.sandwichBack = this.view;
    if (this._flame && this._flame.focus !== name) this.dropFlame(); // not another graph under this one's name while it merges
    this._sandwich = name;
    this.view = 'flame';
    this.updateComplete.then(() => (this.renderRoot.querySelector('.flame') as HTMLElement | null)?.focus());
  }

  /** The graph shown and the merge in progress are of another name (or none): gone. */
  private dropFlame(): void {
    this.flameJob = null;
    this._flame = null;
    this._flameSel = -1;
    this.flameTl.setModel(null);
  }

  private closeSandwich(): void {
    const name = this._sandwich;
    this._sandwich = -1;
    this.dropFlame();
    this.view = this.sandwichBack;
    // Back on the table: focus on the row's button that opened it (else the view's canvas or tab).
    const root = this.renderRoot;
    this.updateComplete.then(() => {
      const el = root.querySelector(`.by-name [data-sandwich="${name}"]`) ?? root.querySelector('.timeline:not([hidden]), .flame:not([hidden])') ?? root.querySelector('[role=tab][aria-selected=true]');
      (el as HTMLElement | null)?.focus();
    });
  }

  private renderInsightsView(): TemplateResult {
    const m = this._model;
    const ins = this.insights();
    if (!m) return html`<div class="panel muted">Load a trace to see insights.</div>`;
    if (!ins) return html`<div class="panel muted insights-busy" role="status">Computing insights…</div>`;
    return html`<div class="panel">
      ${renderInsights(m, ins, {
        selectOne: (i) => {
          this.highlight([]);
          this.timeline.select(i);
        },
        selectMany: (slices) => {
          this.highlight(slices); // selects the earliest
          const sl = m.slices;
          let a = Infinity;
          let b = -Infinity;
          for (const i of slices) {
            a = Math.min(a, sl.startNs[i]);
            b = Math.max(b, sl.startNs[i] + sl.durNs[i]);
          }
          if (slices.length) this.timeline.zoomToRange(a, b);
        },
        sandwich: (id) => this.openSandwich(id),
        byName: this.byNameView,
        setByName: (v) => {
          this.byNameView = v;
          this.requestUpdate();
        },
      })}
    </div>`;
  }

  private closeHelp(): void {
    const opener = this.helpOpener;
    this.helpOpener = null;
    // Back to what opened it (the "?" button, the timeline): always focusing the timeline took a
    // "?" button user elsewhere, and in the other views (the timeline hidden) lost focus to the page.
    this.keepFocus(() => (this._help = false), opener);
  }

  private readonly onHelpKey = (e: KeyboardEvent): void => {
    // Modal: Tab must not reach the controls behind it (Close is its only control).
    if (e.key === 'Tab') e.preventDefault();
    if (e.key !== 'Escape' && e.key !== '?') return;
    e.preventDefault();
    e.stopPropagation();
    this.closeHelp();
  };

  private renderHelp(): TemplateResult {
    const keys: Array<[string, string]> = [
      ['W / S', 'zoom in / out (hold for continuous)'],
      ['A / D', 'pan left / right'],
      ['wheel', 'zoom at the cursor (horizontal wheel pans)'],
      ['shift + wheel', 'scroll tracks'],
      ['drag', 'pan'],
      ['shift + drag', 'measure a time range'],
      ['click', 'select a slice; click a group name to collapse, a track name to pin'],
      ['Tab, then ↑ ↓, PageUp / PageDown, Home / End', 'move through the group and track names (a page, first / last)'],
      ['← → on a name', 'collapse / expand the group; from a track, go to its group'],
      ['Enter / Space on a name', 'collapse / expand the group, pin / unpin the track'],
      ['double-click / F / Enter', 'zoom to the selection (or the measured range)'],
      ['← → ↑ ↓', 'previous / next slice in the row, parent, first child'],
      ['C / P', 'collapse the selection\'s group / pin its track'],
      ['0', 'show the whole trace'],
      ['/', 'search; Enter / Shift+Enter step through matches'],
      ['N / Shift+N', 'next / previous match'],
      ['PageUp / PageDown, Home / End', 'scroll tracks'],
      ['Esc', 'hide the tooltip; else clear measure, then selection (in the waterfall and insights: the selection); close this help'],
      ['waterfall: ↑ ↓, PageUp / PageDown, Home / End', 'previous / next span, a page, first / last'],
      ['waterfall: ← →', 'close / open a span; its parent / first child'],
      ['flame graph', 'the timeline\'s keys and mouse on the merged stacks (x = total time); Esc clears the selection'],
      ['B', 'callers and callees of the selection\'s name, all threads merged (Esc goes back)'],
      ['?', 'toggle this help'],
    ];
    return html`<div class="help" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" @keydown=${this.onHelpKey}>
      <button class="small dismiss" ${cssProps({ float: 'right' })} @click=${() => this.closeHelp()}>Close</button>
      <h3>Keyboard and mouse</h3>
      <table>
        ${keys.map(([k, v]) => html`<tr><td>${k}</td><td>${v}</td></tr>`)}
      </table>
    </div>`;
  }
}

/** Identity of a live span (sources may hand over copies, not the same objects). */
/**
 * Keys typed into the search box stay in the viewer: shadow DOM retargets them to the element, so a
 * page's shortcut handler (which skips keys typed into fields) would take them for its own. Keys
 * with Ctrl/Alt/Meta, Tab (focus traps), Escape and the modifier keys themselves (a page may track
 * which are held) still reach the page.
 */
/**
 * A key with Ctrl/Alt/Meta: no key of ours takes one, so Ctrl+F, Ctrl+P, Ctrl+0, Alt+← stay the
 * browser's and the page's (AltGr, which some layouts need for '/' or '?', reports Ctrl+Alt).
 */
function browserKey(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.altKey || e.metaKey) && !e.getModifierState('AltGraph');
}

const PAGE_KEYS = /^(Tab|Escape|Control|Shift|Alt|AltGraph|Meta)$/;
function keepTyping(e: KeyboardEvent): void {
  if (browserKey(e) || PAGE_KEYS.test(e.key)) return;
  e.stopPropagation();
}

function liveKey(s: ReadableSpan | null): string {
  const sc = s?.spanContext as unknown;
  const ctx = (typeof sc === 'function' ? s!.spanContext() : sc) as { traceId?: string; spanId?: string } | null | undefined;
  return `${ctx?.traceId}/${ctx?.spanId}`;
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}
