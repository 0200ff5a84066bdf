/**
 * The details panel for the selected slice: what, where, when, self and thread time, args,
 * events, links, flows and the parent/children to navigate to. Every piece of trace text goes
 * through Lit text bindings, never markup.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { FlowKind, SliceFlag, type TraceModel } from '../model/trace-model';
import { argsOf, flowsIn, flowsOut, instantArgsOf, instantRange, nameOf } from '../model/query';
import { formatDuration, formatExact } from '../render/time-scale';
import { cutText } from '../render/graphemes';
import { childrenList, selfTimes } from './analysis';

const MAX_CHILDREN = 50;
const MAX_VALUE_CHARS = 600;
/** Argument rows shown until "Show all": a span with 10k attributes made 30k DOM nodes (seconds). */
const MAX_ARGS = 200;

export function valueText(v: unknown): string {
  if (typeof v === 'string') return cutText(v, MAX_VALUE_CHARS);
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return cutText(s, MAX_VALUE_CHARS);
}

export function trackLabel(model: TraceModel, track: number): string {
  const t = model.tracks[track];
  const g = model.groups[t.group];
  const gName = g ? g.name || g.key : '';
  const tName = t.name || t.key;
  return gName && tName ? `${gName} › ${tName}` : gName || tName;
}

/** One-line text summary of a slice (for the ARIA live region and tooltips). */
export function sliceSummary(model: TraceModel, slice: number): string {
  const sl = model.slices;
  const flags = sl.flags[slice];
  const extra = [
    flags & SliceFlag.ERROR ? 'error' : '',
    flags & SliceFlag.UNFINISHED ? 'unfinished' : '',
  ].filter(Boolean);
  const kids = childrenList(model, slice).length;
  const u = model.valueUnit;
  return `${nameOf(model, slice) || '(unnamed)'}, start ${formatDuration(sl.startNs[slice], 3, u)}, duration ${formatDuration(sl.durNs[slice], 3, u)}, on ${trackLabel(model, sl.track[slice])}, depth ${sl.depth[slice]}, ${kids} ${kids === 1 ? 'child' : 'children'}${extra.length ? `, ${extra.join(', ')}` : ''}`;
}

function row(label: string, value: string | TemplateResult | typeof nothing): TemplateResult | typeof nothing {
  if (value === '' || value === nothing) return nothing;
  return html`<dt>${label}</dt><dd>${value}</dd>`;
}

/** `showAll` lifts the cap on argument rows; null when they are all shown already. */
export function renderDetails(
  model: TraceModel,
  slice: number,
  go: (slice: number) => void,
  zoom: () => void,
  showAll: (() => void) | null = null,
  sandwich: (() => void) | null = null,
): TemplateResult {
  const sl = model.slices;
  const d = argsOf(model, slice);
  const flags = sl.flags[slice];
  const self = selfTimes(model)[slice];
  const parent = sl.parent[slice];
  const kids = childrenList(model, slice);
  const start = sl.startNs[slice];
  const end = start + sl.durNs[slice];
  // Positions and durations in the model's unit: samples/bytes for profiles whose x is not time.
  const fmt = (ns: number, digits?: number): string => formatDuration(ns, digits, model.valueUnit);
  const link = (i: number): TemplateResult =>
    html`<button class="link" @click=${() => go(i)} title=${`${fmt(sl.startNs[i])} · ${fmt(sl.durNs[i])}`}>${nameOf(model, i) || '(unnamed)'}</button>`;
  const status: string[] = [];
  if (flags & SliceFlag.ERROR) status.push('error');
  if (flags & SliceFlag.UNFINISHED) status.push('unfinished (no end seen; drawn to the trace end)');
  if (flags & SliceFlag.TRUNCATED) status.push(`repaired: original duration ${fmt(d.originalDurNs ?? NaN)}`);
  if (flags & SliceFlag.ORPHAN) status.push('orphan (parent not in trace)');
  // Moved at import to fit in its parent of another service (skew="off" shows the recorded times).
  if (d.clockSkewNs) status.push(`clock skew adjusted by ${d.clockSkewNs > 0 ? '+' : ''}${formatDuration(d.clockSkewNs, 4)}`);
  const args = d.args ? Object.entries(d.args) : [];
  const table = (entries: Array<[string, unknown]>): TemplateResult => {
    const cut = showAll !== null && entries.length > MAX_ARGS;
    return html`<table class="args">
        ${(cut ? entries.slice(0, MAX_ARGS) : entries).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${valueText(v)}</td></tr>`)}
      </table>
      ${cut ? html`<button class="small show-all" @click=${showAll}>Show all ${entries.length}</button>` : nothing}`;
  };
  // The first MAX_CHILDREN items of a list (children, links, flows), then how many more.
  const capped = <T>(list: ArrayLike<T>, item: (x: T) => TemplateResult): TemplateResult =>
    html`${Array.from({ length: Math.min(list.length, MAX_CHILDREN) }, (_, i) => item(list[i]))}${list.length > MAX_CHILDREN ? html`<li class="muted">… ${list.length - MAX_CHILDREN} more</li>` : nothing}`;
  // Events: instants owned by this slice (span events, async steps).
  const events: number[] = [];
  const [ia, ib] = instantRange(model, sl.track[slice], start, end);
  for (let i = ia; i < ib && events.length < 200; i++) if (model.instants.slice[i] === slice) events.push(i);
  const outs = flowsOut(model, slice);
  const ins = flowsIn(model, slice);
  // A link's span, when it is in the trace (its link flow comes in from it); looked up once.
  let linkedSpans: Map<string, number> | undefined;
  const linked = (l: { traceId: string; spanId: string }): number => {
    if (!linkedSpans) {
      linkedSpans = new Map();
      for (const f of ins) {
        if (model.flows.kind[f] !== FlowKind.LINK) continue;
        const a = argsOf(model, model.flows.fromSlice[f]);
        linkedSpans.set(`${a.traceId}/${a.spanId}`, model.flows.fromSlice[f]);
      }
    }
    return linkedSpans.get(`${l.traceId}/${l.spanId}`) ?? -1;
  };
  // Wall-clock time for sources on the epoch clock (OTLP, Jaeger, Zipkin, live spans).
  const wall = model.clock === 'epoch' ? new Date(model.originMs + start / 1e6) : null;
  return html`
    <section class="details" aria-label="Selection details">
      <header>
        <h2 class="name">${nameOf(model, slice) || '(unnamed)'}</h2>
        <button class="small" @click=${zoom} title="Zoom to selection (F)">Zoom</button>
        ${sandwich ? html`<button class="small" @click=${sandwich} title="Callers and callees of this name, all threads merged (B)">Callers &amp; callees</button>` : nothing}
      </header>
      <dl>
        ${row('Category', model.strings[sl.category[slice]] ?? '')}
        ${row('Track', trackLabel(model, sl.track[slice]))}
        ${row('Start', model.valueUnit ? fmt(start, 6) : formatExact(start))}
        ${row('Wall time', wall && wall.getTime() === wall.getTime() ? wall.toISOString() : '')}
        ${row('Duration', fmt(sl.durNs[slice], 6))}
        ${row(model.valueUnit ? 'Self' : 'Self time', fmt(self, 6))}
        ${row('Thread time', d.threadDurNs !== undefined ? formatDuration(d.threadDurNs, 6) : '')}
        ${row('Status', status.join('; '))}
        ${row('Kind', d.kind ?? '')}
        ${row('Status code', d.statusCode ? `${d.statusCode}${d.statusMessage ? `: ${d.statusMessage}` : ''}` : '')}
        ${row('Trace id', d.traceId ?? '')}
        ${row('Span id', d.spanId ?? '')}
        ${row('Parent span id', d.parentSpanId ?? '')}
        ${row('Id', d.id ?? '')}
        ${row('Scope', d.scope ?? '')}
        ${row('Parent', parent >= 0 ? link(parent) : '')}
      </dl>
      ${args.length ? html`<h3>Arguments</h3>${table(args)}` : nothing}
      ${d.resource && Object.keys(d.resource).length ? html`<h3>Resource</h3>${table(Object.entries(d.resource))}` : nothing}
      ${d.extra && Object.keys(d.extra).length ? html`<h3>Other fields</h3>${table(Object.entries(d.extra))}` : nothing}
      ${events.length
        ? html`<h3>Events (${events.length})</h3>
            <ul>
              ${events.map((i) => {
                const a = instantArgsOf(model, i).args;
                return html`<li>${fmt(model.instants.timeNs[i] - start, 4)}: <bdi>${model.strings[model.instants.name[i]]}</bdi>${a ? html` <span class="muted">${valueText(a)}</span>` : nothing}</li>`;
              })}
            </ul>`
        : nothing}
      ${d.links && d.links.length
        ? html`<h3>Links (${d.links.length})</h3>
            <ul>
              ${capped(d.links, (l) => {
                const to = linked(l);
                return html`<li>${to >= 0 ? html`${link(to)} ` : nothing}<span class="mono">${l.traceId} / ${l.spanId}</span>${l.attributes && Object.keys(l.attributes).length ? html` <span class="muted">${valueText(l.attributes)}</span>` : nothing}</li>`;
              })}
            </ul>`
        : nothing}
      ${outs.length || ins.length
        ? html`<h3>Flows</h3>
            <ul>
              ${capped(ins, (f) => html`<li>in from ${link(model.flows.fromSlice[f])}</li>`)}
              ${capped(outs, (f) => html`<li>out to ${link(model.flows.toSlice[f])}</li>`)}
            </ul>`
        : nothing}
      ${kids.length
        ? html`<h3>Children (${kids.length})</h3>
            <ul class="children">
              ${capped(kids, (c) => html`<li>${link(c)} <span class="muted">${fmt(sl.durNs[c])}</span></li>`)}
            </ul>`
        : nothing}
    </section>
  `;
}
