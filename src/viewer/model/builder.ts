/**
 * TraceBuilder: importers append events into growable typed arrays; `finish()` lays them out as
 * an immutable TraceModel (sorted by track, depth, start; depths and parents computed).
 *
 * Layout rules (see issue 5):
 * - THREAD tracks nest as a call stack: sorted by start, ties longer-duration first; a slice that
 *   starts inside another but ends after it is cut to its parent's end (diagnostic), so rows never
 *   overlap. Unfinished slices (NaN duration) run to the trace end.
 * - ASYNC, TRACE and SAMPLES tracks are packed: a slice goes to the first free row at or below its
 *   parent's row + 1 (explicit parents via `setParent`), so non-overlapping slices share rows.
 *   A child is placed after its parent even when it starts before it (spans nest by parent id,
 *   as in Jaeger, not by time): drawn under its parent, never above it.
 */
import {
  GroupKind,
  SliceFlag,
  TrackKind,
  type ArgsTable,
  type CounterSeries,
  type Diagnostic,
  type DiagnosticKind,
  type FlowKind,
  type InstantScope,
  type SliceDetails,
  type SourceFormat,
  type StringId,
  type Track,
  type TrackGroup,
  type TraceModel,
} from './trace-model';

export interface BuilderOptions {
  /** Initial slice capacity (grows by doubling). */
  initialCapacity?: number;
  /** Initial bytes of the details side table (grows by doubling). */
  initialArgsBytes?: number;
}

interface GroupDraft {
  kind: GroupKind;
  key: string;
  name: string;
  sortIndex: number;
  labels: string[];
  order: number;
}

interface TrackDraft {
  kind: TrackKind;
  group: number;
  key: string;
  name: string;
  sortIndex: number;
  order: number;
  traceId: string;
}

interface SeriesDraft {
  track: number;
  name: string;
  times: Float64Array;
  values: Float64Array;
  n: number;
}

const MAX_DEPTH = 0xffff;
/** Most slices handled between two yields of `finishSteps()` (a few ms of work each). */
const STEP = 1 << 16;

/** Per-track row state carried across the pieces of `stackTrack` / `packTrack`. */
interface RowState {
  count: number;
  /** Per-row end times (packed tracks). */
  ends: number[];
  /** Call stack (THREAD tracks): open slices and their ends, `sp` entries deep. */
  stackIdx?: Int32Array;
  stackEnd?: Float64Array;
  sp: number;
  /**
   * Slices already placed (packed tracks): one flag per slice, shared by all tracks (a parent
   * is looked up only on its own track) — a Set per track costs more than the layout itself.
   */
  placed: Uint8Array;
  /** Packed tracks: children seen before their parent, by parent (see `packTrack`). */
  waiting?: Map<number, number[]>;
}
const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * A time, duration or weight read from a file (in its own unit) that stays finite once scaled to
 * ns and summed: one Infinity in the model blanks the whole view. Importers read larger values
 * as no number (1e308 µs is finite in the file, Infinity in ns).
 */
export function isInputTime(v: unknown): v is number {
  return typeof v === 'number' && v > -1e280 && v < 1e280;
}

/** Runs a stepped computation (see `TraceBuilder.finishSteps`) to its end in one go. */
export function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export class TraceBuilder {
  readonly format: SourceFormat;
  // String table: id 0 = ''.
  readonly strings: string[] = [''];
  private stringIds = new Map<string, number>([['', 0]]);

  private groupDrafts: GroupDraft[] = [];
  private groupByKey = new Map<string, number>();
  private trackDrafts: TrackDraft[] = [];
  private trackByKey = new Map<string, number>();

  // Slice columns (capacity `cap`, length `n`).
  private cap: number;
  n = 0;
  private sStart: Float64Array;
  private sDur: Float64Array;
  private sTrack: Uint32Array;
  private sName: Uint32Array;
  private sCat: Uint32Array;
  private sFlags: Uint8Array;
  private sArgs: Int32Array;
  private sColor: Uint32Array;
  private sParent: Int32Array;
  private hasParents = false;

  // Instants.
  private iCap = 256;
  private iN = 0;
  private iTime = new Float64Array(256);
  private iTrack = new Uint32Array(256);
  private iName = new Uint32Array(256);
  private iCat = new Uint32Array(256);
  private iScope = new Uint8Array(256);
  private iSlice = new Int32Array(256);
  private iArgs = new Int32Array(256);

  // Flows.
  private fCap = 64;
  private fN = 0;
  private fFrom = new Int32Array(64);
  private fTo = new Int32Array(64);
  private fFromNs = new Float64Array(64);
  private fToNs = new Float64Array(64);
  private fKind = new Uint8Array(64);
  private fName = new Uint32Array(64);
  private fCat = new Uint32Array(64);

  private endpoints: Array<{ key: string; phase: 's' | 't' | 'f'; track: number; tNs: number; enclosing: boolean; name: StringId; cat: StringId }> = [];

  private series: SeriesDraft[] = [];
  private seriesByKey = new Map<string, number>();

  // Details side table: JSON objects back to back.
  private aBytes: Uint8Array;
  private aLen = 0;
  private aOffsets: Uint32Array;
  private aN = 0;
  private truncated = new Map<number, number>();

  private diags = new Map<DiagnosticKind, { count: number; message: string }>();
  private counts: Record<string, number> = Object.create(null) as Record<string, number>;

  /** Source clock: the importer sets the base; times given to the builder are ns from it. */
  private baseMs = 0;
  private clock: 'epoch' | 'trace' = 'trace';
  displayTimeUnit: 'ms' | 'ns' = 'ms';
  metadata: Record<string, unknown> | undefined;
  /** See `TraceModel.valueUnit`. */
  valueUnit: TraceModel['valueUnit'];
  private maxTimeNs = -Infinity;

  constructor(format: SourceFormat, opts: BuilderOptions = {}) {
    this.format = format;
    // The columns are stored twice on purpose: V8 then treats these fields as mutable from the
    // start. With one store it assumes them constant, and drops the optimised importer code
    // the first time they change (growth, or a preview's snapshot) — in the middle of an import.
    this.cap = 16;
    this.sStart = new Float64Array(16);
    this.sDur = new Float64Array(16);
    this.sTrack = new Uint32Array(16);
    this.sName = new Uint32Array(16);
    this.sCat = new Uint32Array(16);
    this.sFlags = new Uint8Array(16);
    this.sArgs = new Int32Array(16);
    this.sColor = new Uint32Array(16);
    this.sParent = new Int32Array(16);
    this.aBytes = new Uint8Array(16);
    this.aOffsets = new Uint32Array(16);
    this.growSlices(Math.max(16, opts.initialCapacity ?? 1024));
    this.aBytes = new Uint8Array(Math.max(1 << 16, opts.initialArgsBytes ?? 0));
    this.aOffsets = new Uint32Array(Math.max(1024, this.cap + 1));
  }

  // ---- strings ----

  intern(s: string): StringId {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /**
   * Starts the string table as another model's, so its string ids are valid here too (a model
   * derived from it, e.g. merged stacks, keeps its names without interning each again). Call
   * before interning anything else; `intern` does not find these (a repeat gets a new id).
   */
  adoptStrings(strings: readonly string[]): void {
    for (let i = this.strings.length; i < strings.length; i++) this.strings.push(strings[i]);
  }

  // ---- time base ----

  /** Sets the source-clock origin that all ns times passed in are relative to. */
  setTimeBase(baseMs: number, clock: 'epoch' | 'trace'): void {
    this.baseMs = baseMs;
    this.clock = clock;
  }

  /** Marks a time as part of the trace extent (e.g. a metadata or ignored event's ts). */
  noteTime(tNs: number): void {
    if (tNs > this.maxTimeNs) this.maxTimeNs = tNs;
  }

  // ---- groups and tracks ----

  group(kind: GroupKind, key: string, name = ''): number {
    const k = `${kind}\u0000${key}`;
    let g = this.groupByKey.get(k);
    if (g === undefined) {
      g = this.groupDrafts.length;
      this.groupDrafts.push({ kind, key, name, sortIndex: 0, labels: [], order: g });
      this.groupByKey.set(k, g);
    }
    return g;
  }

  setGroupName(g: number, name: string): void {
    this.groupDrafts[g].name = name;
  }
  setGroupSortIndex(g: number, sortIndex: number): void {
    this.groupDrafts[g].sortIndex = sortIndex;
  }
  addGroupLabel(g: number, label: string): void {
    if (!this.groupDrafts[g].labels.includes(label)) this.groupDrafts[g].labels.push(label);
  }

  track(group: number, kind: TrackKind, key: string, name = ''): number {
    const k = `${group}\u0000${kind}\u0000${key}`;
    let t = this.trackByKey.get(k);
    if (t === undefined) {
      t = this.trackDrafts.length;
      this.trackDrafts.push({ kind, group, key, name, sortIndex: 0, order: t, traceId: '' });
      this.trackByKey.set(k, t);
    }
    return t;
  }

  setTrackName(t: number, name: string): void {
    this.trackDrafts[t].name = name;
  }
  /**
   * Moves a track to another group and kind (a Perfetto track whose descriptor arrives after its
   * first events). Its builder key stays as it was: importers that move tracks keep their own index.
   */
  moveTrack(t: number, group: number, kind: TrackKind): void {
    this.trackDrafts[t].group = group;
    this.trackDrafts[t].kind = kind;
  }
  trackName(t: number): string {
    return this.trackDrafts[t].name;
  }
  setTrackSortIndex(t: number, sortIndex: number): void {
    this.trackDrafts[t].sortIndex = sortIndex;
  }
  setTrackTraceId(t: number, traceId: string): void {
    this.trackDrafts[t].traceId = traceId;
  }

  // ---- slices ----

  /** Appends a slice; `durNs` NaN = unfinished. Returns its (pre-finish) index. */
  addSlice(
    track: number,
    startNs: number,
    durNs: number,
    name: StringId,
    category: StringId,
    flags = 0,
    args = -1,
    color = 0,
  ): number {
    const i = this.n;
    if (i === this.cap) this.growSlices();
    this.sStart[i] = startNs;
    this.sDur[i] = durNs;
    this.sTrack[i] = track;
    this.sName[i] = name;
    this.sCat[i] = category;
    this.sFlags[i] = flags;
    this.sArgs[i] = args;
    this.sColor[i] = color;
    this.sParent[i] = -1;
    this.n = i + 1;
    const end = durNs > 0 ? startNs + durNs : startNs;
    if (end > this.maxTimeNs) this.maxTimeNs = end;
    return i;
  }

  sliceStart(i: number): number {
    return this.sStart[i];
  }
  sliceDur(i: number): number {
    return this.sDur[i];
  }
  sliceTrack(i: number): number {
    return this.sTrack[i];
  }
  sliceName(i: number): StringId {
    return this.sName[i];
  }
  sliceArgs(i: number): number {
    return this.sArgs[i];
  }
  setSliceDur(i: number, durNs: number): void {
    this.sDur[i] = durNs;
    const end = this.sStart[i] + (durNs > 0 ? durNs : 0);
    if (end > this.maxTimeNs) this.maxTimeNs = end;
  }
  setSliceArgs(i: number, ref: number): void {
    this.sArgs[i] = ref;
  }
  setSliceName(i: number, name: StringId): void {
    this.sName[i] = name;
  }
  orFlags(i: number, flags: number): void {
    this.sFlags[i] |= flags;
  }
  /** Explicit parent (span formats, nestable async, sample frames); pre-finish indices. */
  setParent(i: number, parent: number): void {
    this.sParent[i] = parent;
    this.hasParents = true;
  }

  private growSlices(cap = this.cap * 2): void {
    this.sStart = growF64(this.sStart, cap);
    this.sDur = growF64(this.sDur, cap);
    this.sTrack = growU32(this.sTrack, cap);
    this.sName = growU32(this.sName, cap);
    this.sCat = growU32(this.sCat, cap);
    const f = new Uint8Array(cap);
    f.set(this.sFlags);
    this.sFlags = f;
    this.sArgs = growI32(this.sArgs, cap);
    this.sColor = growU32(this.sColor, cap);
    this.sParent = growI32(this.sParent, cap);
    this.cap = cap;
  }

  // ---- instants ----

  addInstant(
    track: number,
    timeNs: number,
    name: StringId,
    category: StringId,
    scope: InstantScope,
    slice = -1,
    args = -1,
  ): number {
    const i = this.iN;
    if (i === this.iCap) {
      const cap = this.iCap * 2;
      this.iTime = growF64(this.iTime, cap);
      this.iTrack = growU32(this.iTrack, cap);
      this.iName = growU32(this.iName, cap);
      this.iCat = growU32(this.iCat, cap);
      const s = new Uint8Array(cap);
      s.set(this.iScope);
      this.iScope = s;
      this.iSlice = growI32(this.iSlice, cap);
      this.iArgs = growI32(this.iArgs, cap);
      this.iCap = cap;
    }
    this.iTime[i] = timeNs;
    this.iTrack[i] = track;
    this.iName[i] = name;
    this.iCat[i] = category;
    this.iScope[i] = scope;
    this.iSlice[i] = slice;
    this.iArgs[i] = args;
    this.iN = i + 1;
    if (timeNs > this.maxTimeNs) this.maxTimeNs = timeNs;
    return i;
  }

  // ---- counters ----

  /** Series `name` on counter track `track` (created on first use). */
  counterSeries(track: number, name: string): number {
    const k = `${track}\u0000${name}`;
    let s = this.seriesByKey.get(k);
    if (s === undefined) {
      s = this.series.length;
      this.series.push({ track, name, times: new Float64Array(16), values: new Float64Array(16), n: 0 });
      this.seriesByKey.set(k, s);
    }
    return s;
  }

  addCounterValue(series: number, timeNs: number, value: number): void {
    const s = this.series[series];
    if (s.n === s.times.length) {
      s.times = growF64(s.times, s.n * 2);
      s.values = growF64(s.values, s.n * 2);
    }
    s.times[s.n] = timeNs;
    s.values[s.n] = value;
    s.n++;
    if (timeNs > this.maxTimeNs) this.maxTimeNs = timeNs;
  }

  // ---- flows ----

  addFlow(
    fromSlice: number,
    toSlice: number,
    fromNs: number,
    toNs: number,
    kind: FlowKind,
    name: StringId = 0,
    category: StringId = 0,
  ): void {
    const i = this.fN;
    if (i === this.fCap) {
      const cap = this.fCap * 2;
      this.fFrom = growI32(this.fFrom, cap);
      this.fTo = growI32(this.fTo, cap);
      this.fFromNs = growF64(this.fFromNs, cap);
      this.fToNs = growF64(this.fToNs, cap);
      const k = new Uint8Array(cap);
      k.set(this.fKind);
      this.fKind = k;
      this.fName = growU32(this.fName, cap);
      this.fCat = growU32(this.fCat, cap);
      this.fCap = cap;
    }
    this.fFrom[i] = fromSlice;
    this.fTo[i] = toSlice;
    this.fFromNs[i] = fromNs;
    this.fToNs[i] = toNs;
    this.fKind[i] = kind;
    this.fName[i] = name;
    this.fCat[i] = category;
    this.fN = i + 1;
    this.sFlags[fromSlice] |= SliceFlag.HAS_FLOWS;
    this.sFlags[toSlice] |= SliceFlag.HAS_FLOWS;
  }

  /**
   * A flow end point bound at finish() to a slice of a THREAD track: the deepest slice enclosing
   * tNs (`enclosing`), else the next slice starting at or after tNs. Chrome flow v1 (s/t/f):
   * end points with the same key are chained in arrival order, `s` starting and `f` ending a chain.
   */
  addFlowEndpoint(key: string, phase: 's' | 't' | 'f', track: number, tNs: number, enclosing: boolean, name: StringId, cat: StringId): void {
    this.endpoints.push({ key, phase, track, tNs, enclosing, name, cat });
  }

  // ---- details side table ----

  private ensureArgs(extra: number): void {
    if (this.aLen + extra > this.aBytes.length) {
      let cap = this.aBytes.length * 2;
      while (cap < this.aLen + extra) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.aBytes.subarray(0, this.aLen));
      this.aBytes = b;
    }
    if (this.aN + 2 > this.aOffsets.length) this.aOffsets = growU32(this.aOffsets, this.aOffsets.length * 2);
  }

  /**
   * Appends a details entry from the raw JSON bytes of an `args` object (copied; `raw` null for
   * none) plus already-serialised extra members `extra[0..extraLen)` (`"key":value` pairs,
   * comma-separated, UTF-8).
   */
  addDetailsBytes(raw: Uint8Array | null, start: number, end: number, extra: Uint8Array, extraLen: number): number {
    const rawLen = raw ? end - start : 0;
    this.ensureArgs(10 + rawLen + extraLen);
    const b = this.aBytes;
    let p = this.aLen;
    this.aOffsets[this.aN] = p;
    b[p++] = 0x7b; // {
    if (raw) {
      // "args":
      b[p++] = 0x22;
      b[p++] = 0x61;
      b[p++] = 0x72;
      b[p++] = 0x67;
      b[p++] = 0x73;
      b[p++] = 0x22;
      b[p++] = 0x3a;
      // Short runs copy faster by hand than through subarray + set.
      if (rawLen < 64) for (let i = start; i < end; i++) b[p++] = raw[i];
      else {
        b.set(raw.subarray(start, end), p);
        p += rawLen;
      }
      if (extraLen) b[p++] = 0x2c;
    }
    if (extraLen < 64) for (let i = 0; i < extraLen; i++) b[p++] = extra[i];
    else {
      b.set(extra.subarray(0, extraLen), p);
      p += extraLen;
    }
    b[p++] = 0x7d; // }
    this.aLen = p;
    this.aOffsets[++this.aN] = p;
    return this.aN - 1;
  }

  /** Appends a details entry from an object (slow path: span formats, repairs). */
  addDetails(details: SliceDetails): number {
    const bytes = encoder.encode(JSON.stringify(details));
    this.ensureArgs(bytes.length);
    this.aOffsets[this.aN] = this.aLen;
    this.aBytes.set(bytes, this.aLen);
    this.aLen += bytes.length;
    this.aOffsets[++this.aN] = this.aLen;
    return this.aN - 1;
  }

  /**
   * Appends `{"args":{members},"threadDurNs":n}` written straight into the side table: `members`
   * are serialised JSON object members ('' for no args), `threadDurNs` NaN for none. One details
   * object and one JSON.stringify per slice was the protobuf importer's hot spot.
   */
  addDetailsArgs(members: string, threadDurNs: number): number {
    this.ensureArgs(32);
    this.aOffsets[this.aN] = this.aLen;
    this.text('{');
    if (members) {
      this.text('"args":{');
      this.text(members);
      this.text(threadDurNs === threadDurNs ? '},' : '}');
    }
    if (threadDurNs === threadDurNs) {
      this.text('"threadDurNs":');
      if (threadDurNs >= 0 && threadDurNs < 1e15 && threadDurNs % 1 === 0) {
        // Digits by hand: String(number) per slice showed in profiles.
        this.ensureArgs(16);
        const out = this.aBytes;
        let p = this.aLen;
        let d = 1;
        while (d * 10 <= threadDurNs) d *= 10;
        for (; d >= 1; d /= 10) out[p++] = 48 + (Math.floor(threadDurNs / d) % 10);
        this.aLen = p;
      } else this.text(String(threadDurNs));
    }
    this.text('}');
    this.aOffsets[++this.aN] = this.aLen;
    return this.aN - 1;
  }

  /** Appends UTF-8 text to the side table (ASCII by hand: cheaper than a view + encodeInto per entry). */
  private text(s: string): void {
    const n = s.length;
    if (n > 4096) {
      // A long text (a huge string arg) is measured, not reserved at 3 bytes per unit.
      const bytes = encoder.encode(s);
      this.ensureArgs(bytes.length);
      this.aBytes.set(bytes, this.aLen);
      this.aLen += bytes.length;
      return;
    }
    if (this.aLen + n * 3 > this.aBytes.length) this.ensureArgs(n * 3);
    const out = this.aBytes;
    let p = this.aLen;
    let i = 0;
    for (let c: number; i < n && (c = s.charCodeAt(i)) < 0x80; i++) out[p++] = c;
    if (i < n) p += encoder.encodeInto(i ? s.slice(i) : s, out.subarray(p)).written;
    this.aLen = p;
  }

  /** Decodes an entry already added (used to merge `E` args into `B`). */
  details(ref: number): SliceDetails {
    if (ref < 0) return {};
    const text = new TextDecoder().decode(this.aBytes.subarray(this.aOffsets[ref], this.aOffsets[ref + 1]));
    try {
      return JSON.parse(text) as SliceDetails;
    } catch {
      // Raw `args` bytes are copied unvalidated (e.g. `01`, a raw tab in a string); a merge or
      // repair must not fail the whole import with JSON.parse's message. Those args are lost.
      this.diag('invalid-event', `details not valid JSON (args dropped): ${text.slice(0, 80)}`);
      return {};
    }
  }

  // ---- diagnostics and counts ----

  /** Counts `n` occurrences of `kind`; the first message describes them. */
  diag(kind: DiagnosticKind, message: string, n = 1): void {
    const d = this.diags.get(kind);
    if (d) d.count += n;
    else this.diags.set(kind, { count: n, message });
  }

  countEvent(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  get sliceCount(): number {
    return this.n;
  }

  /**
   * A copy of everything added so far, for a preview model while the import goes on: `finish()`
   * lays out its own arrays in place, so the copy can be finished without disturbing this one.
   * Only for finishing: it does not share or extend the string index.
   */
  snapshot(): TraceBuilder {
    const c = new TraceBuilder(this.format, { initialCapacity: 16 });
    const n = this.n;
    const strings = c.strings as string[];
    strings.length = 0;
    for (const s of this.strings) strings.push(s);
    c.groupDrafts = this.groupDrafts.map((g) => ({ ...g, labels: g.labels.slice() }));
    c.trackDrafts = this.trackDrafts.map((t) => ({ ...t }));
    c.cap = Math.max(16, n);
    c.n = n;
    c.sStart = this.sStart.slice(0, c.cap);
    c.sDur = this.sDur.slice(0, c.cap);
    c.sTrack = this.sTrack.slice(0, c.cap);
    c.sName = this.sName.slice(0, c.cap);
    c.sCat = this.sCat.slice(0, c.cap);
    c.sFlags = this.sFlags.slice(0, c.cap);
    c.sArgs = this.sArgs.slice(0, c.cap);
    c.sColor = this.sColor.slice(0, c.cap);
    c.sParent = this.sParent.slice(0, c.cap);
    c.hasParents = this.hasParents;
    c.iCap = Math.max(16, this.iN);
    c.iN = this.iN;
    c.iTime = this.iTime.slice(0, c.iCap);
    c.iTrack = this.iTrack.slice(0, c.iCap);
    c.iName = this.iName.slice(0, c.iCap);
    c.iCat = this.iCat.slice(0, c.iCap);
    c.iScope = this.iScope.slice(0, c.iCap);
    c.iSlice = this.iSlice.slice(0, c.iCap);
    c.iArgs = this.iArgs.slice(0, c.iCap);
    c.fCap = Math.max(16, this.fN);
    c.fN = this.fN;
    c.fFrom = this.fFrom.slice(0, c.fCap);
    c.fTo = this.fTo.slice(0, c.fCap);
    c.fFromNs = this.fFromNs.slice(0, c.fCap);
    c.fToNs = this.fToNs.slice(0, c.fCap);
    c.fKind = this.fKind.slice(0, c.fCap);
    c.fName = this.fName.slice(0, c.fCap);
    c.fCat = this.fCat.slice(0, c.fCap);
    c.endpoints = this.endpoints.slice();
    c.series = this.series.map((s) => ({ ...s, times: s.times.slice(0, Math.max(1, s.n)), values: s.values.slice(0, Math.max(1, s.n)) }));
    c.aBytes = this.aBytes.slice(0, Math.max(16, this.aLen));
    c.aLen = this.aLen;
    c.aOffsets = this.aOffsets.slice(0, this.aN + 2);
    c.aN = this.aN;
    c.truncated = new Map(this.truncated);
    c.diags = new Map([...this.diags].map(([k, d]) => [k, { ...d }]));
    c.counts = Object.assign(Object.create(null) as Record<string, number>, this.counts);
    c.baseMs = this.baseMs;
    c.clock = this.clock;
    c.displayTimeUnit = this.displayTimeUnit;
    if (this.metadata) c.metadata = this.metadata;
    c.valueUnit = this.valueUnit;
    c.maxTimeNs = this.maxTimeNs;
    return c;
  }

  // ---- finish ----

  /** Lays the model out in one go (Worker, tests, small inputs). */
  finish(): TraceModel {
    return runSteps(this.finishSteps());
  }

  /**
   * The same layout as `finish()`, in steps: it yields after each bounded piece of work (at most
   * STEP slices), so the main-thread fallback can give the event loop a turn between pieces.
   */
  *finishSteps(): Generator<void, TraceModel, void> {
    const n = this.n;
    const endNs = this.computeEnd();
    // Unfinished slices run to the end; negative durations become 0.
    for (let a = 0; a < n; a += STEP) {
      this.settleDurations(a, Math.min(n, a + STEP), endNs);
      yield;
    }
    const { trackMap, tracks: keptTracks } = this.pruneTracks();
    const trackCount = keptTracks.length;
    const sTrack = this.sTrack;
    // The passes over all slices live in small functions of their own: V8 optimises a loop
    // sooner in a small function than inside this large generator (which it may never optimise).
    for (let a = 0; a < n; a += STEP) {
      remapTracks(sTrack, trackMap, a, Math.min(n, a + STEP));
      yield;
    }

    // 1. Order by (track, start, -dur) via counting sort by track + per-track sort when needed.
    const byTrack = countingOrder(this.sTrack, n, trackCount);
    const trackStart = byTrack.start;
    const order = byTrack.order;
    yield;
    for (let t = 0; t < trackCount; t++) yield* this.sortTrackRange(order, trackStart[t], trackStart[t + 1]);

    // 2. Depths and parents.
    const depth = new Uint16Array(n);
    const parent = this.sParent; // explicit parents (pre-finish indices) or -1
    const rowCounts = new Uint32Array(trackCount);
    const placed = new Uint8Array(n);
    for (let t = 0; t < trackCount; t++) {
      const kind = keptTracks[t].kind;
      const a = trackStart[t];
      const b = trackStart[t + 1];
      const rows: RowState = { count: 0, ends: [], sp: 0, placed };
      for (let c = a; c < b; c += STEP) {
        const d = Math.min(b, c + STEP);
        if (kind === TrackKind.THREAD) this.stackTrack(order, c, d, depth, parent, rows);
        else this.packTrack(order, c, d, depth, parent, rows);
        yield;
      }
      if (kind !== TrackKind.THREAD && b > a) this.packLeftovers(sTrack[order[a]], depth, parent, rows);
      rowCounts[t] = rows.count;
    }

    // 3. Final order: stable counting sort by row (track, depth).
    const rowStart = new Uint32Array(trackCount + 1);
    for (let t = 0; t < trackCount; t++) rowStart[t + 1] = rowStart[t] + rowCounts[t];
    const rowTotal = rowStart[trackCount];
    const rowSliceStart = new Uint32Array(rowTotal + 1);
    for (let a = 0; a < n; a += STEP) {
      countRows(rowSliceStart, rowStart, sTrack, depth, a, Math.min(n, a + STEP));
      yield;
    }
    for (let r = 0; r < rowTotal; r++) rowSliceStart[r + 1] += rowSliceStart[r];
    const fill = rowSliceStart.slice(0, Math.max(rowTotal, 1));
    const finalOrder = new Uint32Array(n);
    const newIndex = new Int32Array(n);
    for (let a = 0; a < n; a += STEP) {
      placeRows(order, fill, rowStart, sTrack, depth, finalOrder, newIndex, a, Math.min(n, a + STEP));
      yield;
    }

    // 4. Repaired durations recorded in details.
    for (const [i, orig] of this.truncated) {
      const det = this.details(this.sArgs[i]);
      det.originalDurNs = orig;
      this.sArgs[i] = this.addDetails(det);
    }

    // 5. Shift times so the earliest is 0.
    const startNs = this.computeStart();
    const shift = Number.isFinite(startNs) ? startNs : 0;
    yield;

    const sStartOut = new Float64Array(n);
    const sDurOut = new Float64Array(n);
    const sTrackOut = new Uint32Array(n);
    const sDepthOut = new Uint16Array(n);
    const sNameOut = new Uint32Array(n);
    const sCatOut = new Uint32Array(n);
    const sParentOut = new Int32Array(n);
    const sFlagsOut = new Uint8Array(n);
    const sColorOut = new Uint32Array(n);
    const sArgsOut = new Int32Array(n);
    const out: SliceCols = {
      start: sStartOut,
      dur: sDurOut,
      track: sTrackOut,
      depth: sDepthOut,
      name: sNameOut,
      cat: sCatOut,
      parent: sParentOut,
      flags: sFlagsOut,
      color: sColorOut,
      args: sArgsOut,
    };
    const src: SliceCols = {
      start: this.sStart,
      dur: this.sDur,
      track: sTrack,
      depth,
      name: this.sName,
      cat: this.sCat,
      parent,
      flags: this.sFlags,
      color: this.sColor,
      args: this.sArgs,
    };
    for (let a = 0; a < n; a += STEP) {
      gatherSlices(out, src, finalOrder, newIndex, shift, a, Math.min(n, a + STEP));
      yield;
    }

    if (this.endpoints.length > 0) {
      const cols = { startNs: sStartOut, durNs: sDurOut };
      this.resolveEndpoints(trackMap, rowStart, rowSliceStart, cols, shift, finalOrder);
      for (let i = 0; i < this.fN; i++) {
        sFlagsOut[newIndex[this.fFrom[i]]] |= SliceFlag.HAS_FLOWS;
        sFlagsOut[newIndex[this.fTo[i]]] |= SliceFlag.HAS_FLOWS;
      }
    }
    const instants = this.finishInstants(trackMap, trackCount, newIndex, shift);
    const flows = this.finishFlows(newIndex, shift);
    const counters: CounterSeries[] = [];
    const trackSeries: number[][] = keptTracks.map(() => []);
    for (const s of this.series) {
      const t = trackMap[s.track];
      if (t < 0 || s.n === 0) continue;
      const id = counters.length;
      counters.push(finishSeries(s, id, t, shift));
      trackSeries[t].push(id);
    }

    const tracks: Track[] = keptTracks.map((d, t) => ({
      id: t,
      kind: d.kind,
      group: d.group,
      name: d.name,
      key: d.key,
      sortIndex: d.sortIndex,
      rowCount: rowCounts[t],
      counterSeries: trackSeries[t],
      traceId: d.traceId,
    }));
    const groups = this.finishGroups(tracks);

    const args: ArgsTable = {
      count: this.aN,
      bytes: this.aBytes.slice(0, this.aLen),
      offsets: this.aOffsets.slice(0, this.aN + 1),
    };
    const diagnostics: Diagnostic[] = [...this.diags].map(([kind, d]) => ({ kind, count: d.count, message: d.message }));
    const empty = n === 0 && this.iN === 0 && counters.length === 0;
    return {
      format: this.format,
      version: 1,
      strings: this.strings,
      originMs: this.baseMs + shift / 1e6,
      clock: this.clock,
      startNs: 0,
      endNs: empty ? 0 : endNs - shift,
      displayTimeUnit: this.displayTimeUnit,
      groups,
      tracks,
      slices: {
        count: n,
        startNs: sStartOut,
        durNs: sDurOut,
        track: sTrackOut,
        depth: sDepthOut,
        name: sNameOut,
        category: sCatOut,
        parent: sParentOut,
        flags: sFlagsOut,
        color: sColorOut,
        args: sArgsOut,
      },
      rows: { rowStart, rowSliceStart },
      instants,
      counters,
      flows,
      args,
      diagnostics,
      ...(this.metadata ? { metadata: this.metadata } : {}),
      ...(this.valueUnit ? { valueUnit: this.valueUnit } : {}),
      eventCounts: { ...this.counts },
    };
  }

  private resolveEndpoints(
    trackMap: Int32Array,
    rowStart: Uint32Array,
    rowSliceStart: Uint32Array,
    cols: { startNs: Float64Array; durNs: Float64Array },
    shift: number,
    finalOrder: Uint32Array,
  ): void {
    const bind = (track: number, t: number, enclosing: boolean): number => {
      if (track < 0) return -1;
      const r0 = rowStart[track];
      const r1 = rowStart[track + 1];
      if (enclosing) {
        for (let r = r1 - 1; r >= r0; r--) {
          // last slice in row starting at or before t
          let lo = rowSliceStart[r];
          let hi = rowSliceStart[r + 1];
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (cols.startNs[mid] <= t) lo = mid + 1;
            else hi = mid;
          }
          const k = lo - 1;
          if (k >= rowSliceStart[r] && cols.startNs[k] + cols.durNs[k] >= t) return k;
        }
        return -1;
      }
      let best = -1;
      for (let r = r0; r < r1; r++) {
        let lo = rowSliceStart[r];
        let hi = rowSliceStart[r + 1];
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cols.startNs[mid] < t) lo = mid + 1;
          else hi = mid;
        }
        if (lo < rowSliceStart[r + 1] && (best < 0 || cols.startNs[lo] < cols.startNs[best])) best = lo;
      }
      return best;
    };
    const prev = new Map<string, { slice: number; tNs: number }>();
    for (const e of this.endpoints) {
      const t = e.tNs - shift;
      const k = bind(trackMap[e.track] ?? -1, t, e.enclosing);
      if (k < 0) {
        this.diag('unbound-flow', `flow end point '${e.phase}' at ${t / 1000} µs has no slice to bind to`);
        if (e.phase === 'f') prev.delete(e.key);
        continue;
      }
      const from = prev.get(e.key);
      if (e.phase !== 's') {
        if (from) this.addFlow(finalOrder[from.slice], finalOrder[k], from.tNs + shift, e.tNs, 0, e.name, e.cat);
        else this.diag('unbound-flow', `flow step/end '${e.phase}' with no start`);
      }
      if (e.phase === 'f') prev.delete(e.key);
      else prev.set(e.key, { slice: k, tNs: t });
    }
  }

  private computeEnd(): number {
    let end = this.maxTimeNs;
    if (end === -Infinity) end = 0;
    return end;
  }

  private computeStart(): number {
    let min = Infinity;
    const s = this.sStart;
    for (let i = 0; i < this.n; i++) if (s[i] < min) min = s[i];
    for (let i = 0; i < this.iN; i++) if (this.iTime[i] < min) min = this.iTime[i];
    for (const se of this.series) for (let i = 0; i < se.n; i++) if (se.times[i] < min) min = se.times[i];
    return min;
  }

  /** Drops tracks with nothing to show; returns old→new map (-1 = dropped). */
  private pruneTracks(): { trackMap: Int32Array; tracks: TrackDraft[] } {
    const used = new Uint8Array(this.trackDrafts.length);
    for (let i = 0; i < this.n; i++) used[this.sTrack[i]] = 1;
    for (let i = 0; i < this.iN; i++) used[this.iTrack[i]] = 1;
    for (const s of this.series) if (s.n > 0) used[s.track] = 1;
    const trackMap = new Int32Array(this.trackDrafts.length).fill(-1);
    const tracks: TrackDraft[] = [];
    this.trackDrafts.forEach((d, t) => {
      if (used[t]) {
        trackMap[t] = tracks.length;
        tracks.push(d);
      }
    });
    return { trackMap, tracks };
  }

  /** Unfinished slices (NaN) run to the trace end; negative durations become 0 (diagnostic). */
  private settleDurations(a: number, b: number, endNs: number): void {
    for (let i = a; i < b; i++) {
      const d = this.sDur[i];
      if (d !== d) {
        this.sDur[i] = Math.max(0, endNs - this.sStart[i]);
        this.sFlags[i] |= SliceFlag.UNFINISHED;
      } else if (d < 0) {
        this.sDur[i] = 0;
        this.sFlags[i] |= SliceFlag.TRUNCATED;
        this.truncated.set(i, d);
        this.diag('negative-duration', `slice "${this.strings[this.sName[i]]}" has negative duration ${d / 1000} µs`);
      }
    }
  }

  /** Sorts order[a..b) by (start, -dur, index) unless already sorted. */
  private *sortTrackRange(order: Uint32Array, a: number, b: number): Generator<void, void, void> {
    const s = this.sStart;
    const d = this.sDur;
    const durKey = (i: number): number => (d[i] !== d[i] ? Infinity : d[i]);
    let sorted = true;
    for (let k = a + 1; k < b; k++) {
      const x = order[k - 1];
      const y = order[k];
      if (s[x] > s[y] || (s[x] === s[y] && durKey(x) < durKey(y))) {
        sorted = false;
        break;
      }
    }
    if (sorted) return;
    yield* sortSteps(order, a, b, (x, y) => s[x] - s[y] || durKey(y) - durKey(x) || x - y);
  }

  /** Call-stack nesting of order[a..b) (one piece of a track; `st` carries the stack across pieces). */
  private stackTrack(order: Uint32Array, a: number, b: number, depth: Uint16Array, parent: Int32Array, st: RowState): void {
    let rows = st.count;
    const s = this.sStart;
    const d = this.sDur;
    // The open slices and their ends, as a stack of at most one entry per depth.
    let stackIdx = st.stackIdx ?? new Int32Array(64);
    let stackEnd = st.stackEnd ?? new Float64Array(64);
    let sp = st.sp;
    for (let k = a; k < b; k++) {
      const i = order[k];
      const start = s[i];
      let end = start + d[i];
      while (sp > 0 && stackEnd[sp - 1] <= start) sp--;
      if (sp > 0 && end > stackEnd[sp - 1]) {
        end = this.cutToParent(i, stackIdx[sp - 1], stackEnd[sp - 1]);
      }
      let at = sp;
      if (at > MAX_DEPTH) {
        this.diag('depth-limit', 'nesting deeper than 65535 levels; flattened');
        at = MAX_DEPTH;
      }
      depth[i] = at;
      if (parent[i] < 0) parent[i] = sp > 0 ? stackIdx[sp - 1] : -1;
      if (at + 1 > rows) rows = at + 1;
      if (sp === stackIdx.length) {
        stackIdx = growI32(stackIdx, sp * 2);
        stackEnd = growF64(stackEnd, sp * 2);
      }
      stackIdx[sp] = i;
      stackEnd[sp] = end;
      sp++;
    }
    st.count = rows;
    st.sp = sp;
    st.stackIdx = stackIdx;
    st.stackEnd = stackEnd;
  }

  /** Slice i starts inside `parent` but ends after it: cut to the parent's end (diagnostic). */
  private cutToParent(i: number, parent: number, parentEnd: number): number {
    const start = this.sStart[i];
    const cut = parentEnd - start;
    if (!this.truncated.has(i)) this.truncated.set(i, this.sDur[i]);
    this.diag(
      'overlapping-slice',
      `slice "${this.strings[this.sName[i]]}" ends after its parent "${this.strings[this.sName[parent]]}"; cut to the parent's end`,
    );
    this.sDur[i] = cut;
    this.sFlags[i] |= SliceFlag.TRUNCATED;
    return start + cut;
  }

  /** Row packing with parent constraints (one piece of a track; `st.ends` = each row's end). */
  private packTrack(order: Uint32Array, a: number, b: number, depth: Uint16Array, parent: Int32Array, st: RowState): void {
    const placed = st.placed;
    const track = a < b ? this.sTrack[order[a]] : 0;
    for (let k = a; k < b; k++) {
      const i = order[k];
      const p = this.hasParents ? parent[i] : -1;
      // A child that starts before its parent (spans may: an INP span from the pointerdown under
      // its click span) waits for it: placed first, it would take the parent's row, and the
      // parent would be drawn under its own child.
      if (p >= 0 && placed[p] === 0 && this.sTrack[p] === track) {
        const waiting = (st.waiting ??= new Map());
        const w = waiting.get(p);
        if (w) w.push(i);
        else waiting.set(p, [i]);
        continue;
      }
      this.packSlice(i, track, depth, parent, st);
      if (st.waiting !== undefined && st.waiting.size > 0) this.packWaiting(i, track, depth, parent, st);
    }
    st.count = st.ends.length;
  }

  /** Places slice i at the first free row at or below its (placed, same-track) parent's row + 1. */
  private packSlice(i: number, track: number, depth: Uint16Array, parent: Int32Array, st: RowState): void {
    const rowEnd = st.ends;
    const start = this.sStart[i];
    const p = this.hasParents ? parent[i] : -1;
    let r = p >= 0 && this.sTrack[p] === track && st.placed[p] === 1 ? depth[p] + 1 : 0;
    // A zero-length slice must not share a row position with a slice that is still open. Rows
    // stay disjoint in any placement order: a slice joins a row only after all of it has ended.
    while (r < rowEnd.length && rowEnd[r] > start) r++;
    if (r > MAX_DEPTH) {
      this.diag('depth-limit', 'more than 65535 overlapping slices on one track; flattened');
      r = MAX_DEPTH;
    }
    while (rowEnd.length <= r) rowEnd.push(-Infinity);
    rowEnd[r] = Math.max(rowEnd[r], start + this.sDur[i]);
    depth[i] = r;
    st.placed[i] = 1;
  }

  /** Places the children that waited for slice i (just placed), theirs after them, and so on. */
  private packWaiting(i: number, track: number, depth: Uint16Array, parent: Int32Array, st: RowState): void {
    const waiting = st.waiting;
    const first = waiting?.get(i);
    if (!waiting || !first) return;
    waiting.delete(i);
    const queue = first;
    for (let q = 0; q < queue.length; q++) {
      const c = queue[q];
      this.packSlice(c, track, depth, parent, st);
      const w = waiting.get(c);
      if (w) {
        waiting.delete(c);
        for (const x of w) queue.push(x);
      }
    }
  }

  /** End of a packed track: children still waiting (a parent loop on the track) are placed as they are. */
  private packLeftovers(track: number, depth: Uint16Array, parent: Int32Array, st: RowState): void {
    const waiting = st.waiting;
    if (!waiting) return;
    for (const [p, w] of waiting) {
      waiting.delete(p);
      for (const c of w) {
        this.packSlice(c, track, depth, parent, st);
        this.packWaiting(c, track, depth, parent, st);
      }
    }
    st.count = st.ends.length;
  }

  private finishInstants(trackMap: Int32Array, trackCount: number, newIndex: Int32Array, shift: number) {
    const n = this.iN;
    const tr = new Uint32Array(n);
    for (let i = 0; i < n; i++) tr[i] = trackMap[this.iTrack[i]];
    const { order, start } = countingOrder(tr, n, trackCount);
    const t = this.iTime;
    for (let k = 0; k < trackCount; k++) {
      const a = start[k];
      const b = start[k + 1];
      let sorted = true;
      for (let j = a + 1; j < b; j++) if (t[order[j - 1]] > t[order[j]]) sorted = false;
      if (!sorted) {
        const sub = Array.from(order.subarray(a, b));
        sub.sort((x, y) => t[x] - t[y] || x - y);
        order.set(sub, a);
      }
    }
    const timeNs = new Float64Array(n);
    const track = new Uint32Array(n);
    const name = new Uint32Array(n);
    const category = new Uint32Array(n);
    const scope = new Uint8Array(n);
    const slice = new Int32Array(n);
    const args = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k];
      timeNs[k] = t[i] - shift;
      track[k] = tr[i];
      name[k] = this.iName[i];
      category[k] = this.iCat[i];
      scope[k] = this.iScope[i];
      slice[k] = this.iSlice[i] >= 0 ? newIndex[this.iSlice[i]] : -1;
      args[k] = this.iArgs[i];
    }
    return { count: n, timeNs, track, name, category, scope, slice, args, trackStart: start };
  }

  private finishFlows(newIndex: Int32Array, shift: number) {
    const n = this.fN;
    const idx = Array.from({ length: n }, (_, i) => i);
    const from = this.fFrom;
    const to = this.fTo;
    // Flows out of one slice in the order of their targets: the same whatever order they were added in (a saved span trace rebuilt).
    idx.sort((x, y) => newIndex[from[x]] - newIndex[from[y]] || newIndex[to[x]] - newIndex[to[y]] || x - y);
    const out = {
      count: n,
      fromSlice: new Int32Array(n),
      toSlice: new Int32Array(n),
      fromNs: new Float64Array(n),
      toNs: new Float64Array(n),
      kind: new Uint8Array(n),
      name: new Uint32Array(n),
      category: new Uint32Array(n),
      inOrder: new Uint32Array(n),
    };
    idx.forEach((i, k) => {
      out.fromSlice[k] = newIndex[from[i]];
      out.toSlice[k] = newIndex[to[i]];
      out.fromNs[k] = this.fFromNs[i] - shift;
      out.toNs[k] = this.fToNs[i] - shift;
      out.kind[k] = this.fKind[i];
      out.name[k] = this.fName[i];
      out.category[k] = this.fCat[i];
    });
    const inOrder = Array.from({ length: n }, (_, k) => k);
    inOrder.sort((x, y) => out.toSlice[x] - out.toSlice[y] || x - y);
    out.inOrder.set(inOrder);
    return out;
  }

  private finishGroups(tracks: Track[]): TrackGroup[] {
    const members: number[][] = this.groupDrafts.map(() => []);
    for (const t of tracks) members[t.group].push(t.id);
    const rank = (k: TrackKind): number =>
      k === TrackKind.INSTANTS ? 0 : k === TrackKind.COUNTER ? 1 : k === TrackKind.ASYNC ? 2 : 3;
    const keyCmp = (a: string, b: string): number => {
      const na = Number(a);
      const nb = Number(b);
      if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
      return a < b ? -1 : a > b ? 1 : 0;
    };
    const groupIds = this.groupDrafts.map((_, g) => g).filter((g) => members[g].length > 0);
    const gd = this.groupDrafts;
    groupIds.sort(
      (x, y) =>
        gd[x].sortIndex - gd[y].sortIndex ||
        (gd[x].kind === GroupKind.GLOBAL ? 1 : 0) - (gd[y].kind === GroupKind.GLOBAL ? 1 : 0) ||
        keyCmp(gd[x].key, gd[y].key) ||
        x - y,
    );
    const remap = new Int32Array(this.groupDrafts.length).fill(-1);
    groupIds.forEach((g, k) => (remap[g] = k));
    const groups = groupIds.map((g, k): TrackGroup => {
      const list = members[g].slice();
      list.sort(
        (x, y) =>
          rank(tracks[x].kind) - rank(tracks[y].kind) ||
          tracks[x].sortIndex - tracks[y].sortIndex ||
          (tracks[x].kind === TrackKind.THREAD ? keyCmp(tracks[x].key, tracks[y].key) : 0) ||
          x - y,
      );
      return { id: k, kind: gd[g].kind, name: gd[g].name, key: gd[g].key, sortIndex: gd[g].sortIndex, labels: gd[g].labels, tracks: list };
    });
    for (const t of tracks) (t as { group: number }).group = remap[t.group];
    return groups;
  }
}

function finishSeries(s: SeriesDraft, id: number, track: number, shift: number): CounterSeries {
  const idx = Array.from({ length: s.n }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < s.n; i++) if (s.times[i - 1] > s.times[i]) sorted = false;
  if (!sorted) idx.sort((a, b) => s.times[a] - s.times[b] || a - b);
  const timesNs = new Float64Array(s.n);
  const values = new Float64Array(s.n);
  let min = Infinity;
  let max = -Infinity;
  idx.forEach((i, k) => {
    timesNs[k] = s.times[i] - shift;
    const v = s.values[i];
    values[k] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  });
  return { id, track, name: s.name, timesNs, values, min, max };
}

/**
 * Sorts order[a..b) by `cmp` (a total order) in steps: runs sorted natively, then bottom-up
 * merges that yield every STEP elements, so no single step is long even for one huge track.
 */
function* sortSteps(order: Uint32Array, a: number, b: number, cmp: (x: number, y: number) => number): Generator<void, void, void> {
  const len = b - a;
  const RUN = 1 << 14;
  for (let r = a; r < b; r += RUN) {
    order.subarray(r, Math.min(b, r + RUN)).sort(cmp);
    if (((r - a + RUN) & (STEP - 1)) === 0) yield;
  }
  if (len <= RUN) return;
  let src: Uint32Array = order.subarray(a, b);
  let dst: Uint32Array = new Uint32Array(len);
  let inPlace = true;
  for (let width = RUN; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(lo + width, len);
      const hi = Math.min(lo + 2 * width, len);
      let i = lo;
      let j = mid;
      let k = lo;
      while (k < hi) {
        const stop = Math.min(hi, k + STEP);
        while (k < stop) {
          if (j >= hi || (i < mid && cmp(src[i], src[j]) <= 0)) dst[k++] = src[i++];
          else dst[k++] = src[j++];
        }
        yield;
      }
    }
    const t = src;
    src = dst;
    dst = t;
    inPlace = !inPlace;
  }
  if (!inPlace) order.set(src, a);
}

/** Track ids through the map of kept tracks, for slices [a, b). */
function remapTracks(sTrack: Uint32Array, trackMap: Int32Array, a: number, b: number): void {
  for (let i = a; i < b; i++) sTrack[i] = trackMap[sTrack[i]];
}

/** Counts slices per row (track, depth) into rowSliceStart[row + 1], for slices [a, b). */
function countRows(rowSliceStart: Uint32Array, rowStart: Uint32Array, sTrack: Uint32Array, depth: Uint16Array, a: number, b: number): void {
  for (let i = a; i < b; i++) rowSliceStart[rowStart[sTrack[i]] + depth[i] + 1]++;
}

/** Places order[a..b) at the next free position of its row; records both directions. */
function placeRows(
  order: Uint32Array,
  fill: Uint32Array,
  rowStart: Uint32Array,
  sTrack: Uint32Array,
  depth: Uint16Array,
  finalOrder: Uint32Array,
  newIndex: Int32Array,
  a: number,
  b: number,
): void {
  for (let k = a; k < b; k++) {
    const i = order[k];
    const pos = fill[rowStart[sTrack[i]] + depth[i]]++;
    finalOrder[pos] = i;
    newIndex[i] = pos;
  }
}

/** The slice columns, in or out of `gatherSlices`. */
interface SliceCols {
  start: Float64Array;
  dur: Float64Array;
  track: Uint32Array;
  depth: Uint16Array;
  name: Uint32Array;
  cat: Uint32Array;
  parent: Int32Array;
  flags: Uint8Array;
  color: Uint32Array;
  args: Int32Array;
}

/** out[k] = src[order[k]] for every column and k in [a, b); parents become final indices. */
function gatherSlices(out: SliceCols, src: SliceCols, order: Uint32Array, newIndex: Int32Array, shift: number, a: number, b: number): void {
  const { start, dur, track, depth, name, cat, parent, flags, color, args } = src;
  const { start: oStart, dur: oDur, track: oTrack, depth: oDepth, name: oName, cat: oCat } = out;
  const { parent: oParent, flags: oFlags, color: oColor, args: oArgs } = out;
  for (let k = a; k < b; k++) {
    const i = order[k];
    oStart[k] = start[i] - shift;
    oDur[k] = dur[i];
    oTrack[k] = track[i];
    oDepth[k] = depth[i];
    oName[k] = name[i];
    oCat[k] = cat[i];
    const p = parent[i];
    oParent[k] = p >= 0 ? newIndex[p] : -1;
    oFlags[k] = flags[i];
    oColor[k] = color[i];
    oArgs[k] = args[i];
  }
}

/** Stable counting sort of 0..n-1 by key[i] in [0, buckets). */
function countingOrder(key: Uint32Array, n: number, buckets: number): { order: Uint32Array; start: Uint32Array } {
  const start = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) start[key[i] + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const fill = start.slice(0, Math.max(buckets, 1));
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[key[i]]++] = i;
  return { order, start };
}

/** A copy of `a` with room for `cap` values (cut to it when smaller). */
export function growF64(a: Float64Array, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a.subarray(0, Math.min(a.length, cap)));
  return b;
}
function growU32(a: Uint32Array, cap: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(cap);
  b.set(a.subarray(0, Math.min(a.length, cap)));
  return b;
}
function growI32(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a.subarray(0, Math.min(a.length, cap)));
  return b;
}
