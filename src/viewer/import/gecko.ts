/**
 * Firefox Profiler profiles, in both of their forms:
 * - the Gecko profile format (what Firefox's Gecko profiler writes, about:profiling, an
 *   unprocessed "profile.json"): `meta`, `threads[]` whose tables are `{schema, data}` rows with
 *   per-thread `stringTable`s, and `processes[]`: subprocess profiles, nested, each with its own
 *   `meta.startTime` (thread times are ms since their own process's start);
 * - the processed format profiler.firefox.com saves and uploads (`meta.preprocessedProfileVersion`):
 *   columnar tables (`samples.stack` with `time` or `timeDeltas`, `stackTable.prefix/frame`,
 *   `frameTable.func`, `funcTable.name`), strings in `shared.stringArray` (v56+) or per thread
 *   `stringArray`, all times ms since the root `meta.startTime`.
 * Samples become stacks over time, one track per thread grouped by process (pid), each lasting
 * until the thread's next sample, or one interval across a gap; frames are merged as the Firefox
 * Profiler merges them into functions (a Gecko location string, a processed func), their category
 * from `meta.categories` (a frame without one inherits its caller's). Markers with a start and an
 * end (phase 1, or 2 and 3 paired by name) are slices on a markers track per thread, instants
 * (phase 0) instants there. Streamed through JsonWalk one thread at a time.
 */
import { isInputTime } from '../model/builder';
import { GroupKind, InstantScope, SliceFlag, TraceImportError, TrackKind } from '../model/trace-model';
import type { JsonReader } from './json-tokenizer';
import { IGNORE, PARSE } from './json-walk';
import { isObj, shown, WalkedImporter } from './walked-importer';
import { FrameRefs, StackRuns, type FrameInfo } from './samples';

const R_ROOT = 0;
const R_DOC = 1;
const R_THREADS = 2;
const R_PROCESSES = 3;
const R_SHARED = 4;
const R_EXTRA = 5;

/** Samples laid out between two yields of finishSteps(). */
const STEP = 1 << 16;

type Obj = Record<string, unknown>;

/** A (sub)process profile: its meta, its threads, and its own subprocesses. */
interface Doc {
  meta: Obj | undefined;
  threads: unknown[];
  children: Doc[];
}

/** A JS frame's location in a Gecko profile: `name (url:line:col)`; a symbolicated native one: `name (in lib)`. */
const JS_LOCATION = /^(.*) \(((?:[a-z][\w+.-]*:|\/)[^()]*?)(?::(\d+))?(?::(\d+))?\)$/;
const LIB_LOCATION = /^(.*) \(in ([^()]+)\)$/;

/**
 * The named columns of a table: Gecko's `{schema: {name: index}, data: [[…], …]}` rows, or the
 * processed format's `{name: […], length}`. A column the table lacks is undefined.
 */
function columns(table: unknown, names: string[]): { n: number; cols: Array<unknown[] | undefined> } {
  if (!isObj(table)) return { n: 0, cols: names.map(() => undefined) };
  if (isObj(table.schema) && Array.isArray(table.data)) {
    const rows = table.data as unknown[];
    const schema = table.schema;
    return {
      n: rows.length,
      cols: names.map((k) => {
        const at = schema[k];
        return typeof at === 'number' ? rows.map((r) => (Array.isArray(r) ? r[at] : undefined)) : undefined;
      }),
    };
  }
  const cols = names.map((k) => (Array.isArray(table[k]) ? (table[k] as unknown[]) : undefined));
  let n = 0;
  for (const c of cols) if (c && c.length > n) n = c.length;
  // `length` may say fewer rows, never more than the columns hold (a huge or negative one would hang or throw).
  const len = table.length;
  if (typeof len === 'number' && len >= 0 && len < n) n = Math.floor(len);
  return { n, cols };
}

export class GeckoImporter extends WalkedImporter {
  private docs: Doc[] = [];
  private root: Doc | undefined;
  private shared: unknown[] | undefined;
  private read = 0;

  constructor() {
    super('gecko-json', R_ROOT);
  }

  /** Threads read so far. */
  get events(): number {
    return this.read;
  }

  // ---- WalkHandler ----

  route(parent: number, key: string, r: JsonReader): number {
    const c = r.buf[r.pos];
    const need = (role: number, obj: boolean): number => this.need(r, key, role, obj);
    switch (parent) {
      case R_ROOT:
        if (this.root) return R_EXTRA;
        if (c !== 0x7b) r.fail("'{'", 'a Firefox profile is one JSON object');
        return R_DOC;
      case R_DOC:
        if (key === 'meta') return need(PARSE, true);
        if (key === 'threads') return need(R_THREADS, false);
        if (key === 'processes') return need(R_PROCESSES, false);
        // The processed format's strings shared by all threads (v56+).
        if (key === 'shared' && this.docs.length === 1) return need(R_SHARED, true);
        return IGNORE;
      case R_THREADS:
        return PARSE;
      case R_PROCESSES:
        // Older Geckos wrote subprocess profiles as JSON strings.
        return c === 0x7b ? R_DOC : PARSE;
      case R_SHARED:
        return key === 'stringArray' ? need(PARSE, false) : IGNORE;
    }
    return IGNORE;
  }

  open(role: number): void {
    if (role === R_DOC) {
      const doc: Doc = { meta: undefined, threads: [], children: [] };
      const up = this.docs[this.docs.length - 1];
      if (up) up.children.push(doc);
      else this.root = doc;
      this.docs.push(doc);
    } else if (role === R_EXTRA) this.b.diag('skipped-section', 'a second JSON value after the profile: skipped');
  }

  close(role: number): void {
    if (role === R_DOC) this.docs.pop();
  }

  value(parent: number, key: string, v: unknown): void {
    const doc = this.docs[this.docs.length - 1];
    if (parent === R_DOC) doc.meta = v as Obj;
    else if (parent === R_SHARED) this.shared = v as unknown[];
    else if (parent === R_THREADS) {
      doc.threads.push(v);
      this.read++;
    } else if (parent === R_PROCESSES) {
      let sub: unknown = v;
      if (typeof v === 'string') {
        try {
          sub = JSON.parse(v);
        } catch {
          sub = undefined;
        }
      }
      if (isObj(sub)) doc.children.push(this.docOf(sub));
      else this.b.diag('invalid-event', `processes[${doc.children.length}] is not a profile (${shown(v)}): skipped`);
    }
  }

  /** A subprocess profile given whole (a JSON string in older Geckos). */
  private docOf(o: Obj): Doc {
    const threads = Array.isArray(o.threads) ? (o.threads as unknown[]) : [];
    this.read += threads.length;
    const subs = Array.isArray(o.processes) ? (o.processes as unknown[]) : [];
    const children: Doc[] = [];
    for (const s of subs) {
      const p = typeof s === 'string' ? this.parseThread(s) : s;
      if (isObj(p)) children.push(this.docOf(p));
      else this.b.diag('invalid-event', `a subprocess profile is not a profile (${shown(s)}): skipped`);
    }
    return { meta: isObj(o.meta) ? o.meta : undefined, threads, children };
  }

  // ---- layout ----

  protected *layout(): Generator<void, void, void> {
    const b = this.b;
    const root = this.root as Doc;
    if (!root.meta && !root.threads.length) {
      throw new TraceImportError({
        format: 'gecko-json',
        message: 'no "meta" nor "threads": not a Firefox Profiler profile',
        expected: '{"meta": {…}, "threads": [{"samples", "stackTable", "frameTable", …}], …}',
      });
    }
    const meta = root.meta ?? {};
    const processed = typeof meta.preprocessedProfileVersion === 'number';
    const startMs = isInputTime(meta.startTime) ? meta.startTime : 0;
    const interval = typeof meta.interval === 'number' && meta.interval > 0 ? meta.interval : 1;
    // Size profiles (processed v54+): a sample's "time" is an offset in bytes.
    const bytes = isObj(meta.sampleUnits) && meta.sampleUnits.time === 'bytes';
    if (bytes) {
      b.valueUnit = 'bytes';
      b.diag('abstract-units', 'a size profile (sampleUnits.time "bytes") is laid out 1 ns per byte: its x axis is not time');
    }
    b.setTimeBase(bytes ? 0 : startMs, startMs > 0 && !bytes ? 'epoch' : 'trace');
    // Threads with their doc's meta and time offset (ms from the root's start).
    const all: Array<{ t: unknown; meta: Obj; offMs: number; i: number; at: string }> = [];
    const walk = (doc: Doc, offMs: number, path: string): void => {
      doc.threads.forEach((t, k) => all.push({ t, meta: doc.meta ?? meta, offMs, i: all.length, at: `${path}threads[${k}]` }));
      for (const [k, sub] of doc.children.entries()) {
        const s = sub.meta?.startTime;
        // Processed profiles have no subprocesses; a Gecko subprocess's times are from its own start.
        let off = offMs;
        if (isInputTime(s)) off = s - startMs;
        else b.diag('invalid-event', 'a subprocess profile has no meta.startTime: its times are read as the parent process\'s');
        walk(sub, off, `${path}processes[${k}].`);
      }
    };
    walk(root, 0, '');
    let bad = 0;
    let firstBad = '';
    let readable = 0;
    let samples = 0;
    let markers = 0;
    for (const { t, meta: m, offMs, i, at } of all) {
      const thread = typeof t === 'string' ? this.parseThread(t) : t;
      const problem = !isObj(thread) ? `is not an object (${shown(t)})` : !isObj(thread.samples) && !isObj(thread.markers) ? 'has neither "samples" nor "markers"' : '';
      if (problem) {
        if (bad++ === 0) firstBad = `${at} ${problem}`;
        continue;
      }
      const th = thread as Obj;
      // Nothing to show (a thread registered but never sampled).
      if (!columns(th.samples, ['stack']).n && !columns(th.markers, ['name']).n) continue;
      const strings = (processed ? (Array.isArray(th.stringArray) ? th.stringArray : this.shared ?? th.stringTable) : th.stringTable) as unknown[] | undefined;
      if (!Array.isArray(strings)) {
        if (bad++ === 0) firstBad = `${at} has no string table (${processed ? '"shared.stringArray" or "stringArray"' : '"stringTable"'})`;
        continue;
      }
      readable++;
      const str = (k: unknown): string => (typeof k === 'string' ? k : typeof strings[k as number] === 'string' ? (strings[k as number] as string) : `(string ${shown(k)})`);
      const pid = th.pid ?? `process ${i}`;
      const pname = typeof th.processName === 'string' && th.processName ? th.processName : th.processType === 'default' ? 'Parent Process' : typeof th.processType === 'string' ? th.processType : '';
      // The viewer shows the key (pid) after the name.
      const g = b.group(GroupKind.PROCESS, String(pid), pname || 'Process');
      const tid = th.tid ?? i;
      const tname = `${typeof th.name === 'string' && th.name ? th.name : 'Thread'} ${tid}`;
      const cats = (Array.isArray(m.categories) ? m.categories : Array.isArray(meta.categories) ? meta.categories : []) as unknown[];
      const catName = (c: unknown): string | undefined => {
        const x = typeof c === 'number' ? cats[c] : undefined;
        return isObj(x) && typeof x.name === 'string' ? x.name : undefined;
      };
      const ns = bytes ? (v: number): number => v : (ms: number): number => (ms + offMs) * 1e6;
      samples += yield* this.samples(th, processed, str, catName, g, tname, ns, bytes ? 0 : interval);
      markers += this.markers(th, str, catName, g, tname, ns);
    }
    if (!bad && !samples && !markers) {
      throw new TraceImportError({ format: 'gecko-json', message: `no samples nor markers in the profile's ${all.length} threads`, expected: 'threads with "samples" and their "stackTable", "frameTable" and strings' });
    }
    if (bad) {
      if (!readable) throw new TraceImportError({ format: 'gecko-json', message: `no thread could be read: ${firstBad}`, expected: 'threads with "samples", "stackTable", "frameTable" and a string table' });
      b.diag('invalid-event', `${firstBad}: skipped`, bad);
    }
    b.countEvent('sample', samples);
    if (markers) b.countEvent('marker', markers);
  }

  /** A thread or subprocess written as a JSON string (older Geckos); the string itself if it is not JSON. */
  private parseThread(s: string): unknown {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  }

  /** A thread's samples as stacks over time on a samples track; returns how many. */
  private *samples(
    th: Obj,
    processed: boolean,
    str: (k: unknown) => string,
    catName: (c: unknown) => string | undefined,
    g: number,
    tname: string,
    ns: (ms: number) => number,
    interval: number,
  ): Generator<void, number, void> {
    const b = this.b;
    const [stack, time, deltas] = columns(th.samples, ['stack', 'time', 'timeDeltas']).cols;
    const n = stack?.length ?? 0;
    if (!n) return 0;
    const times = new Float64Array(n);
    if (time) for (let k = 0; k < n; k++) times[k] = Number(time[k]);
    else if (deltas) for (let k = 0, at = 0; k < n; k++) times[k] = at += Number(deltas[k]);
    else {
      b.diag('invalid-event', `thread "${tname}": samples have neither "time" nor "timeDeltas": skipped`, n);
      return 0;
    }
    const st = columns(th.stackTable, ['prefix', 'frame']);
    const [prefix, stFrame] = st.cols;
    const frameNames = processed ? ['func', 'category', 'line', 'column'] : ['location', 'category', 'line', 'column', 'implementation'];
    const ft = columns(th.frameTable, frameNames);
    const [fKey, fCat, fLine, fCol, fImpl] = ft.cols;
    const [funcName, funcFile, funcLine, funcCol, funcJs] = processed ? columns(th.funcTable, ['name', 'fileName', 'lineNumber', 'columnNumber', 'isJS']).cols : [];
    // Canonical stack nodes: (caller node, function, category) → node, so stacks repeated in the
    // table, or frames of one function at other lines, continue one slice.
    const nodeOf = new Int32Array(st.n).fill(-2);
    const nodeKeys = new Map<string, number>();
    const nodes: Array<{ parent: number; key: unknown; frame: number; cat: number }> = [];
    let cycles = 0;
    let unknown = 0;
    let firstUnknown = '';
    const nodeFor = (s0: number): number => {
      // Callers first: walk up to a resolved stack (or the root), then down.
      const chain: number[] = [];
      let s = s0;
      while (Number.isInteger(s) && s >= 0 && s < st.n && nodeOf[s] === -2) {
        nodeOf[s] = -3; // on the chain
        chain.push(s);
        const p = prefix?.[s];
        s = p === null || p === undefined ? -1 : (p as number);
      }
      let up = -1;
      if (s !== -1) {
        if (Number.isInteger(s) && s >= 0 && s < st.n && nodeOf[s] === -3) cycles++;
        else if (Number.isInteger(s) && s >= 0 && s < st.n) up = nodeOf[s];
        else if (unknown++ === 0) firstUnknown = `stack ${shown(s)}`;
      }
      for (let k = chain.length - 1; k >= 0; k--) {
        const f = stFrame?.[chain[k]] as number;
        if (!(Number.isInteger(f) && f >= 0 && f < ft.n)) {
          if (unknown++ === 0) firstUnknown = `frame ${shown(f)}`;
          nodeOf[chain[k]] = up;
          continue;
        }
        const c = fCat?.[f];
        // A frame without a category is in its caller's.
        const cat = typeof c === 'number' ? c : up >= 0 ? nodes[up].cat : -1;
        const key = fKey?.[f];
        const id = `${up}\0${String(key)}\0${cat}`;
        let node = nodeKeys.get(id);
        if (node === undefined) nodeKeys.set(id, (node = nodes.push({ parent: up, key, frame: f, cat }) - 1));
        nodeOf[chain[k]] = up = node;
      }
      return s0 >= 0 && s0 < st.n ? nodeOf[s0] : up;
    };
    const refs = new FrameRefs(b, (k): FrameInfo => {
      const nd = nodes[k];
      const f = nd.frame;
      let name: string;
      let cat = catName(nd.cat);
      const args: Record<string, unknown> = {};
      if (processed) {
        const fn = nd.key as number;
        name = str(funcName?.[fn]);
        const file = funcFile?.[fn];
        if (file !== null && file !== undefined) args.url = str(file);
        const line = fLine?.[f] ?? funcLine?.[fn];
        if (typeof line === 'number') args.line = line;
        const col = fCol?.[f] ?? funcCol?.[fn];
        if (typeof col === 'number') args.column = col;
        if (cat === undefined && funcJs?.[fn] === true) cat = 'JavaScript';
      } else {
        name = str(nd.key);
        const js = JS_LOCATION.exec(name);
        const lib = js ? null : LIB_LOCATION.exec(name);
        if (js) {
          name = js[1] || '(anonymous)';
          args.url = js[2];
          const line = fLine?.[f] ?? (js[3] ? Number(js[3]) : undefined);
          if (typeof line === 'number') args.line = line;
          const col = fCol?.[f] ?? (js[4] ? Number(js[4]) : undefined);
          if (typeof col === 'number') args.column = col;
        } else if (lib) {
          name = lib[1];
          args.lib = lib[2];
        }
        const impl = fImpl?.[f];
        if (impl !== null && impl !== undefined) args.implementation = str(impl);
        // Without categories: a frame with a JIT tier or a script URL is JavaScript.
        if (cat === undefined && (js || (impl !== null && impl !== undefined))) cat = 'JavaScript';
      }
      return { name, ...(cat ? { category: cat } : {}), ...(Object.keys(args).length ? { args } : {}) };
    });
    const paths = new Map<number, number[]>();
    const pathOf = (node: number): number[] => {
      let p = paths.get(node);
      if (p) return p;
      p = [];
      for (let x = node; x >= 0; x = nodes[x].parent) p.push(x);
      p.reverse();
      paths.set(node, p);
      return p;
    };
    let sorted = true;
    let badTimes = 0;
    for (let k = 1; k < n; k++) if (times[k] < times[k - 1]) sorted = false;
    const order = sorted ? null : Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) => times[x] - times[y] || x - y);
    const track = b.track(g, TrackKind.SAMPLES, `${tname}`, tname);
    const runs = new StackRuns(b, track, refs);
    const none: number[] = [];
    // No interval (a size profile): each stack lasts until the next.
    const gap = interval > 0 ? interval * 2 : Infinity;
    let last = NaN;
    for (let j = 0; j < n; j++) {
      const i = order ? order[j] : j;
      const at = times[i];
      if (!isInputTime(at)) {
        badTimes++;
        continue;
      }
      const s = stack?.[i];
      const node = s === null || s === undefined ? -1 : nodeFor(s as number);
      const path = node >= 0 ? pathOf(node) : none;
      runs.sample(path, 0, path.length, ns(at));
      const next = j + 1 < n ? times[order ? order[j + 1] : j + 1] : Infinity;
      // Across a gap (paused, or the thread not sampled) a stack lasts one interval.
      if (next - at > gap) runs.sample(none, 0, 0, ns(at + interval));
      last = at;
      if ((j & (STEP - 1)) === STEP - 1) yield;
    }
    runs.end(last === last ? ns(last + interval) : 0);
    if (badTimes) b.diag('invalid-event', `thread "${tname}": ${badTimes} samples have no numeric time: skipped`, badTimes);
    if (unknown) b.diag('unknown-frame', `thread "${tname}": samples name ${firstUnknown}, which is not in its stackTable / frameTable: their stacks are cut there`, unknown);
    if (cycles) b.diag('parent-cycle', `thread "${tname}": a stack's prefix chain loops: cut there`, cycles);
    return n - badTimes;
  }

  /** A thread's markers: intervals as slices, instants as instants, on a markers track; returns how many. */
  private markers(th: Obj, str: (k: unknown) => string, catName: (c: unknown) => string | undefined, g: number, tname: string, ns: (ms: number) => number): number {
    const b = this.b;
    const mk = columns(th.markers, ['name', 'startTime', 'endTime', 'phase', 'category', 'data', 'time']);
    const [name, start, end, phase, category, data, time] = mk.cols;
    if (!mk.n || !name) return 0;
    const track = b.track(g, TrackKind.ASYNC, `${tname} markers`, `${tname} markers`);
    const open = new Map<string, number[]>();
    let lastNs = -Infinity;
    let unmatched = 0;
    let bad = 0;
    for (let i = 0; i < mk.n; i++) {
      const d = data?.[i];
      const nm = str(name[i]);
      const cat = b.intern(catName(category?.[i]) ?? (isObj(d) && typeof d.category === 'string' ? d.category : ''));
      const args = isObj(d) && Object.keys(d).length ? b.addDetails({ args: d }) : -1;
      let s = start?.[i];
      let e = end?.[i];
      let ph = phase?.[i];
      // Gecko profiles before the phase column: one `time`, the interval (if any) in the payload.
      if (!phase && time) {
        const dd = isObj(d) ? d : {};
        if (isInputTime(dd.startTime) && isInputTime(dd.endTime)) [s, e, ph] = [dd.startTime, dd.endTime, 1];
        else [s, ph] = [time[i], 0];
      }
      const sOk = isInputTime(s);
      const eOk = isInputTime(e);
      const at = sOk ? ns(s as number) : eOk ? ns(e as number) : NaN;
      if (at !== at) {
        bad++;
        continue;
      }
      if (at > lastNs) lastNs = at;
      if (ph === 0 || (ph === undefined && sOk && !eOk)) b.addInstant(track, at, b.intern(nm), cat, InstantScope.THREAD, -1, args);
      else if (ph === 1 || (ph === undefined && sOk && eOk)) {
        const t1 = eOk ? Math.max(ns(e as number), at) : at;
        if (t1 > lastNs) lastNs = t1;
        b.addSlice(track, at, t1 - at, b.intern(nm), cat, SliceFlag.ASYNC, args);
      } else if (ph === 2 && sOk) {
        const sl = b.addSlice(track, at, NaN, b.intern(nm), cat, SliceFlag.ASYNC, args);
        const q = open.get(nm);
        if (q) q.push(sl);
        else open.set(nm, [sl]);
      } else if (ph === 3 && eOk) {
        const sl = open.get(nm)?.pop();
        if (sl === undefined) unmatched++;
        else {
          b.setSliceDur(sl, at - b.sliceStart(sl));
          if (args >= 0 && b.sliceArgs(sl) < 0) b.setSliceArgs(sl, args);
        }
      } else bad++;
    }
    let unclosed = 0;
    for (const q of open.values()) {
      for (const sl of q) {
        b.setSliceDur(sl, Math.max(0, lastNs - b.sliceStart(sl)));
        b.orFlags(sl, SliceFlag.UNFINISHED);
        unclosed++;
      }
    }
    if (unclosed) b.diag('unclosed-begin', `thread "${tname}": interval markers started (phase 2) are never ended: drawn to the thread's last marker, marked unfinished`, unclosed);
    if (unmatched) b.diag('unmatched-end', `thread "${tname}": interval markers end (phase 3) with no start of that name: skipped`, unmatched);
    if (bad) b.diag('invalid-event', `thread "${tname}": markers without a usable time or phase: skipped`, bad);
    return mk.n - bad;
  }
}
