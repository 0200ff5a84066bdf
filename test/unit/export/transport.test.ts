import { describe, expect, it } from 'vitest';
import { backoffMs, classifyResponse, parseRetryAfter } from '../../../src/export/transport';

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0); // in the past: now
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('5s', now)).toBeUndefined();
    // Neither delta-seconds nor an HTTP date, though Date.parse would read it as 2001-01-05.
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles from the initial delay, capped, with jitter in [0.5, 1)', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 0.999999)).toBeCloseTo(1000, 0);
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(backoffMs(20, 1000, 60_000, () => 0.999999)).toBeCloseTo(60_000, -1);
    // the README's defaults: 1 s initial; the cap defaults to 60 s
    expect(backoffMs(1, undefined, undefined, () => 0)).toBe(500);
    expect(backoffMs(40, undefined, undefined, () => 0)).toBe(30_000);
    expect(backoffMs(1, 1, 60_000, () => 0)).toBe(0.5); // sub-millisecond delays are kept, not zeroed
    const seen = new Set(Array.from({ length: 50 }, () => Math.round(backoffMs(4))));
    expect(seen.size).toBeGreaterThan(10); // real jitter
    for (const v of seen) expect(v >= 4000 && v <= 8000).toBe(true);
  });
});

describe('backoffMs: degenerate inputs', () => {
  it('is a finite delay within [0, maxMs] with retryInitialMs 0, after very many attempts, or with bad input', () => {
    for (const [a, init] of [[2000, 0], [1, 0], [5000, 1000], [3, NaN], [3, -5]] as const) {
      const d = backoffMs(a, init, 60_000);
      expect(Number.isFinite(d) && d >= 0 && d <= 60_000).toBe(true);
    }
    expect(backoffMs(5000, 1000, 60_000, () => 0)).toBe(30_000);
    expect(backoffMs(3, NaN, 60_000)).toBe(0);
    expect(backoffMs(1, -1, 60_000, () => 0)).toBe(0);
  });
});

describe('classifyResponse', () => {
  it('treats an empty partialSuccess as full success', () => {
    expect(classifyResponse(200, null, '{"partialSuccess":{}}')).toEqual({ code: 'success' });
    expect(classifyResponse(202, null, '')).toEqual({ code: 'success' });
    expect(classifyResponse(299, null, '')).toEqual({ code: 'success' });
  });
  it('counts rejected spans (int64 as string or number)', () => {
    expect(classifyResponse(200, null, '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"x"}}')).toEqual({ code: 'success', rejected: 3 });
    expect(classifyResponse(200, null, '{"partialSuccess":{"rejectedSpans":2}}')).toEqual({ code: 'success', rejected: 2 });
  });
  it('never reports a negative or non-numeric rejectedSpans', () => {
    expect(classifyResponse(200, null, '{"partialSuccess":{"rejectedSpans":-4}}')).toEqual({ code: 'success' });
    expect(classifyResponse(200, null, '{"partialSuccess":{"rejectedSpans":"-2"}}')).toEqual({ code: 'success' });
    expect(classifyResponse(200, null, '{"partialSuccess":{"rejectedSpans":"lots"}}')).toEqual({ code: 'success' });
    expect(classifyResponse(200, null, '{"partialSuccess":{"rejectedSpans":{}}}')).toEqual({ code: 'success' });
  });
  it('retries 429/502/503/504 honouring Retry-After', () => {
    for (const s of [429, 502, 503, 504]) expect(classifyResponse(s, null, '').code).toBe('retryable');
    expect(classifyResponse(503, '7', '')).toMatchObject({ code: 'retryable', retryAfterMs: 7000 });
  });
  it('is final for other statuses', () => {
    for (const s of [199, 300, 400, 401, 403, 404, 413, 415, 500]) expect(classifyResponse(s, '5', '')).toEqual({ code: 'failure', error: `http_${s}` });
  });
});
