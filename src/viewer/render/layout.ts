/**
 * Vertical layout of the timeline: group headers, then each track's rows (instant lane, slice
 * rows, counter series), with collapsed groups hidden and pinned tracks lifted into a fixed area
 * at the top. Rebuilt only when the model or the collapse/pin state changes, never per frame.
 */
import { TrackKind, type TraceModel } from '../model/trace-model';

export const RowKind = { GROUP: 0, SLICES: 1, INSTANTS: 2, COUNTER: 3 } as const;
export type RowKind = (typeof RowKind)[keyof typeof RowKind];

export interface LayoutRow {
  readonly kind: RowKind;
  readonly group: number;
  /** Track id, or -1 for a group header. */
  readonly track: number;
  /** Slice depth for SLICES rows; counter series id for COUNTER rows; else 0. */
  readonly depth: number;
  /** Top in CSS px within its area (pinned area or scroll area). */
  readonly y: number;
  readonly height: number;
  readonly pinned: boolean;
  /** Group headers: whether the group is collapsed. */
  readonly collapsed?: boolean;
  /** Text for the label column ('' = none: only a track's first row is labelled). */
  readonly label: string;
}

export interface LayoutOptions {
  collapsed: ReadonlySet<number>;
  pinned: ReadonlySet<number>;
}

export const ROW_HEIGHT_CSS_PX = 18;
export const GROUP_HEIGHT_CSS_PX = 22;
export const COUNTER_HEIGHT_CSS_PX = 34;
export const INSTANT_HEIGHT_CSS_PX = 12;
export const TRACK_GAP_CSS_PX = 3;

export class Layout {
  /** Rows in the scrolling area, sorted by y. */
  readonly rows: LayoutRow[] = [];
  /** Rows of pinned tracks, in the fixed area, sorted by y. */
  readonly pinnedRows: LayoutRow[] = [];
  readonly heightCssPx: number;
  readonly pinnedHeightCssPx: number;
  /** Per track: y of its depth-0 slice row in its area, or -1 when hidden (collapsed). */
  readonly sliceTop: Float64Array;
  /** Per track: 1 when it is in the pinned area. */
  readonly trackPinned: Uint8Array;

  constructor(model: TraceModel, opts: LayoutOptions) {
    this.sliceTop = new Float64Array(model.tracks.length).fill(-1);
    this.trackPinned = new Uint8Array(model.tracks.length);
    const ins = model.instants.trackStart;
    let y = 0;
    let py = 0;
    for (const g of model.groups) {
      const collapsed = opts.collapsed.has(g.id);
      const groupLabel = g.name && g.key && g.name !== g.key ? `${g.name} ${g.key}` : g.name || g.key || 'Global';
      this.rows.push({ kind: RowKind.GROUP, group: g.id, track: -1, depth: 0, y, height: GROUP_HEIGHT_CSS_PX, pinned: false, label: groupLabel, collapsed });
      y += GROUP_HEIGHT_CSS_PX;
      for (const t of g.tracks) {
        const pinned = opts.pinned.has(t);
        if (collapsed && !pinned) continue;
        const out = pinned ? this.pinnedRows : this.rows;
        let ty = pinned ? py : y;
        const track = model.tracks[t];
        const trackLabel = track.name || (track.key ? `${track.key}` : '');
        let label = pinned ? `📌 ${trackLabel}` : trackLabel;
        const hasInstants = t + 1 < ins.length && ins[t + 1] > ins[t];
        if (hasInstants || (track.kind === TrackKind.INSTANTS && track.rowCount === 0)) {
          out.push({ kind: RowKind.INSTANTS, group: g.id, track: t, depth: 0, y: ty, height: INSTANT_HEIGHT_CSS_PX, pinned, label });
          label = '';
          ty += INSTANT_HEIGHT_CSS_PX;
        }
        if (track.rowCount > 0) this.sliceTop[t] = ty;
        for (let d = 0; d < track.rowCount; d++) {
          out.push({ kind: RowKind.SLICES, group: g.id, track: t, depth: d, y: ty, height: ROW_HEIGHT_CSS_PX, pinned, label });
          label = '';
          ty += ROW_HEIGHT_CSS_PX;
        }
        for (const s of track.counterSeries) {
          const name = model.counters[s].name;
          const l = track.counterSeries.length > 1 || (name && name !== trackLabel) ? `${trackLabel} ${name}`.trim() : trackLabel;
          out.push({ kind: RowKind.COUNTER, group: g.id, track: t, depth: s, y: ty, height: COUNTER_HEIGHT_CSS_PX, pinned, label: pinned ? `📌 ${l}` : l });
          ty += COUNTER_HEIGHT_CSS_PX;
        }
        ty += TRACK_GAP_CSS_PX;
        if (pinned) {
          py = ty;
          this.trackPinned[t] = 1;
        } else y = ty;
      }
    }
    this.heightCssPx = y;
    this.pinnedHeightCssPx = py;
  }

  /** Index of the row containing y (in the given area's coordinates), or -1. */
  static rowIndexAt(rows: readonly LayoutRow[], y: number): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid].y + rows[mid].height <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo < rows.length && rows[lo].y <= y ? lo : -1;
  }

  /** First row whose bottom is below y (for painting from the top of the viewport). */
  static firstRowFrom(rows: readonly LayoutRow[], y: number): number {
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid].y + rows[mid].height <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
