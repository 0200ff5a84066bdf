/**
 * The streaming import pipeline shared by the Worker and the main-thread fallback:
 * source → (gunzip, unzstd) → detect → importer.push(chunk)… → finish() → TraceModel.
 */
import type { TraceBuilder } from '../model/builder';
import { TraceImportError, type ImportProgress, type SourceFormat, type TraceModel } from '../model/trace-model';
import { CallgrindImporter } from './callgrind';
import { joinBytes } from './bytes';
import { ChromeJsonImporter } from './chrome-json';
import { CollapsedImporter } from './collapsed';
import { CpuProfileImporter } from './cpuprofile';
import { detectFormat, isGzip } from './detect';
import { GeckoImporter } from './gecko';
import { SpanJsonImporter } from './otlp-json';
import { OtlpProtoImporter } from './otlp-proto';
import { PerfScriptImporter } from './perf-script';
import { PerfettoImporter } from './perfetto-proto';
import { PprofImporter } from './pprof';
import { SafariImporter } from './safari';
import { SpeedscopeImporter } from './speedscope';
import { SystraceImporter } from './systrace';
import { unzstd, zstdLayout } from './zstd';

/** What the pipeline can read (all structured-cloneable, so the same shape crosses to the Worker). */
export type PipelineSource =
  | { kind: 'blob'; blob: Blob }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'stream'; stream: ReadableStream<Uint8Array> }
  | { kind: 'url'; url: string };

export interface PipelineOptions {
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  /** Main-thread mode: yield to the event loop after this many ms of work (≈ 8). */
  yieldEveryMs?: number;
  /** Largest piece handed to the parser at once (bounds the length of one task). */
  maxPieceBytes?: number;
  /**
   * Called once with a preview model of what has been read so far, while a long import goes on
   * (the first `partialAfterEvents` events or `partialAfterMs` after the first bytes, whichever
   * comes first; not when the input is about to end anyway). The final model comes later.
   */
  onPartial?: (model: TraceModel) => void;
  /** Default 250. */
  partialAfterMs?: number;
  /** Default 150 000. */
  partialAfterEvents?: number;
  /** Profiling hook: called at 'first-byte', 'preview-start', 'preview', 'parsed' and 'built'. */
  onPhase?: (phase: string) => void;
  /** false: span times as recorded, without clock-skew adjustment. Default true. */
  skew?: boolean;
}

interface Importer {
  /** Parsing may wait until `batch` bytes are buffered; `finish()` parses the rest. */
  push(chunk: Uint8Array, batch: number): void;
  finish(): TraceModel;
  finishSteps?(): Generator<void, TraceModel, void>;
  preview?(): TraceBuilder;
  /** Async work the last push left (Perfetto's compressed packets): awaited before the next push. */
  drain?(): Promise<void> | undefined;
  readonly events: number;
  readonly bytes: number;
}

/** The importer of each format read from bytes (Chrome JSON takes a size hint; span formats share one). */
const IMPORTERS: Partial<Record<SourceFormat, (skew: boolean) => Importer>> = {
  'v8-cpuprofile': () => new CpuProfileImporter(),
  'speedscope-json': () => new SpeedscopeImporter(),
  'gecko-json': () => new GeckoImporter(),
  'collapsed-stacks': () => new CollapsedImporter(),
  'perf-script': () => new PerfScriptImporter(),
  'perfetto-proto': () => new PerfettoImporter(),
  pprof: () => new PprofImporter(),
  'otlp-proto': (skew) => new OtlpProtoImporter(skew),
  systrace: () => new SystraceImporter(),
  'safari-timeline': () => new SafariImporter(),
  callgrind: () => new CallgrindImporter(),
};

const CHUNK = 1 << 20;
const COALESCE_BYTES = 1 << 20;
/** Bytes sniffed for the format before parsing starts (fewer only when the input is shorter). */
const HEAD_BYTES = 4096;

function abortError(): Error {
  return new DOMException('The import was cancelled', 'AbortError');
}

/** A fetch that failed without an HTTP status (offline, refused, CORS) says which URL, not just "Failed to fetch". */
function fetchFailed(url: string, e: unknown, after?: number): unknown {
  if ((e as Error)?.name === 'AbortError') return e;
  const why = after === undefined ? 'network error (unreachable, refused, or blocked by CORS)' : `connection lost after ${after} bytes`;
  return new TraceImportError({ format: 'unknown', message: `could not load ${url}: ${why}` });
}

async function* rawChunks(src: PipelineSource, signal: AbortSignal | undefined, total: { bytes?: number }): AsyncGenerator<Uint8Array> {
  if (src.kind === 'bytes') {
    total.bytes = src.bytes.length;
    for (let p = 0; p < src.bytes.length; p += CHUNK) yield src.bytes.subarray(p, Math.min(p + CHUNK, src.bytes.length));
    return;
  }
  let stream: ReadableStream<Uint8Array>;
  if (src.kind === 'blob') {
    total.bytes = src.blob.size;
    stream = src.blob.stream() as ReadableStream<Uint8Array>;
  } else if (src.kind === 'url') {
    let res: Response;
    try {
      res = await fetch(src.url, signal ? { signal } : {});
    } catch (e) {
      throw fetchFailed(src.url, e);
    }
    if (!res.ok || !res.body) {
      throw new TraceImportError({ format: 'unknown', message: `could not load ${src.url}: HTTP ${res.status}` });
    }
    const len = Number(res.headers.get('content-length'));
    // With Content-Encoding the length is of the compressed body; progress then is approximate.
    if (len > 0 && !res.headers.get('content-encoding')) total.bytes = len;
    stream = res.body;
  } else stream = src.stream;
  const reader = stream.getReader();
  let read = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw abortError();
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw src.kind === 'url' ? fetchFailed(src.url, e, read) : e;
      }
      if (r.done) return;
      if (r.value && r.value.length > 0) {
        read += r.value.length;
        yield r.value;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Gunzips an async byte source through DecompressionStream. A stream that breaks after giving
 * data (a download cut short, a file copied while still being written) ends there, and `cut`
 * says why: the importer then salvages what was read, as it does for a plain truncated file.
 */
function gunzip(head: Uint8Array, rest: AsyncGenerator<Uint8Array>, cut: { why?: string; at?: number }): AsyncGenerator<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(head);
    },
    async pull(c) {
      const { done, value } = await rest.next();
      if (done) c.close();
      else c.enqueue(value);
    },
  });
  const out = input.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  return (async function* () {
    const reader = out.getReader();
    let produced = 0;
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        const why = `gzip: ${String((e as Error).message).replace(/\.$/, '')}`;
        if (!produced) throw new TraceImportError({ format: 'unknown', message: why, expected: 'a valid gzip stream' });
        cut.why = why;
        cut.at = produced;
        return;
      }
      if (r.done) return;
      produced += r.value.length;
      yield r.value;
    }
  })();
}

/**
 * A stream may deliver tiny first chunks (`{`, whitespace, one byte of the gzip magic): sniff at
 * least a few KB, else an OTLP document reads as an empty Chrome trace, or a blank first chunk
 * as "not a trace".
 */
async function fillHead(head: Uint8Array, rest: AsyncGenerator<Uint8Array>): Promise<Uint8Array> {
  while (head.length < HEAD_BYTES) {
    const next = await rest.next();
    if (next.done) break;
    head = joinBytes([head, next.value]);
  }
  return head;
}

/** What an input that is no trace starts with, for its error: an HTML page, a bare number, nothing. */
function startOf(head: Uint8Array): string {
  // UTF-16 (Windows PowerShell's `>` writes it) has a 0 byte in every ASCII character: no '[' to see.
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'it is UTF-16 text (byte order mark); save it as UTF-8';
  const text = new TextDecoder().decode(head.subarray(0, 256)).replace(/^\ufeff/, '').trimStart();
  return text ? `it starts with ${JSON.stringify(text.slice(0, 40))}` : 'it is blank';
}

/** Runs an import to the end. Rejects with TraceImportError for unreadable input, AbortError on cancel. */
export async function runPipeline(src: PipelineSource, opts: PipelineOptions = {}): Promise<TraceModel> {
  const { signal, onProgress } = opts;
  const total: { bytes?: number } = {};
  let rawBytes = 0;
  const counted = (async function* () {
    for await (const c of rawChunks(src, signal, total)) {
      rawBytes += c.length;
      yield c;
    }
  })();
  let first = await counted.next();
  opts.onPhase?.('first-byte');
  if (first.done) throw new TraceImportError({ format: 'unknown', message: 'empty input', offset: 0, expected: 'a trace (JSON)' });
  let chunks: AsyncGenerator<Uint8Array> = counted;
  let head = await fillHead(first.value, counted);
  const compressed = isGzip(head) || !!zstdLayout(head);
  const cut: { why?: string; at?: number } = {};
  // A .gz of a .zst (or the reverse) unwraps again; a few layers at most (gzip quines exist).
  for (let layers = 0; layers < 4 && (isGzip(head) || zstdLayout(head)); layers++) {
    const zstd = zstdLayout(head);
    chunks = zstd ? unzstd(head, chunks, cut) : gunzip(head, chunks, cut);
    first = await chunks.next();
    if (first.done) throw new TraceImportError({ format: 'unknown', message: `empty ${zstd ? 'zstd' : 'gzip'} stream`, offset: 0 });
    head = await fillHead(first.value, chunks);
  }
  const format = detectFormat(head);
  if (format === 'unknown' || format === 'gzip') {
    throw new TraceImportError({
      format: 'unknown',
      message: `not a trace file: no JSON array or object at the start, nor collapsed stack lines, perf script samples, callgrind or ftrace/systrace text, nor Perfetto protobuf packets, nor a pprof profile, nor OTLP protobuf (${startOf(head)})`,
      offset: 0,
      line: 1,
      column: 1,
      expected: "'[' or '{' (Chrome trace JSON, OTLP, Jaeger or Zipkin JSON, V8 .cpuprofile, speedscope JSON, a Firefox Profiler profile, a Safari timeline recording), 'frame;frame count' lines, `perf script` output, a callgrind profile, ftrace/systrace text, a Perfetto protobuf trace, a pprof profile or OTLP protobuf (gzipped or not)",
    });
  }
  const sizeHint = compressed ? undefined : total.bytes;
  const make = IMPORTERS[format];
  const skew = opts.skew !== false;
  const importer: Importer = make
    ? make(skew)
    : format === 'chrome-json'
      ? new ChromeJsonImporter({ ...(sizeHint !== undefined ? { sizeHint } : {}), skew })
      : new SpanJsonImporter(format, skew);
  const yieldMs = opts.yieldEveryMs;
  const firstBytesAt = performance.now();
  // The first pieces are small so a preview can be cut early; later ones large (faster parsing).
  const fullPiece = opts.maxPieceBytes ?? (yieldMs ? 1 << 17 : CHUNK * 4);
  let piece = opts.onPartial ? Math.min(fullPiece, 1 << 18) : fullPiece;
  let lastYield = performance.now();
  let lastProgress = 0;
  let reportedBytes = 0;
  let partialDue = !!opts.onPartial && !!importer.preview;
  const partialMs = opts.partialAfterMs ?? 250;
  const partialEvents = opts.partialAfterEvents ?? 150_000;
  const progress = (phase: ImportProgress['phase']): void => {
    if (!onProgress) return;
    onProgress({ bytes: rawBytes, ...(total.bytes !== undefined ? { totalBytes: total.bytes } : {}), events: importer.events, phase });
  };
  const pause = async (): Promise<void> => {
    await new Promise((r) => setTimeout(r, 0));
    lastYield = performance.now();
    if (signal?.aborted) throw abortError();
  };
  /** Runs a stepped layout, yielding to the event loop between steps in main-thread mode. */
  const drain = async (steps: Generator<void, TraceModel, void>): Promise<TraceModel> => {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (yieldMs !== undefined && performance.now() - lastYield >= yieldMs) await pause();
    }
  };
  const maybePartial = async (now: number): Promise<void> => {
    if (!partialDue || (now - firstBytesAt < partialMs && importer.events < partialEvents)) return;
    partialDue = false;
    piece = fullPiece;
    // Close to the end anyway: the final model is as near as a preview would be.
    if (!compressed && total.bytes !== undefined && importer.bytes >= total.bytes * 0.6) return;
    if (importer.events === 0) return;
    opts.onPhase?.('preview-start');
    const preview = (importer.preview as () => TraceBuilder)();
    const model = await drain(preview.finishSteps());
    if (signal?.aborted) throw abortError();
    opts.onPhase?.('preview');
    opts.onPartial?.(model);
  };
  // Network and Blob streams deliver ~64 KB chunks; the parser is markedly faster on ~1 MB
  // batches (fewer cut-off elements to retry), so the reader buffers that much before parsing —
  // one copy per byte, into a buffer it reuses. Until the preview is cut, parse as bytes arrive
  // (a slow network must not delay it).
  const batch = Math.min(COALESCE_BYTES, fullPiece);
  const feed = async (c: Uint8Array): Promise<void> => {
    for (let p = 0; p < c.length; ) {
      if (signal?.aborted) throw abortError();
      const end = Math.min(p + piece, c.length);
      importer.push(p === 0 && end === c.length ? c : c.subarray(p, end), partialDue ? 0 : batch);
      const d = importer.drain?.();
      if (d) await d;
      p = end;
      const now = performance.now();
      if (partialDue) await maybePartial(now);
      if (yieldMs !== undefined && now - lastYield >= yieldMs) await pause();
      // Reported when the parser has moved on (input waiting for a batch has no events yet).
      if (now - lastProgress > 50 && importer.bytes > reportedBytes) {
        lastProgress = now;
        reportedBytes = importer.bytes;
        progress('reading');
      }
    }
  };
  await feed(head);
  for await (const c of chunks) await feed(c);
  opts.onPhase?.('parsed');
  if (signal?.aborted) throw abortError();
  progress('building');
  if (yieldMs !== undefined) await pause();
  let model = yieldMs !== undefined && importer.finishSteps ? await drain(importer.finishSteps()) : importer.finish();
  if (cut.why) {
    const message = `${cut.why} after ${cut.at} decompressed bytes: the compressed file is cut short or damaged; events read so far are kept`;
    model = { ...model, diagnostics: [{ kind: 'truncated-input', count: 1, message }, ...model.diagnostics] };
  }
  opts.onPhase?.('built');
  progress('building');
  return model;
}

/** All ArrayBuffers of a model (for postMessage transfer lists). */
export function modelBuffers(model: TraceModel): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView): void => {
    if (a.buffer instanceof ArrayBuffer) set.add(a.buffer);
  };
  const s = model.slices;
  [s.startNs, s.durNs, s.track, s.depth, s.name, s.category, s.parent, s.flags, s.color, s.args].forEach(add);
  [model.rows.rowStart, model.rows.rowSliceStart].forEach(add);
  const i = model.instants;
  [i.timeNs, i.track, i.name, i.category, i.scope, i.slice, i.args, i.trackStart].forEach(add);
  const f = model.flows;
  [f.fromSlice, f.toSlice, f.fromNs, f.toNs, f.kind, f.name, f.category, f.inOrder].forEach(add);
  add(model.args.bytes);
  add(model.args.offsets);
  for (const c of model.counters) {
    add(c.timesNs);
    add(c.values);
  }
  return [...set];
}
