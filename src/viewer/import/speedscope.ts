/**
 * speedscope's file format (`"$schema": "https://www.speedscope.app/file-format-schema.json"`,
 * written by py-spy, rbspy and others): frames shared by all profiles, and per profile either
 * open/close events (`evented`, at absolute values in `unit`) or stacks of frame indices with
 * weights (`sampled`, laid out one after another from `startValue`). Streamed through JsonWalk:
 * frames and events are parsed one at a time, stacks and weights read as numbers into typed
 * arrays; the layout waits for the end, as `shared` may come after `profiles`.
 */
import { isInputTime } from '../model/builder';
import { GroupKind, SliceFlag, TrackKind } from '../model/trace-model';
import type { JsonReader } from './json-tokenizer';
import { IGNORE, NUMBER, PARSE } from './json-walk';
import { isObj, shown, WalkedImporter } from './walked-importer';
import { FrameRefs, NumList, StackRuns, type FrameInfo } from './samples';

const R_ROOT = 0;
const R_DOC = 1;
const R_SHARED = 2;
const R_FRAMES = 3;
const R_PROFILES = 4;
const R_PROFILE = 5;
const R_EVENTS = 6;
const R_SAMPLES = 7;
const R_STACK = 8;
const R_WEIGHTS = 9;
const R_EXTRA = 10;

const OPEN = 1;
const CLOSE = 2;
/** Events or samples laid out between two yields of finishSteps(). */
const STEP = 1 << 16;

/** ns per unit; the abstract units are drawn 1 ns per unit. */
const UNITS = new Map([
  ['nanoseconds', 1],
  ['microseconds', 1e3],
  ['milliseconds', 1e6],
  ['seconds', 1e9],
  ['bytes', 1],
  ['none', 1],
]);

interface ProfileDraft {
  fields: Record<string, unknown>;
  evAt: NumList;
  evFrame: NumList;
  evType: NumList;
  /** All stacks' frame indices back to back; stack j ends at stackEnds[j]. */
  stackFrames: NumList;
  stackEnds: NumList;
  weights: NumList;
}


export class SpeedscopeImporter extends WalkedImporter {
  private docs = 0;
  private docName = '';
  private readonly frames: FrameInfo[] = [];
  private readonly profiles: ProfileDraft[] = [];
  private read = 0;

  constructor() {
    super('speedscope-json', R_ROOT);
  }

  /** Events and samples read so far. */
  get events(): number {
    return this.read;
  }

  // ---- WalkHandler ----

  route(parent: number, key: string, r: JsonReader): number {
    const c = r.buf[r.pos];
    const need = (role: number, obj: boolean): number => this.need(r, key, role, obj);
    switch (parent) {
      case R_ROOT:
        if (this.docs > 0) return R_EXTRA;
        if (c !== 0x7b) r.fail("'{'", 'a speedscope file is one JSON object');
        return R_DOC;
      case R_DOC:
        if (key === 'shared') return need(R_SHARED, true);
        if (key === 'profiles') return need(R_PROFILES, false);
        return key === 'name' ? PARSE : IGNORE;
      case R_SHARED:
        return key === 'frames' ? need(R_FRAMES, false) : IGNORE;
      case R_FRAMES:
      case R_EVENTS:
        return PARSE;
      case R_PROFILES:
        return c === 0x7b ? R_PROFILE : PARSE;
      case R_PROFILE:
        if (key === 'events') return need(R_EVENTS, false);
        if (key === 'samples') return need(R_SAMPLES, false);
        if (key === 'weights') return need(R_WEIGHTS, false);
        return key === 'type' || key === 'name' || key === 'unit' || key === 'startValue' || key === 'endValue' ? PARSE : IGNORE;
      case R_SAMPLES:
        return c === 0x5b ? R_STACK : PARSE;
      case R_STACK:
      case R_WEIGHTS:
        return NUMBER;
    }
    return IGNORE;
  }

  open(role: number): void {
    if (role === R_DOC) this.docs++;
    else if (role === R_EXTRA) this.b.diag('skipped-section', 'a second JSON value after the speedscope file: skipped');
    else if (role === R_PROFILE) {
      this.profiles.push({
        fields: {},
        evAt: new NumList(),
        evFrame: new NumList(),
        evType: new NumList(),
        stackFrames: new NumList(),
        stackEnds: new NumList(),
        weights: new NumList(),
      });
    }
  }

  close(role: number): void {
    if (role === R_STACK) this.endStack();
  }

  number(parent: number, _key: string, v: number): void {
    const p = this.profiles[this.profiles.length - 1];
    (parent === R_STACK ? p.stackFrames : p.weights).push(v);
  }

  value(parent: number, key: string, v: unknown): void {
    const b = this.b;
    const p = this.profiles[this.profiles.length - 1];
    switch (parent) {
      case R_DOC:
        if (typeof v === 'string') this.docName = v;
        return;
      case R_FRAMES: {
        const i = this.frames.length;
        if (!isObj(v) || typeof v.name !== 'string') b.diag('invalid-event', `shared.frames[${i}] has no name (${shown(v)}): shown as "(frame ${i})"`);
        const f = isObj(v) ? v : {};
        const args: Record<string, unknown> = {};
        if (typeof f.file === 'string' && f.file) args.file = f.file;
        if (typeof f.line === 'number') args.line = f.line;
        if (typeof f.col === 'number') args.column = f.col;
        this.frames.push({ name: typeof f.name === 'string' ? f.name : `(frame ${i})`, ...(Object.keys(args).length ? { args } : {}) });
        return;
      }
      case R_PROFILES:
        b.diag('invalid-event', `profiles[${this.profiles.length}] is not an object (${shown(v)}): skipped`);
        return;
      case R_PROFILE:
        p.fields[key] = v;
        return;
      case R_EVENTS: {
        const e = isObj(v) ? v : {};
        const type = e.type === 'O' ? OPEN : e.type === 'C' ? CLOSE : 0;
        if (!type || !isInputTime(e.at) || typeof e.frame !== 'number') {
          b.diag('invalid-event', `an event is not {type: "O" | "C", at, frame} (${shown(v)}): skipped`);
          return;
        }
        p.evType.push(type);
        p.evAt.push(e.at);
        p.evFrame.push(e.frame);
        this.read++;
        return;
      }
      case R_SAMPLES:
        // Kept as an empty stack, so later samples stay paired with their weights.
        b.diag('invalid-event', `samples[${p.stackEnds.n}] is not an array of frame indices: no stack there`);
        this.endStack();
        return;
      case R_STACK:
        p.stackFrames.push(NaN); // an unknown frame: reported by the layout
        return;
      case R_WEIGHTS:
        p.weights.push(NaN); // reported by the layout
        return;
    }
  }

  private endStack(): void {
    const p = this.profiles[this.profiles.length - 1];
    p.stackEnds.push(p.stackFrames.n);
    this.read++;
  }

  // ---- layout ----

  private frameInfo = (i: number): FrameInfo => this.frames[i] ?? { name: `(unknown frame ${i})` };

  private validFrame(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.frames.length;
  }

  /** Where a profile's values start, in its unit: startValue, else its first event. */
  private origin(p: ProfileDraft): number {
    const v = p.fields.startValue;
    return isInputTime(v) ? v : p.evAt.n > 0 ? p.evAt.a[0] : 0;
  }

  protected *layout(): Generator<void, void, void> {
    const b = this.b;
    const refs = new FrameRefs(b, this.frameInfo);
    const g = b.group(GroupKind.PROCESS, 'speedscope', this.docName || 'speedscope profile');
    let unknown = 0;
    let firstUnknown = 0;
    const abstract = new Set<string>();
    let timed = 0;
    const scaleOf = (p: ProfileDraft): number => UNITS.get(p.fields.unit as string) ?? 1;
    // Values are taken relative to the earliest profile start before scaling to ns, so epoch
    // timestamps keep their precision; profiles on one clock stay aligned.
    let baseNs = Infinity;
    for (const p of this.profiles) baseNs = Math.min(baseNs, this.origin(p) * scaleOf(p));
    b.setTimeBase(Number.isFinite(baseNs) ? baseNs / 1e6 : 0, 'trace');
    for (let i = 0; i < this.profiles.length; i++) {
      const p = this.profiles[i];
      const f = p.fields;
      const name = typeof f.name === 'string' && f.name ? f.name : `Profile ${i + 1}`;
      const type = f.type;
      if (type !== 'evented' && type !== 'sampled') {
        b.diag('skipped-section', `profile "${name}" has type ${shown(type)}, neither "evented" nor "sampled": skipped`);
        continue;
      }
      let unit = typeof f.unit === 'string' ? f.unit : '';
      if (!UNITS.has(unit)) {
        b.diag('invalid-event', `profile "${name}" has unit ${shown(f.unit)}: laid out in abstract units`);
        unit = 'none';
      }
      const scale = UNITS.get(unit) as number;
      const isAbstract = unit === 'bytes' || unit === 'none';
      const label = unit === 'bytes' ? 'bytes' : 'units';
      if (isAbstract) abstract.add(label);
      else timed++;
      const track = b.track(g, type === 'evented' ? TrackKind.THREAD : TrackKind.SAMPLES, String(i), isAbstract ? `${name} (x = ${label}, not time)` : name);
      const origin = this.origin(p);
      const offNs = origin * scale - baseNs;
      const ns = (v: number): number => (v - origin) * scale + offNs;
      const endValue = isInputTime(f.endValue) ? f.endValue : -Infinity;
      if (type === 'sampled') {
        const n = p.stackEnds.n;
        const fr = p.stackFrames.a;
        const runs = new StackRuns(b, track, refs);
        if (p.weights.n !== n) {
          b.diag('invalid-event', `profile "${name}" has ${p.weights.n} weights for ${n} samples: missing weights read as 1, extra ones ignored`);
        }
        let badWeights = 0;
        let at = origin;
        let s0 = 0;
        for (let j = 0; j < n; j++) {
          const e = p.stackEnds.a[j];
          let cut = s0;
          while (cut < e && this.validFrame(fr[cut])) cut++;
          if (cut < e && unknown++ === 0) firstUnknown = fr[cut];
          let w = j < p.weights.n ? p.weights.a[j] : 1;
          if (!(w >= 0) || !isInputTime(w)) {
            badWeights++;
            w = 0;
          }
          runs.sample(fr, s0, cut, ns(at));
          at += w;
          s0 = e;
          if ((j & (STEP - 1)) === STEP - 1) yield;
        }
        runs.end(ns(at));
        if (endValue > at) b.noteTime(ns(endValue));
        if (badWeights) b.diag('invalid-event', `profile "${name}": ${badWeights} weights are negative or not numbers: read as 0`, badWeights);
        b.countEvent('sample', n);
        continue;
      }
      // Evented: a stack of open frames; a close names the frame it closes.
      const open: Array<{ frame: number; slice: number }> = [];
      const n = p.evType.n;
      let prev = -Infinity;
      let back = 0;
      let unmatched = 0;
      let crossed = 0;
      for (let j = 0; j < n; j++) {
        let at = p.evAt.a[j];
        if (at < prev) {
          back++;
          at = prev;
        }
        prev = at;
        const t = ns(at);
        const frame = p.evFrame.a[j];
        if (p.evType.a[j] === OPEN) {
          if (!this.validFrame(frame) && unknown++ === 0) firstUnknown = frame;
          refs.get(frame);
          const slice = b.addSlice(track, t, 0, refs.name, 0, 0, refs.ref);
          if (open.length > 0) b.setParent(slice, open[open.length - 1].slice);
          open.push({ frame, slice });
        } else {
          let k = open.length - 1;
          while (k >= 0 && open[k].frame !== frame) k--;
          if (k < 0) {
            unmatched++;
            continue;
          }
          crossed += open.length - 1 - k;
          while (open.length > k) {
            const o = open.pop() as { slice: number };
            b.setSliceDur(o.slice, t - b.sliceStart(o.slice));
          }
        }
        if ((j & (STEP - 1)) === STEP - 1) yield;
      }
      const end = ns(Math.max(endValue, prev));
      for (const o of open) {
        b.setSliceDur(o.slice, end - b.sliceStart(o.slice));
        b.orFlags(o.slice, SliceFlag.UNFINISHED);
      }
      if (open.length) b.diag('unclosed-begin', `profile "${name}": ${open.length} frames opened ("O") are never closed: drawn to the profile's end, marked unfinished`, open.length);
      if (crossed) b.diag('unclosed-begin', `profile "${name}": frames still open when an outer frame closed were closed with it`, crossed);
      if (unmatched) b.diag('unmatched-end', `profile "${name}": "C" events close a frame that is not open: skipped`, unmatched);
      if (back) b.diag('negative-delta', `profile "${name}": event times go backwards: read as the time before`, back);
      b.countEvent('event', n);
    }
    if (unknown) b.diag('unknown-frame', `frame index ${firstUnknown} is not in shared.frames (${this.frames.length} frames): stacks cut there, events shown as "(unknown frame)"`, unknown);
    if (abstract.size > 0) {
      const what = [...abstract].join(' and ');
      b.diag('abstract-units', `profiles in ${what} are laid out 1 ns per ${what === 'bytes' ? 'byte' : 'unit'}: their x axis is not time`);
      if (timed === 0 && abstract.size === 1) b.valueUnit = abstract.has('bytes') ? 'bytes' : 'units';
    }
  }
}
