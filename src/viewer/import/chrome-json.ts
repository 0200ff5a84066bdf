/**
 * Chrome Trace Event format importer (array and object forms), streamed: bytes are pushed in
 * chunks, each event is parsed straight into the TraceBuilder without per-event objects.
 * Semantics follow what Perfetto and catapult accept; where they differ we keep data visible
 * (an `X` without `dur` stays, unfinished, drawn to the end — as catapult does).
 */
import { TraceBuilder, isInputTime, runSteps } from '../model/builder';
import {
  FlowKind,
  GroupKind,
  InstantScope,
  SliceFlag,
  TrackKind,
  TraceImportError,
  type TraceModel,
} from '../model/trace-model';
import { BytesInterner, JsonReader, JsonStream, KeyTable, decodeBytes, type StreamHandler } from './json-tokenizer';
import { addSampledStacks, type Frame } from './samples';
import { rebuildSpans } from './span-rebuild';

const KEY_NAMES = [
  'ph', 'name', 'cat', 'ts', 'dur', 'tdur', 'tts', 'pid', 'tid', 'id', 'id2', 'args',
  's', 'bp', 'scope', 'cname', 'bind_id', 'flow_in', 'flow_out', 'sf', 'stack',
] as const;
const K_PH = 0, K_NAME = 1, K_CAT = 2, K_TS = 3, K_DUR = 4, K_TDUR = 5, K_TTS = 6, K_PID = 7, K_TID = 8,
  K_ID = 9, K_ID2 = 10, K_ARGS = 11, K_S = 12, K_BP = 13, K_SCOPE = 14, K_CNAME = 15, K_BIND = 16,
  K_FIN = 17, K_FOUT = 18, K_SF = 19, K_STACK = 20;

const ch = (s: string): number => s.charCodeAt(0);
const PH_X = ch('X'), PH_B = ch('B'), PH_E = ch('E'), PH_i = ch('i'), PH_I = ch('I'), PH_R = ch('R'),
  PH_C = ch('C'), PH_b = ch('b'), PH_e = ch('e'), PH_n = ch('n'), PH_S = ch('S'), PH_T = ch('T'),
  PH_p = ch('p'), PH_F = ch('F'), PH_s = ch('s'), PH_t = ch('t'), PH_f = ch('f'), PH_M = ch('M'),
  PH_P = ch('P');
/** Phases read but not drawn: objects, memory dumps, clock sync, context, mark-as-linked. */
const IGNORED = new Set(['N', 'O', 'D', 'V', 'v', 'c', '(', ')', '=', 'A', 'L', 'U']);

/** The metadata events drawn, and the args member each one needs. */
const META_FIELDS = /* @__PURE__ */ new Map([
  ['process_name', 'name'],
  ['thread_name', 'name'],
  ['process_labels', 'labels'],
  ['process_sort_index', 'sort_index'],
  ['thread_sort_index', 'sort_index'],
]);

const NO_ATOM = null;
const utf8Encoder = /* @__PURE__ */ new TextEncoder();
const KEY_THREAD_DUR = /* @__PURE__ */ utf8Encoder.encode('"threadDurNs":');
const KEY_THREAD_START = /* @__PURE__ */ utf8Encoder.encode('"threadStartNs":');
type Atom = number | string | null;

interface BE {
  ts: number[];
  /** ≥ 0: B slice index; < 0: -(E record + 1). */
  ref: number[];
}

interface ProfileDraft {
  track: number;
  frames: Map<string, Frame>;
  /** Sample times are relative to the profile's start until the end: its `Profile` event may come after the chunks. */
  samples: Array<{ tNs: number; frame: string | undefined }>;
  relNs: number;
  /** `Profile`'s start; else the first chunk's ts. */
  startNs: number;
  chunkNs: number;
  /** V8's last chunk carries the profile's `endTime`: the last sample lasts until then. */
  endNs: number;
}

export interface ChromeImportOptions {
  /** Called every ~64k events while streaming. */
  onEvents?: (events: number) => void;
  /** Expected input size in bytes, when known: the columns start near the size they will need. */
  sizeHint?: number;
  /** false: spans Spanbeam saved are rebuilt without clock-skew adjustment (skew="off"). */
  skew?: boolean;
}

/** Top-level keys of the trace formats we read: an object holding one is a trace, if an empty one. */
const TRACE_KEYS = new Set(['traceEvents', 'samples', 'data', 'resourceSpans', 'profiles', 'nodes', 'shared']);

export class ChromeJsonImporter implements StreamHandler {
  readonly builder: TraceBuilder;
  private readonly stream: JsonStream;
  private readonly keys = new KeyTable(KEY_NAMES);
  private readonly interner: BytesInterner;
  events = 0;
  private readonly phaseCounts = new Float64Array(128);
  private otherPhases = new Map<string, number>();
  private baseUs = NaN;
  private readonly opts: ChromeImportOptions;
  /** Where the event being committed is (`traceEvents[12]`), for diagnostics: array and index. */
  private evArray = '';
  private evIndex = 0;
  private nEvents = 0;
  private nSamples = 0;
  /** Top-level object keys (the first few, for the message), and whether one is a trace format's. */
  private readonly topKeys: string[] = [];
  private traceKey = false;
  /** Bits of the Firefox Profiler's top-level keys seen: 1 "meta", 2 "threads". */
  private firefox = 0;
  /** The input ended early (its events may simply be cut off): no "not a trace" then. */
  private truncated = false;

  // Scratch fields of the event being parsed (reset per event).
  private ph = 0;
  private phText = '';
  private name = 0;
  private cat = 0;
  private ts = NaN;
  private dur = NaN;
  /** A `dur` member was there but no finite number. */
  private badDur = false;
  private tdur = NaN;
  private tts = NaN;
  /** Where the tdur / tts numbers are in the buffer (-1: not a plain number). */
  private tdurAt = -1;
  private tdurEnd = -1;
  private ttsAt = -1;
  private ttsEnd = -1;
  /** Extra details members of this event (`"key":value`, comma-separated), as bytes. */
  private ex = new Uint8Array(128);
  private exLen = 0;
  private pid: Atom = NO_ATOM;
  private tid: Atom = NO_ATOM;
  private id: Atom = NO_ATOM;
  private id2: unknown = undefined;
  private argsStart = -1;
  private argsEnd = -1;
  /** The args are an object or array JSON.parse accepts (checked as they were skipped). */
  private argsOk = false;
  private sc = 0; // instant scope letter
  private bp = 0;
  private scope: Atom = NO_ATOM;
  private cname = 0;
  private bindId: Atom = NO_ATOM;
  private flowIn = false;
  private flowOut = false;
  private sf: Atom = NO_ATOM;

  // Thread lookup.
  private lastPid: Atom = NO_ATOM;
  private lastTid: Atom = NO_ATOM;
  private lastTrack = -1;
  private threads = new Map<Atom, Map<Atom, number>>();
  private processes = new Map<Atom, number>();

  private be = new Map<number, BE>();
  private eName: number[] = [];
  private eArgs: number[] = [];
  private asyncOpen = new Map<string, number[]>();
  private legacyOpen = new Map<string, number>();
  private v2 = new Map<string, Array<{ slice: number; fin: boolean; fout: boolean }>>();
  private stackFrames: Record<string, { name?: string; parent?: string | number; category?: string }> | undefined;
  private sfSamples = new Map<number, Array<{ tNs: number; frame: string | undefined }>>();
  private profiles = new Map<string, ProfileDraft>();
  /** Tracks named "<thread name> <suffix>" at the end (a thread_name event may come later): thread track, tid. */
  private threadNamed = new Map<number, [thread: number, tid: Atom, suffix: string]>();

  constructor(opts: ChromeImportOptions = {}) {
    this.opts = opts;
    // A generated or recorded event takes ~100–300 bytes; start with room for the smaller size,
    // within limits (growing later copies everything once more).
    const hint = opts.sizeHint ?? 0;
    this.builder = new TraceBuilder('chrome-json', {
      initialCapacity: Math.min(1 << 20, Math.max(1 << 16, Math.ceil(hint / 128))),
      initialArgsBytes: Math.min(1 << 26, Math.ceil(hint / 2)),
    });
    this.stream = new JsonStream(this, 'chrome-json');
    this.interner = new BytesInterner((s) => this.builder.intern(s));
  }

  /** Adds input; parsing may wait until `batch` bytes are buffered (see JsonReader.feed). */
  push(chunk: Uint8Array, batch = 0): void {
    this.stream.push(chunk, batch);
  }

  /** Bytes consumed so far (decompressed). */
  get bytes(): number {
    return this.stream.consumed;
  }

  finish(): TraceModel {
    return runSteps(this.finishSteps());
  }

  /**
   * What has been read so far, as a builder that can be finished on its own (a preview while the
   * import goes on). Open `B` slices and async slices show as unfinished.
   */
  preview(): TraceBuilder {
    return this.builder.snapshot();
  }

  /** `finish()` in steps (see TraceBuilder.finishSteps) for the main-thread fallback. */
  *finishSteps(): Generator<void, TraceModel, void> {
    this.stream.end();
    // Its newer files have a "shared" key, which would otherwise pass for an empty speedscope file.
    if (this.firefox === 3 && this.events === 0) {
      throw new TraceImportError({
        format: 'unknown',
        // Detection reads the Firefox Profiler's format from the first KBs (see detect.ts).
        message: 'a Firefox Profiler profile ("meta", "threads") whose start does not show it (no "preprocessedProfileVersion", "stackwalk", libs or stack tables in the first 4 KB): not read; save it with "meta" first',
      });
    }
    // Some other JSON object (a config, an API response): say so, rather than show an empty trace.
    // An empty result of another format (Jaeger's `{"data":[]}`, OTLP's `{"resourceSpans":[]}`) is an empty trace.
    if (this.topKeys.length > 0 && !this.traceKey && !this.truncated) {
      throw new TraceImportError({
        format: 'unknown',
        message: `not a trace: a JSON object with ${this.topKeys.map((k) => `"${k}"`).join(', ')} but no "traceEvents" array`,
        offset: 0,
        expected: '"traceEvents" (Chrome), "resourceSpans" (OTLP), "data" (Jaeger), "nodes" (.cpuprofile) or "profiles" (speedscope)',
      });
    }
    this.flushBeginEnd();
    for (const [key, stack] of this.asyncOpen) {
      for (let i = 0; i < stack.length; i++) this.builder.diag('unclosed-async', `async slice (${key.replace(/\u0000/g, ' ')}) never ended`);
    }
    // Each open S is there under two keys (with its name, and without for steps): report it once.
    const reported = new Set<number>();
    for (const [key, slice] of this.legacyOpen) {
      if (reported.has(slice)) continue;
      reported.add(slice);
      this.builder.diag('unclosed-async', `async slice (${key.replace(/\u0000/g, ' ')}) never ended`);
    }
    this.flushFlowsV2();
    this.flushSamples();
    this.exportedBase();
    for (const [t, [thread, tid, suffix]] of this.threadNamed) {
      this.builder.setTrackName(t, `${this.builder.trackName(thread) || `Thread ${String(tid)}`} ${suffix}`);
    }
    for (let c = 0; c < 128; c++) {
      if (this.phaseCounts[c] > 0) this.builder.countEvent(String.fromCharCode(c), this.phaseCounts[c]);
    }
    for (const [k, n] of this.otherPhases) this.builder.countEvent(k, n);
    // Spans Spanbeam saved come back as the traces and services they were.
    return rebuildSpans(yield* this.builder.finishSteps(), this.opts.skew !== false);
  }

  // ---- StreamHandler ----

  member(key: string): 'stream' | 'skip' | 'value' {
    if (this.topKeys.length < 4) this.topKeys.push(key.length > 40 ? `${key.slice(0, 40)}…` : key);
    if (TRACE_KEYS.has(key)) this.traceKey = true;
    this.firefox |= key === 'meta' ? 1 : key === 'threads' ? 2 : 0;
    switch (key) {
      case 'traceEvents':
      case 'samples':
        return 'stream';
      case 'displayTimeUnit':
      case 'metadata':
      case 'stackFrames':
        return 'value';
      case 'systemTraceEvents':
        this.builder.diag('skipped-section', 'systemTraceEvents (ftrace text) skipped');
        return 'skip';
      default:
        return 'skip';
    }
  }

  value(key: string, r: JsonReader): void {
    const v = r.parseValue();
    if (key === 'displayTimeUnit') {
      if (v === 'ns') this.builder.displayTimeUnit = 'ns';
    } else if (key === 'metadata') {
      if (v && typeof v === 'object') this.builder.metadata = v as Record<string, unknown>;
    } else if (key === 'stackFrames') {
      if (v && typeof v === 'object') this.stackFrames = v as typeof this.stackFrames;
    } else {
      // traceEvents or samples that is no array: nothing to read, but an empty trace must say why.
      this.builder.diag('invalid-event', `"${key}" is not an array (${JSON.stringify(v).slice(0, 60)}): no events read from it`);
    }
  }

  repaired(kind: 'truncated-input' | 'trailing-comma', offset: number): void {
    if (kind === 'truncated-input') this.truncated = true;
    this.builder.diag(
      kind,
      kind === 'truncated-input'
        ? `input ends early at byte ${offset} (no closing ']'); events read so far are kept`
        : `trailing comma before the closing bracket at byte ${offset}`,
    );
  }

  element(r: JsonReader, array: string): void {
    let c = r.next();
    if (c !== 0x7b) {
      r.skipValue();
      this.locate(array);
      this.builder.diag('invalid-event', `event ${this.where()} is not an object; skipped`);
      return;
    }
    r.pos++;
    this.reset();
    c = r.next();
    if (c === 0x7d) {
      r.pos++;
    } else {
      for (;;) {
        if (c !== 0x22) r.fail('a member name');
        const k = this.keys.scanKey(r);
        if (r.next() !== 0x3a) r.fail("':'");
        r.pos++;
        this.member1(r, k, r.next());
        c = r.next();
        if (c === 0x2c) {
          r.pos++;
          c = r.next();
        } else if (c === 0x7d) {
          r.pos++;
          break;
        } else r.fail("',' or '}'");
      }
    }
    this.locate(array);
    if (array === 'samples') this.commitTopSample();
    else this.commit(r);
  }

  /** Counts the element just read (after every read that can throw INCOMPLETE). */
  private locate(array: string): void {
    this.evArray = array;
    this.evIndex = array === 'samples' ? this.nSamples++ : this.nEvents++;
  }

  /** The current event's place, as a JSON path users can look up (`traceEvents[12]`, `[12]`). */
  private where(): string {
    return `${this.evArray}[${this.evIndex}]`;
  }

  /** `"name", ` of the current event, or ''. */
  private named(): string {
    return this.name ? `"${this.builder.strings[this.name]}", ` : '';
  }

  private reset(): void {
    this.ph = 0;
    this.phText = '';
    this.name = 0;
    this.cat = 0;
    this.ts = NaN;
    this.dur = NaN;
    this.badDur = false;
    this.tdur = NaN;
    this.tts = NaN;
    this.exLen = 0;
    this.pid = NO_ATOM;
    this.tid = NO_ATOM;
    this.id = NO_ATOM;
    this.id2 = undefined;
    this.argsStart = -1;
    this.argsEnd = -1;
    this.sc = 0;
    this.bp = 0;
    this.scope = NO_ATOM;
    this.cname = 0;
    this.bindId = NO_ATOM;
    this.flowIn = false;
    this.flowOut = false;
    this.sf = NO_ATOM;
  }

  /** Reads the value of member k (c = its first byte). */
  private member1(r: JsonReader, k: number, c: number): void {
    switch (k) {
      case K_PH:
        if (c === 0x22) {
          r.scanString();
          if (r.strEnd - r.strStart === 1) this.ph = r.buf[r.strStart];
          else {
            // Longer in the bytes: an escaped letter ("\u0058") is still that phase.
            this.phText = r.stringValue();
            const code = this.phText.charCodeAt(0);
            this.ph = this.phText.length === 1 && code > 0 && code < 128 ? code : -1;
          }
        } else r.skipValue();
        return;
      case K_NAME:
        this.name = this.stringId(r, c);
        return;
      case K_CAT:
        this.cat = this.stringId(r, c);
        return;
      case K_TS:
        this.ts = this.num(r, c);
        return;
      case K_DUR:
        this.dur = this.num(r, c);
        this.badDur = this.dur !== this.dur;
        return;
      case K_TDUR:
        this.tdurAt = c === 0x22 ? -1 : r.pos;
        this.tdur = this.num(r, c);
        this.tdurEnd = r.pos;
        return;
      case K_TTS:
        this.ttsAt = c === 0x22 ? -1 : r.pos;
        this.tts = this.num(r, c);
        this.ttsEnd = r.pos;
        return;
      case K_PID:
        this.pid = this.atom(r, c);
        return;
      case K_TID:
        this.tid = this.atom(r, c);
        return;
      case K_ID:
        this.id = this.atom(r, c);
        return;
      case K_ID2:
        this.id2 = r.parseValue();
        return;
      case K_ARGS:
        this.argsStart = r.skipChecked();
        this.argsEnd = r.pos;
        this.argsOk = r.checked;
        return;
      case K_S:
        this.sc = this.letter(r, c);
        return;
      case K_BP:
        this.bp = this.letter(r, c);
        return;
      case K_SCOPE:
        this.scope = this.atom(r, c);
        return;
      case K_CNAME:
        this.cname = this.stringId(r, c);
        return;
      case K_BIND:
        this.bindId = this.atom(r, c);
        return;
      case K_FIN:
        this.flowIn = c === 0x74 ? r.readLiteral() === true : (r.skipValue(), false);
        return;
      case K_FOUT:
        this.flowOut = c === 0x74 ? r.readLiteral() === true : (r.skipValue(), false);
        return;
      case K_SF:
        this.sf = this.atom(r, c);
        return;
      case K_STACK:
      default:
        r.skipValue();
    }
  }

  private stringId(r: JsonReader, c: number): number {
    if (c === 0x22) {
      r.scanString();
      return this.interner.idOfScanned(r);
    }
    const s = r.skipRaw();
    return this.builder.intern(decodeBytes(r.buf, s, r.pos));
  }

  /** A number (or numeric string) within isInputTime, else NaN: one "ts":1e400, "Infinity" or 1e308 (µs: Infinity in ns) would make the times non-finite. */
  private num(r: JsonReader, c: number): number {
    let v = NaN;
    if (c === 0x22) {
      r.scanString();
      const t = r.stringValue().trim();
      if (t !== '') v = Number(t);
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) v = r.readNumber();
    else r.skipValue();
    return isInputTime(v) ? v : NaN;
  }

  /** pid/tid/id: numbers stay numbers; numeric strings become numbers; other strings stay. */
  private atom(r: JsonReader, c: number): Atom {
    if (c === 0x22) {
      r.scanString();
      const s = this.builder.strings[this.interner.idOfScanned(r)];
      return /^-?\d{1,15}$/.test(s) ? Number(s) : s;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = r.pos;
      const v = r.readNumber();
      if (Number.isSafeInteger(v)) return v;
      return decodeBytes(r.buf, start, r.pos);
    }
    r.skipValue();
    return NO_ATOM;
  }

  private letter(r: JsonReader, c: number): number {
    if (c !== 0x22) {
      r.skipValue();
      return 0;
    }
    r.scanString();
    return r.strEnd > r.strStart ? r.buf[r.strStart] : 0;
  }

  // ---- tracks ----

  private processGroup(pid: Atom): number {
    let g = this.processes.get(pid);
    if (g === undefined) {
      g = this.builder.group(GroupKind.PROCESS, pid === null ? '' : String(pid));
      this.processes.set(pid, g);
    }
    return g;
  }

  private threadTrack(pid: Atom, tid: Atom): number {
    if (pid === this.lastPid && tid === this.lastTid && this.lastTrack >= 0) return this.lastTrack;
    let m = this.threads.get(pid);
    if (!m) {
      m = new Map();
      this.threads.set(pid, m);
    }
    let t = m.get(tid);
    if (t === undefined) {
      t = this.builder.track(this.processGroup(pid), TrackKind.THREAD, tid === null ? '' : String(tid));
      m.set(tid, t);
    }
    this.lastPid = pid;
    this.lastTid = tid;
    this.lastTrack = t;
    return t;
  }

  private asyncTrack(pid: Atom, name: number): number {
    const n = this.builder.strings[name];
    const t = this.builder.track(this.processGroup(pid), TrackKind.ASYNC, n, n);
    return t;
  }

  // ---- event commit ----

  private tsNs(ts: number): number {
    if (this.baseUs !== this.baseUs) {
      this.baseUs = ts;
      this.builder.setTimeBase(ts / 1000, 'trace');
    }
    return (ts - this.baseUs) * 1000;
  }

  /**
   * The details entry of this event: its raw `args` bytes plus the extra members assembled in
   * `ex` (e.g. thread time, async id); -1 when there is nothing to keep.
   */
  private details(r: JsonReader, extraMembers = ''): number {
    if (extraMembers) this.exText(extraMembers);
    let s = this.argsStart;
    const e = this.argsEnd;
    if (s >= 0) {
      const b = r.buf;
      if (b[s] === 0x7b) {
        // `{}` carries nothing.
        let p = s + 1;
        while (p < e && b[p] <= 0x20) p++;
        if (b[p] === 0x7d) s = -1;
        else if (!this.argsOk) return this.oddArgs(r);
      } else if (b[s] === 0x6e) s = -1; // null: nothing either
      else return this.oddArgs(r);
    }
    const exLen = this.exLen;
    this.exLen = 0;
    if (s < 0 && exLen === 0) return -1;
    return this.builder.addDetailsBytes(s < 0 ? null : r.buf, s, e, this.ex, exLen);
  }

  /** Room for n more bytes in `ex`. */
  private exRoom(n: number): Uint8Array {
    if (this.exLen + n > this.ex.length) {
      const x = new Uint8Array(Math.max(this.ex.length * 2, this.exLen + n));
      x.set(this.ex.subarray(0, this.exLen));
      this.ex = x;
    }
    return this.ex;
  }

  /** Appends serialised members (`"key":value`, comma-separated) to `ex`. */
  private exText(members: string): void {
    if (this.exLen > 0) this.exRoom(1)[this.exLen++] = 0x2c;
    this.exRaw(members);
  }

  /** Appends text to `ex` as UTF-8. */
  private exRaw(text: string): void {
    const n = text.length;
    const x = this.exRoom(n * 3);
    const p = this.exLen;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        ascii = false;
        break;
      }
      x[p + i] = c;
    }
    this.exLen = ascii ? p + n : p + utf8Encoder.encodeInto(text, x.subarray(p)).written;
  }

  /** Appends `"<key>":` to `ex`, after a comma when it holds members already. */
  private exKey(key: Uint8Array): void {
    const x = this.exRoom(key.length + 1);
    let p = this.exLen;
    if (p > 0) x[p++] = 0x2c;
    x.set(key, p);
    this.exLen = p + key.length;
  }

  /**
   * Appends a µs value as ns: the number's own digits with the decimal point moved three places
   * (exact, and no number-to-string conversion per event); other spellings go through Number.
   */
  private exMicrosAsNanos(r: JsonReader, at: number, end: number, us: number): void {
    if (at < 0) {
      this.exRaw(String(us * 1000));
      return;
    }
    const b = r.buf;
    let p = at;
    const intStart = p;
    while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
    const intEnd = p;
    let fracStart = p;
    if (p < end && b[p] === 0x2e) {
      fracStart = ++p;
      while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
    }
    const fracEnd = p;
    if (p !== end || intEnd === intStart) {
      this.exRaw(String(us * 1000));
      return;
    }
    const x = this.exRoom(end - at + 8);
    let o = this.exLen;
    const start = o;
    // Integer part: the integer digits and the first three fraction digits, without leading zeros.
    for (let i = intStart; i < intEnd; i++) if (o > start || b[i] !== 0x30) x[o++] = b[i];
    for (let k = 0; k < 3; k++) {
      const i = fracStart + k;
      const d = i < fracEnd ? b[i] : 0x30;
      if (o > start || d !== 0x30) x[o++] = d;
    }
    if (o === start) x[o++] = 0x30;
    if (fracStart + 3 < fracEnd) {
      x[o++] = 0x2e;
      for (let i = fracStart + 3; i < fracEnd; i++) x[o++] = b[i];
    }
    this.exLen = o;
  }

  /** Thread time members of an X (duration and start) or B (start only) event. */
  private exThreadTime(r: JsonReader, withDur: boolean): void {
    if (withDur && this.tdur === this.tdur) {
      this.exKey(KEY_THREAD_DUR);
      this.exMicrosAsNanos(r, this.tdurAt, this.tdurEnd, this.tdur);
    }
    if (this.tts === this.tts) {
      this.exKey(KEY_THREAD_START);
      this.exMicrosAsNanos(r, this.ttsAt, this.ttsEnd, this.tts);
    }
  }

  /**
   * Args that are not a JSON object (a number, a string, an array; or not valid JSON) would be
   * shown mangled or not at all: kept as `args.value` (as text in `args.raw`), and reported.
   */
  private oddArgs(r: JsonReader): number {
    const text = decodeBytes(r.buf, this.argsStart, this.argsEnd);
    let what = 'are not valid JSON';
    let key = 'raw';
    try {
      const v = JSON.parse(text) as unknown;
      what = `are ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}, not an object`;
      key = 'value';
    } catch {
      // kept as text
    }
    const kept = key === 'raw' ? JSON.stringify({ raw: text }) : `{"value":${text}}`;
    this.builder.diag('invalid-args', `event ${this.where()} (${this.named()}ph "${this.phName()}"): args ${what}; kept as args.${key}`);
    const bytes = utf8Encoder.encode(kept);
    const exLen = this.exLen;
    this.exLen = 0;
    return this.builder.addDetailsBytes(bytes, 0, bytes.length, this.ex, exLen);
  }

  /** The args object (undefined when there is none, or it is not a valid JSON object). */
  private parsedArgs(r: JsonReader): Record<string, unknown> | undefined {
    if (this.argsStart < 0) return undefined;
    try {
      const v = JSON.parse(decodeBytes(r.buf, this.argsStart, this.argsEnd)) as unknown;
      return isObj(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  private commit(r: JsonReader): void {
    const ph = this.ph;
    const events = ++this.events;
    const onEvents = this.opts.onEvents;
    if (onEvents !== undefined && (events & 0xffff) === 0) onEvents(events);
    if (ph > 0 && ph < 128) this.phaseCounts[ph]++;
    else this.otherPhases.set(this.phText || '(none)', (this.otherPhases.get(this.phText || '(none)') ?? 0) + 1);
    const ts = this.ts;
    // The common case in a small function of its own (V8 optimises small functions sooner).
    if (ph === PH_X && ts === ts && this.dur === this.dur) this.completeEvent(r, this.tsNs(ts));
    else this.otherEvent(r, ph, ts);
  }

  /** An `X` event with `ts` and `dur`. */
  private completeEvent(r: JsonReader, tNs: number): void {
    const track = this.threadTrack(this.pid, this.tid);
    this.exThreadTime(r, true);
    const slice = this.builder.addSlice(track, tNs, this.dur * 1000, this.name, this.cat, 0, this.details(r), this.cname);
    if (this.bindId !== null || this.flowIn || this.flowOut) this.flowV2(slice);
  }

  private otherEvent(r: JsonReader, ph: number, ts: number): void {
    const b = this.builder;
    if (ph === PH_M) return this.metadataEvent(r);
    if (ph === 0) {
      b.diag('invalid-event', `event ${this.where()} ${this.name ? `("${b.strings[this.name]}") ` : ''}has no "ph"; skipped`);
      return;
    }
    if (ts !== ts) {
      if (ph === PH_P && this.name !== 0) return this.profileEvent(r);
      b.diag('invalid-event', `event ${this.where()} (${this.named()}ph "${this.phName()}") has no numeric "ts"; skipped`);
      return;
    }
    const tNs = this.tsNs(ts);
    switch (ph) {
      case PH_X: {
        // Without "dur" (with one, completeEvent took it).
        const track = this.threadTrack(this.pid, this.tid);
        const why = this.badDur ? 'has a "dur" that is not a number' : 'has no "dur"';
        b.diag('unfinished-complete', `complete event "${b.strings[this.name]}" (${this.where()}) ${why}; kept open to the end of the trace`);
        this.exThreadTime(r, true);
        const slice = b.addSlice(track, tNs, NaN, this.name, this.cat, 0, this.details(r), this.cname);
        if (this.bindId !== null || this.flowIn || this.flowOut) this.flowV2(slice);
        return;
      }
      case PH_B: {
        const track = this.threadTrack(this.pid, this.tid);
        this.exThreadTime(r, false);
        const slice = b.addSlice(track, tNs, NaN, this.name, this.cat, 0, this.details(r), this.cname);
        this.beList(track).ts.push(tNs);
        this.beList(track).ref.push(slice);
        if (this.bindId !== null || this.flowIn || this.flowOut) this.flowV2(slice);
        return;
      }
      case PH_E: {
        const track = this.threadTrack(this.pid, this.tid);
        const list = this.beList(track);
        const e = this.eName.length;
        this.eName.push(this.name);
        this.eArgs.push(this.argsStart >= 0 ? this.details(r) : -1);
        list.ts.push(tNs);
        list.ref.push(-(e + 1));
        return;
      }
      case PH_i:
      case PH_I:
      case PH_R:
        return this.instantEvent(r, tNs);
      case PH_C:
        return this.counterEvent(r, tNs);
      case PH_b:
      case PH_e:
      case PH_n:
        return this.nestableAsync(r, tNs);
      case PH_S:
      case PH_T:
      case PH_p:
      case PH_F:
        return this.legacyAsync(r, tNs);
      case PH_s:
      case PH_t:
      case PH_f: {
        const track = this.threadTrack(this.pid, this.tid);
        const phase = ph === PH_s ? 's' : ph === PH_t ? 't' : 'f';
        const key = `${b.strings[this.cat]}\u0000${this.idText()}`;
        b.addFlowEndpoint(key, phase, track, tNs, phase !== 'f' || this.bp === 0x65, this.name, this.cat);
        b.noteTime(tNs);
        return;
      }
      case PH_P:
        if (this.name !== 0 && (b.strings[this.name] === 'ProfileChunk' || b.strings[this.name] === 'Profile')) {
          return this.profileEvent(r);
        }
        return this.sampleEvent(tNs);
      default: {
        b.noteTime(tNs);
        const p = this.phName();
        if (IGNORED.has(p)) b.diag('ignored-phase', `phase "${p}" events are not drawn`);
        else b.diag('unknown-phase', `event ${this.where()} has unknown phase "${p}"; skipped`);
      }
    }
  }

  private phName(): string {
    return this.ph > 0 ? String.fromCharCode(this.ph) : this.phText;
  }

  private idText(): string {
    if (this.id !== null) return String(this.id);
    const id2 = this.id2 as { local?: unknown; global?: unknown } | undefined;
    if (id2 && typeof id2 === 'object') {
      if (id2.global !== undefined) return `g:${String(id2.global)}`;
      if (id2.local !== undefined) return `l:${String(this.pid)}:${String(id2.local)}`;
    }
    return '';
  }

  private beList(track: number): BE {
    let l = this.be.get(track);
    if (!l) {
      l = { ts: [], ref: [] };
      this.be.set(track, l);
    }
    return l;
  }

  private flowV2(slice: number): void {
    const id = this.bindId ?? this.id;
    if (id === null) return;
    const key = String(id);
    let l = this.v2.get(key);
    if (!l) {
      l = [];
      this.v2.set(key, l);
    }
    l.push({ slice, fin: this.flowIn, fout: this.flowOut });
  }

  private instantEvent(r: JsonReader, tNs: number): void {
    const b = this.builder;
    const sc = this.sc;
    let track: number;
    let scope: InstantScope;
    if (sc === 0x67 /* g */) {
      const g = b.group(GroupKind.GLOBAL, '', 'Global');
      track = b.track(g, TrackKind.INSTANTS, 'global', 'Global instants');
      scope = InstantScope.GLOBAL;
    } else if (sc === 0x70 /* p */) {
      track = b.track(this.processGroup(this.pid), TrackKind.INSTANTS, 'process', 'Process instants');
      scope = InstantScope.PROCESS;
    } else {
      track = this.threadTrack(this.pid, this.tid);
      scope = InstantScope.THREAD;
    }
    b.addInstant(track, tNs, this.name, this.cat, scope, -1, this.details(r));
  }

  private counterEvent(r: JsonReader, tNs: number): void {
    const b = this.builder;
    const name = b.strings[this.name];
    const id = this.id !== null ? String(this.id) : '';
    const key = id ? `${name}\u0000${id}` : name;
    const track = b.track(this.processGroup(this.pid), TrackKind.COUNTER, key, id ? `${name} ${id}` : name);
    const args = this.parsedArgs(r);
    let any = false;
    let bad = '';
    for (const k in args) {
      const v = args[k];
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      // ±Infinity (a string, or 1e400) would stretch the scale and flatten every other value.
      if (!Number.isFinite(x)) {
        bad ||= `"${k}" is ${String(JSON.stringify(v)).slice(0, 60)}, not a finite number`;
        continue;
      }
      b.addCounterValue(b.counterSeries(track, k), tNs, x);
      any = true;
    }
    if (bad || !any) b.diag('invalid-args', `counter "${name}" (${this.where()}): ${bad || 'no values in args'}; skipped`);
    if (!any) b.noteTime(tNs);
  }

  private nestableAsync(r: JsonReader, tNs: number): void {
    const b = this.builder;
    const key = `${b.strings[this.cat]}\u0000${this.idText()}\u0000${this.scope === null ? '' : String(this.scope)}`;
    let stack = this.asyncOpen.get(key);
    const ph = this.ph;
    if (ph === PH_b) {
      const parent = stack && stack.length > 0 ? stack[stack.length - 1] : -1;
      const track = parent >= 0 ? b.sliceTrack(parent) : this.asyncTrack(this.pid, this.name);
      const ex = `"id":${JSON.stringify(this.idText())}`;
      const slice = b.addSlice(track, tNs, NaN, this.name, this.cat, SliceFlag.ASYNC, this.details(r, ex), this.cname);
      if (parent >= 0) b.setParent(slice, parent);
      // Flow v2 on an async slice (Spanbeam's export binds arrows to async slices so).
      if (this.bindId !== null || this.flowIn || this.flowOut) this.flowV2(slice);
      if (!stack) {
        stack = [];
        this.asyncOpen.set(key, stack);
      }
      stack.push(slice);
      return;
    }
    if (ph === PH_e) {
      let k = -1;
      if (stack) {
        for (let i = stack.length - 1; i >= 0; i--) {
          if (this.name === 0 || b.sliceName(stack[i]) === this.name) {
            k = i;
            break;
          }
        }
      }
      if (!stack || k < 0) {
        b.diag('unmatched-async-end', `async end "${b.strings[this.name]}" without a matching begin`);
        b.noteTime(tNs);
        return;
      }
      const slice = stack[k];
      stack.splice(k, 1);
      if (stack.length === 0) this.asyncOpen.delete(key);
      b.setSliceDur(slice, tNs - b.sliceStart(slice));
      if (this.argsStart >= 0) this.mergeEndArgs(slice, this.details(r));
      return;
    }
    // 'n': an instant inside the innermost open slice of this id, else on the async track.
    const top = stack && stack.length > 0 ? stack[stack.length - 1] : -1;
    const track = top >= 0 ? b.sliceTrack(top) : this.asyncTrack(this.pid, this.name);
    b.addInstant(track, tNs, this.name, this.cat, InstantScope.THREAD, top, this.details(r));
  }

  private legacyAsync(r: JsonReader, tNs: number): void {
    const b = this.builder;
    const ph = this.ph;
    const key = `${b.strings[this.cat]}\u0000${this.idText()}\u0000${ph === PH_S || ph === PH_F ? b.strings[this.name] : ''}`;
    if (ph === PH_S) {
      const track = this.asyncTrack(this.pid, this.name);
      const ex = `"id":${JSON.stringify(this.idText())}`;
      const slice = b.addSlice(track, tNs, NaN, this.name, this.cat, SliceFlag.ASYNC, this.details(r, ex), this.cname);
      this.legacyOpen.set(key, slice);
      this.legacyOpen.set(`${b.strings[this.cat]}\u0000${this.idText()}\u0000`, slice);
      return;
    }
    const open = this.legacyOpen.get(key);
    if (open === undefined) {
      b.diag('unmatched-async-end', `async ${ph === PH_F ? 'end' : 'step'} "${b.strings[this.name]}" without a matching begin`);
      b.noteTime(tNs);
      return;
    }
    if (ph === PH_F) {
      b.setSliceDur(open, tNs - b.sliceStart(open));
      this.legacyOpen.delete(key);
      this.legacyOpen.delete(`${b.strings[this.cat]}\u0000${this.idText()}\u0000`);
      if (this.argsStart >= 0) this.mergeEndArgs(open, this.details(r));
      return;
    }
    // T / p: a step, shown as an instant on the async slice (catapult's reading of T).
    const args = this.parsedArgs(r);
    const step = typeof args?.step === 'string' ? b.intern(args.step) : this.name;
    b.addInstant(b.sliceTrack(open), tNs, step, this.cat, InstantScope.THREAD, open, this.details(r));
  }

  private mergeEndArgs(slice: number, endRef: number): void {
    if (endRef < 0) return;
    const b = this.builder;
    const det = b.details(b.sliceArgs(slice));
    const end = b.details(endRef);
    det.args = { ...(det.args ?? {}), ...(end.args ?? {}) };
    b.setSliceArgs(slice, b.addDetails(det));
  }

  private metadataEvent(r: JsonReader): void {
    const b = this.builder;
    const name = b.strings[this.name];
    // Kinds not listed (num_cpus, trace_buffer_overruns, …) are not drawn: no loss to report.
    const field = META_FIELDS.get(name);
    if (!field) return;
    const v = this.parsedArgs(r)?.[field];
    const type = field === 'sort_index' ? 'number' : 'string';
    if (typeof v !== type) {
      b.diag('invalid-args', `"${name}" metadata (${this.where()}): args.${field} is not a ${type}; ignored`);
      return;
    }
    if (name === 'process_name') b.setGroupName(this.processGroup(this.pid), v as string);
    else if (name === 'thread_name') b.setTrackName(this.threadTrack(this.pid, this.tid), v as string);
    else if (name === 'process_sort_index') b.setGroupSortIndex(this.processGroup(this.pid), v as number);
    else if (name === 'thread_sort_index') b.setTrackSortIndex(this.threadTrack(this.pid, this.tid), v as number);
    else {
      const g = this.processGroup(this.pid);
      for (const l of (v as string).split(',')) if (l.trim()) b.addGroupLabel(g, l.trim());
    }
  }

  private sampleEvent(tNs: number): void {
    const b = this.builder;
    const thread = this.threadTrack(this.pid, this.tid);
    const track = b.track(b.group(GroupKind.PROCESS, this.pid === null ? '' : String(this.pid)), TrackKind.SAMPLES, `samples:${String(this.tid)}`, `${b.trackName(thread) || `Thread ${String(this.tid)}`} samples`);
    this.processGroup(this.pid);
    this.threadNamed.set(track, [thread, this.tid, 'samples']);
    let l = this.sfSamples.get(track);
    if (!l) {
      l = [];
      this.sfSamples.set(track, l);
    }
    l.push({ tNs, frame: this.sf === null ? undefined : String(this.sf) });
  }

  /** Object-form top-level `samples`: {cpu, tid, ts, name, sf, weight}. */
  private commitTopSample(): void {
    if (this.ts !== this.ts) {
      this.builder.diag('invalid-event', `event ${this.where()} has no numeric "ts"; skipped`);
      return;
    }
    this.builder.countEvent('sample');
    this.sampleEvent(this.tsNs(this.ts));
  }

  private profileEvent(r: JsonReader): void {
    const b = this.builder;
    const args = this.parsedArgs(r);
    const data = args && isObj(args.data) ? args.data : {};
    const key = `${String(this.pid)}\u0000${this.idText()}`;
    let p = this.profiles.get(key);
    if (!p) {
      const track = b.track(this.processGroup(this.pid), TrackKind.SAMPLES, `profile:${this.idText()}`, 'CPU profile');
      p = { track, frames: new Map(), samples: [], relNs: 0, startNs: NaN, chunkNs: NaN, endNs: NaN };
      this.profiles.set(key, p);
    }
    if (b.strings[this.name] === 'Profile') {
      // The profiled thread (chunks come from V8's sampler thread).
      this.threadNamed.set(p.track, [this.threadTrack(this.pid, this.tid), this.tid, 'CPU profile']);
      const start = isInputTime(data.startTime) ? data.startTime : this.ts;
      if (start === start && start !== undefined) p.startNs = this.tsNs(start);
      return;
    }
    if (isInputTime(data.endTime)) p.endNs = this.tsNs(data.endTime);
    // Malformed pieces are skipped (samples naming a node that is not there are reported later).
    const cpu = isObj(data.cpuProfile) ? data.cpuProfile : {};
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    for (const n of list(cpu.nodes)) {
      if (!isObj(n)) continue;
      const cf = isObj(n.callFrame) ? n.callFrame : {};
      p.frames.set(String(n.id), {
        name: typeof cf.functionName === 'string' && cf.functionName ? cf.functionName : '(anonymous)',
        ...(n.parent !== undefined ? { parent: String(n.parent) } : {}),
        ...(typeof cf.url === 'string' && cf.url ? { url: cf.url } : {}),
      });
    }
    const deltas = list(data.timeDeltas);
    const samples = list(cpu.samples);
    if (p.chunkNs !== p.chunkNs && this.ts === this.ts) p.chunkNs = this.tsNs(this.ts);
    for (let i = 0; i < samples.length; i++) {
      const d = deltas[i];
      p.relNs += (isInputTime(d) ? d : 0) * 1000;
      p.samples.push({ tNs: p.relNs, frame: String(samples[i]) });
    }
  }

  // ---- end-of-input passes ----

  /** Matches B/E per thread in timestamp order (stable: file order breaks ties). */
  private flushBeginEnd(): void {
    const b = this.builder;
    for (const [, l] of this.be) {
      const n = l.ts.length;
      let order: number[] | null = null;
      for (let i = 1; i < n; i++) {
        if (l.ts[i] < l.ts[i - 1]) {
          order = Array.from({ length: n }, (_, k) => k).sort((x, y) => l.ts[x] - l.ts[y] || x - y);
          break;
        }
      }
      const stack: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = order ? order[k] : k;
        const ref = l.ref[i];
        if (ref >= 0) {
          stack.push(ref);
          continue;
        }
        const e = -ref - 1;
        const slice = stack.pop();
        if (slice === undefined) {
          b.diag('unmatched-end', `"E" event${this.eName[e] ? ` "${b.strings[this.eName[e]]}"` : ''} at ${l.ts[i] / 1000} µs has no open "B"`);
          b.noteTime(l.ts[i]);
          continue;
        }
        b.setSliceDur(slice, l.ts[i] - b.sliceStart(slice));
        if (this.eArgs[e] >= 0) this.mergeEndArgs(slice, this.eArgs[e]);
      }
      for (const s of stack) b.diag('unclosed-begin', `"B" event "${b.strings[b.sliceName(s)]}" never ended; drawn to the end of the trace`);
    }
  }

  /**
   * A trace Spanbeam exported (see model/chrome-export.ts) says what its times were: epoch times
   * written relative to `epoch_origin_ms` (µs that large would lose the ns), or an x axis of
   * samples / bytes / units rather than time.
   */
  private exportedBase(): void {
    const b = this.builder;
    const md = b.metadata;
    if (!md || md.exported_by !== 'spanbeam') return;
    const origin = md.epoch_origin_ms;
    if (md.clock === 'epoch' && typeof origin === 'number' && Number.isFinite(origin) && this.baseUs === this.baseUs) {
      b.setTimeBase(origin + this.baseUs / 1000, 'epoch');
    }
    const unit = md.value_unit;
    if (unit === 'samples' || unit === 'bytes' || unit === 'units') {
      b.valueUnit = unit;
      b.diag('abstract-units', `exported from a profile in ${unit}: laid out 1 ns per ${unit === 'bytes' ? 'byte' : unit === 'samples' ? 'sample' : 'unit'}, its x axis is not time`);
    }
  }

  /** Flow v2: each flow_out slice points at the next flow_in slice with the same id. */
  private flushFlowsV2(): void {
    const b = this.builder;
    for (const [, list] of this.v2) {
      list.sort((x, y) => b.sliceStart(x.slice) - b.sliceStart(y.slice));
      let from = -1;
      for (const e of list) {
        if (e.fin) {
          if (from >= 0) b.addFlow(from, e.slice, b.sliceStart(from), b.sliceStart(e.slice), FlowKind.FLOW);
          else b.diag('unbound-flow', 'flow_in slice without an earlier flow_out slice');
        }
        if (e.fout) from = e.slice;
      }
    }
  }

  private flushSamples(): void {
    const b = this.builder;
    if (this.sfSamples.size > 0) {
      const frames = new Map<string, Frame>();
      for (const [id, f] of Object.entries(this.stackFrames ?? {})) {
        frames.set(id, {
          name: f.name ?? id,
          ...(f.parent !== undefined ? { parent: String(f.parent) } : {}),
          ...(f.category ? { category: f.category } : {}),
        });
      }
      for (const [track, samples] of this.sfSamples) addSampledStacks(b, track, frames, samples);
    }
    const ignore = new Set(['(root)', '(idle)', '(program)']);
    for (const [, p] of this.profiles) {
      const start = p.startNs === p.startNs ? p.startNs : p.chunkNs === p.chunkNs ? p.chunkNs : 0;
      for (const s of p.samples) s.tNs += start;
      addSampledStacks(b, p.track, p.frames, p.samples, ignore, p.endNs);
    }
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Imports a whole Chrome trace held in memory (tests, small inputs). */
export function importChromeJson(input: Uint8Array | string, opts: ChromeImportOptions = {}): TraceModel {
  const imp = new ChromeJsonImporter(opts);
  imp.push(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  return imp.finish();
}
