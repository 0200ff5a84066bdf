import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { detectFormat } from '../../../src/viewer/import/detect';
import { importTrace } from '../../../src/viewer/import/client';
import { TraceImportError } from '../../../src/viewer/model/trace-model';
import type { ReadableSpan } from '../../../src/sdk/types';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const chrome = (n: number): string =>
  JSON.stringify({ traceEvents: Array.from({ length: n }, (_, i) => ({ ph: 'X', pid: 1, tid: 1, ts: i * 10, dur: 5, name: `e${i % 7}` })) });


/**
 * The event loop got to run throughout the phase: several timer ticks, none of the gaps between
 * them more than half the phase (a blocking implementation gives one gap as long as the phase).
 * Relative, so it holds on a loaded machine; absolute task lengths are measured in bench/.
 */
/**
 * Timer ticks ran again and again through the phase: at least 4, and no gap near the whole span
 * (one block that never yields). Not under half of it: a GC or a parallel test file's 50 ms in
 * a 90 ms phase failed that on a loaded CI machine.
 */
function expectSpreadOut(ticks: number[]): void {
  expect(ticks.length).toBeGreaterThanOrEqual(4);
  let longest = 0;
  for (let i = 1; i < ticks.length; i++) longest = Math.max(longest, ticks[i] - ticks[i - 1]);
  expect(longest).toBeLessThan((ticks[ticks.length - 1] - ticks[0]) * 0.75 + 1);
}

describe('format detection from content', () => {
  it.each([
    ['{"traceEvents":[]}', 'chrome-json'],
    ['[{"ph":"X","ts":1}]', 'chrome-json'],
    ['  \n[]', 'chrome-json'],
    ['{"resourceSpans":[]}', 'otlp-json'],
    ['[{"resourceSpans":[]}]', 'otlp-json'],
    ['{"data":[{"traceID":"a","spans":[]}]}', 'jaeger-json'],
    ['[{"traceId":"a","id":"b","timestamp":1}]', 'zipkin-json'],
    ['hello', 'unknown'],
  ])('%s → %s', (text, format) => {
    expect(detectFormat(enc(text))).toBe(format);
  });
  it('gzip magic', () => expect(detectFormat(gzipSync(enc('[]')))).toBe('gzip'));
});

describe('streaming pipeline', () => {
  it('gunzips through DecompressionStream and streams a Blob', async () => {
    const gz = gzipSync(enc(chrome(5000)));
    const m = await runPipeline({ kind: 'blob', blob: new Blob([gz]) });
    expect(m.slices.count).toBe(5000);
  });

  it('reports progress in bytes and events, and ends with phase building', async () => {
    const bytes = enc(chrome(200_000));
    const seen: Array<{ bytes: number; events: number; phase: string; totalBytes?: number }> = [];
    const m = await runPipeline({ kind: 'bytes', bytes }, { onProgress: (p) => seen.push(p), maxPieceBytes: 1 << 16 });
    expect(m.slices.count).toBe(200_000);
    expect(seen.length).toBeGreaterThan(1);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ bytes: bytes.length, totalBytes: bytes.length, events: 200_000, phase: 'building' });
    for (let i = 1; i < seen.length; i++) expect(seen[i].bytes).toBeGreaterThanOrEqual(seen[i - 1].bytes);
  });

  it('is cancellable', async () => {
    const ac = new AbortController();
    const p = runPipeline({ kind: 'bytes', bytes: enc(chrome(100_000)) }, { signal: ac.signal, yieldEveryMs: 1, maxPieceBytes: 4096 });
    setTimeout(() => ac.abort(), 5);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('precise error for non-trace input', async () => {
    const p = runPipeline({ kind: 'bytes', bytes: enc('<html></html>') });
    await expect(p).rejects.toBeInstanceOf(TraceImportError);
    await expect(runPipeline({ kind: 'bytes', bytes: enc('<html>') })).rejects.toThrow(/line 1, column 1 \(byte 0\)/);
  });

  // Whether it yields is behaviour; how long its steps take is speed (bench/viewer-import.mjs).
  it('main-thread fallback yields to the event loop again and again while reading', async () => {
    const bytes = enc(chrome(150_000));
    const ticks: number[] = [];
    let reading = true;
    const timer = setInterval(() => {
      if (reading) ticks.push(performance.now());
    }, 0);
    const m = await runPipeline(
      { kind: 'bytes', bytes },
      { yieldEveryMs: 8, onProgress: (p) => void (p.phase === 'building' && (reading = false)) },
    );
    clearInterval(timer);
    expect(m.slices.count).toBe(150_000);
    expectSpreadOut(ticks);
  });
});

describe('preview while importing (onPartial)', () => {
  it('posts one preview of the events read so far, and the final model is unchanged by it', async () => {
    const bytes = enc(chrome(200_000));
    const previews: number[] = [];
    const m = await runPipeline({ kind: 'bytes', bytes }, { maxPieceBytes: 1 << 16, partialAfterEvents: 20_000, onPartial: (p) => previews.push(p.slices.count) });
    expect(previews.length).toBe(1);
    expect(previews[0]).toBeGreaterThanOrEqual(20_000);
    expect(previews[0]).toBeLessThan(60_000);
    const plain = await runPipeline({ kind: 'bytes', bytes });
    expect(m.slices.count).toBe(200_000);
    expect(Array.from(m.slices.startNs)).toEqual(Array.from(plain.slices.startNs));
    expect(Array.from(m.slices.depth)).toEqual(Array.from(plain.slices.depth));
    expect(m.endNs).toBe(plain.endNs);
  });

  it('a preview comes after partialAfterMs of reading even with few events (slow stream)', async () => {
    const text = chrome(3000);
    const bytes = enc(text);
    const stream = new ReadableStream<Uint8Array>({
      async start(c) {
        for (let p = 0; p < bytes.length; p += 4096) {
          c.enqueue(bytes.slice(p, p + 4096));
          await new Promise((r) => setTimeout(r, 5));
        }
        c.close();
      },
    });
    let preview: { count: number; at: number } | undefined;
    const t0 = performance.now();
    const m = await runPipeline({ kind: 'stream', stream }, { partialAfterMs: 60, onPartial: (p) => (preview ??= { count: p.slices.count, at: performance.now() - t0 }) });
    expect(m.slices.count).toBe(3000);
    expect(preview).toBeDefined();
    expect(preview!.count).toBeGreaterThan(0);
    expect(preview!.count).toBeLessThan(3000);
  });

  it('no preview for an input that ends quickly', async () => {
    let called = false;
    await runPipeline({ kind: 'bytes', bytes: enc(chrome(1000)) }, { onPartial: () => (called = true) });
    expect(called).toBe(false);
  });

  it('main-thread fallback: the final layout yields too (300k unsorted events)', async () => {
    // Unsorted input (descending ts) so the per-track sort runs as well.
    const n = 300_000;
    const ev = Array.from({ length: n }, (_, i) => `{"ph":"X","pid":1,"tid":1,"ts":${(n - i) * 10},"dur":5,"name":"e${i % 7}"}`);
    const bytes = enc(`[${ev.join(',')}]`);
    let building = false;
    const ticks: number[] = [];
    const timer = setInterval(() => {
      if (building) ticks.push(performance.now());
    }, 0);
    const m = await runPipeline(
      { kind: 'bytes', bytes },
      { yieldEveryMs: 8, onProgress: (p) => void (p.phase === 'building' && (building = true)) },
    );
    clearInterval(timer);
    expect(m.slices.count).toBe(n);
    for (let i = 1; i < n; i++) if (m.slices.startNs[i] < m.slices.startNs[i - 1]) throw new Error(`not sorted at ${i}`);
    expectSpreadOut(ticks);
  });
});

describe('importTrace (no Worker in Node → main-thread path)', () => {
  it('accepts JSON text, objects, bytes and live SDK spans', async () => {
    expect((await importTrace('[{"ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"name":"a"}]')).slices.count).toBe(1);
    expect((await importTrace({ traceEvents: [{ ph: 'X', ts: 1, dur: 1, name: 'a' }] })).slices.count).toBe(1);
    expect((await importTrace(enc('{"resourceSpans":[]}'))).format).toBe('otlp-json');
    const span = {
      name: 'live',
      kind: 0,
      spanContext: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
      startMs: 1000,
      endMs: 1010,
      attributes: {},
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 0 },
      resource: { attributes: { 'service.name': 's' } },
      scope: { name: 'x' },
    } as unknown as ReadableSpan;
    const m = await importTrace([span]);
    expect(m.format).toBe('spanbeam-spans');
    expect(m.slices.durNs[0]).toBe(10e6);
  });

  it('tells text from a URL in linear time: folded stacks on one line, two lines, and a long line of `;` (quadratic before)', async () => {
    expect((await importTrace('a;b 3')).format).toBe('collapsed-stacks');
    expect((await importTrace('a;b 3\n  a 1  ')).slices.count).toBe(2);
    const ac = new AbortController();
    const t = performance.now();
    // Not data: taken for a URL (then cancelled before it is fetched).
    const p = importTrace('a;'.repeat(100_000) + 'x', { signal: ac.signal });
    expect(performance.now() - t).toBeLessThan(1000);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects with AbortError when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(importTrace('[]', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
