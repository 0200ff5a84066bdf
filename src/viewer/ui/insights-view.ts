/**
 * Insights: where the time went, for the whole trace or the measured range. Time by name (self,
 * total, count: speedscope's sandwich table), bottlenecks by self time and by duration, fan-out
 * (many same-named siblings under one parent: the N+1 pattern) and the critical path. Each entry
 * selects its spans on the timeline.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { SourceFormat, TraceModel } from '../model/trace-model';
import { drain, nameOf } from '../model/query';
import { formatDuration } from '../render/time-scale';
import {
  criticalPathSteps,
  findFanOutsSteps,
  longestRootSteps,
  rankNames,
  rootOf,
  selfTimes,
  selfTimesSteps,
  slicesNamed,
  timeByNameSteps,
  topSlicesSteps,
  traceRootsSteps,
  type FanOut,
  type NameSort,
  type Scope,
  type TimeByName,
} from './analysis';
import { trackLabel } from './details-panel';

export interface Insights {
  scope: Scope;
  byName: TimeByName;
  bySelf: number[];
  byDuration: number[];
  fanOuts: FanOut[];
  critical: number[];
  criticalRoot: number;
}

export function computeInsights(model: TraceModel, scope: Scope, selected: number): Insights {
  return drain(insightsSteps(model, scope, selected));
}

/**
 * `computeInsights` in steps (each a few ms): at once, the first showing of a million slices' insights
 * was one task of 60–80 ms (childIndex, self times, fan-outs, time by name…), a janked frame.
 */
export function* insightsSteps(model: TraceModel, scope: Scope, selected: number): Generator<void, Insights, void> {
  const self = yield* selfTimesSteps(model);
  const bySelf = yield* topSlicesSteps(model, self, 10, scope);
  const byDuration = yield* topSlicesSteps(model, model.slices.durNs, 10, scope);
  const fanOuts = yield* findFanOutsSteps(model, 5, scope, 10);
  let root = selected >= 0 ? rootOf(model, selected) : -1;
  if (root < 0) {
    const traces = yield* traceRootsSteps(model);
    root = traces.length ? traces.reduce((a, b) => (model.slices.durNs[b.root] > model.slices.durNs[a.root] ? b : a)).root : yield* longestRootSteps(model, scope);
  }
  const byName = yield* timeByNameSteps(model, scope);
  return { scope, byName, bySelf, byDuration, fanOuts, critical: root >= 0 ? yield* criticalPathSteps(model, root) : [], criticalRoot: root };
}

export interface InsightHandlers {
  selectOne(slice: number): void;
  selectMany(slices: number[], label: string): void;
  /** Shows a name's callers and callees (the sandwich, in the flame view). */
  sandwich?(name: number): void;
  /** Sort and row count of the by-name table (default: by self time, 20 rows), and how to change them. */
  byName?: ByNameView;
  setByName?(v: ByNameView): void;
}

export interface ByNameView {
  sort: NameSort;
  shown: number;
}

export const BY_NAME_ROWS = 20;

const PROFILES = new Set<SourceFormat>(['v8-cpuprofile', 'speedscope-json', 'collapsed-stacks', 'perf-script', 'pprof', 'gecko-json', 'callgrind', 'safari-timeline']);

/** Ranked name ids per table (a re-render for another reason does not rank again). */
const ranked = new WeakMap<TimeByName, { key: string; ids: number[] }>();

function renderByName(model: TraceModel, ins: Insights, h: InsightHandlers, fmt: (ns: number) => string): TemplateResult {
  const by = ins.byName;
  const view = h.byName ?? { sort: 'self', shown: BY_NAME_ROWS };
  const set = (v: ByNameView): void => h.setByName?.(v);
  const key = `${view.sort}|${view.shown}`;
  let r = ranked.get(by);
  if (!r || r.key !== key) ranked.set(by, (r = { key, ids: rankNames(model, by, view.sort, view.shown) }));
  const label = (id: number): string => model.strings[id] || '(unnamed)';
  const sortable = (sort: NameSort, text: string): TemplateResult => html`<th scope="col" class="num" aria-sort=${view.sort === sort ? 'descending' : 'none'}>
    <button class="link" @click=${() => set({ sort, shown: view.shown })}>${text}</button>
  </th>`;
  const more = by.ids.length - r.ids.length;
  if (by.ids.length === 0) return html`<p class="muted">${ins.scope.range ? 'No slices in the measured range.' : 'No slices.'}</p>`;
  return html`${h.sandwich ? html`<p class="muted">A name selects its slices; ⇅ shows its callers and callees (all threads merged).</p>` : nothing}
    <table class="by-name">
      <thead>
        <tr>
          <th scope="col">Name</th>
          ${sortable('self', 'Self')}${sortable('total', 'Total')}${sortable('count', 'Count')}
          <th scope="col" class="num" title="Mean duration of one occurrence">Average</th>
        </tr>
      </thead>
      <tbody>
        ${r.ids.map(
          (id) => html`<tr>
            <th scope="row">
              <button class="link" @click=${() => h.selectMany(slicesNamed(model, id, ins.scope), label(id))}>${label(id)}</button>
              ${h.sandwich
                ? // Named without the name (the row's, next to it): a search for the name's button finds one. Its glyph is CSS.
                  html`<button class="small sandwich" data-sandwich=${id} aria-label="Callers and callees" title=${`Callers and callees of ${label(id)} (all threads merged)`}
                    @click=${() => h.sandwich?.(id)}></button>`
                : nothing}
            </th>
            <td class="num">${fmt(by.self[id])}</td>
            <td class="num">${fmt(by.total[id])}</td>
            <td class="num">${by.count[id]}</td>
            <td class="num">${fmt(by.sum[id] / by.count[id])}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${by.ids.length > BY_NAME_ROWS // one button, "Show fewer" once all rows show: focus stays on it
      ? html`<p>
          <button class="small" @click=${() => set({ sort: view.sort, shown: more > 0 ? view.shown * 2 : BY_NAME_ROWS })}>
            ${more > 0 ? `Show ${Math.min(more, view.shown)} more` : 'Show fewer'}
          </button>
          <span class="muted">${r.ids.length} of ${by.ids.length} names</span>
        </p>`
      : nothing}`;
}

export function renderInsights(model: TraceModel, ins: Insights, h: InsightHandlers): TemplateResult {
  const sl = model.slices;
  const self = selfTimes(model);
  const fmt = (ns: number): string => formatDuration(ns, 3, model.valueUnit);
  const entry = (i: number, metric: number): TemplateResult => html`<li>
    <button class="link" @click=${() => h.selectOne(i)}>${nameOf(model, i) || '(unnamed)'}</button>
    <span class="num">${fmt(metric)}</span>
    <span class="muted">${trackLabel(model, sl.track[i])}</span>
  </li>`;
  const r = ins.scope.range;
  // In a profile, time by function is the first question; in a trace, the slowest spans are.
  const profile = PROFILES.has(model.format);
  const byName = html`<h3>${model.valueUnit ? 'By name' : 'Time by name'}</h3>
    ${renderByName(model, ins, h, fmt)}`;
  return html`
    <section class="insights" aria-label="Insights">
      <p class="muted">${r ? `Measured range ${fmt(r[0])} – ${fmt(r[1])} (${fmt(r[1] - r[0])})` : 'Whole trace'} · shift-drag on the timeline to analyse a range</p>
      ${profile ? byName : nothing}
      <div class="cols">
        <div>
          <h3>${model.valueUnit ? 'Top self' : 'Top self time'}</h3>
          <ol class="bottlenecks-self">${ins.bySelf.map((i) => entry(i, self[i]))}</ol>
        </div>
        <div>
          <h3>Top duration</h3>
          <ol class="bottlenecks-duration">${ins.byDuration.map((i) => entry(i, sl.durNs[i]))}</ol>
        </div>
      </div>
      ${profile ? nothing : byName}
      <h3>Fan-out (N+1 candidates)</h3>
      ${ins.fanOuts.length === 0
        ? html`<p class="muted">No parent calls the same operation 5 or more times.</p>`
        : html`<ol class="fanouts">
            ${ins.fanOuts.map(
              (f) => html`<li>
                <button class="link" @click=${() => h.selectMany(f.slices, `${f.count} × ${f.key}`)}>${f.count} × ${f.key}</button>
                <span class="num">${fmt(f.totalNs)} total</span>
                <span class="muted">under <bdi>${nameOf(model, f.parent) || '(unnamed)'}</bdi> · ${f.sequential ? 'sequential — a bulk call would do' : 'parallel'} · ${fmt(f.wallNs)} wall</span>
              </li>`,
            )}
          </ol>`}
      <h3>Critical path${ins.criticalRoot >= 0 ? html` of <button class="link" @click=${() => h.selectOne(ins.criticalRoot)}>${nameOf(model, ins.criticalRoot) || '(unnamed)'}</button>` : nothing}</h3>
      ${ins.critical.length === 0
        ? html`<p class="muted">No spans.</p>`
        : html`<p><button class="small" @click=${() => h.selectMany(ins.critical, 'critical path')}>Highlight all ${ins.critical.length}</button></p>
            <ol class="critical">
              ${ins.critical.slice(0, 100).map((i) => entry(i, self[i]))}
            </ol>`}
    </section>
  `;
}
