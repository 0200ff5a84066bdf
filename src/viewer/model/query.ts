/**
 * Read helpers over a TraceModel. Pure functions, no allocation on the per-frame paths
 * (`rowOf`, `sliceRangeInRow`, `firstEndingAtOrAfter`, `firstStartingAtOrAfter`, `sliceAt`).
 */
import { GroupKind, TrackKind, type SliceDetails, type TraceModel, type CounterSeries } from './trace-model';

/** Row id of (track, depth), or -1 when the track has no such depth. */
export function rowOf(model: TraceModel, track: number, depth: number): number {
  const rs = model.rows.rowStart;
  if (track < 0 || track + 1 >= rs.length || depth < 0) return -1;
  const row = rs[track] + depth;
  return row < rs[track + 1] ? row : -1;
}

/** Deepest row index of a track (rowCount - 1); -1 when it has no slices. */
export function maxDepth(model: TraceModel, track: number): number {
  const rs = model.rows.rowStart;
  if (track < 0 || track + 1 >= rs.length) return -1;
  return rs[track + 1] - rs[track] - 1;
}

/** Slice index range [lo, hi) of a row (all slices of the row). */
export function rowSlices(model: TraceModel, row: number): [number, number] {
  const rss = model.rows.rowSliceStart;
  if (row < 0 || row + 1 >= rss.length) return [0, 0];
  return [rss[row], rss[row + 1]];
}

/** First slice index in [lo, hi) whose end (start + dur) is ≥ tNs; hi when none. */
export function firstEndingAtOrAfter(model: TraceModel, lo: number, hi: number, tNs: number): number {
  const s = model.slices.startNs;
  const d = model.slices.durNs;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] + d[mid] < tNs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First slice index in [lo, hi) whose start is > tNs; hi when none. */
export function firstStartingAfter(model: TraceModel, lo: number, hi: number, tNs: number): number {
  const s = model.slices.startNs;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] <= tNs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Slices of row (track, depth) that intersect the closed window [t0Ns, t1Ns]: returns [lo, hi)
 * as slice indices (empty range when none). Two binary searches.
 */
export function sliceRangeInRow(
  model: TraceModel,
  track: number,
  depth: number,
  t0Ns: number,
  t1Ns: number,
): [number, number] {
  const row = rowOf(model, track, depth);
  if (row < 0) return [0, 0];
  const rss = model.rows.rowSliceStart;
  const a = rss[row];
  const b = rss[row + 1];
  const lo = firstEndingAtOrAfter(model, a, b, t0Ns);
  const hi = firstStartingAfter(model, lo, b, t1Ns);
  return [lo, hi];
}

/**
 * The slice on (track, depth) covering tNs, widened by ±slopNs (for hit testing a few pixels
 * wide); the nearest by distance wins. -1 when none.
 */
export function sliceAt(model: TraceModel, track: number, depth: number, tNs: number, slopNs = 0): number {
  const [lo, hi] = sliceRangeInRow(model, track, depth, tNs - slopNs, tNs + slopNs);
  let best = -1;
  let bestDist = Infinity;
  const s = model.slices.startNs;
  const d = model.slices.durNs;
  for (let i = lo; i < hi; i++) {
    const end = s[i] + d[i];
    const dist = tNs < s[i] ? s[i] - tNs : tNs > end ? tNs - end : 0;
    if (dist < bestDist) {
      bestDist = dist;
      best = i;
      if (dist === 0) break;
    }
  }
  return best;
}

export function endNsOf(model: TraceModel, slice: number): number {
  return model.slices.startNs[slice] + model.slices.durNs[slice];
}

export function nameOf(model: TraceModel, slice: number): string {
  return model.strings[model.slices.name[slice]] ?? '';
}

export function categoryOf(model: TraceModel, slice: number): string {
  return model.strings[model.slices.category[slice]] ?? '';
}

const decoder = /* @__PURE__ */ new TextDecoder();

/** Decodes details entry `ref` of the args table; undefined for -1 or a broken entry. */
export function detailsAt(model: TraceModel, ref: number): SliceDetails | undefined {
  const t = model.args;
  if (ref < 0 || ref >= t.count) return undefined;
  try {
    return JSON.parse(decoder.decode(t.bytes.subarray(t.offsets[ref], t.offsets[ref + 1]))) as SliceDetails;
  } catch {
    return undefined;
  }
}

/** Details of a slice (args, thread time, ids, …), decoded lazily. Empty object when none. */
export function argsOf(model: TraceModel, slice: number): SliceDetails {
  return detailsAt(model, model.slices.args[slice]) ?? {};
}

export function instantArgsOf(model: TraceModel, instant: number): SliceDetails {
  return detailsAt(model, model.instants.args[instant]) ?? {};
}

export function parentOf(model: TraceModel, slice: number): number {
  return model.slices.parent[slice];
}

/** Children of every slice (any track) as CSR arrays; each list sorted by start. */
export interface Children {
  readonly start: Uint32Array;
  readonly list: Uint32Array;
}

const childCache = new WeakMap<TraceModel, Children>();
const selfCache = new WeakMap<TraceModel, Float64Array>();

export function childIndex(model: TraceModel): Children {
  return drain(childIndexSteps(model));
}

/** Runs steps (of `childIndexSteps`, `searchSteps`, …) to the end at once. */
export function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Slices between two yields of the analyses' steps (a few ms of work each, less than a search's). */
export const ANALYSIS_STEP = 1 << 15;

/**
 * Runs `pass` over [0, n) in ranges of `ANALYSIS_STEP`, yielding after each. The loops stay in plain
 * functions: inside a generator, V8 ran them ~1.5× as slowly.
 */
export function* inSteps(n: number, pass: (from: number, to: number) => void): Generator<void, void, void> {
  for (let a = 0; a < n; a += ANALYSIS_STEP) {
    pass(a, Math.min(n, a + ANALYSIS_STEP));
    yield;
  }
}

/** `childIndex` in steps: yields every `ANALYSIS_STEP` slices (a million took ~50 ms at once). */
export function* childIndexSteps(model: TraceModel): Generator<void, Children, void> {
  let c = childCache.get(model);
  if (c) return c;
  const n = model.slices.count;
  const parent = model.slices.parent;
  const start = new Uint32Array(n + 1);
  yield* inSteps(n, (from, to) => {
    for (let i = from; i < to; i++) if (parent[i] >= 0) start[parent[i] + 1]++;
  });
  yield* inSteps(n, (from, to) => {
    for (let i = from; i < to; i++) start[i + 1] += start[i];
  });
  const fill = start.slice(0, n);
  const list = new Uint32Array(start[n]);
  yield* inSteps(n, (from, to) => {
    for (let i = from; i < to; i++) if (parent[i] >= 0) list[fill[parent[i]]++] = i;
  });
  // Slices are ordered by (track, depth, start): a list is sorted unless it spans tracks or rows.
  const s = model.slices.startNs;
  yield* inSteps(n, (from, to) => {
    for (let p = from; p < to; p++) {
      const a = start[p];
      const b = start[p + 1];
      let sorted = true;
      for (let k = a + 1; k < b; k++) if (s[list[k - 1]] > s[list[k]]) sorted = false;
      if (!sorted) list.subarray(a, b).sort((x, y) => s[x] - s[y] || x - y);
    }
  });
  // Another caller may have finished it meanwhile: one index per model.
  c = childCache.get(model) ?? { start, list };
  childCache.set(model, c);
  return c;
}

export function childrenList(model: TraceModel, slice: number): Uint32Array {
  const c = childIndex(model);
  return c.list.subarray(c.start[slice], c.start[slice + 1]);
}

/** Self time of every slice: duration minus the time covered by its children (clipped, merged). */
export function selfTimes(model: TraceModel): Float64Array {
  return drain(selfTimesSteps(model));
}

/** `selfTimes` in steps: yields every `ANALYSIS_STEP` slices. */
export function* selfTimesSteps(model: TraceModel): Generator<void, Float64Array, void> {
  let self = selfCache.get(model);
  if (self) return self;
  const n = model.slices.count;
  const { startNs: S, durNs: D } = model.slices;
  const c = yield* childIndexSteps(model);
  const out = new Float64Array(n);
  yield* inSteps(n, (from, to) => {
    for (let p = from; p < to; p++) out[p] = Math.max(0, D[p] - covered(c, S, D, p, S[p], S[p] + D[p]));
  });
  self = selfCache.get(model) ?? out;
  selfCache.set(model, self);
  return self;
}

/** Self time of a slice within [t0Ns, t1Ns] (a window inside it): the part its children do not cover. */
export function selfTimeIn(model: TraceModel, slice: number, t0Ns: number, t1Ns: number): number {
  return Math.max(0, t1Ns - t0Ns - covered(childIndex(model), model.slices.startNs, model.slices.durNs, slice, t0Ns, t1Ns));
}

/** Time of [ps, pe] the children of `p` cover (clipped to it, overlaps merged). */
function covered(c: Children, S: Float64Array, D: Float64Array, p: number, ps: number, pe: number): number {
  const a = c.start[p];
  const b = c.start[p + 1];
  let sum = 0;
  let runS = -Infinity;
  let runE = -Infinity;
  for (let k = a; k < b; k++) {
    const ch = c.list[k];
    const cs = Math.max(S[ch], ps);
    const ce = Math.min(S[ch] + D[ch], pe);
    if (ce <= cs) continue;
    if (cs > runE) {
      if (runE > runS) sum += runE - runS;
      runS = cs;
      runE = ce;
    } else if (ce > runE) runE = ce;
  }
  if (runE > runS) sum += runE - runS;
  return sum;
}

/** Child slices (any track), sorted by start. */
export function childrenOf(model: TraceModel, slice: number): number[] {
  return Array.from(childrenList(model, slice));
}

/** Duration minus the time its children cover (clipped to it, overlaps merged); never negative. */
export function selfTimeNs(model: TraceModel, slice: number): number {
  return selfTimes(model)[slice];
}

/** Previous/next slice in the same row (for arrow-key navigation); -1 at the ends. */
export function siblingOf(model: TraceModel, slice: number, dir: -1 | 1): number {
  const row = rowOf(model, model.slices.track[slice], model.slices.depth[slice]);
  const [lo, hi] = rowSlices(model, row);
  const j = slice + dir;
  return j >= lo && j < hi ? j : -1;
}

/** Flow indices leaving `slice`. */
export function flowsOut(model: TraceModel, slice: number): number[] {
  const f = model.flows;
  let lo = 0;
  let hi = f.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f.fromSlice[mid] < slice) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < f.count && f.fromSlice[i] === slice; i++) out.push(i);
  return out;
}

/** Flow indices arriving at `slice`. */
export function flowsIn(model: TraceModel, slice: number): number[] {
  const f = model.flows;
  const order = f.inOrder;
  let lo = 0;
  let hi = f.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (f.toSlice[order[mid]] < slice) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < f.count && f.toSlice[order[i]] === slice; i++) out.push(order[i]);
  return out;
}

/** Instant index range [lo, hi) of a track within [t0Ns, t1Ns]. */
export function instantRange(model: TraceModel, track: number, t0Ns: number, t1Ns: number): [number, number] {
  const ins = model.instants;
  if (track < 0 || track + 1 >= ins.trackStart.length) return [0, 0];
  let lo = ins.trackStart[track];
  let hi = ins.trackStart[track + 1];
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ins.timeNs[mid] < t0Ns) lo = mid + 1;
    else hi = mid;
  }
  let hi2 = lo;
  let top = end;
  while (hi2 < top) {
    const mid = (hi2 + top) >>> 1;
    if (ins.timeNs[mid] <= t1Ns) hi2 = mid + 1;
    else top = mid;
  }
  return [lo, hi2];
}

/**
 * Sample index range [lo, hi) of a counter series covering [t0Ns, t1Ns]; lo includes the sample
 * in effect at t0Ns (a counter is a step function).
 */
export function counterRange(series: CounterSeries, t0Ns: number, t1Ns: number): [number, number] {
  const t = series.timesNs;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] <= t0Ns) lo = mid + 1;
    else hi = mid;
  }
  const first = Math.max(0, lo - 1);
  let a = lo;
  let b = t.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (t[mid] <= t1Ns) a = mid + 1;
    else b = mid;
  }
  return [first, a];
}

/** Track ids in display order (groups by their order, tracks within each group). */
export function tracksInDisplayOrder(model: TraceModel): number[] {
  const out: number[] = [];
  for (const g of model.groups) out.push(...g.tracks);
  return out;
}

/** A process / service (track -1) or a thread a search found by name. */
export interface TrackMatch {
  group: number;
  track: number;
}

/**
 * Processes, services and threads whose name contains `query` (case-insensitive, as slice
 * search), in display order. Not async, counter or trace tracks: those are named after their
 * slices or series, which slice search finds already.
 */
export function searchTrackNames(model: TraceModel, query: string): TrackMatch[] {
  const q = query.toLowerCase();
  const out: TrackMatch[] = [];
  if (!q) return out;
  for (const g of model.groups) {
    if (g.kind !== GroupKind.GLOBAL && g.name.toLowerCase().includes(q)) out.push({ group: g.id, track: -1 });
    for (const t of g.tracks) {
      const tr = model.tracks[t];
      if ((tr.kind === TrackKind.THREAD || tr.kind === TrackKind.SAMPLES) && tr.name.toLowerCase().includes(q)) out.push({ group: g.id, track: t });
    }
  }
  return out;
}

export interface SearchOptions {
  /** Also match arg/attribute values and keys (decodes the args table once; slower). */
  args?: boolean;
  caseSensitive?: boolean;
  /** Stop after this many matches (default unlimited). */
  limit?: number;
}

/**
 * Slices whose name (or category, or the name of an event they own, or with `args` any arg text)
 * contains `query`, sorted by start time. Name matching is O(strings + slices).
 */
export function searchSlices(model: TraceModel, query: string, opts: SearchOptions = {}): number[] {
  const steps = searchSteps(model, query, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Slices (or merged matches) between two yields of `searchSteps`; a quarter as many strings. */
const STEP = 1 << 16;

/**
 * `searchSlices` in steps: yields after every few milliseconds of work, so a caller can spread a
 * search of millions of slices over tasks (and drop it when the query changes). Returns the matches.
 */
export function* searchSteps(model: TraceModel, query: string, opts: SearchOptions = {}): Generator<void, number[], void> {
  if (!query) return [];
  const cs = opts.caseSensitive === true;
  const q = cs ? query : query.toLowerCase();
  const limit = opts.limit ?? Infinity;
  const strings = model.strings;
  const matchStr = new Uint8Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    if ((cs ? strings[i] : strings[i].toLowerCase()).includes(q)) matchStr[i] = 1;
    if (i % (STEP >> 2) === 0) yield;
  }
  const n = model.slices.count;
  const hit = new Uint8Array(n);
  const { name, category } = model.slices;
  for (let i = 0; i < n; i++) {
    if (matchStr[name[i]] || matchStr[category[i]]) hit[i] = 1;
    if (i % STEP === 0) yield;
  }
  // A span's events (an "exception", a "cache miss") find their span, as Jaeger's search does.
  const inst = model.instants;
  for (let i = 0; i < inst.count; i++) {
    if (inst.slice[i] >= 0 && matchStr[inst.name[i]]) hit[inst.slice[i]] = 1;
    if (i % STEP === 0) yield;
  }
  if (opts.args) yield* markArgMatches(model, q, cs, hit);
  let count = 0;
  for (let i = 0; i < n; i++) count += hit[i];
  const out = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (hit[i]) out[k++] = i;
  yield;
  const sorted = yield* sortByStart(model.slices.startNs, out);
  return Array.from(sorted.length > limit ? sorted.subarray(0, limit) : sorted);
}

/**
 * Sorts slice indices by (start, index) in steps (one sort call of a million took ~0.3 s): matches
 * in index order are sorted within each row already, so merging those runs takes a few passes.
 */
function* sortByStart(S: Float64Array, a: Uint32Array<ArrayBuffer>): Generator<void, Uint32Array<ArrayBuffer>, void> {
  const n = a.length;
  const less = (x: number, y: number): boolean => S[x] < S[y] || (S[x] === S[y] && x < y);
  let bounds = [0];
  for (let i = 1; i < n; i++) if (less(a[i], a[i - 1])) bounds.push(i);
  bounds.push(n);
  let src = a;
  let dst = new Uint32Array(n);
  let work = 0;
  while (bounds.length > 2) {
    const runs = bounds.length - 1;
    const next = [0];
    for (let r = 0; r < runs; r += 2) {
      const lo = bounds[r];
      const mid = bounds[r + 1];
      const hi = bounds[Math.min(r + 2, runs)];
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) dst[k++] = less(src[j], src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
      next.push(hi);
      work += hi - lo;
      if (work >= STEP) {
        work = 0;
        yield;
      }
    }
    [src, dst] = [dst, src];
    bounds = next;
  }
  return src;
}

/** Every details entry with args opens with this wrapper; a match starting inside it is no match ("args", "{"). */
const ARGS_WRAP = '{"args":';

function* markArgMatches(model: TraceModel, q: string, cs: boolean, hit: Uint8Array): Generator<void, void, void> {
  const t = model.args;
  if (t.count === 0) return;
  const owner = new Int32Array(t.count).fill(-1);
  const argsCol = model.slices.args;
  for (let i = 0; i < model.slices.count; i++) if (argsCol[i] >= 0) owner[argsCol[i]] = i;
  const W = ARGS_WRAP.length;
  // Decode in slabs of entries (1 MB: one step of a search) so a huge table never becomes one
  // giant string.
  const SLAB = STEP << 4;
  let e = 0;
  while (e < t.count) {
    yield;
    let f = e + 1;
    while (f < t.count && t.offsets[f + 1] - t.offsets[e] < SLAB) f++;
    const base = t.offsets[e];
    if (!isAscii(t.bytes, base, t.offsets[f])) {
      // UTF-16 positions in a decoded slab do not map back to entries cheaply (mapping each hit
      // by re-decoding was quadratic): test entry by entry.
      for (let i = e; i < f; i++) {
        if (owner[i] < 0 || hit[owner[i]]) continue;
        let s = decoder.decode(t.bytes.subarray(t.offsets[i], t.offsets[i + 1]));
        if (!cs) s = s.toLowerCase();
        if (s.indexOf(q, s.startsWith(ARGS_WRAP) ? W : 0) >= 0) hit[owner[i]] = 1;
      }
      e = f;
      continue;
    }
    let text = decoder.decode(t.bytes.subarray(base, t.offsets[f]));
    if (!cs) text = text.toLowerCase(); // ASCII: same length, so text positions are byte offsets
    let from = 0;
    for (;;) {
      const at = text.indexOf(q, from);
      if (at < 0) break;
      const entry = entryAtByte(model, e, f, base + at);
      if (entry < 0) break;
      const start = t.offsets[entry] - base;
      if (at < start + W && text.startsWith(ARGS_WRAP, start)) {
        from = start + W;
        continue;
      }
      if (owner[entry] >= 0) hit[owner[entry]] = 1;
      from = t.offsets[entry + 1] - base; // one hit per entry is enough
    }
    e = f;
  }
}

function isAscii(b: Uint8Array, a: number, z: number): boolean {
  for (let i = a; i < z; i++) if (b[i] > 0x7f) return false;
  return true;
}

function entryAtByte(model: TraceModel, e: number, f: number, byte: number): number {
  const o = model.args.offsets;
  let lo = e;
  let hi = f;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (o[mid + 1] <= byte) lo = mid + 1;
    else hi = mid;
  }
  return lo < f ? lo : -1;
}
