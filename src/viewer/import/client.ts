/**
 * Main-thread import API. Runs the import in a Web Worker (dist/viewer-worker.js next to the
 * viewer bundle) and receives the model's columns as transferred buffers; falls back to a
 * time-sliced import on the main thread when no Worker can be started (CSP, Trusted Types,
 * missing file).
 *
 * CSP: the worker is loaded from its own URL (no blob:/data: workers), so `default-src 'self'`
 * (or `worker-src 'self'`) suffices. Trusted Types: when `window.trustedTypes` exists the URL goes
 * through a policy named `spanbeam-viewer` that allows only worker URLs this module chose.
 */
import type { ReadableSpan } from '../../sdk/types';
import { TraceImportError, type ImportProgress, type TraceModel } from '../model/trace-model';
import type { PipelineSource } from './pipeline';
import { WORKER_NAME, bootName, type BootRequest, type FromWorker, type ToWorker } from './protocol';
import { mark, replayMarks, timingOn } from './timing';

/** The main-thread importers, fetched on first use as a separate same-origin chunk. */
function mainThread(): Promise<typeof import('./main-thread')> {
  return import('./main-thread');
}

/** Imports live SDK spans on this thread (the importer chunk is loaded on first use). */
export async function importSpans(spans: readonly ReadableSpan[], skew = true): Promise<TraceModel> {
  return (await mainThread()).importReadableSpans(spans, skew);
}

/**
 * Anything the viewer can open. A string is a URL unless it starts like JSON, or holds several
 * lines or a `frame;frame count` line (collapsed stacks).
 */
export type TraceInput = Blob | ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView | string | object;

export interface ImportOptions {
  /** Bytes and events read so far (throttled to ~20 per second). */
  onProgress?: (p: ImportProgress) => void;
  /** Aborting rejects with an AbortError and stops the worker. */
  signal?: AbortSignal;
  /** Worker script URL; default `./viewer-worker.js` next to this module. */
  workerUrl?: string | URL;
  /** false = import on the main thread (time-sliced). Default true. */
  worker?: boolean;
  /**
   * Called (at most once, before the result) with a preview of what has been read so far when an
   * import takes a while, so a viewer can paint early. Its slice indices differ from the final model's.
   */
  onPartial?: (model: TraceModel) => void;
  /**
   * false: span times as recorded. By default a span that does not fit in its parent of another
   * service (clocks differ) is moved into its middle, with its service's spans under it.
   */
  skew?: boolean;
}

/** Why the last import did not use a Worker ('' when it did). For diagnostics and tests. */
export let lastFallbackReason = '';

function defaultWorkerUrl(): string {
  // Written literally so an app's bundler (Vite, webpack 5, Parcel) sees the reference and emits
  // the worker file (it is self-contained) next to the bundle; our own build leaves it as is.
  return new URL('./viewer-worker.js', import.meta.url).href;
}

interface TTPolicy {
  createScriptURL(url: string): unknown;
}
let policy: TTPolicy | null | undefined;
const allowedUrls = new Set<string>();

/** The worker URL as a TrustedScriptURL when Trusted Types are present. */
function trustedScriptUrl(url: string): string | object {
  const tt = (globalThis as { trustedTypes?: { createPolicy(name: string, rules: { createScriptURL(u: string): string }): TTPolicy } })
    .trustedTypes;
  if (!tt || typeof tt.createPolicy !== 'function') return url;
  if (policy === undefined) {
    try {
      policy = tt.createPolicy('spanbeam-viewer', {
        createScriptURL(u: string): string {
          if (allowedUrls.has(u)) return u;
          throw new TypeError(`spanbeam-viewer: script URL not allowed: ${u}`);
        },
      });
    } catch {
      policy = null;
    }
  }
  if (!policy) throw new Error('Trusted Types policy "spanbeam-viewer" is not allowed by the page');
  allowedUrls.add(url);
  return policy.createScriptURL(url) as object;
}

function isReadableSpans(v: unknown): v is ReadableSpan[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const s = v[0] as Record<string, unknown>;
  return typeof s === 'object' && s !== null && 'spanContext' in s && typeof s.startMs === 'number';
}

function looksLikeData(s: string): boolean {
  // A blank string is empty input, not the URL of the page itself. Then: two lines, or folded
  // stacks (`a;b 3`). Checked without a pattern that scans from each `;` (quadratic: an 80 KB line
  // of them took 1.8 s).
  return /^[\s\ufeff]*([[{]|$)/.test(s) || s.trim().includes('\n') || (s.includes(';') && /\s\d+\s*$/.test(s));
}

function baseUrl(): string {
  return typeof document !== 'undefined' ? document.baseURI : (globalThis.location?.href ?? 'http://localhost/');
}

/** Normalises an input to a pipeline source (or the spans themselves for live SDK spans). */
function toSource(input: TraceInput): PipelineSource | { kind: 'spans'; spans: ReadableSpan[] } {
  if (typeof input === 'string') {
    if (looksLikeData(input)) return { kind: 'bytes', bytes: new TextEncoder().encode(input) };
    return { kind: 'url', url: new URL(input, baseUrl()).href };
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) return { kind: 'blob', blob: input };
  if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) {
    return { kind: 'stream', stream: input as ReadableStream<Uint8Array> };
  }
  if (input instanceof ArrayBuffer) return { kind: 'bytes', bytes: new Uint8Array(input) };
  if (ArrayBuffer.isView(input)) return { kind: 'bytes', bytes: new Uint8Array(input.buffer, input.byteOffset, input.byteLength) };
  if (input instanceof URL) return { kind: 'url', url: input.href };
  if (isReadableSpans(input)) return { kind: 'spans', spans: input };
  return { kind: 'bytes', bytes: new TextEncoder().encode(JSON.stringify(input)) };
}

function rebuildError(msg: Extract<FromWorker, { type: 'error' }>): Error {
  if (msg.info) return new TraceImportError(msg.info);
  if (msg.name === 'AbortError') return new DOMException(msg.message, 'AbortError');
  const e = new Error(msg.message);
  e.name = msg.name;
  return e;
}

/**
 * Imports a trace: Chrome JSON, OTLP JSON (single/array/NDJSON), Jaeger or Zipkin JSON, a V8
 * .cpuprofile, speedscope JSON, collapsed stacks, a Perfetto protobuf trace, a pprof profile, gzip of any of those, or live SDK spans. Resolves with an immutable TraceModel; rejects with a
 * TraceImportError (precise position) for unreadable input, or an AbortError when cancelled.
 */
export async function importTrace(input: TraceInput, opts: ImportOptions = {}): Promise<TraceModel> {
  if (opts.signal?.aborted) throw new DOMException('The import was cancelled', 'AbortError');
  const source = toSource(input);
  const noSkew = opts.skew === false;
  if (source.kind === 'spans') return importSpans(source.spans, !noSkew);
  if (opts.worker !== false && typeof Worker !== 'undefined') {
    // A URL (short enough for a worker name) goes with the worker itself: it starts fetching as
    // soon as its script has run, without waiting for the page to pass a message on.
    const boot: BootRequest | null =
      source.kind === 'url' && source.url.length <= MAX_BOOT_URL ? { url: source.url, partial: !!opts.onPartial, timing: timingOn(), ...(noSkew ? { noSkew } : {}) } : null;
    const started = startWorker(opts.workerUrl ? String(opts.workerUrl) : defaultWorkerUrl(), boot);
    if (started) {
      const model = await runInWorker(started, source, opts);
      if (model) return model;
    }
  } else lastFallbackReason = opts.worker === false ? 'disabled by option' : 'no Worker in this environment';
  const { runPipeline } = await mainThread();
  if (opts.signal?.aborted) throw new DOMException('The import was cancelled', 'AbortError');
  return runPipeline(source, {
    yieldEveryMs: 8,
    skew: !noSkew,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onPartial ? { onPartial: opts.onPartial } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

/** A Worker being started: `ready` settles true on its 'ready' message, false if it cannot run. */
interface StartedWorker {
  worker: Worker;
  ready: Promise<boolean>;
  /** It was given its import in its name and has begun on its own. */
  booted: boolean;
}

const MAX_BOOT_URL = 4096;

/** Creates the worker (null when it cannot be created here, e.g. Trusted Types refuse the URL). */
function startWorker(url: string, boot: BootRequest | null): StartedWorker | null {
  let worker: Worker;
  try {
    // A classic worker (the file is a self-contained script): it starts a few ms sooner than a module worker.
    // Messages posted before a worker's script has run are held on this thread until it learns
    // the script ran (a task here, behind the first render); the worker's name is in its hands at once.
    worker = new Worker(trustedScriptUrl(url) as string, { name: boot ? bootName(boot) : WORKER_NAME });
  } catch (e) {
    lastFallbackReason = `worker not created: ${(e as Error).message}`;
    return null;
  }
  const ready = new Promise<boolean>((resolve) => {
    const done = (ok: boolean, reason = ''): void => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      clearTimeout(timer);
      if (!ok) {
        lastFallbackReason = reason;
        worker.terminate();
      }
      resolve(ok);
    };
    const onMessage = (e: MessageEvent<FromWorker>): void => {
      if (e.data?.type === 'ready') done(true);
    };
    const onError = (e: Event): void => {
      e.preventDefault();
      done(false, 'worker failed to load');
    };
    const timer = setTimeout(() => done(false, 'worker did not start within 10 s'), 10_000);
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
  });
  return { worker, ready, booted: boot !== null };
}

/**
 * Runs the import in the worker. A URL went with the worker's name (it starts on its own); any
 * other request is posted at once (a starting worker queues it), so the fetch does not wait for a
 * 'ready' round trip through a busy main thread. Resolves null when the worker turns out unable to
 * run (the caller then imports on this thread).
 */
function runInWorker(started: StartedWorker, source: PipelineSource, opts: ImportOptions): Promise<TraceModel | null> {
  const { worker } = started;
  return new Promise<TraceModel | null>((resolve, reject) => {
    let settled = false;
    const finish = (): void => {
      settled = true;
      worker.terminate();
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(new DOMException('The import was cancelled', 'AbortError'));
    };
    // Cancelled while the worker was starting: an abort listener added now would never fire.
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let live = false;
    void started.ready.then((ok) => {
      if (settled) return;
      if (!ok) {
        finish();
        resolve(null);
        return;
      }
      live = true;
      lastFallbackReason = '';
    });
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (msg.type === 'progress') opts.onProgress?.(msg.progress);
      else if (msg.type === 'partial') opts.onPartial?.(msg.model);
      else if (msg.type === 'done') {
        finish();
        replayMarks(msg.marks);
        mark('model-received');
        resolve(msg.model);
      } else if (msg.type === 'error') {
        finish();
        reject(rebuildError(msg));
      }
    });
    worker.addEventListener('error', (e) => {
      // Before 'ready' the worker failed to load: `ready` settles false and we fall back.
      if (!live) return;
      e.preventDefault();
      finish();
      reject(new Error(`import worker failed: ${e.message || 'unknown error'}`));
    });
    const post = (m: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(m, transfer);
    const partial = !!opts.onPartial;
    const timing = timingOn();
    const noSkew = opts.skew === false;
    if (source.kind === 'stream') {
      // A transferred stream cannot be read again by a fallback: hand it over once the worker runs.
      void started.ready.then((ok) => {
        if (!ok || settled) return;
        try {
          post({ type: 'import', source, partial, timing, noSkew }, [source.stream as unknown as Transferable]);
        } catch {
          // Stream not transferable here: pump it from this thread.
          void pump(source.stream, post, opts.signal);
          post({ type: 'import', source: { kind: 'forward' }, partial, timing, noSkew });
        }
      });
      return;
    }
    // Anything else is copied, so a fallback can still read it.
    mark('import-posted');
    if (!started.booted) post({ type: 'import', source, partial, timing, noSkew });
  });
}

async function pump(stream: ReadableStream<Uint8Array>, post: (m: ToWorker, t?: Transferable[]) => void, signal?: AbortSignal): Promise<void> {
  const reader = stream.getReader();
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel();
      return;
    }
    const { done, value } = await reader.read();
    if (done) break;
    post({ type: 'chunk', bytes: value });
  }
  post({ type: 'end' });
}
