/**
 * Sampled stacks → slices: consecutive samples sharing a frame become one slice, nested by frame
 * depth (the way a flame chart of a CPU profile is drawn). Used for Chrome `P` events with
 * `stackFrames` and for V8 `Profile`/`ProfileChunk` events.
 */
import { growF64, type TraceBuilder } from '../model/builder';

export interface Frame {
  name: string;
  parent?: string;
  category?: string;
  url?: string;
}

/**
 * Adds one track's samples (sorted here) as nested slices, each stack lasting until the next
 * sample (the last until `endNs`, when known). Samples naming frames that are not in `frames` (or
 * whose parent chain breaks) lose their stack from there on, and are reported.
 */
export function addSampledStacks(
  builder: TraceBuilder,
  track: number,
  frames: ReadonlyMap<string, Frame>,
  samples: ReadonlyArray<{ tNs: number; frame: string | undefined }>,
  ignore: ReadonlySet<string> = new Set(),
  endNs = NaN,
): void {
  const sorted = samples.slice().sort((a, b) => a.tNs - b.tNs);
  // StackRuns works on integer frame keys: number the frame ids as they are met.
  const ids: string[] = [];
  const keyOf = new Map<string, number>();
  const pathCache = new Map<string, number[]>();
  /** Leaf → the first frame id of its chain that is missing. */
  const brokenAt = new Map<string, string>();
  let lost = 0;
  let firstLost = '';
  const pathOf = (leaf: string): number[] => {
    let p = pathCache.get(leaf);
    if (p) return p;
    p = [];
    const seen = new Set<string>();
    let cur: string | undefined = leaf;
    while (cur !== undefined && !seen.has(cur)) {
      seen.add(cur);
      const f = frames.get(cur);
      if (!f) {
        brokenAt.set(leaf, cur);
        break;
      }
      if (!ignore.has(f.name)) {
        let k = keyOf.get(cur);
        if (k === undefined) keyOf.set(cur, (k = ids.push(cur) - 1));
        p.push(k);
      }
      cur = f.parent;
    }
    if (cur !== undefined && !brokenAt.has(leaf)) builder.diag('parent-cycle', `the parent chain of stack frame "${leaf}" loops back to "${cur}": its stack is cut there`);
    p.reverse();
    pathCache.set(leaf, p);
    return p;
  };
  const refs = new FrameRefs(builder, (k) => {
    const f = frames.get(ids[k]) as Frame;
    return { name: f.name, category: f.category, args: f.url ? { url: f.url } : undefined };
  });
  const runs = new StackRuns(builder, track, refs);
  const none: number[] = [];
  for (const s of sorted) {
    const path = s.frame === undefined ? none : pathOf(s.frame);
    const missing = s.frame === undefined ? undefined : brokenAt.get(s.frame);
    if (missing !== undefined && lost++ === 0) firstLost = missing;
    runs.sample(path, 0, path.length, s.tNs);
  }
  runs.end(endNs === endNs ? endNs : sorted.length ? sorted[sorted.length - 1].tNs : 0);
  if (lost) builder.diag('unknown-frame', `samples name stack frame "${firstLost}", which is not in the trace: their stacks are lost or cut there`, lost);
}

/** How a frame is shown: slice name, and where it is (file, line) as slice args. */
export interface FrameInfo {
  name: string;
  category?: string;
  args?: Record<string, unknown>;
}

/** Name and details of each frame, made once per frame and shared by all its slices. */
export class FrameRefs {
  /** Per small integer key (frame index, node id): name id, category id, details ref + 1 (0 = not made yet). */
  private names: number[] = [];
  private cats: number[] = [];
  private details: number[] = [];
  private other = new Map<number, [name: number, cat: number, details: number]>();
  /** The last get(). */
  name = 0;
  cat = 0;
  ref = -1;

  constructor(
    private readonly b: TraceBuilder,
    private readonly info: (key: number) => FrameInfo,
  ) {}

  /** Sets `name`, `cat` and `ref` (details, or -1) for the frame. */
  get(key: number): void {
    const small = key >= 0 && key < 1 << 22 && (key | 0) === key;
    if (small && this.details[key] > 0) {
      this.name = this.names[key];
      this.cat = this.cats[key];
      this.ref = this.details[key] - 1;
      return;
    }
    let r = small ? undefined : this.other.get(key);
    if (!r) {
      const f = this.info(key);
      r = [this.b.intern(f.name || '(anonymous)'), this.b.intern(f.category ?? ''), f.args ? this.b.addDetails({ args: f.args }) : -1];
      if (small) {
        // Filled up to `key` first: an array with holes would be slower to read.
        for (let i = this.names.length; i < key; i++) this.names.push(0), this.cats.push(0), this.details.push(0);
        this.names[key] = r[0];
        this.cats[key] = r[1];
        this.details[key] = r[2] + 1;
      } else this.other.set(key, r);
    }
    this.name = r[0];
    this.cat = r[1];
    this.ref = r[2];
  }
}

/**
 * Stacks sampled one after another → nested slices: a stack is in force from its sample's time
 * to the next one's, and a frame shared with the previous stack (same key at the same depth,
 * all the way from the root) continues its slice. Samples must come in time order; of samples
 * at the same time the last one counts.
 */
export class StackRuns {
  private open: number[] = [];
  private slices: number[] = [];
  private pending: ArrayLike<number> = [];
  private from = 0;
  private to = 0;
  private pendingAt = NaN;

  constructor(
    private readonly b: TraceBuilder,
    private readonly track: number,
    private readonly frames: FrameRefs,
  ) {}

  /** The stack `keys[from..to)` (frame keys, root first) sampled at `tNs`. */
  sample(keys: ArrayLike<number>, from: number, to: number, tNs: number): void {
    if (tNs !== this.pendingAt) this.apply();
    this.pending = keys;
    this.from = from;
    this.to = to;
    this.pendingAt = tNs;
  }

  /**
   * Ends the last stack at `tNs`. One sampled exactly then keeps its frames, at zero width (a
   * profile of one sample still shows it); one sampled after it is dropped.
   */
  end(tNs: number): void {
    const last = this.pendingAt;
    if (last <= tNs) this.apply();
    this.closeTo(0, last === last && last > tNs ? last : tNs);
  }

  private apply(): void {
    const t = this.pendingAt;
    if (t !== t) return;
    const keys = this.pending;
    const from = this.from;
    const len = this.to - from;
    const open = this.open;
    const frames = this.frames;
    let k = 0;
    while (k < open.length && k < len && open[k] === keys[from + k]) k++;
    this.closeTo(k, t);
    for (let d = k; d < len; d++) {
      const key = keys[from + d];
      frames.get(key);
      const slice = this.b.addSlice(this.track, t, 0, frames.name, frames.cat, 0, frames.ref);
      if (d > 0) this.b.setParent(slice, this.slices[d - 1]);
      open.push(key);
      this.slices.push(slice);
    }
    this.pendingAt = NaN;
  }

  private closeTo(k: number, tNs: number): void {
    while (this.open.length > k) {
      this.open.pop();
      const s = this.slices.pop() as number;
      this.b.setSliceDur(s, tNs - this.b.sliceStart(s));
    }
  }
}

/** A growable list of numbers in a Float64Array (samples, deltas, weights of long profiles). */
export class NumList {
  a = new Float64Array(256);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) this.a = growF64(this.a, this.n * 2);
    this.a[this.n++] = v;
  }
}

interface FlameNode {
  total: number;
  children: Map<string, FlameNode> | null;
}

/** Frames laid out between two yields of `FlameTree.layout`. */
const FLAME_STEP = 1 << 14;

/**
 * Aggregated stacks (no times: collapsed stacks, pprof) merged into one tree and drawn as a flame
 * graph: siblings sorted by key, each frame as wide as the sum of its stacks' values.
 */
export class FlameTree {
  private readonly root: FlameNode = { total: 0, children: null };

  /** One stack (frame keys, root first) with its value. */
  add(stack: Iterable<string>, value: number): void {
    let node = this.root;
    node.total += value;
    for (const frame of stack) {
      const kids: Map<string, FlameNode> = (node.children ??= new Map());
      let next = kids.get(frame);
      if (!next) kids.set(frame, (next = { total: 0, children: null }));
      next.total += value;
      node = next;
    }
  }

  /** Sum of all values added. */
  get total(): number {
    return this.root.total;
  }

  /** Adds the tree's frames as slices of `track`, from x = 0; `info` says how a key is shown. */
  *layout(b: TraceBuilder, track: number, info: (key: string) => FrameInfo): Generator<void, void, void> {
    const keys: string[] = [];
    const ids = new Map<string, number>();
    const refs = new FrameRefs(b, (i) => info(keys[i]));
    // Depth first; each level's children left to right in key order.
    const todo: Array<{ node: FlameNode; key: string; x: number; parent: number }> = [];
    const push = (node: FlameNode, x: number, parent: number): void => {
      if (!node.children) return;
      const kids = [...node.children].sort((p, q) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0));
      // Pushed in reverse so they are taken in order.
      let end = x;
      for (const [, k] of kids) end += k.total;
      for (let i = kids.length - 1; i >= 0; i--) {
        end -= kids[i][1].total;
        todo.push({ node: kids[i][1], key: kids[i][0], x: end, parent });
      }
    };
    push(this.root, 0, -1);
    for (let done = 1; todo.length > 0; done++) {
      const { node, key, x, parent } = todo.pop() as (typeof todo)[number];
      let id = ids.get(key);
      if (id === undefined) {
        ids.set(key, (id = keys.length));
        keys.push(key);
      }
      refs.get(id);
      const slice = b.addSlice(track, x, node.total, refs.name, refs.cat, 0, refs.ref);
      if (parent >= 0) b.setParent(slice, parent);
      push(node, x, slice);
      if (done % FLAME_STEP === 0) yield;
    }
  }
}
