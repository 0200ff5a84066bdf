/**
 * The viewer's trace model: one columnar, immutable structure for every input format.
 *
 * Why columns: millions of events must fit in ≤ 100 bytes of JS heap each, cross the Worker
 * boundary as transferred buffers, and be painted per frame without allocating. So the model is
 * plain data (typed arrays, strings, small plain objects) with no methods; it survives
 * `structuredClone`/`postMessage`. Helpers that read it live in `query.ts`.
 *
 * Stability: the renderer and UI are written against this file. Changes are additive only.
 *
 * Coordinate space: all `…Ns` times are float nanoseconds relative to `originMs` (the earliest
 * time in the trace), so values stay small and exact even for epoch-nanosecond sources.
 */

/** Index into `TraceModel.strings`. Id 0 is always the empty string. */
export type StringId = number;
export const EMPTY_STRING: StringId = 0;

/** Which importer produced the model (detected from content, never from a file name). */
export type SourceFormat =
  | 'chrome-json' // Chrome Trace Event format (array or object form)
  | 'otlp-json' // OTLP ExportTraceServiceRequest(s): single, array, or NDJSON
  | 'otlp-proto' // OTLP protobuf: an ExportTraceServiceRequest / TracesData, or the Collector file exporter's length-prefixed ones
  | 'jaeger-json' // Jaeger UI download: {"data":[{traceID, spans, processes}]}
  | 'zipkin-json' // Zipkin v2: an array of spans
  | 'spanbeam-spans' // live SDK ReadableSpan[]
  | 'v8-cpuprofile' // V8 CPU profile (.cpuprofile: DevTools "Save profile", node --cpu-prof)
  | 'speedscope-json' // speedscope's file format (py-spy, rbspy, …): evented and sampled profiles
  | 'collapsed-stacks' // Brendan Gregg's folded stacks: `frame;frame;frame count` per line
  | 'perf-script' // Linux `perf script` text: per sample a header line and its stack
  | 'perfetto-proto' // Perfetto's protobuf trace (.perfetto-trace, .pftrace): TrackEvent packets
  | 'gecko-json' // Firefox Profiler: a Gecko profile (about:profiling) or a processed one (profiler.firefox.com)
  | 'pprof' // pprof profile.proto (Go, pprof-nodejs, async-profiler), usually gzipped: aggregated stacks
  | 'callgrind' // valgrind callgrind / cachegrind, Xdebug's profiler output: a call graph with costs
  | 'safari-timeline' // Safari Web Inspector's exported timeline recording: JS samples and timeline records
  | 'systrace'; // Android systrace / Linux ftrace text (`/sys/kernel/tracing/trace`), or systrace's HTML report

/** Per-slice bit flags (`slices.flags`). */
export const SliceFlag = {
  /** No end was seen (open `B`, `X` without `dur`, unended span): drawn to `endNs`. */
  UNFINISHED: 1 << 0,
  /** Error status (OTLP ERROR, Zipkin/Jaeger `error` tag). */
  ERROR: 1 << 1,
  /** The parent it names was not found in the input. */
  ORPHAN: 1 << 2,
  /** Zero-length by nature (e.g. a Chrome `X` with dur 0 is not this; async `n` is an instant). */
  INSTANT: 1 << 3,
  /** Lives on an async track (rows are packed, not a call stack). */
  ASYNC: 1 << 4,
  /** Duration was repaired (negative, or cut to fit its parent); the original is in details. */
  TRUNCATED: 1 << 5,
  /** Has at least one flow in or out (`flows`), so the renderer can skip lookups otherwise. */
  HAS_FLOWS: 1 << 6,
  /** Its parent is on another track or service (a remote/cross-service parent; also a flow). */
  REMOTE_PARENT: 1 << 7,
} as const;
export type SliceFlag = (typeof SliceFlag)[keyof typeof SliceFlag];

/** What a track holds and how its rows are laid out. */
export const TrackKind = {
  /** A thread's call stack: depth = nesting depth. */
  THREAD: 0,
  /** Async slices: rows packed so non-overlapping slices share a row. */
  ASYNC: 1,
  /** Counter series (no slices; see `counters`). */
  COUNTER: 2,
  /** One distributed trace within one service (OTLP/Jaeger/Zipkin/SDK spans); rows packed. */
  TRACE: 3,
  /** Sampled stacks (Chrome `P` / V8 `ProfileChunk`): slices = runs of equal frames. */
  SAMPLES: 4,
  /** Process- or global-scoped instant markers only. */
  INSTANTS: 5,
} as const;
export type TrackKind = (typeof TrackKind)[keyof typeof TrackKind];

export const GroupKind = {
  PROCESS: 0,
  SERVICE: 1,
  /** Holds tracks not owned by any process (global instants, pid-less events). */
  GLOBAL: 2,
} as const;
export type GroupKind = (typeof GroupKind)[keyof typeof GroupKind];

/** A process or service: a collapsible group of tracks. */
export interface TrackGroup {
  readonly id: number;
  readonly kind: GroupKind;
  /** Display name, e.g. "Renderer" or the service name; may be '' when unknown. */
  readonly name: string;
  /** Source identity: Chrome pid (as string when the file used strings), service name, … */
  readonly key: string;
  /** Explicit sort index (Chrome `process_sort_index`), else 0; ties broken by `key`. */
  readonly sortIndex: number;
  /** Extra labels (Chrome `process_labels`, OTLP resource attributes summary). */
  readonly labels: readonly string[];
  /** Track ids in display order. */
  readonly tracks: readonly number[];
}

export interface Track {
  readonly id: number;
  readonly kind: TrackKind;
  readonly group: number;
  /** Display name: thread name, async slice name, counter name, trace root name. */
  readonly name: string;
  /** Source identity: Chrome tid, async key, counter key, trace id. */
  readonly key: string;
  /** Explicit sort index (Chrome `thread_sort_index`), else 0; ties broken by first-seen order. */
  readonly sortIndex: number;
  /** Number of slice rows (max depth + 1); 0 when the track has no slices. */
  readonly rowCount: number;
  /** Counter series drawn on this track (COUNTER tracks), in display order. */
  readonly counterSeries: readonly number[];
  /** Trace id (32 hex) for TRACE tracks; '' otherwise. */
  readonly traceId: string;
}

/**
 * Slices, sorted by (track, depth, startNs). Within one row (track, depth) slices never
 * overlap, so both starts and ends are non-decreasing: a time window is two binary searches.
 */
export interface SliceColumns {
  readonly count: number;
  readonly startNs: Float64Array;
  /** Always ≥ 0 and finite; unfinished slices extend to `TraceModel.endNs`. */
  readonly durNs: Float64Array;
  readonly track: Uint32Array;
  readonly depth: Uint16Array;
  readonly name: Uint32Array;
  readonly category: Uint32Array;
  /** Slice index of the parent, or -1. May be on another track (see REMOTE_PARENT). */
  readonly parent: Int32Array;
  /** `SliceFlag` bits. */
  readonly flags: Uint8Array;
  /** Explicit colour name (Chrome `cname`) as a string id; 0 = hash the name. */
  readonly color: Uint32Array;
  /** Index into `args`, or -1 when the slice has no details. */
  readonly args: Int32Array;
}

/**
 * Row index: rows of track t are `rowStart[t] .. rowStart[t+1]-1` (row = rowStart[t] + depth);
 * slices of row r are `rowSliceStart[r] .. rowSliceStart[r+1]-1`.
 */
export interface RowIndex {
  /** Length tracks.length + 1. */
  readonly rowStart: Uint32Array;
  /** Length (total rows) + 1. */
  readonly rowSliceStart: Uint32Array;
}

export const InstantScope = { THREAD: 0, PROCESS: 1, GLOBAL: 2 } as const;
export type InstantScope = (typeof InstantScope)[keyof typeof InstantScope];

/** Instant markers sorted by (track, timeNs). */
export interface InstantColumns {
  readonly count: number;
  readonly timeNs: Float64Array;
  readonly track: Uint32Array;
  readonly name: Uint32Array;
  readonly category: Uint32Array;
  /** `InstantScope`. */
  readonly scope: Uint8Array;
  /** Owning slice (span events, async steps), or -1. */
  readonly slice: Int32Array;
  /** Index into `args`, or -1. */
  readonly args: Int32Array;
  /** Per track: instants of track t are `trackStart[t] .. trackStart[t+1]-1`. */
  readonly trackStart: Uint32Array;
}

/** One counter series: a step function sampled at `timesNs` (sorted ascending). */
export interface CounterSeries {
  readonly id: number;
  readonly track: number;
  /** Series name: the args key (Chrome) — the track carries the counter name. */
  readonly name: string;
  readonly timesNs: Float64Array;
  readonly values: Float64Array;
  readonly min: number;
  readonly max: number;
}

export const FlowKind = {
  /** Chrome flow events (v1 s/t/f or v2 bind_id/flow_in/flow_out). */
  FLOW: 0,
  /** OTLP/Jaeger/Zipkin span link. */
  LINK: 1,
  /** Parent on another track/service (cross-service call). */
  REMOTE_PARENT: 2,
} as const;
export type FlowKind = (typeof FlowKind)[keyof typeof FlowKind];

/** Arrows between slices, sorted by `fromSlice`; `inOrder` lists flow indices sorted by `toSlice`. */
export interface FlowColumns {
  readonly count: number;
  readonly fromSlice: Int32Array;
  readonly toSlice: Int32Array;
  /** Arrow end points (the slice start unless the format says otherwise, e.g. a flow step ts). */
  readonly fromNs: Float64Array;
  readonly toNs: Float64Array;
  /** `FlowKind`. */
  readonly kind: Uint8Array;
  readonly name: Uint32Array;
  readonly category: Uint32Array;
  /** Flow indices sorted by `toSlice` (for "flows in"). */
  readonly inOrder: Uint32Array;
}

/**
 * Details side table: entry i is the UTF-8 JSON object text `bytes[offsets[i] .. offsets[i+1])`,
 * decoded only when a slice is inspected (`argsOf` in query.ts). Shape: `SliceDetails`.
 */
export interface ArgsTable {
  readonly count: number;
  readonly bytes: Uint8Array;
  /** Length count + 1. */
  readonly offsets: Uint32Array;
}

/** What one details entry decodes to. All keys optional. */
export interface SliceDetails {
  /** Chrome `args` (merged from B and E), OTLP attributes (flattened, typed values). */
  args?: Record<string, unknown>;
  /** Chrome thread time (`tts`, `tdur`), µs converted to ns, relative to nothing (durations). */
  threadDurNs?: number;
  threadStartNs?: number;
  /** Clock-skew adjustment: ns added to the span's recorded times to fit it in its cross-service parent. */
  clockSkewNs?: number;
  /** Original duration before repair (TRUNCATED). */
  originalDurNs?: number;
  /** Async id / span id / trace id / parent id as text. */
  id?: string;
  spanId?: string;
  traceId?: string;
  parentSpanId?: string;
  /** Span kind name (SERVER, CLIENT…), status message, scope, resource attributes. */
  kind?: string;
  statusCode?: string;
  statusMessage?: string;
  scope?: string;
  resource?: Record<string, unknown>;
  /** Span links as read (also present as flows when the target is in the trace). */
  links?: Array<{ traceId: string; spanId: string; attributes?: Record<string, unknown> }>;
  /** Original event fields that do not fit a column (e.g. Chrome `bind_id`, `s` scope). */
  extra?: Record<string, unknown>;
}

/** Kinds of skipped/repaired input, counted so the UI can list them. */
export type DiagnosticKind =
  | 'truncated-input' // array not closed (no `]`) — salvaged
  | 'trailing-comma'
  | 'unmatched-end' // `E` with no open `B` on its thread
  | 'unclosed-begin' // `B` never ended → unfinished
  | 'unfinished-complete' // `X` without `dur` → unfinished
  | 'overlapping-slice' // partially overlapping slices: child cut to parent's end
  | 'negative-duration' // dur < 0 → 0
  | 'unmatched-async-end' // `e`/`F` without begin
  | 'unclosed-async' // `b`/`S` never ended → unfinished
  | 'unbound-flow' // flow end point with no enclosing slice / missing partner
  | 'ignored-phase' // N/O/D, V/v, c, (/) and friends
  | 'unknown-phase'
  | 'invalid-event' // not an object, or missing required fields (ts, ph, a span's start): skipped
  | 'invalid-args' // args not a JSON object (kept as args.value / args.raw), or unusable where needed
  | 'missing-id' // span without spanId or traceId: kept, cannot be a parent
  | 'unknown-frame' // samples naming stack frames that are not in the input: stack lost or cut
  | 'skipped-section' // systemTraceEvents, unsupported top-level data
  | 'orphan-span' // parentSpanId not found
  | 'parent-cycle' // parent chain loops: broken
  | 'duplicate-span'
  | 'depth-limit' // nesting deeper than 65535
  | 'negative-delta' // time going backwards (V8 negative timeDeltas, speedscope events out of order)
  | 'abstract-units' // the x axis is not time (collapsed stacks, pprof, speedscope bytes/none units)
  | 'unknown-track' // Perfetto events on a track uuid no TrackDescriptor describes
  | 'lost-state' // Perfetto packets needing interned data / defaults lost before them: skipped
  | 'unknown-clock' // Perfetto timestamps on a clock no ClockSnapshot relates to the trace clock
  | 'clock-skew'; // spans moved into their cross-service parent (the services' clocks differ)

export interface Diagnostic {
  readonly kind: DiagnosticKind;
  readonly count: number;
  /** Human-readable description of the first occurrence (with its byte offset when known). */
  readonly message: string;
}

/** A complete, immutable trace. Plain data: safe to postMessage/structuredClone. */
export interface TraceModel {
  readonly format: SourceFormat;
  /** Model format version; bumped only for incompatible changes (never planned). */
  readonly version: 1;
  /** Interned strings; id 0 = ''. */
  readonly strings: readonly string[];
  /**
   * Time origin in milliseconds on the source clock: epoch ms for OTLP/Jaeger/Zipkin/SDK, the
   * trace's own µs clock / 1000 for Chrome (`clock` says which).
   */
  readonly originMs: number;
  readonly clock: 'epoch' | 'trace';
  /** Earliest and latest time, relative to the origin (startNs is 0 unless the trace is empty). */
  readonly startNs: number;
  readonly endNs: number;
  /** Chrome `displayTimeUnit` ('ms' | 'ns'), a hint for the ruler. */
  readonly displayTimeUnit: 'ms' | 'ns';
  /** Groups in display order. */
  readonly groups: readonly TrackGroup[];
  /** Tracks indexed by id (display order is per group: `TrackGroup.tracks`). */
  readonly tracks: readonly Track[];
  readonly slices: SliceColumns;
  readonly rows: RowIndex;
  readonly instants: InstantColumns;
  readonly counters: readonly CounterSeries[];
  readonly flows: FlowColumns;
  readonly args: ArgsTable;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Set when the x axis is not time (collapsed stacks, speedscope `bytes`/`none` profiles): one
   * ns of model time stands for one sample, byte or unit.
   */
  readonly valueUnit?: 'samples' | 'bytes' | 'units';
  /** Chrome top-level `metadata` (small), when present. */
  readonly metadata?: Record<string, unknown>;
  /** Counts by Chrome phase letter (or 'span' for span formats) as read, before repair. */
  readonly eventCounts: Readonly<Record<string, number>>;
}

/** Progress reported while importing. */
export interface ImportProgress {
  /** Bytes consumed so far (compressed bytes when the input is gzip). */
  bytes: number;
  /** Total when known (Blob size, Content-Length), else undefined. */
  totalBytes?: number;
  /** Events read so far. */
  events: number;
  phase: 'reading' | 'building';
}

/** A precise error for unreadable input. */
export interface ImportErrorInfo {
  format: SourceFormat | 'unknown';
  message: string;
  /** Byte offset (0-based, in decompressed bytes) of the offending byte, when known. */
  offset?: number;
  /** 1-based line and column, when known. */
  line?: number;
  column?: number;
  /** What the parser expected at that point, e.g. "',' or ']'". */
  expected?: string;
}

/** Thrown (and re-created on the main thread) for unreadable input. */
export class TraceImportError extends Error {
  readonly info: ImportErrorInfo;
  constructor(info: ImportErrorInfo) {
    super(formatImportError(info));
    this.name = 'TraceImportError';
    this.info = info;
  }
}

export function formatImportError(info: ImportErrorInfo): string {
  let where = '';
  if (info.line !== undefined) where = ` at line ${info.line}, column ${info.column ?? 0}`;
  if (info.offset !== undefined) where += where ? ` (byte ${info.offset})` : ` at byte ${info.offset}`;
  const expected = info.expected ? `; expected ${info.expected}` : '';
  return `${info.format}: ${info.message}${where}${expected}`;
}
