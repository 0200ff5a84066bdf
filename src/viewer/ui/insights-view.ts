/**
 * Insights: where the time went, for the whole trace or the measured range. Bottlenecks by self
 * time and by duration, fan-out (many same-named siblings under one parent: the N+1 pattern) and
 * the critical path. Each entry selects its spans on the timeline.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { TraceModel } from '../model/trace-model';
import { nameOf } from '../model/query';
import { formatDuration } from '../render/time-scale';
import { criticalPath, findFanOuts, longestRoot, rootOf, selfTimes, topSlices, traceRoots, type FanOut, type Scope } from './analysis';
import { trackLabel } from './details-panel';

export interface Insights {
  scope: Scope;
  bySelf: number[];
  byDuration: number[];
  fanOuts: FanOut[];
  critical: number[];
  criticalRoot: number;
}

export function computeInsights(model: TraceModel, scope: Scope, selected: number): Insights {
  const self = selfTimes(model);
  const bySelf = topSlices(model, self, 10, scope);
  const byDuration = topSlices(model, model.slices.durNs, 10, scope);
  const fanOuts = findFanOuts(model, 5, scope, 10);
  let root = selected >= 0 ? rootOf(model, selected) : -1;
  if (root < 0) {
    const traces = traceRoots(model);
    root = traces.length ? traces.reduce((a, b) => (model.slices.durNs[b.root] > model.slices.durNs[a.root] ? b : a)).root : longestRoot(model, scope);
  }
  return { scope, bySelf, byDuration, fanOuts, critical: root >= 0 ? criticalPath(model, root) : [], criticalRoot: root };
}

export interface InsightHandlers {
  selectOne(slice: number): void;
  selectMany(slices: number[], label: string): void;
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
  return html`
    <section class="insights" aria-label="Insights">
      <p class="muted">${r ? `Measured range ${fmt(r[0])} – ${fmt(r[1])} (${fmt(r[1] - r[0])})` : 'Whole trace'} · shift-drag on the timeline to analyse a range</p>
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
