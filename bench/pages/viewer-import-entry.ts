// Benchmark page entry: import a trace URL through the worker path and report timings.
import { importTrace, lastFallbackReason } from '../../src/viewer/import/client';
import type { TraceModel } from '../../src/viewer/model/trace-model';

interface MemoryApi {
  measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: Array<{ bytes: number; types: string[] }> }>;
}
const perf = performance as Performance & MemoryApi;
let keep: TraceModel | undefined;
let longest = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) longest = Math.max(longest, e.duration);
}).observe({ type: 'longtask', buffered: false });

async function memory(): Promise<number> {
  if (!perf.measureUserAgentSpecificMemory) return NaN;
  return (await perf.measureUserAgentSpecificMemory()).bytes;
}

async function run(url: string, sampleMemory: boolean) {
  keep = undefined;
  longest = 0;
  const before = await memory();
  let peak = before;
  let sampling = sampleMemory;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await memory());
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const t0 = performance.now();
  const model = await importTrace(url);
  const importMs = performance.now() - t0;
  sampling = false;
  await sampler;
  keep = model;
  await new Promise((r) => setTimeout(r, 100));
  const retained = await memory();
  return {
    importMs,
    slices: model.slices.count,
    worker: lastFallbackReason === '',
    fallbackReason: lastFallbackReason,
    longestTaskMs: longest,
    memoryBefore: before,
    peakBytes: sampleMemory ? Math.max(peak, retained) : NaN,
    retainedBytes: retained,
    diagnostics: model.diagnostics.length,
  };
}

(window as unknown as Record<string, unknown>).bench = { run, isolated: crossOriginIsolated, drop: () => void (keep = undefined) };
(window as unknown as Record<string, unknown>).ready = true;
