/**
 * Web Worker entry (built as dist/viewer-worker.js): runs the streaming import off the main
 * thread, reports progress, and posts the model back with its column buffers transferred.
 */
import { TraceImportError, type TraceModel } from '../model/trace-model';
import { modelBuffers, runPipeline, type PipelineSource } from './pipeline';
import { parseBootName, type FromWorker, type ToWorker } from './protocol';
import type { WorkerMarks } from './timing';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ToWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;
const abort = new AbortController();
let forward: ReadableStreamDefaultController<Uint8Array> | undefined;
// A handful of epoch timestamps, sent back only when the page asked for timing.
const marks: WorkerMarks = [];
const stamp = (name: string): void => void marks.push([name, performance.timeOrigin + performance.now()]);
stamp('started');

async function run(source: PipelineSource, partial: boolean, timing: boolean, noSkew?: boolean): Promise<void> {
  try {
    const model = await runPipeline(source, {
      signal: abort.signal,
      skew: !noSkew,
      onPhase: stamp,
      onProgress: (progress) => scope.postMessage({ type: 'progress', progress }),
      // The preview is copied, not transferred: the first detach of a buffer behind each kind of
      // typed array makes V8 drop all optimised code using that kind — mid-parse, here.
      ...(partial ? { onPartial: (preview: TraceModel) => scope.postMessage({ type: 'partial', model: preview }) } : {}),
    });
    scope.postMessage({ type: 'done', model, ...(timing ? { marks } : {}) }, modelBuffers(model));
  } catch (e) {
    const err = e as Error;
    scope.postMessage({
      type: 'error',
      name: err?.name ?? 'Error',
      message: err?.message ?? String(e),
      ...(e instanceof TraceImportError ? { info: e.info } : {}),
    });
  }
}

scope.addEventListener('message', (e) => {
  const msg = e.data;
  switch (msg.type) {
    case 'import':
      stamp('import');
      if (msg.source.kind === 'forward') {
        const stream = new ReadableStream<Uint8Array>({ start: (c) => void (forward = c) });
        void run({ kind: 'stream', stream }, !!msg.partial, !!msg.timing, msg.noSkew);
      } else void run(msg.source, !!msg.partial, !!msg.timing, msg.noSkew);
      break;
    case 'chunk':
      forward?.enqueue(msg.bytes);
      break;
    case 'end':
      forward?.close();
      break;
    case 'cancel':
      abort.abort();
      break;
  }
});
scope.postMessage({ type: 'ready' });
const boot = parseBootName((self as unknown as { name?: string }).name ?? '');
if (boot) {
  stamp('import');
  void run({ kind: 'url', url: boot.url }, boot.partial, boot.timing, boot.noSkew);
}
