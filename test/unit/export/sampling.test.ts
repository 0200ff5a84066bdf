import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ReadableSpan, Span } from '../../../src/sdk/types';
import { createTailSampler, rateLimitingSampler, tailSamplingProcessor } from '../../../src/export/sampling';
import { traceIdRatioSampler } from '../../../src/sdk/sampler';
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
    t.flush(); // not kept by their spans so far: they wait for their roots
    expect(dropped).toBe(0);
    for (const c of ['2', '3', '4']) t.onEnd(fakeSpan({ ctx: tid(c) }));
    expect(dropped).toBe(6);
  });
  it('a trace not kept yet when the page hides (flush) waits for its root: a slow root or a later error keeps all of it', () => {
    const kept: string[] = [];
    let dropped = 0;
    const t = createTailSampler({ ratio: 0, slowMs: 1000 }, (s) => kept.push(s.name), (n) => (dropped += n));
    const child = (name: string, c: string, code: 0 | 2 = 0) => fakeSpan({ name, ctx: tid(c), parentSpanId: 'a'.repeat(16), status: { code } });
    t.onEnd(child('slow-child', '1'));
    t.onEnd(child('err-child', '2'));
    t.onEnd(child('fast-child', '3'));
    t.flush(); // the tab is hidden for a moment while the three operations run
    expect(kept).toEqual([]);
    t.onEnd(fakeSpan({ name: 'slow-root', ctx: tid('1'), startMs: 0, endMs: 1500 }));
    t.onEnd(child('late-err', '2', 2));
    t.onEnd(fakeSpan({ name: 'err-root', ctx: tid('2') }));
    t.onEnd(fakeSpan({ name: 'fast-root', ctx: tid('3') }));
    expect(kept).toEqual(['slow-child', 'slow-root', 'err-child', 'late-err', 'err-root']);
    expect(dropped).toBe(2);
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

describe('tail sampling options and defaults', () => {
  const tid = (c: string) => ({ traceId: c.repeat(32) });
  const names = (o: Parameters<typeof createTailSampler>[0], spans: ReadableSpan[]) => {
    const kept: string[] = [];
    const t = createTailSampler(o, (s) => kept.push(s.name));
    for (const s of spans) t.onEnd(s);
    return kept;
  };
  it('keepErrors: false does not keep a trace for its error', () => {
    const err = () => fakeSpan({ name: 'err', ctx: tid('1'), status: { code: 2 } });
    expect(names({ ratio: 0, keepErrors: false }, [err()])).toEqual([]);
    expect(names({ ratio: 0 }, [err()])).toEqual(['err']);
  });
  it('keeps traces with a span at least slowMs long, 2000 ms by default', () => {
    const span = (name: string, ms: number) => fakeSpan({ name, ctx: tid(name[0]), startMs: 0, endMs: ms });
    expect(names({ ratio: 0 }, [span('1999', 1999), span('2000', 2000)])).toEqual(['2000']);
    expect(names({ ratio: 0, slowMs: 50 }, [span('49', 49), span('50', 50)])).toEqual(['50']);
  });
  it('keeps 10% of ordinary traces by default, by the same trace-id rule as head sampling', () => {
    const ids = Array.from({ length: 300 }, (_, i) => createHash('md5').update(String(i)).digest('hex'));
    const kept = names({}, ids.map((id) => fakeSpan({ name: id, ctx: { traceId: id } })));
    const tenth = traceIdRatioSampler(0.1);
    expect(kept).toEqual(ids.filter((id) => tenth.shouldSample(undefined, id, '', 0, undefined)));
    expect(kept.length).toBeGreaterThan(0);
  });
  it('holds 2000 spans by default before deciding the oldest trace early', () => {
    const t = createTailSampler({ ratio: 0 }, () => {}, (n) => (dropped += n));
    let dropped = 0;
    for (let i = 0; i < 2000; i++) t.onEnd(fakeSpan({ ctx: { traceId: i.toString(16).padStart(32, '0') }, parentSpanId: 'a'.repeat(16) }));
    expect(dropped).toBe(0);
    t.onEnd(fakeSpan({ ctx: tid('f'), parentSpanId: 'a'.repeat(16) }));
    expect(dropped).toBe(1);
  });
  it('the processor forwards onStart and decides waiting traces on shutdown (no span lost)', async () => {
    const seen: string[] = [];
    let shut = false;
    const p = tailSamplingProcessor(
      { onStart: (s) => seen.push(`start ${s.name}`), onEnd: (s) => seen.push(s.name), forceFlush: async () => {}, shutdown: async () => void (shut = true) },
      { ratio: 0 },
    );
    const pending = fakeSpan({ name: 'pending', ctx: tid('7'), parentSpanId: 'e'.repeat(16), status: { code: 2 } });
    p.onStart(pending as Span & ReadableSpan, undefined); // a fake: onStart only forwards it
    p.onEnd(pending);
    expect(seen).toEqual(['start pending']);
    await p.shutdown();
    expect(seen).toEqual(['start pending', 'pending']);
    expect(shut).toBe(true);
  });
});

describe('rateLimitingSampler tokens', () => {
  it('a wall clock set back (by the user, a sync) takes no tokens away', () => {
    let t = 10 * 3_600_000;
    const s = rateLimitingSampler(60, () => t);
    const root = () => s.shouldSample(undefined, 'a'.repeat(32), 'x', 0, undefined);
    for (let i = 0; i < 60; i++) root();
    t -= 3_600_000; // an hour back
    expect(root()).toBe(false); // the bucket is still empty
    t += 2000;
    expect(root()).toBe(true); // refilled at 1/s from then on
  });
  it('a limit that is not a number admits nothing rather than everything', () => {
    for (const n of [NaN, -1, 0]) expect(rateLimitingSampler(n, () => 0).shouldSample(undefined, 'a'.repeat(32), 'x', 0, undefined)).toBe(false);
  });
  it('needs a whole token: half a token’s refill admits nothing', () => {
    let t = 0;
    const s = rateLimitingSampler(2, () => t);
    const root = () => s.shouldSample(undefined, 'a'.repeat(32), 'x', 0, undefined);
    expect([root(), root(), root()]).toEqual([true, true, false]);
    t += 15_000; // half a token at 2/min
    expect(root()).toBe(false);
    t += 15_000;
    expect(root()).toBe(true);
  });
});

describe('tail sampling: errors and slow spans after the decision (samp audit)', () => {
  const tid = (c: string) => ({ traceId: c.repeat(32) });
  it('an error that ends after its dropped root (a late callback under zone.js) is kept, with what follows', () => {
    const kept: string[] = [];
    let dropped = 0;
    const t = createTailSampler({ ratio: 0, slowMs: 1000 }, (s) => kept.push(s.name), (n) => (dropped += n));
    t.onEnd(fakeSpan({ name: 'fetch', ctx: tid('1'), parentSpanId: 'a'.repeat(16) }));
    t.onEnd(fakeSpan({ name: 'click', ctx: tid('1') })); // the root: fast, no error: dropped
    expect(dropped).toBe(2);
    t.onEnd(fakeSpan({ name: 'ok-late', ctx: tid('1'), parentSpanId: 'b'.repeat(16) }));
    t.onEnd(fakeSpan({ name: 'error', ctx: tid('1'), parentSpanId: 'b'.repeat(16), status: { code: 2 } }));
    t.onEnd(fakeSpan({ name: 'after', ctx: tid('1'), parentSpanId: 'b'.repeat(16) }));
    expect(kept).toEqual(['error', 'after']);
    expect(dropped).toBe(3);
  });
  it('a slow or failing root decided early by the buffer cap is kept', () => {
    const kept: string[] = [];
    const t = createTailSampler({ ratio: 0, slowMs: 1000, maxBufferedSpans: 1 }, (s) => kept.push(s.name));
    t.onEnd(fakeSpan({ name: 'child-1', ctx: tid('1'), parentSpanId: 'a'.repeat(16) }));
    t.onEnd(fakeSpan({ name: 'child-2', ctx: tid('2'), parentSpanId: 'a'.repeat(16) })); // trace 1 decided early: dropped
    t.onEnd(fakeSpan({ name: 'slow-root', ctx: tid('1'), startMs: 0, endMs: 1500 }));
    expect(kept).toEqual(['slow-root']);
  });
});

describe('rateLimitingSampler below one trace a minute (samp audit)', () => {
  it('rateLimitingSampler(0.5) admits one trace every two minutes, not none', () => {
    let t = 0;
    const s = rateLimitingSampler(0.5, () => t);
    const root = () => s.shouldSample(undefined, 'a'.repeat(32), 'x', 0, undefined);
    expect([root(), root()]).toEqual([true, false]);
    t += 60_000;
    expect(root()).toBe(false);
    t += 60_000;
    expect([root(), root()]).toEqual([true, false]);
    t += 3_600_000; // an hour idle: still a burst of one
    expect([root(), root()]).toEqual([true, false]);
  });
});

describe('tail sampling ratio and explicit randomness (samp audit)', () => {
  it('the ratio follows the trace’s `ot=rv:` randomness, as head sampling does', () => {
    const kept: string[] = [];
    const t = createTailSampler({ ratio: 0.5 }, (s) => kept.push(s.name));
    t.onEnd(fakeSpan({ name: 'rv-high', ctx: { traceId: '0'.repeat(31) + '1', traceState: 'ot=rv:ffffffffffffff' }, parentSpanId: 'a'.repeat(16), parentIsRemote: true }));
    t.onEnd(fakeSpan({ name: 'rv-low', ctx: { traceId: 'f'.repeat(32), traceState: 'ot=rv:00000000000001' }, parentSpanId: 'a'.repeat(16), parentIsRemote: true }));
    expect(kept).toEqual(['rv-high']);
  });
});
