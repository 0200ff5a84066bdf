// Span times are the monotonic clock anchored to the wall clock. The monotonic clock stops while
// the machine sleeps, so a tab open across a sleep must re-anchor, or its spans land hours before
// the backend spans they cause.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemorySpanExporter, getTracer, type ReadableSpan, type Span } from '../../../src/sdk/index';
import { freshProvider } from './fresh-provider';

const startOf = (s: Span) => (s as unknown as ReadableSpan).startMs;

let exporter: InMemorySpanExporter;
beforeEach(() => ({ exporter } = freshProvider()));
afterEach(() => {
  vi.restoreAllMocks();
  getTracer().startSpan('re-anchor to the real clocks').end();
});

describe('clock across a machine sleep', () => {
  it('a trace started after the monotonic clock paused is stamped by the wall clock; a trace keeps one anchor', () => {
    let mono = 5_000;
    let wall = performance.timeOrigin + mono;
    vi.spyOn(performance, 'now').mockImplementation(() => mono);
    vi.spyOn(Date, 'now').mockImplementation(() => wall);
    const tracer = getTracer();
    const before = tracer.startSpan('before sleep');
    expect(startOf(before)).toBe(wall);
    // The machine sleeps an hour: the wall clock moves on, the monotonic clock does not.
    wall += 3_600_000;
    mono += 1;
    wall += 1;
    // A child of the trace started before the sleep keeps that trace's anchor (its times stay in order).
    const child = tracer.startSpan('child', { parent: before });
    expect(startOf(child)).toBe(performance.timeOrigin + mono);
    child.end();
    before.end();
    // A new trace re-anchors: its spans are at wall-clock time, as the backend's are.
    const after = tracer.startSpan('after sleep');
    expect(startOf(after)).toBe(wall);
    mono += 20;
    wall += 20;
    const afterChild = tracer.startSpan('after child', { parent: after });
    expect(startOf(afterChild)).toBe(wall);
    afterChild.end();
    after.end();
    const ended = exporter.getFinishedSpans() as ReadableSpan[];
    expect(ended.every((s) => s.endMs >= s.startMs)).toBe(true);
    expect(ended.find((s) => s.name === 'after child')!.endMs - ended.find((s) => s.name === 'after sleep')!.startMs).toBe(20);
  });

  it('less than a second of drift (clock slew) does not move the anchor', () => {
    let mono = 5_000;
    const wall = () => performance.timeOrigin + mono + 900;
    vi.spyOn(performance, 'now').mockImplementation(() => mono);
    vi.spyOn(Date, 'now').mockImplementation(wall);
    const a = getTracer().startSpan('a');
    // (The real clocks, re-anchored to before this test, may differ by a fraction of a millisecond.)
    expect(Math.abs(startOf(a) - (performance.timeOrigin + mono))).toBeLessThan(5);
    mono += 10;
    a.end();
  });
});

describe('times the app passes', () => {
  it('performance.now()-style times (a PerformanceEntry startTime) are relative to the time origin; epoch ms stay as given', () => {
    const tracer = getTracer();
    const rel = tracer.startSpan('from an entry', { startTime: 12.5, root: true }) as unknown as ReadableSpan & Span;
    rel.addEvent('mark', 20);
    rel.end(30);
    const epoch = tracer.startSpan('epoch', { startTime: 1_700_000_000_000 }) as unknown as ReadableSpan & Span;
    epoch.end(1_700_000_000_250);
    const [a, b] = exporter.getFinishedSpans();
    // Near it, not at it: the anchor is read from Date.now(), which drifts from the monotonic clock
    // that timeOrigin was fixed against (1.6 ms apart in one long test run). 1970 would be off by ~1.7e12.
    expect(Math.abs(a.startMs - (performance.timeOrigin + 12.5))).toBeLessThan(50);
    expect(a.events[0].timeMs - a.startMs).toBeCloseTo(7.5, 6);
    expect(a.endMs - a.startMs).toBeCloseTo(17.5, 6);
    expect([b.startMs, b.endMs]).toEqual([1_700_000_000_000, 1_700_000_000_250]);
  });
});
