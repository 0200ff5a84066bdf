/**
 * The flame graph view's text: the tooltip lines and the details panel of a merged node (name,
 * total, self, share of its track, calls merged, where the frame is). The drawing is the
 * timeline's, of the derived model (`model/flame.ts`).
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { FlameGraph } from '../model/flame';
import { argsOf, nameOf } from '../model/query';
import { formatDuration } from '../render/time-scale';
import { trackLabel, valueText } from './details-panel';
import { formatCount } from './format';

const share = (f: FlameGraph, node: number): string => {
  const t = f.trackTotal[node];
  return t > 0 ? `${((100 * f.total[node]) / t).toFixed(1)}%` : '';
};

/** Tooltip of node slice `slice` (of `f.model`): its name, then total · self, share, thread. */
export function flameTip(f: FlameGraph, slice: number): { title: string; lines: string[] } {
  const m = f.model;
  const n = f.nodeOfSlice[slice];
  const fmt = (ns: number): string => formatDuration(ns, 3, m.valueUnit);
  return {
    title: nameOf(m, slice) || '(unnamed)',
    lines: [`total ${fmt(f.total[n])} · self ${fmt(f.self[n])}`, `${share(f, n)} of ${trackLabel(m, m.slices.track[slice])}`],
  };
}

/** One-line summary (the ARIA live region). */
export function flameSummary(f: FlameGraph, slice: number): string {
  const t = flameTip(f, slice);
  return `${t.title}, ${t.lines.join(', ')}`;
}

/** Details of a selected node; `show` highlights the calls it merges in the timeline, `sandwich` shows its name's callers and callees. */
export function renderFlameDetails(f: FlameGraph, slice: number, show: () => void, zoom: () => void, sandwich: (() => void) | null = null): TemplateResult {
  const m = f.model;
  const n = f.nodeOfSlice[slice];
  const fmt = (ns: number): string => formatDuration(ns, 6, m.valueUnit);
  const time = m.valueUnit ? '' : ' time';
  // Where the frame is (file, line: profile frames share one details entry); a call's own args differ per call.
  const src = f.firstSlice[n];
  const args = src >= 0 ? argsOf(f.source, src).args : undefined;
  const where = args && ('url' in args || 'file' in args) ? Object.entries(args) : [];
  const path: string[] = [];
  for (let p = slice, guard = 0; p >= 0 && guard < 64; p = m.slices.parent[p], guard++) path.unshift(nameOf(m, p) || '(unnamed)');
  // A sandwich's callers are inverted (the name first, then who called it): the stack reads from the root.
  const caller = isCaller(f, n);
  if (caller) path.reverse();
  const focus = f.focus !== undefined ? f.source.strings[f.focus] || '(unnamed)' : '';
  return html`<section class="details" aria-label="Selection details">
    <header>
      <h2 class="name">${nameOf(m, slice) || '(unnamed)'}</h2>
      <button class="small" @click=${zoom} title="Zoom to selection (F)">Zoom</button>
      ${sandwich ? html`<button class="small" @click=${sandwich} title="Callers and callees of this name, all threads merged (B)">Callers &amp; callees</button>` : nothing}
    </header>
    <dl>
      <dt>Track</dt><dd>${trackLabel(m, m.slices.track[slice])}</dd>
      <dt>Total${time}</dt><dd>${fmt(f.total[n])}</dd>
      <dt>Self${time}</dt><dd>${fmt(f.self[n])}</dd>
      <dt>${focus ? `Share of ${focus}` : 'Share of track'}</dt><dd>${share(f, n)}</dd>
      <dt>${caller ? `Calls of ${focus} through here` : 'Calls merged'}</dt><dd>${formatCount(f.calls[n])}</dd>
      ${f.range ? html`<dt>Range</dt><dd>${formatDuration(f.range[0], 6, m.valueUnit)} – ${formatDuration(f.range[1], 6, m.valueUnit)} (measured)</dd>` : nothing}
      <dt>Stack</dt><dd class="mono">${path.join(' › ')}</dd>
    </dl>
    ${where.length ? html`<h3>Frame</h3><dl>${where.map(([k, v]) => html`<dt>${k}</dt><dd>${valueText(v)}</dd>`)}</dl>` : nothing}
    <button class="small" @click=${show} title=${caller ? `Highlight the calls of ${focus} through here on the timeline` : 'Highlight the calls merged here on the timeline'}>Show in timeline</button>
  </section>`;
}

/** A sandwich's callers node (inverted: its calls are those of the name reached through it). */
export function isCaller(f: FlameGraph, n: number): boolean {
  let r = n;
  for (let guard = 0; f.parentOf[r] >= 0 && guard < 1 << 16; guard++) r = f.parentOf[r];
  return f.callers?.root === r;
}

/**
 * The source slices a node merges (its calls with time in the range), in index order; for a
 * sandwich's caller, the calls of the name reached through it (in start order).
 */
export function callsOf(f: FlameGraph, slice: number): number[] {
  const n = f.nodeOfSlice[slice];
  const out: number[] = [];
  const c = f.callers;
  if (c && isCaller(f, n)) {
    for (let k = 0; k < c.seeds.length; k++) {
      let p = c.top[k];
      while (p >= 0 && p !== n) p = f.parentOf[p];
      if (p === n) out.push(c.seeds[k]);
    }
    const S = f.source.slices.startNs;
    return out.sort((x, y) => S[x] - S[y] || x - y);
  }
  const { startNs, durNs } = f.source.slices;
  const [a, b] = f.range ?? [-Infinity, Infinity];
  const src = f.nodeOfSource;
  for (let i = 0; i < src.length; i++) if (src[i] === n && Math.min(startNs[i] + durNs[i], b) > Math.max(startNs[i], a)) out.push(i);
  return out;
}
