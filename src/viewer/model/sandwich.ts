/**
 * Callers and callees of one name (speedscope's Sandwich view, Perfetto's flamegraph pivot), over
 * the whole trace (all tracks merged; parents followed across tracks, e.g. a remote caller span):
 * - callees: each outermost call of the name (one nested in a call of the same name is part of
 *   it, as the time-by-name table counts it) with everything below it, merged by call path;
 * - callers, inverted: from the name up to the roots, each node as wide as the time of the calls
 *   reached through it.
 * Merged by flame.ts's tree and laid out as its derived model (track 0 callers, drawn top down:
 * the name on top, each row below calling the one above; track 1 callees).
 */
import { layoutSteps, Tree, type FlameGraph } from './flame';
import { GroupKind, TrackKind, type TraceModel } from './trace-model';

const STEP = 1 << 13;
const CALLERS = 0;
const CALLEES = 1;
/** Not under a call of the name (nodeOfSource while merging; -1 once done). */
const OUT = -2;

export function sandwichSteps(model: TraceModel, name: number, range: readonly [number, number] | null = null): Generator<void, FlameGraph, void> {
  return steps(model, name, range);
}

function* steps(model: TraceModel, name: number, range: readonly [number, number] | null): Generator<void, FlameGraph, void> {
  const n = model.slices.count;
  const tree = new Tree(model, range ? range[0] : -Infinity, range ? range[1] : Infinity, 2);
  const callees = new Callees(model, tree, name);
  for (let a = 0; a < n; a += STEP) {
    callees.add(a, Math.min(n, a + STEP));
    yield;
  }
  // Callers: per outermost call with time in the range, its ancestors' names from it upwards.
  const { seeds } = callees;
  const kept: number[] = [];
  const tops: number[] = [];
  for (let k = 0, work = 0; k < seeds.length; k++) {
    const d = callees.clipped(seeds[k]);
    if (!(d > 0)) continue;
    kept.push(seeds[k]);
    tops.push(callers(model, tree, name, seeds[k], d));
    if ((work += 1 + depth[0]) >= STEP) {
      work = 0;
      yield;
    }
  }
  callees.done();
  yield;
  const label = model.strings[name] || '(unnamed)';
  let g = -1;
  const f = yield* layoutSteps(model, range, tree, [CALLERS, CALLEES], (b, root) => {
    if (g < 0) g = b.group(GroupKind.PROCESS, 'sandwich', `${label} · all threads merged`);
    return b.track(g, TrackKind.THREAD, `sandwich:${root}`, root === CALLERS ? 'Callers (inverted)' : 'Callees');
  });
  return { ...f, focus: name, callers: { root: CALLERS, seeds: Int32Array.from(kept), top: Int32Array.from(tops) } };
}

/** The callers merged by the last `callers` (the work it did). */
const depth = new Int32Array(1);

/** Merges one call's callers (`d` its time): returns the node of its topmost caller. */
function callers(model: TraceModel, tree: Tree, name: number, o: number, d: number): number {
  const { parent, name: names } = model.slices;
  let node = tree.child(CALLERS, name, o);
  tree.credit(node, d);
  let guard = 0;
  for (let p = parent[o]; p >= 0 && guard < 1 << 16; p = parent[p], guard++) {
    node = tree.child(node, names[p], p);
    tree.credit(node, d);
  }
  depth[0] = guard;
  return node;
}

/** The callees tree: each slice merged under the outermost call of the name above it (if any). */
class Callees {
  /** The outermost calls of the name, as found. */
  readonly seeds: number[] = [];
  private readonly chain: number[] = [];

  constructor(
    private readonly model: TraceModel,
    private readonly tree: Tree,
    private readonly name: number,
  ) {}

  clipped(i: number): number {
    const s = this.model.slices.startNs[i];
    return Math.min(s + this.model.slices.durNs[i], this.tree.r1) - Math.max(s, this.tree.r0);
  }

  add(a: number, b: number): void {
    const tracks = this.model.tracks;
    const track = this.model.slices.track;
    const nos = this.tree.nodeOfSource;
    for (let i = a; i < b; i++) {
      const k = tracks[track[i]].kind;
      if (k === TrackKind.COUNTER || k === TrackKind.INSTANTS) continue;
      const node = nos[i] === -1 ? this.nodeFor(i) : nos[i];
      if (node < 0) continue;
      const d = this.clipped(i);
      if (d > 0) this.tree.credit(node, d);
    }
  }

  /**
   * Walks up to a slice already placed (in the tree or known outside it), then down: the
   * outermost call of the name on the way starts a path; the slices above it are outside.
   */
  private nodeFor(i: number): number {
    const { parent, name } = this.model.slices;
    const nos = this.tree.nodeOfSource;
    const chain = this.chain;
    let at = i;
    while (at >= 0 && nos[at] === -1 && chain.length < 1 << 16) {
      chain.push(at);
      at = parent[at];
    }
    let j = chain.length - 1;
    let node: number;
    if (at >= 0 && nos[at] >= 0) node = nos[at];
    else {
      while (j >= 0 && name[chain[j]] !== this.name) nos[chain[j--]] = OUT;
      if (j < 0) {
        chain.length = 0;
        return OUT;
      }
      const s = chain[j--];
      nos[s] = node = this.tree.child(CALLEES, this.name, s);
      this.seeds.push(s);
    }
    for (; j >= 0; j--) {
      const s = chain[j];
      nos[s] = node = this.tree.child(node, name[s], s);
    }
    chain.length = 0;
    return node;
  }

  /** Slices outside both trees map to no node (-1), as in a flame graph. */
  done(): void {
    const nos = this.tree.nodeOfSource;
    for (let i = 0; i < nos.length; i++) if (nos[i] < -1) nos[i] = -1;
  }
}
