import { describe, expect, it } from 'vitest';
import type { ReadableSpan } from '../../../src/sdk/types';
import { createTailSampler, rateLimitingSampler, tailSamplingProcessor } from '../../../src/export/sampling';
import { fakeSpan } from './spans';

describe('rateLimitingSampler', () => {
  it('allows at most N new traces per minute, refilling over time', () => {
    let t = 0;
    const s = rateLimitingSampler(3, () => t);
    const root = () => s.shouldSample(undefined, 'a'.repeat(32), 'x', 0, undefined);
    expect([root(), root(), root(), root()]).toEqual([true, true, true, false]);
    t += 20_000; // one token back
    expect([root(), root()]).toEqual([true, false]);
    t += 600_000; // capped at the burst size
    expect([root(), root(), root(), root()]).toEqual([true, true, true, false]);
  });
  it('lets children follow their parent without using tokens', () => {
    const s = rateLimitingSampler(1, () => 0);
    const parent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
    for (let i = 0; i < 5; i++) expect(s.shouldSample(parent, parent.traceId, 'c', 0, undefined)).toBe(true);
    expect(s.shouldSample({ ...parent, traceFlags: 0 }, parent.traceId, 'c', 0, undefined)).toBe(false);
    expect(s.shouldSample(undefined, parent.traceId, 'r', 0, undefined)).toBe(true);
    expect(s.shouldSample(undefined, parent.traceId, 'r', 0, undefined)).toBe(false);
  });
});

describe('tail sampling', () => {
  const tid = (c: string) => ({ traceId: c.repeat(32) });
  it('keeps a ratio of ordinary traces, the same way for the same trace id', () => {
    const kept: string[] = [];
    const t = createTailSampler({ ratio: 0.5 }, (s) => kept.push(s.spanContext().traceId));
    const ids = Array.from({ length: 400 }, (_, i) => (i.toString(16).padStart(4, '0') + '9'.repeat(12)).repeat(2));
    for (const id of ids) t.onEnd(fakeSpan({ ctx: { traceId: id } }));
    expect(kept.length).toBeGreaterThan(140);
    expect(kept.length).toBeLessThan(260);
    const again: string[] = [];
    const t2 = createTailSampler({ ratio: 0.5 }, (s) => again.push(s.spanContext().traceId));
    for (const id of ids) t2.onEnd(fakeSpan({ ctx: { traceId: id } }));
    expect(again).toEqual(kept);
  });
  it('treats a span with a remote parent as the local root; flush decides traces whose root never ended', () => {
    const kept: ReadableSpan[] = [];
    const t = createTailSampler({ ratio: 0, slowMs: 100, keep: (spans) => spans.some((s) => s.name === 'checkout') }, (s) => kept.push(s));
    t.onEnd(fakeSpan({ name: 'child', ctx: tid('1'), parentSpanId: 'a'.repeat(16) }));
    t.onEnd(fakeSpan({ name: 'checkout', ctx: tid('1'), parentSpanId: 'b'.repeat(16), parentIsRemote: true }));
    expect(kept.map((s) => s.name)).toEqual(['child', 'checkout']);
    t.onEnd(fakeSpan({ name: 'orphan-slow', ctx: tid('2'), parentSpanId: 'c'.repeat(16), startMs: 0, endMs: 150 }));
    t.onEnd(fakeSpan({ name: 'orphan', ctx: tid('3'), parentSpanId: 'c'.repeat(16) }));
    expect(kept).toHaveLength(2);
    t.flush();
    expect(kept.map((s) => s.name)).toEqual(['child', 'checkout', 'orphan-slow']);
  });
  it('keeps a trace whose app keep() rule throws, and does not throw itself', () => {
    const kept: string[] = [];
    const t = createTailSampler(
      {
        ratio: 0,
        keep: () => {
          throw new Error('app rule failed');
        },
      },
      (s) => kept.push(s.name),
    );
    t.onEnd(fakeSpan({ name: 'child', ctx: tid('8'), parentSpanId: 'a'.repeat(16) }));
    expect(() => t.flush()).not.toThrow();
    expect(() => t.onEnd(fakeSpan({ name: 'root', ctx: tid('9') }))).not.toThrow();
    expect(kept).toEqual(['child', 'root']);
  });
  it('decides early when too many spans wait', () => {
    const kept: ReadableSpan[] = [];
    let dropped = 0;
    const t = createTailSampler({ ratio: 0, maxBufferedSpans: 3 }, (s) => kept.push(s), (n) => (dropped += n));
    for (const c of ['1', '2', '3', '4']) t.onEnd(fakeSpan({ ctx: tid(c), parentSpanId: 'd'.repeat(16), status: { code: c === '1' ? 2 : 0 } }));
    expect(kept).toHaveLength(1); // trace 1 (error) decided early and kept
    expect(dropped).toBe(0);
    t.flush();
    expect(dropped).toBe(3);
  });
  it('wraps any processor', async () => {
    const seen: string[] = [];
    let flushed = false;
    const p = tailSamplingProcessor(
      { onStart() {}, onEnd: (s) => seen.push(s.name), forceFlush: async () => void (flushed = true), shutdown: async () => {} },
      { ratio: 0 },
    );
    p.onEnd(fakeSpan({ name: 'err', status: { code: 2 }, ctx: tid('5') }));
    p.onEnd(fakeSpan({ name: 'ok', ctx: tid('6') }));
    p.onEnd(fakeSpan({ name: 'pending', ctx: tid('7'), parentSpanId: 'e'.repeat(16), status: { code: 2 } }));
    await p.forceFlush();
    expect(seen).toEqual(['err', 'pending']);
    expect(flushed).toBe(true);
  });
});
