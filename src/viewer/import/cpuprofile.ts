/**
 * V8 CPU profiles (`.cpuprofile`: DevTools "Save profile", `node --cpu-prof`): a call tree of
 * `nodes` and the sampled node of each tick (`samples`, with µs `timeDeltas`), streamed through
 * JsonWalk: nodes are parsed one at a time, samples and deltas read as numbers into typed arrays.
 * Each sample's stack lasts until the next sample (the last until `endTime`), as DevTools draws it.
 */
import { isInputTime } from '../model/builder';
import { GroupKind, TrackKind } from '../model/trace-model';
import type { JsonReader } from './json-tokenizer';
import { IGNORE, NUMBER, PARSE } from './json-walk';
import { isObj, WalkedImporter } from './walked-importer';
import { FrameRefs, NumList, StackRuns, type FrameInfo } from './samples';

const R_ROOT = 0;
const R_DOC = 1;
const R_NODES = 2;
const R_SAMPLES = 3;
const R_DELTAS = 4;
/** A second top-level value (NDJSON-like): skipped, reported. */
const R_EXTRA = 5;

/** Frames DevTools leaves out of the flame chart (as the Chrome importer does for ProfileChunk). */
const HIDDEN = new Set(['(root)', '(idle)', '(program)']);
/** Samples laid out between two yields of finishSteps(). */
const STEP = 1 << 16;

interface CpuNode {
  frame: FrameInfo;
  parent: number | undefined;
}


export class CpuProfileImporter extends WalkedImporter {
  private docs = 0;
  private readonly nodes = new Map<number, CpuNode>();
  /** Parents given by `children` lists (DevTools files name children, trace chunks parents). */
  private readonly parentOf = new Map<number, number>();
  private readonly samples = new NumList();
  private readonly deltas = new NumList();
  private startTime = NaN;
  private endTime = NaN;

  constructor() {
    super('v8-cpuprofile', R_ROOT);
  }

  get events(): number {
    return this.samples.n;
  }

  // ---- WalkHandler ----

  route(parent: number, key: string, r: JsonReader): number {
    const c = r.buf[r.pos];
    if (parent === R_ROOT) {
      if (this.docs > 0) return R_EXTRA;
      if (c !== 0x7b) r.fail("'{'", 'a V8 CPU profile is one JSON object');
      return R_DOC;
    }
    if (parent !== R_DOC) return parent === R_NODES ? PARSE : parent === R_SAMPLES || parent === R_DELTAS ? NUMBER : IGNORE;
    const role = key === 'nodes' ? R_NODES : key === 'samples' ? R_SAMPLES : key === 'timeDeltas' ? R_DELTAS : -1;
    if (role >= 0) {
      if (c !== 0x5b) r.fail('an array', `"${key}" is not an array`);
      return role;
    }
    return key === 'startTime' || key === 'endTime' ? PARSE : IGNORE;
  }

  open(role: number): void {
    if (role === R_DOC) this.docs++;
    else if (role === R_EXTRA) this.b.diag('skipped-section', 'a second JSON value after the profile: skipped');
  }

  close(): void {}

  number(parent: number, key: string, v: number): void {
    if (parent === R_DELTAS && !isInputTime(v)) this.value(parent, key, v);
    else (parent === R_SAMPLES ? this.samples : this.deltas).push(v);
  }

  value(parent: number, key: string, v: unknown): void {
    if (parent === R_DOC) {
      if (isInputTime(v)) {
        if (key === 'startTime') this.startTime = v;
        else this.endTime = v;
      } else this.b.diag('invalid-event', `"${key}" is not a number; the profile's extent comes from its samples`);
      return;
    }
    if (parent === R_SAMPLES) {
      // Kept as a gap, so later samples stay paired with their deltas.
      this.b.diag('invalid-event', `samples[${this.samples.n}] is not a node id: no stack there`);
      this.samples.push(NaN);
      return;
    }
    if (parent === R_DELTAS) {
      this.b.diag('invalid-event', `timeDeltas[${this.deltas.n}] is not a number: read as 0`);
      this.deltas.push(0);
      return;
    }
    // A node.
    if (!isObj(v) || typeof v.id !== 'number') {
      this.b.diag('invalid-event', `a node without a numeric id (${JSON.stringify(v)?.slice(0, 60)}): skipped`);
      return;
    }
    const cf = isObj(v.callFrame) ? v.callFrame : {};
    const url = typeof cf.url === 'string' ? cf.url : '';
    const line = typeof cf.lineNumber === 'number' && cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
    const col = typeof cf.columnNumber === 'number' && cf.columnNumber >= 0 ? cf.columnNumber + 1 : 0;
    const frame: FrameInfo = { name: typeof cf.functionName === 'string' && cf.functionName ? cf.functionName : '(anonymous)' };
    // V8's line and column numbers are 0-based; shown 1-based, as DevTools does.
    if (url) frame.args = { url, ...(line ? { line } : {}), ...(col ? { column: col } : {}) };
    if (this.nodes.has(v.id)) this.b.diag('duplicate-span', `node id ${v.id} appears more than once: the last one is used`);
    this.nodes.set(v.id, { frame, parent: typeof v.parent === 'number' ? v.parent : undefined });
    if (Array.isArray(v.children)) for (const ch of v.children) if (typeof ch === 'number') this.parentOf.set(ch, v.id);
  }

  // ---- layout ----

  protected *layout(): Generator<void, void, void> {
    const b = this.b;
    const n = this.samples.n;
    const ids = this.samples.a;
    const deltas = this.deltas.a;
    if (this.deltas.n !== n) {
      b.diag('invalid-event', `timeDeltas has ${this.deltas.n} entries for ${n} samples: missing deltas read as 0, extra ones ignored`);
    }
    const start = Number.isFinite(this.startTime) ? this.startTime : 0;
    b.setTimeBase(start / 1000, 'trace');
    const times = new Float64Array(n);
    let t = 0;
    let back = 0;
    for (let i = 0; i < n; i++) {
      const d = i < this.deltas.n ? deltas[i] : 0;
      if (d < 0) back++;
      t += d * 1000;
      times[i] = t;
    }
    let order: ArrayLike<number> | null = null;
    if (back > 0) {
      b.diag('negative-delta', `${back === 1 ? 'a time delta is' : `${back} time deltas are`} negative: samples placed in time order`, back);
      // Stable: samples at the same time keep their order.
      order = Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) => times[x] - times[y] || x - y);
    }
    const g = b.group(GroupKind.PROCESS, 'cpuprofile', 'V8 CPU profile');
    const track = b.track(g, TrackKind.SAMPLES, 'samples', 'CPU profile');
    const runs = new StackRuns(b, track, new FrameRefs(b, (id) => (this.nodes.get(id) as CpuNode).frame));
    const paths = new Map<number, number[]>();
    /** Leaf → the first id of its chain that is not a node. */
    const broken = new Map<number, string>();
    let lost = 0;
    let firstLost = '';
    for (let k = 0; k < n; k++) {
      const i = order ? order[k] : k;
      const id = ids[i];
      let path = paths.get(id);
      if (!path) {
        path = [];
        // NaN (not a node id, reported when read): an empty stack.
        const missing = id === id ? this.pathOf(id, path) : undefined;
        if (missing !== undefined) broken.set(id, missing);
        paths.set(id, path);
      }
      const missing = broken.get(id);
      if (missing !== undefined && lost++ === 0) firstLost = missing;
      runs.sample(path, 0, path.length, times[i]);
      if ((k & (STEP - 1)) === STEP - 1) yield;
    }
    const last = n > 0 ? times[order ? order[n - 1] : n - 1] : 0;
    runs.end(Number.isFinite(this.endTime) ? (this.endTime - start) * 1000 : last);
    if (lost) b.diag('unknown-frame', `samples name node ${firstLost}, which is not in "nodes": their stacks are lost or cut there`, lost);
    b.countEvent('sample', n);
  }

  /** Fills `out` with the node ids from the root to `leaf` (hidden frames left out); returns a missing id. */
  private pathOf(leaf: number, out: number[]): string | undefined {
    const seen = new Set<number>();
    let missing: string | undefined;
    let id: number | undefined = leaf;
    while (id !== undefined && !seen.has(id)) {
      seen.add(id);
      const node = this.nodes.get(id);
      if (!node) {
        missing = String(id);
        break;
      }
      if (!HIDDEN.has(node.frame.name)) out.push(id);
      id = node.parent ?? this.parentOf.get(id);
    }
    if (missing === undefined && id !== undefined) this.b.diag('parent-cycle', `the parent chain of node ${leaf} loops back to node ${id}: its stack is cut there`);
    out.reverse();
    return missing;
  }
}
