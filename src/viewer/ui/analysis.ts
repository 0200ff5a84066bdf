/**
 * Trace analyses behind the insights panel and the waterfall: child index, self time, biggest
 * bottlenecks, fan-out (the N+1 pattern) and the critical path. Pure functions over the model,
 * linear time (no per-slice objects), so they run on million-event traces in well under a second.
 */
import { TrackKind, type TraceModel } from '../model/trace-model';
import { ANALYSIS_STEP as STEP, childIndex, childIndexSteps, childrenList, drain, inSteps, selfTimeIn, selfTimes, selfTimesSteps } from '../model/query';

export { childIndex, childrenList, selfTimes, selfTimesSteps };


export interface Scope {
  /** Only slices overlapping [t0Ns, t1Ns] count; undefined = whole trace. */
  range?: readonly [number, number];
}

/** Top `k` slices by a metric (descending), optionally within a time range. */
export function topSlices(model: TraceModel, metric: Float64Array, k: number, scope: Scope = {}): number[] {
  return drain(topSlicesSteps(model, metric, k, scope));
}

/**
 * The analyses in steps, as `searchSteps`: each yields every `ANALYSIS_STEP` slices (or so much
 * work), so the insights of a million slices are computed over tasks of a few ms, not one of ~70 ms.
 */
export function* topSlicesSteps(model: TraceModel, metric: Float64Array, k: number, scope: Scope = {}): Generator<void, number[], void> {
  const n = model.slices.count;
  const { startNs: S, durNs: D } = model.slices;
  const top: number[] = [];
  let floor = -Infinity;
  const r = scope.range;
  yield* inSteps(n, (from, to) => {
    for (let i = from; i < to; i++) {
      const v = metric[i];
      if (top.length === k && v <= floor) continue;
      if (r && (S[i] > r[1] || S[i] + D[i] < r[0])) continue;
      let j = top.length;
      while (j > 0 && metric[top[j - 1]] < v) j--;
      top.splice(j, 0, i);
      if (top.length > k) top.pop();
      if (top.length === k) floor = metric[top[k - 1]];
    }
  });
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
  return drain(findFanOutsSteps(model, min, scope, limit));
}

export function* findFanOutsSteps(model: TraceModel, min = 5, scope: Scope = {}, limit = 20): Generator<void, FanOut[], void> {
  const c = yield* childIndexSteps(model);
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
  yield* inSteps(n, (from, to) => {
    for (let p = from; p < to; p++) {
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
  });
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
  return drain(criticalPathSteps(model, root));
}

export function* criticalPathSteps(model: TraceModel, root: number): Generator<void, number[], void> {
  const { startNs: S, durNs: D } = model.slices;
  const c = yield* childIndexSteps(model);
  const path: number[] = [];
  const stack: Array<[number, number]> = [[root, S[root] + D[root]]];
  let guard = 0;
  let work = 0;
  while (stack.length > 0 && guard++ < 1_000_000) {
    const [span, limit] = stack.pop() as [number, number];
    path.push(span);
    const a = c.start[span];
    const b = c.start[span + 1];
    // Sorting children costs ~20× a slice of the other steps.
    if ((work += 1 + 20 * (b - a)) >= STEP) {
      work = 0;
      yield;
    }
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
  return drain(traceRootsSteps(model));
}

export function* traceRootsSteps(model: TraceModel): Generator<void, Array<{ traceId: string; root: number }>, void> {
  const best = new Map<string, number>();
  const { durNs: D, parent, track } = model.slices;
  yield* inSteps(model.slices.count, (from, to) => {
    for (let i = from; i < to; i++) {
      if (parent[i] >= 0) continue;
      const t = model.tracks[track[i]];
      if (t.kind !== TrackKind.TRACE || !t.traceId) continue;
      const b = best.get(t.traceId);
      if (b === undefined || D[i] > D[b]) best.set(t.traceId, i);
    }
  });
  return [...best].map(([traceId, root]) => ({ traceId, root }));
}

/** The longest root slice in the model (for traces without trace ids), or -1. */
export function longestRoot(model: TraceModel, scope: Scope = {}): number {
  return drain(longestRootSteps(model, scope));
}

export function* longestRootSteps(model: TraceModel, scope: Scope = {}): Generator<void, number, void> {
  const { startNs: S, durNs: D, parent } = model.slices;
  let best = -1;
  const r = scope.range;
  yield* inSteps(model.slices.count, (from, to) => {
    for (let i = from; i < to; i++) {
      if (parent[i] >= 0) continue;
      if (r && (S[i] > r[1] || S[i] + D[i] < r[0])) continue;
      if (best < 0 || D[i] > D[best]) best = i;
    }
  });
  return best;
}

const nestedCache = new WeakMap<TraceModel, Uint8Array>();

/**
 * 1 for each slice with an ancestor of the same name (a recursive call), else 0. Depth first from
 * the roots, keeping a count of open slices per name id; cached per model.
 */
export function nestedInSameName(model: TraceModel): Uint8Array {
  return drain(nestedInSameNameSteps(model));
}

export function* nestedInSameNameSteps(model: TraceModel): Generator<void, Uint8Array, void> {
  let nested = nestedCache.get(model);
  if (nested) return nested;
  const n = model.slices.count;
  const { parent, name } = model.slices;
  const c = yield* childIndexSteps(model);
  const open = new Uint32Array(model.strings.length);
  nested = new Uint8Array(n);
  // Entries are slices to enter, or ~slice to leave (pushed only for slices with children).
  const stack = new Int32Array(2 * n);
  const out = nested;
  // In ranges of roots: a tree is walked whole.
  yield* inSteps(n, (from, to) => {
    for (let r = from; r < to; r++) {
      if (parent[r] >= 0) continue;
      let sp = 0;
      stack[sp++] = r;
      while (sp > 0) {
        const v = stack[--sp];
        if (v < 0) {
          open[name[~v]]--;
          continue;
        }
        if (open[name[v]] > 0) out[v] = 1;
        const a = c.start[v];
        const b = c.start[v + 1];
        if (a === b) continue;
        open[name[v]]++;
        stack[sp++] = ~v;
        for (let k = b - 1; k >= a; k--) stack[sp++] = c.list[k];
      }
    }
  });
  nested = nestedCache.get(model) ?? nested;
  nestedCache.set(model, nested);
  return nested;
}

/**
 * Time by name (speedscope's sandwich, Perfetto's slice aggregation), as columns indexed by name
 * id. With a range, each slice counts its part inside the range (and its self time there); a
 * slice that only touches the range's edge does not count. `total` follows speedscope: a slice
 * nested in a slice of the same name adds nothing (recursion is not counted twice).
 */
export interface TimeByName {
  /** Name ids that occur, in id order. */
  readonly ids: Uint32Array;
  readonly count: Uint32Array;
  readonly total: Float64Array;
  readonly self: Float64Array;
  /** Sum of every occurrence's duration, nested ones included (for the mean of one occurrence). */
  readonly sum: Float64Array;
}

export type NameSort = 'total' | 'self' | 'count';

/** Whether slice i counts in [lo, hi]: it overlaps it, or is zero-length inside it (touching an edge is not enough). */
function counts(S: Float64Array, D: Float64Array, i: number, lo: number, hi: number): boolean {
  const s = S[i];
  const e = s + D[i];
  const a = Math.max(s, lo);
  const b = Math.min(e, hi);
  return b > a || (b === a && e === s);
}

export function timeByName(model: TraceModel, scope: Scope = {}): TimeByName {
  return drain(timeByNameSteps(model, scope));
}

export function* timeByNameSteps(model: TraceModel, scope: Scope = {}): Generator<void, TimeByName, void> {
  const n = model.slices.count;
  const { startNs: S, durNs: D, name } = model.slices;
  const self = yield* selfTimesSteps(model);
  const nested = yield* nestedInSameNameSteps(model);
  const m = model.strings.length;
  const count = new Uint32Array(m);
  const total = new Float64Array(m);
  const selfBy = new Float64Array(m);
  const sum = new Float64Array(m);
  const r = scope.range;
  const lo = r ? r[0] : -Infinity;
  const hi = r ? r[1] : Infinity;
  yield* inSteps(n, (from, to) => {
    for (let i = from; i < to; i++) {
      const s = S[i];
      let d = D[i];
      let sf = self[i];
      if (s < lo || s + d > hi) {
        // Crosses an edge of the range, or lies outside it: clip (few slices cross an edge).
        const e = s + d;
        const a = s < lo ? lo : s;
        const b = e > hi ? hi : e;
        if (b < a || (b === a && d > 0)) continue;
        d = b - a;
        sf = selfTimeIn(model, i, a, b);
      }
      const id = name[i];
      count[id]++;
      sum[id] += d;
      selfBy[id] += sf;
      if (!nested[i]) total[id] += d;
    }
  });
  let k = 0;
  for (let id = 0; id < m; id++) if (count[id]) k++;
  const ids = new Uint32Array(k);
  for (let id = 0, j = 0; id < m; id++) if (count[id]) ids[j++] = id;
  return { ids, count, total, self: selfBy, sum };
}

/**
 * The first `k` name ids by `sort` (descending); ties go by self, total, then count, then name
 * (code unit order), so the order is stable. Top-k insertion: linear for the usual small k.
 */
export function rankNames(model: TraceModel, by: TimeByName, sort: NameSort, k: number): number[] {
  const keys = [by[sort], by.self, by.total, by.count];
  const strings = model.strings;
  const before = (x: number, y: number): boolean => {
    for (const a of keys) if (a[x] !== a[y]) return a[x] > a[y];
    return (strings[x] ?? '') < (strings[y] ?? '');
  };
  const ids = by.ids;
  if (k * 8 >= ids.length) return Array.from(ids).sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0)).slice(0, k);
  const top: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (top.length === k && !before(id, top[k - 1])) continue;
    let j = top.length;
    while (j > 0 && before(id, top[j - 1])) j--;
    top.splice(j, 0, id);
    if (top.length > k) top.pop();
  }
  return top;
}

/** The slices named `id` that count in `scope` (as in `timeByName`), in start order. */
export function slicesNamed(model: TraceModel, id: number, scope: Scope = {}): number[] {
  const { startNs: S, durNs: D, name } = model.slices;
  const r = scope.range;
  const out: number[] = [];
  for (let i = 0; i < model.slices.count; i++) if (name[i] === id && (!r || counts(S, D, i, r[0], r[1]))) out.push(i);
  return out.sort((x, y) => S[x] - S[y] || x - y);
}
