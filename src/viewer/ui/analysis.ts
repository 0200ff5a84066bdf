/**
 * Trace analyses behind the insights panel and the waterfall: child index, self time, biggest
 * bottlenecks, fan-out (the N+1 pattern) and the critical path. Pure functions over the model,
 * linear time (no per-slice objects), so they run on million-event traces in well under a second.
 */
import { TrackKind, type TraceModel } from '../model/trace-model';
import { childIndex, childrenList, selfTimes } from '../model/query';

export { childIndex, childrenList, selfTimes };


export interface Scope {
  /** Only slices overlapping [t0Ns, t1Ns] count; undefined = whole trace. */
  range?: readonly [number, number];
}

/** Top `k` slices by a metric (descending), optionally within a time range. */
export function topSlices(model: TraceModel, metric: Float64Array, k: number, scope: Scope = {}): number[] {
  const n = model.slices.count;
  const { startNs: S, durNs: D } = model.slices;
  const top: number[] = [];
  let floor = -Infinity;
  const r = scope.range;
  for (let i = 0; i < n; i++) {
    const v = metric[i];
    if (top.length === k && v <= floor) continue;
    if (r && (S[i] > r[1] || S[i] + D[i] < r[0])) continue;
    let j = top.length;
    while (j > 0 && metric[top[j - 1]] < v) j--;
    top.splice(j, 0, i);
    if (top.length > k) top.pop();
    if (top.length === k) floor = metric[top[k - 1]];
  }
  return top;
}

export interface FanOut {
  parent: number;
  /** Display key (the name with digits replaced, so ids do not split a group). */
  key: string;
  /** The sibling slices, in start order. */
  slices: number[];
  count: number;
  totalNs: number;
  /** First start to last end of the group. */
  wallNs: number;
  /** True when the calls mostly run one after another (the N+1 signature). */
  sequential: boolean;
}

/** Siblings with the same (normalised) name under one parent, at least `min` of them. */
export function findFanOuts(model: TraceModel, min = 5, scope: Scope = {}, limit = 20): FanOut[] {
  const c = childIndex(model);
  const { startNs: S, durNs: D, name } = model.slices;
  const normCache = new Map<number, string>();
  const norm = (id: number): string => {
    let k = normCache.get(id);
    if (k === undefined) {
      k = (model.strings[id] ?? '').replace(/[0-9a-f]{8,}|\d+/gi, '#');
      normCache.set(id, k);
    }
    return k;
  };
  const out: FanOut[] = [];
  const r = scope.range;
  const n = model.slices.count;
  for (let p = 0; p < n; p++) {
    const a = c.start[p];
    const b = c.start[p + 1];
    if (b - a < min) continue;
    if (r && (S[p] > r[1] || S[p] + D[p] < r[0])) continue;
    const groups = new Map<string, number[]>();
    for (let k = a; k < b; k++) {
      const ch = c.list[k];
      const key = norm(name[ch]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(ch);
    }
    for (const [key, list] of groups) {
      if (list.length < min) continue;
      let total = 0;
      let overlap = 0;
      let lastEnd = -Infinity;
      let first = Infinity;
      for (const i of list) {
        total += D[i];
        if (S[i] < lastEnd) overlap++;
        if (S[i] + D[i] > lastEnd) lastEnd = S[i] + D[i];
        if (S[i] < first) first = S[i];
      }
      out.push({
        parent: p,
        key,
        slices: list,
        count: list.length,
        totalNs: total,
        wallNs: lastEnd - first,
        sequential: overlap <= list.length / 4,
      });
    }
  }
  out.sort((x, y) => y.totalNs - x.totalNs || y.count - x.count);
  return out.slice(0, limit);
}

/** Root of a slice's tree (follows parents, bounded against cycles). */
export function rootOf(model: TraceModel, slice: number): number {
  const parent = model.slices.parent;
  let s = slice;
  for (let guard = 0; guard < 1 << 16 && parent[s] >= 0; guard++) s = parent[s];
  return s;
}

/**
 * Critical path under `root`: walking back from the root's end, the child that finished last
 * before the cursor is on the path, recursively; the cursor then moves to that child's start.
 * Returns the slices on the path in start order.
 */
export function criticalPath(model: TraceModel, root: number): number[] {
  const { startNs: S, durNs: D } = model.slices;
  const c = childIndex(model);
  const path: number[] = [];
  const stack: Array<[number, number]> = [[root, S[root] + D[root]]];
  let guard = 0;
  while (stack.length > 0 && guard++ < 1_000_000) {
    const [span, limit] = stack.pop() as [number, number];
    path.push(span);
    const a = c.start[span];
    const b = c.start[span + 1];
    if (a === b) continue;
    // Children by end, latest first.
    const kids = Array.from(c.list.subarray(a, b)).sort((x, y) => S[y] + D[y] - (S[x] + D[x]));
    let t = Math.min(limit, S[span] + D[span]);
    const chosen: Array<[number, number]> = [];
    for (const k of kids) {
      if (S[k] >= t) continue;
      chosen.push([k, t]);
      t = S[k];
      if (t <= S[span]) break;
    }
    for (let i = chosen.length - 1; i >= 0; i--) stack.push(chosen[i]);
  }
  path.sort((x, y) => S[x] - S[y] || x - y);
  return path;
}

/** Trace ids present (TRACE tracks), with the longest root of each. */
export function traceRoots(model: TraceModel): Array<{ traceId: string; root: number }> {
  const best = new Map<string, number>();
  const { durNs: D, parent, track } = model.slices;
  for (let i = 0; i < model.slices.count; i++) {
    if (parent[i] >= 0) continue;
    const t = model.tracks[track[i]];
    if (t.kind !== TrackKind.TRACE || !t.traceId) continue;
    const b = best.get(t.traceId);
    if (b === undefined || D[i] > D[b]) best.set(t.traceId, i);
  }
  return [...best].map(([traceId, root]) => ({ traceId, root }));
}

/** The longest root slice in the model (for traces without trace ids), or -1. */
export function longestRoot(model: TraceModel, scope: Scope = {}): number {
  const { startNs: S, durNs: D, parent } = model.slices;
  let best = -1;
  const r = scope.range;
  for (let i = 0; i < model.slices.count; i++) {
    if (parent[i] >= 0) continue;
    if (r && (S[i] > r[1] || S[i] + D[i] < r[0])) continue;
    if (best < 0 || D[i] > D[best]) best = i;
  }
  return best;
}
