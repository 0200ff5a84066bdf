/**
 * pprof profiles (`perftools.profiles.Profile`, google/pprof proto/profile.proto), as Go's
 * runtime/pprof and net/http/pprof, pprof-nodejs / @datadog/pprof and async-profiler write them,
 * usually gzipped (the pipeline gunzips). Samples are aggregated (no times), so they are drawn
 * as collapsed stacks are: one merged flame graph of the chosen sample type, frames merged by
 * function (pprof's default granularity). The profile is one message whose string table may come
 * last, so the bytes are kept until `finish()`.
 */
import { TraceBuilder, runSteps } from '../model/builder';
import { GroupKind, TraceImportError, TrackKind, type TraceModel } from '../model/trace-model';
import { Wire, WireError, WT_LEN, WT_VARINT } from './protobuf';
import { FlameTree, type FrameInfo } from './samples';

// Profile fields.
const SAMPLE_TYPE = 1;
const SAMPLE = 2;
const MAPPING = 3;
const LOCATION = 4;
const FUNCTION = 5;
const STRING_TABLE = 6;
const DROP_FRAMES = 7;
const KEEP_FRAMES = 8;
const DEFAULT_SAMPLE_TYPE = 14;
/** Wire type of each Profile field (1–16: tick_unit and label_set are in newer profile.proto). */
const PROFILE_FIELDS: Record<number, number> = {
  1: WT_LEN,
  2: WT_LEN,
  3: WT_LEN,
  4: WT_LEN,
  5: WT_LEN,
  6: WT_LEN,
  7: WT_VARINT,
  8: WT_VARINT,
  9: WT_VARINT,
  10: WT_VARINT,
  11: WT_LEN,
  12: WT_VARINT,
  13: -1, // repeated int64: packed or not
  14: WT_VARINT,
  15: WT_VARINT,
  16: WT_LEN,
};
/** Units in which sample values are times: ns per unit. */
const TIME_UNITS: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 };

type Id = number | string;
interface Fn {
  name: number;
  system: number;
  file: number;
  line: number;
}
interface Loc {
  mapping: Id;
  address: number;
  /** Function id and line per Line entry (leaf-most inlined first, the caller last). */
  lines: Array<[Id, number]>;
}

/** An id (uint64) as a Map key: a number when exact, else exact text. */
function idOf(w: Wire): Id {
  return w.hi < 0x200000 ? w.num() : w.key();
}

/** Reads the message `w` is at, calling `each` with a reader at each of its fields. */
function fields(w: Wire, each: (f: Wire) => void): void {
  const sub = w.sub();
  while (sub.next()) each(sub);
}

/** A ValueType {type: 1, unit: 2} as string indices. */
function valueType(w: Wire): [number, number] {
  const t: [number, number] = [0, 0];
  const s = w.sub();
  while (s.next()) if (s.field === 1 || s.field === 2) t[s.field - 1] = s.num();
  return t;
}

export class PprofImporter {
  private readonly b = new TraceBuilder('pprof');
  private parts: Uint8Array[] = [];
  private consumed = 0;

  push(chunk: Uint8Array): void {
    // A chunk may be a view of the caller's buffer, and the profile is read only at the end: keep a copy.
    this.parts.push(chunk.slice());
    this.consumed += chunk.length;
  }

  get bytes(): number {
    return this.consumed;
  }

  /** Nothing is parsed before the end. */
  get events(): number {
    return 0;
  }

  finish(): TraceModel {
    return runSteps(this.finishSteps());
  }

  *finishSteps(): Generator<void, TraceModel, void> {
    const buf = new Uint8Array(this.consumed);
    let o = 0;
    for (const p of this.parts) buf.set(p, (o += p.length) - p.length);
    this.parts = [];
    const b = this.b;
    const strings: string[] = [];
    const types: Array<[number, number]> = [];
    const fns = new Map<Id, Fn>();
    const locs = new Map<Id, Loc>();
    const mappings = new Map<Id, number>();
    /** Sample messages: start and end offsets, read once the sample type is known. */
    const samples: number[] = [];
    let defaultType = 0;
    let dropFrames = 0;
    let keepFrames = 0;
    let cut = '';
    const w = new Wire(buf, 0, buf.length);
    // A message that breaks loses itself and what follows: what came before is kept.
    let at = 0;
    let n = 0;
    try {
      while (w.next()) {
        const f = w.field;
        const want = PROFILE_FIELDS[f];
        if (want !== undefined && want >= 0 && w.type !== want) throw new WireError(`field ${f} has wire type ${w.type}, not ${want}`, at);
        if (f === SAMPLE_TYPE) types.push(valueType(w));
        else if (f === SAMPLE) samples.push(w.start, w.end);
        else if (f === STRING_TABLE) strings.push(w.str());
        else if (f === FUNCTION) {
          let id: Id = 0;
          const fn: Fn = { name: 0, system: 0, file: 0, line: 0 };
          fields(w, (x) => {
            if (x.field === 1) id = idOf(x);
            else if (x.field === 2) fn.name = x.num();
            else if (x.field === 3) fn.system = x.num();
            else if (x.field === 4) fn.file = x.num();
            else if (x.field === 5) fn.line = x.signed();
          });
          fns.set(id, fn);
        } else if (f === LOCATION) {
          let id: Id = 0;
          const loc: Loc = { mapping: 0, address: 0, lines: [] };
          fields(w, (x) => {
            if (x.field === 1) id = idOf(x);
            else if (x.field === 2) loc.mapping = idOf(x);
            else if (x.field === 3) loc.address = x.num();
            else if (x.field === 4 && x.type === WT_LEN) {
              const line: [Id, number] = [0, 0];
              fields(x, (g) => {
                if (g.field === 1) line[0] = idOf(g);
                else if (g.field === 2) line[1] = g.signed();
              });
              loc.lines.push(line);
            }
          });
          locs.set(id, loc);
        } else if (f === MAPPING) {
          let id: Id = 0;
          let file = 0;
          fields(w, (x) => {
            if (x.field === 1) id = idOf(x);
            else if (x.field === 5) file = x.num();
          });
          mappings.set(id, file);
        } else if (f === DEFAULT_SAMPLE_TYPE) defaultType = w.num();
        else if (f === DROP_FRAMES) dropFrames = w.num();
        else if (f === KEEP_FRAMES) keepFrames = w.num();
        at = w.p;
        if (++n % 8192 === 0) yield;
      }
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      cut = `${e.message} (byte ${Math.max(e.at, at)} of ${buf.length}, in the field that starts at byte ${at})`;
    }
    const str = (i: number): string => strings[i] ?? '';
    if (samples.length === 0) {
      throw new TraceImportError({
        format: 'pprof',
        message: cut ? `pprof profile unreadable: ${cut}; no sample could be read` : 'pprof profile without samples',
        offset: at,
        expected: 'a gzipped or plain pprof Profile message (profile.proto)',
      });
    }
    if (types.length === 0) {
      // Values without a type: which to draw, in what unit? Each would read as 0 (an empty flame
      // graph). `go tool pprof` refuses such a profile ("missing sample type information").
      throw new TraceImportError({
        format: 'pprof',
        message: `pprof profile has no sample_type (Profile field 1): its ${samples.length / 2} samples have values of no known type or unit (go tool pprof: "missing sample type information")${cut ? `; also cut short: ${cut}` : ''}`,
        expected: 'a Profile with at least one sample_type (profile.proto)',
      });
    }
    if (cut) b.diag('truncated-input', `pprof profile cut short or damaged: ${cut}; what came before is kept`);
    // The type shown: default_sample_type if it names one, else the last (what `go tool pprof` shows).
    let chosen = types.length - 1;
    if (defaultType) {
      const i = types.findIndex((t) => t[0] === defaultType);
      if (i >= 0) chosen = i;
    }
    const typeName = str(types[chosen][0]) || 'value';
    const unit = str(types[chosen][1]);
    const nsPer = TIME_UNITS[unit];
    if (nsPer) {
      b.diag('abstract-units', `pprof samples have no timestamps: drawn as a flame graph (stacks merged, siblings sorted by name); the x axis is total ${typeName} time, not a timeline`);
    } else {
      b.valueUnit = unit === 'bytes' ? 'bytes' : unit === 'count' ? 'samples' : 'units';
      b.diag('abstract-units', `pprof samples have no timestamps: drawn as a flame graph (stacks merged, siblings sorted by name); the x axis is ${typeName} in ${unit || 'units'} (1 ns = 1), not time`);
    }
    if (types.length > 1) {
      const list = types.map((t, i) => `${str(t[0])}/${str(t[1])}${i === chosen ? ' (shown)' : ''}`).join(', ');
      b.diag('skipped-section', `the profile has ${types.length} sample types: ${list}; one is drawn`);
    }
    const scale = nsPer ?? 1;
    b.setTimeBase(0, 'trace');
    const title = `${typeName}${unit ? ` (${unit})` : ''}`;
    const track = b.track(b.group(GroupKind.PROCESS, 'pprof', 'pprof profile'), TrackKind.SAMPLES, 'flame', `Flame graph: ${title}`);

    // Frame keys: the display name, then the file (sorting by key sorts by name), NUL-separated.
    const fnKey = new Map<Id, string>();
    const keyOfFn = (id: Id): string => {
      let k = fnKey.get(id);
      if (k === undefined) {
        const fn = fns.get(id);
        k = fn ? `${str(fn.name) || str(fn.system) || `(function ${id})`}\0${str(fn.file)}\0${fn.line}` : `(function ${id})\0\0`;
        fnKey.set(id, k);
      }
      return k;
    };
    const minLine = new Map<string, number>();
    const locKeys = new Map<Id, string[]>();
    let unknownLoc = 0;
    let firstUnknown: Id = 0;
    const keysOfLoc = (id: Id): string[] => {
      let ks = locKeys.get(id);
      if (ks) return ks;
      const loc = locs.get(id);
      if (!loc) {
        if (unknownLoc++ === 0) firstUnknown = id;
        ks = [`(location ${id})\0\0`];
      } else if (loc.lines.length === 0) {
        // Not symbolized: the address, in its binary.
        ks = [`0x${loc.address.toString(16)}\0${str(mappings.get(loc.mapping) ?? 0)}\0`];
      } else {
        // Inlined frames: line[0] is the innermost, the last the caller. Root first here.
        ks = [];
        for (let i = loc.lines.length - 1; i >= 0; i--) {
          const [fn, line] = loc.lines[i];
          const k = keyOfFn(fn);
          ks.push(k);
          // Without a start_line (V8's profiles), the function's first sampled line points at it.
          if (line > 0 && (minLine.get(k) ?? Infinity) > line) minLine.set(k, line);
        }
      }
      locKeys.set(id, ks);
      return ks;
    };

    const pruned = this.prune(str(dropFrames), str(keepFrames), locs, fns, str);

    const tree = new FlameTree();
    const s = new Wire(buf, 0, 0);
    const stack: Id[] = [];
    const path: string[] = [];
    let read = 0;
    let bad = 0;
    let badWhy = '';
    let negative = 0;
    let mismatched = 0;
    for (let i = 0; i < samples.length; i += 2) {
      stack.length = 0;
      let value = 0;
      let vi = 0;
      try {
        s.reset(buf, samples[i], samples[i + 1]);
        while (s.next()) {
          if (s.field === 1) s.repeated(() => void stack.push(idOf(s)));
          else if (s.field === 2)
            s.repeated(() => {
              if (vi++ === chosen) value = s.signed();
            });
        }
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        if (bad++ === 0) badWhy = `the sample at byte ${samples[i]}: ${e.message} (byte ${e.at})`;
        continue;
      }
      read++;
      if (vi !== types.length) {
        // Which value is which type? `go tool pprof` rejects such a profile outright.
        mismatched++;
        continue;
      }
      if (value < 0) {
        // Diff profiles (`pprof -diff_base`) have negative values: a flame graph cannot draw them.
        negative++;
        continue;
      }
      if (value === 0) continue;
      path.length = 0;
      // drop_frames: from the root, the first dropped location after a kept one cuts the stack there.
      let lo = 0;
      if (pruned) {
        let user = false;
        for (let k = stack.length - 1; k >= 0; k--) {
          const p = pruned.get(stack[k]);
          if (p === undefined) user = true;
          else if (user) {
            lo = p ? k + 1 : k;
            break;
          }
        }
      }
      for (let k = stack.length - 1; k >= lo; k--) for (const key of keysOfLoc(stack[k])) path.push(key);
      tree.add(path, value * scale);
      if (read % 4096 === 0) yield;
    }
    if (bad) b.diag('invalid-event', `${badWhy}: skipped`, bad);
    if (mismatched) b.diag('invalid-event', `samples with a value count other than the profile's ${types.length} sample types cannot be read (go tool pprof rejects such a profile): skipped`, mismatched);
    if (negative) b.diag('invalid-event', `samples with a negative ${typeName} (a diff profile?) cannot be drawn: skipped`, negative);
    if (unknownLoc) b.diag('unknown-frame', `samples name location ${firstUnknown}, which is not in the profile`, unknownLoc);
    yield* tree.layout(b, track, (key): FrameInfo => {
      const [name, file, start] = key.split('\0');
      const line = Number(start) || minLine.get(key);
      const args: Record<string, unknown> = {};
      if (file) args.file = file;
      if (line) args.line = line;
      return { name, ...(file || line ? { args } : {}) };
    });
    b.countEvent('sample', read);
    const model = yield* b.finishSteps();
    return model;
  }

  /**
   * Profile.drop_frames / keep_frames, as pprof applies them (profile/prune.go): a location whose
   * function (from the caller end of its inlined lines) fully matches drop and not keep is cut,
   * with everything it calls; a match below the location's outermost line keeps the lines above it.
   * Location id → true (cut the location) / false (keep it, trimmed); undefined when nothing is dropped.
   */
  private prune(drop: string, keep: string, locs: Map<Id, Loc>, fns: Map<Id, Fn>, str: (i: number) => string): Map<Id, boolean> | undefined {
    if (!drop) return undefined;
    // Go's RE2 runs in linear time, JavaScript's backtracking engine does not: a quantified group
    // holding a quantifier (`(a+)+`) could stall the import on a crafted profile.
    if (/\([^)]*[+*}][^)]*\)[+*{]/.test(drop + keep)) {
      this.b.diag('invalid-event', "the profile's drop_frames / keep_frames regexp nests repetitions, which can take too long here: no frames dropped");
      return undefined;
    }
    let dropRx: RegExp;
    let keepRx: RegExp | undefined;
    try {
      dropRx = new RegExp(`^(?:${drop})$`);
      if (keep) keepRx = new RegExp(`^(?:${keep})$`);
    } catch (e) {
      this.b.diag('invalid-event', `the profile's drop_frames / keep_frames regexp cannot be read (${(e as Error).message}): no frames dropped`);
      return undefined;
    }
    const out = new Map<Id, boolean>();
    // Per function, not per location: many locations (addresses) share one.
    const dropped = new Map<Id, boolean>();
    const drops = (fnId: Id): boolean => {
      let d = dropped.get(fnId);
      if (d === undefined) {
        const fn = fns.get(fnId);
        let name = fn ? str(fn.name) : '';
        // pprof's simplification: a PPC ELF v1 leading '.', and C++ parameters from the first '('.
        if (name.startsWith('.')) name = name.slice(1);
        const paren = name.indexOf('(');
        if (paren > 0 && !name.startsWith('(anonymous namespace)', paren)) name = name.slice(0, paren);
        d = !!name && dropRx.test(name) && !keepRx?.test(name);
        dropped.set(fnId, d);
      }
      return d;
    };
    for (const [id, loc] of locs) {
      let i = loc.lines.length - 1;
      while (i >= 0 && !drops(loc.lines[i][0])) i--;
      if (i < 0) continue;
      if (i === loc.lines.length - 1) out.set(id, true);
      else {
        loc.lines = loc.lines.slice(i + 1);
        out.set(id, false);
      }
    }
    return out.size ? out : undefined;
  }
}
