/**
 * Waterfall of one distributed trace (OTLP, Jaeger, Zipkin, live spans): span-tree rows with
 * service, name and a duration bar; errors highlighted, the critical path marked, subtrees
 * collapsible. For traces without trace ids it shows the call tree of the selected slice's root.
 * DOM rows are virtualised (fixed row height), so traces of thousands of spans stay light.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { cssProps } from './css-props';
import { SliceFlag, TrackKind, type TraceModel } from '../model/trace-model';
import { nameOf } from '../model/query';
import { formatDuration } from '../render/time-scale';
import { childrenList, criticalPath, longestRoot, rootOf, traceRoots } from './analysis';
import { treeKey } from './tree-keys';

export const WATERFALL_ROW_CSS_PX = 22;

export interface WaterfallRow {
  slice: number;
  depth: number;
  hasChildren: boolean;
  /** 1-based position among its siblings, and their number (aria-posinset/setsize: rows are virtualised). */
  pos: number;
  of: number;
}

export interface Waterfall {
  /** The trace id shown, or '' for a call tree. */
  traceId: string;
  roots: number[];
  rows: WaterfallRow[];
  startNs: number;
  endNs: number;
  critical: Set<number>;
}

/** Per model and trace (or call-tree root): its roots and critical path, which collapsing does not change. */
const treeCache = new WeakMap<TraceModel, Map<string, { roots: number[]; critical: Set<number> }>>();

/** Builds the rows of the trace containing `slice` (or the first trace). */
export function buildWaterfall(model: TraceModel, slice: number, collapsed: ReadonlySet<number>): Waterfall | null {
  const sl = model.slices;
  let traceId = '';
  const trackOf = (i: number) => model.tracks[sl.track[i]];
  if (slice >= 0 && trackOf(slice).kind === TrackKind.TRACE) traceId = trackOf(slice).traceId;
  if (!traceId && slice < 0) traceId = traceRoots(model)[0]?.traceId ?? '';
  const root = traceId ? -1 : slice >= 0 ? rootOf(model, slice) : longestRoot(model);
  if (!traceId && root < 0) return null;
  let byTree = treeCache.get(model);
  if (!byTree) treeCache.set(model, (byTree = new Map()));
  const key = traceId || `#${root}`;
  let tree = byTree.get(key);
  if (!tree) {
    const roots: number[] = [];
    if (traceId) {
      for (let i = 0; i < sl.count; i++) {
        if (trackOf(i).traceId !== traceId) continue;
        const p = sl.parent[i];
        if (p < 0 || trackOf(p).traceId !== traceId) roots.push(i);
      }
    } else roots.push(root);
    roots.sort((a, b) => sl.startNs[a] - sl.startNs[b] || a - b);
    // The critical path of the longest root.
    let main = roots[0];
    for (const r of roots) if (sl.durNs[r] > sl.durNs[main]) main = r;
    byTree.set(key, (tree = { roots, critical: new Set(roots.length ? criticalPath(model, main) : []) }));
  }
  const { roots, critical } = tree;
  if (roots.length === 0) return null;
  const rows: WaterfallRow[] = [];
  let startNs = Infinity;
  let endNs = -Infinity;
  const stack: Array<[number, number, number, number]> = [];
  for (let r = roots.length - 1; r >= 0; r--) stack.push([roots[r], 0, r + 1, roots.length]);
  while (stack.length > 0 && rows.length < 200_000) {
    const [i, depth, pos, of] = stack.pop() as [number, number, number, number];
    const kids = childrenList(model, i);
    rows.push({ slice: i, depth, hasChildren: kids.length > 0, pos, of });
    startNs = Math.min(startNs, sl.startNs[i]);
    endNs = Math.max(endNs, sl.startNs[i] + sl.durNs[i]);
    if (collapsed.has(i)) continue;
    for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k], depth + 1, k + 1, kids.length]);
  }
  return { traceId, roots, rows, startNs, endNs, critical };
}

export interface WaterfallHandlers {
  /** `row`: its index in `rows`, to scroll to and focus. */
  select(slice: number, row: number): void;
  toggle(slice: number): void;
  scrolled(e: Event): void;
}

export function renderWaterfall(
  model: TraceModel,
  wf: Waterfall,
  selected: number,
  /** The row to keep as the Tab stop (the selection, or the row focused when Escape cleared it). */
  current: number,
  collapsed: ReadonlySet<number>,
  scrollTop: number,
  viewportPx: number,
  h: WaterfallHandlers,
): TemplateResult {
  const sl = model.slices;
  const span = Math.max(1, wf.endNs - wf.startNs);
  const first = Math.max(0, Math.floor(scrollTop / WATERFALL_ROW_CSS_PX) - 5);
  const last = Math.min(wf.rows.length, first + Math.ceil(viewportPx / WATERFALL_ROW_CSS_PX) + 10);
  const visible = wf.rows.slice(first, last);
  // One row stays in the Tab order: the selected (or current) one, or the first rendered when it
  // is hidden (collapsed away, scrolled out of the rendered rows) or absent.
  const tabStop = visible.some((r) => r.slice === current) ? current : (visible[0]?.slice ?? -1);
  const onKey = (e: KeyboardEvent, r: WaterfallRow, idx: number): void => {
    // PageUp/PageDown: a view of rows less one (natively they scrolled, leaving the focused row).
    const page = Math.max(1, Math.floor(viewportPx / WATERFALL_ROW_CSS_PX) - 1);
    const to = treeKey(e, idx, wf.rows.length, (k) => wf.rows[k].depth, r.hasChildren ? !collapsed.has(r.slice) : undefined, page);
    if (to === null) return;
    e.preventDefault();
    e.stopPropagation();
    if (to === 'toggle') h.toggle(r.slice);
    else if (to === 'activate') h.select(r.slice, idx);
    else if (to !== idx) h.select(wf.rows[to].slice, to);
  };
  return html`
    <div class="wf-head">
      <span>${wf.traceId ? `Trace ${wf.traceId}` : 'Call tree'} · ${wf.rows.length} spans · ${formatDuration(span, 3, model.valueUnit)}</span>
      <span class="legend"><span class="cp-mark"></span> critical path</span>
    </div>
    <div class="wf-body" role="treegrid" aria-label="Waterfall" aria-rowcount=${wf.rows.length} @scroll=${h.scrolled}>
      <div class="wf-spacer" ${cssProps({ height: `${wf.rows.length * WATERFALL_ROW_CSS_PX}px` })}>
        ${visible.map((r, k) => {
          const i = r.slice;
          const idx = first + k;
          const err = (sl.flags[i] & SliceFlag.ERROR) !== 0;
          const crit = wf.critical.has(i);
          const left = ((sl.startNs[i] - wf.startNs) / span) * 100;
          const width = Math.max(0.15, (sl.durNs[i] / span) * 100);
          const group = model.groups[model.tracks[sl.track[i]].group];
          const service = group ? group.name || group.key : '';
          const open = r.hasChildren ? !collapsed.has(i) : undefined;
          // The twisty is the mouse's: keys use ← / → and aria-expanded says the state (its label
          // began every row's name with "Collapse"). Error and critical path are said in words too.
          return html`<div
            class=${`wf-row${i === selected ? ' selected' : ''}${err ? ' error' : ''}${crit ? ' critical' : ''}`}
            role="row"
            aria-rowindex=${idx + 1}
            aria-level=${r.depth + 1}
            aria-posinset=${r.pos}
            aria-setsize=${r.of}
            aria-expanded=${open === undefined ? nothing : String(open)}
            aria-selected=${i === selected ? 'true' : 'false'}
            tabindex=${i === tabStop ? '0' : '-1'}
            ${cssProps({ top: `${idx * WATERFALL_ROW_CSS_PX}px` })}
            @click=${() => h.select(i, idx)}
            @keydown=${(e: KeyboardEvent) => onKey(e, r, idx)}
            data-slice=${i}
          >
            <div class="wf-label" role="gridcell" ${cssProps({ 'padding-left': `${4 + r.depth * 14}px` })}>
              ${r.hasChildren
                ? html`<button class="twisty" tabindex="-1" aria-hidden="true" @click=${(e: Event) => { e.stopPropagation(); h.toggle(i); }}>${open ? '▾' : '▸'}</button>`
                : html`<span class="twisty"></span>`}
              <span class="svc">${service}</span>
              <span class="nm">${nameOf(model, i) || '(unnamed)'}</span>
              ${err || crit ? html`<span class="sr-only">${err && crit ? '(error, critical path)' : err ? '(error)' : '(critical path)'}</span>` : nothing}
            </div>
            <div class="wf-track" role="gridcell">
              <div class="wf-bar" ${cssProps({ left: `${left}%`, width: `${width}%` })}></div>
              <span
                class=${left + width > 85 && width > 10 ? 'wf-dur inside' : 'wf-dur'}
                ${cssProps(left + width <= 85 ? { left: `${left + width}%` } : { right: `${100 - (width > 10 ? left + width : left)}%` })}
                >${formatDuration(sl.durNs[i], 3, model.valueUnit)}</span
              >
            </div>
          </div>`;
        })}
      </div>
    </div>
  `;
}
