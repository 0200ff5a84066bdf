/**
 * Merged flame graph ("Left Heavy" in speedscope): per track, the slices' call paths merged
 * across time into one tree — identical paths (names from the root) are one node as wide as
 * their total time, siblings heaviest first — laid out as a derived TraceModel so the timeline's
 * renderer, zoom, hover, keys and selection draw it unchanged. x is total time, not a timeline.
 */
import { TraceBuilder } from './builder';
import { TrackKind, type TraceModel } from './trace-model';
import { detailsAt } from './query';

export interface FlameGraph {
  /** The merged stacks as slices (x from 0 = total time per track; `valueUnit` as the source). */
  readonly model: TraceModel;
  /** The source model and the range merged ([start, end] ns), or null for all of it. */
  readonly source: TraceModel;
  readonly range: readonly [number, number] | null;
  /** Per node: total and self time (clipped to the range), calls merged, its track's total. */
  readonly total: Float64Array;
  readonly self: Float64Array;
  readonly calls: Uint32Array;
  readonly trackTotal: Float64Array;
  /** Per node: a source slice merged into it (its first), and its slice in `model` (-1 when not drawn). */
  readonly firstSlice: Int32Array;
  readonly sliceOfNode: Int32Array;
  /** Per derived slice: its node. Per source slice: its node, or -1 (no time in the range). */
  readonly nodeOfSlice: Int32Array;
  readonly nodeOfSource: Int32Array;
  /** Per node: its parent node (-1 for a root). */
  readonly parentOf: Int32Array;
  /**
   * A sandwich (`model/sandwich.ts`): the name id shown, its callers tree (track 0, inverted:
   * each row calls the one above) with, per outermost call of the name, its topmost caller node.
   */
  readonly focus?: number;
  readonly callers?: { readonly root: number; readonly seeds: Int32Array; readonly top: Int32Array };
}

/** Slices (or nodes) handled between two yields (a few ms of work each). */
const STEP = 1 << 13;

/** Merges in one go (tests, small inputs). */
export function mergeStacks(model: TraceModel, range: readonly [number, number] | null = null): FlameGraph {
  const steps = mergeStacksSteps(model, range);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The merge in bounded steps (it yields every STEP slices or nodes), so the main thread can run
 * it between frames. Each track with slices becomes one track of the same name and group; a slice
 * merges under its parent's node when the parent is on its track (a remote parent starts a root).
 * Recursion stays nested (f › f is two nodes), as speedscope draws it.
 */
export function* mergeStacksSteps(model: TraceModel, range: readonly [number, number] | null = null): Generator<void, FlameGraph, void> {
  const n = model.slices.count;
  const tree = new Tree(model, range ? range[0] : -Infinity, range ? range[1] : Infinity);
  for (let a = 0; a < n; a += STEP) {
    tree.add(a, Math.min(n, a + STEP));
    yield;
  }
  const groups = new Map<number, number>();
  return yield* layoutSteps(model, range, tree, order(model), (b, t) => {
    const src = model.tracks[t];
    const g0 = model.groups[src.group];
    let g = groups.get(src.group);
    if (g === undefined) {
      groups.set(src.group, (g = b.group(g0.kind, g0.key, g0.name)));
      b.setGroupSortIndex(g, g0.sortIndex);
    }
    const track = b.track(g, TrackKind.THREAD, `flame:${src.key}:${t}`, src.name || src.key);
    b.setTrackSortIndex(track, src.sortIndex);
    return track;
  });
}

/**
 * Lays a merged tree out as a derived model: each root with time (in `roots` order) becomes the
 * track `trackOf` makes, its nodes slices as wide as their totals, siblings heaviest first.
 */
export function* layoutSteps(
  model: TraceModel,
  range: readonly [number, number] | null,
  tree: Tree,
  roots: readonly number[],
  trackOf: (b: TraceBuilder, root: number) => number,
): Generator<void, FlameGraph, void> {
  const self = tree.selfTimes();
  yield;
  const { kidStart, kids } = tree.children();
  yield;
  const { nodes, total, kidsTotal, nameOf, nodeOfSource } = tree;
  const nRoots = tree.tracks;

  const b = new TraceBuilder(model.format);
  b.adoptStrings(model.strings); // node names are the source's string ids
  b.setTimeBase(0, 'trace');
  b.valueUnit = model.valueUnit;
  b.diag('abstract-units', 'merged stacks: the x axis is total time per path, not a timeline');
  // Node i's slice in the builder (pre-finish index), and its laid-out width.
  const built = new Int32Array(nodes).fill(-1);
  const width = new Float64Array(nodes);
  const xOf = new Float64Array(nodes);
  const stack: number[] = [];
  /** Per details entry made: its node (entries are made one per drawn node, in order). */
  const refNode: number[] = [];
  let done = 0;
  for (const t of roots) {
    if (!(total[t] > 0)) continue;
    const track = trackOf(b, t);
    width[t] = total[t];
    stack.push(t);
    while (stack.length) {
      const p = stack.pop() as number;
      const a = kidStart[p];
      const e = kidStart[p + 1];
      if (a === e) continue;
      const list = kids.subarray(a, e).sort((x, y) => total[y] - total[x] || (model.strings[nameOf[x]] < model.strings[nameOf[y]] ? -1 : 1));
      // Children running at once (spans) can add up to more than their parent: they are drawn
      // narrower to fit (its numbers stay true), as a row holds no overlapping slices.
      const f = kidsTotal[p] > width[p] ? width[p] / kidsTotal[p] : 1;
      let x = xOf[p];
      const end = xOf[p] + width[p];
      for (const k of list) {
        xOf[k] = x;
        width[k] = Math.min(total[k] * f, end - x);
        // Rounded away (no width left): not drawn, nor its children.
        if (!(width[k] > 0)) continue;
        refNode.push(k);
        built[k] = b.addSlice(track, x, width[k], nameOf[k], 0, 0, b.addDetailsArgs(`"node":${k}`, NaN));
        if (p >= nRoots) b.setParent(built[k], built[p]);
        x += width[k];
        if (++done % STEP === 0) yield;
      }
      // Pushed in reverse so the heaviest is taken (and numbered) first.
      for (let j = list.length - 1; j >= 0; j--) if (built[list[j]] >= 0) stack.push(list[j]);
    }
  }
  b.countEvent('node', nodes - nRoots);
  const out = yield* b.finishSteps();
  yield;
  const { nodeOfSlice, sliceOfNode } = nodesOfSlices(out, refNode, nodes);
  yield;
  const trackTotal = tree.trackTotals();
  return {
    model: out,
    source: model,
    range,
    total: total.slice(0, nodes),
    self,
    calls: tree.calls.slice(0, nodes),
    trackTotal,
    firstSlice: tree.first.slice(0, nodes),
    sliceOfNode,
    nodeOfSlice,
    nodeOfSource,
    parentOf: tree.parentOf.slice(0, nodes),
  };
}

/** Track ids in the source's display order (groups, then their tracks). */
function order(model: TraceModel): number[] {
  const out: number[] = [];
  for (const g of model.groups) out.push(...g.tracks);
  return out;
}

/**
 * The merged tree under construction. Its passes over all slices or nodes are methods of their
 * own: V8 optimises a loop in a small function soon, inside the large generator maybe never.
 */
export class Tree {
  // Nodes 0..tracks-1 are the roots (the tracks' in a flame graph); the rest are found by (parent node, name).
  nodes: number;
  parentOf: Int32Array;
  nameOf: Uint32Array;
  total: Float64Array;
  kidsTotal: Float64Array;
  calls: Uint32Array;
  /** A source slice merged into the node (its first). */
  first: Int32Array;
  readonly nodeOfSource: Int32Array;
  /**
   * (parent node, name) → node + 1: open addressing, at most half full (a Map of a million
   * entries stalled the page for ~100 ms each time it grew).
   */
  private slots = new Int32Array(1 << 12);
  private readonly chain: number[] = [];
  readonly tracks: number;

  constructor(
    private readonly model: TraceModel,
    readonly r0: number,
    readonly r1: number,
    roots = model.tracks.length,
  ) {
    const nTracks = (this.tracks = roots);
    const cap = Math.max(1024, nTracks * 2);
    this.parentOf = new Int32Array(cap).fill(-1);
    this.nameOf = new Uint32Array(cap);
    this.total = new Float64Array(cap);
    this.kidsTotal = new Float64Array(cap);
    this.calls = new Uint32Array(cap);
    this.first = new Int32Array(cap).fill(-1);
    this.nodes = nTracks;
    this.nodeOfSource = new Int32Array(model.slices.count).fill(-1);
  }

  /** Adds slices a..b-1: each its time (clipped to the range) to its path's node. */
  add(a: number, b: number): void {
    const sl = this.model.slices;
    const tracks = this.model.tracks;
    const { r0, r1, nodeOfSource } = this;
    for (let i = a; i < b; i++) {
      const k = tracks[sl.track[i]].kind;
      if (k === TrackKind.COUNTER || k === TrackKind.INSTANTS) continue;
      const node = nodeOfSource[i] >= 0 ? nodeOfSource[i] : this.nodeFor(i);
      const s = sl.startNs[i];
      const dur = Math.min(s + sl.durNs[i], r1) - Math.max(s, r0);
      if (dur > 0) this.credit(node, dur);
    }
  }

  /**
   * A slice's node needs its parent's: walks up to a slice already merged (slices are sorted by
   * depth within a track, so that is usually the parent itself), then merges down. A parent on
   * another track (a remote parent) is not followed: the slice starts a path of its own.
   */
  private nodeFor(i: number): number {
    const sl = this.model.slices;
    const chain = this.chain;
    const nodeOfSource = this.nodeOfSource;
    let at = i;
    while (at >= 0 && nodeOfSource[at] < 0) {
      chain.push(at);
      const p = sl.parent[at];
      at = p >= 0 && sl.track[p] === sl.track[at] && chain.length < 1 << 16 ? p : -1;
    }
    let node = at >= 0 ? nodeOfSource[at] : sl.track[chain[chain.length - 1]];
    while (chain.length) {
      const s = chain.pop() as number;
      nodeOfSource[s] = node = this.child(node, sl.name[s], s);
    }
    return node;
  }

  /** The child of `node` named `name` (made, with `s` as its first slice, if new). */
  child(node: number, name: number, s: number): number {
    const h = this.slotOf(node, name);
    let next = this.slots[h] - 1;
    if (next < 0) {
      if (this.nodes === this.parentOf.length) this.grow();
      next = this.nodes++;
      this.parentOf[next] = node;
      this.nameOf[next] = name;
      this.first[next] = s;
      this.slots[h] = next + 1;
      if ((this.nodes - this.tracks) * 2 > this.slots.length) this.rehash();
    }
    return next;
  }

  /** Adds `dur` to a node (one call), and to its parent's children's total. */
  credit(node: number, dur: number): void {
    this.total[node] += dur;
    this.calls[node]++;
    this.kidsTotal[this.parentOf[node]] += dur;
  }

  private slotOf(parent: number, name: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let h = (Math.imul(parent, 0x9e3779b1) ^ Math.imul(name, 0x85ebca6b)) & mask;
    for (let at = slots[h]; at !== 0; at = slots[h]) {
      if (this.parentOf[at - 1] === parent && this.nameOf[at - 1] === name) return h;
      h = (h + 1) & mask;
    }
    return h;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let k = this.tracks; k < this.nodes; k++) this.slots[this.slotOf(this.parentOf[k], this.nameOf[k])] = k + 1;
  }

  private grow(): void {
    const cap = this.parentOf.length * 2;
    const g = <T extends Int32Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.parentOf = g(this.parentOf);
    this.nameOf = g(this.nameOf);
    this.total = g(this.total);
    this.kidsTotal = g(this.kidsTotal);
    this.calls = g(this.calls);
    this.first = g(this.first);
  }

  /** Roots' totals, and each node's self time (what its children do not cover; ≥ 0). */
  selfTimes(): Float64Array {
    const { nodes, tracks, total, kidsTotal } = this;
    for (let t = 0; t < tracks; t++) total[t] = kidsTotal[t];
    const self = new Float64Array(nodes);
    for (let i = tracks; i < nodes; i++) self[i] = Math.max(0, total[i] - kidsTotal[i]);
    return self;
  }

  /** Children lists of the nodes with time (counting sort by parent): node p's are kids[kidStart[p] .. kidStart[p+1]). */
  children(): { kidStart: Uint32Array; kids: Uint32Array } {
    const { nodes, tracks, total, parentOf } = this;
    const kidStart = new Uint32Array(nodes + 1);
    for (let i = tracks; i < nodes; i++) if (total[i] > 0) kidStart[parentOf[i] + 1]++;
    for (let i = 0; i < nodes; i++) kidStart[i + 1] += kidStart[i];
    const kids = new Uint32Array(kidStart[nodes]);
    const fill = kidStart.slice(0, nodes);
    for (let i = tracks; i < nodes; i++) if (total[i] > 0) kids[fill[parentOf[i]]++] = i;
    return { kidStart, kids };
  }

  /** Per node, its track's total (parents are made before their children: one pass). */
  trackTotals(): Float64Array {
    const { nodes, tracks, total, parentOf } = this;
    const rootOf = new Int32Array(nodes);
    const out = new Float64Array(nodes);
    for (let i = 0; i < nodes; i++) {
      rootOf[i] = i < tracks ? i : rootOf[parentOf[i]];
      out[i] = total[rootOf[i]];
    }
    return out;
  }
}

/** Each laid-out slice's node, read from its details ref (a duration the builder repaired got a new entry: read it). */
function nodesOfSlices(out: TraceModel, refNode: readonly number[], nodes: number): { nodeOfSlice: Int32Array; sliceOfNode: Int32Array } {
  const nodeOfSlice = new Int32Array(out.slices.count);
  const sliceOfNode = new Int32Array(nodes).fill(-1);
  for (let i = 0; i < out.slices.count; i++) {
    const ref = out.slices.args[i];
    const node = ref >= 0 && ref < refNode.length ? refNode[ref] : ((detailsAt(out, ref)?.args?.node as number | undefined) ?? -1);
    nodeOfSlice[i] = node;
    if (node >= 0) sliceOfNode[node] = i;
  }
  return { nodeOfSlice, sliceOfNode };
}
