import { describe, expect, it } from 'vitest';
import { TimeScale, computeTicks, formatDuration, formatTick } from '../../../../src/viewer/render/time-scale';

describe('TimeScale', () => {
  const make = () => {
    const s = new TimeScale();
    s.widthCssPx = 1000;
    s.setExtent(0, 1e6);
    return s;
  };

  it('maps time to pixels and back', () => {
    const s = make();
    s.setWindow(0, 1e6);
    expect(s.timeToPx(5e5)).toBeCloseTo(500);
    expect(s.pxToTime(250)).toBeCloseTo(2.5e5);
  });

  it('zooms around the anchor pixel', () => {
    const s = make();
    s.setWindow(0, 1e6);
    const anchor = s.pxToTime(300);
    s.zoomAt(300, 4);
    expect(s.spanNs).toBeCloseTo(2.5e5);
    expect(s.pxToTime(300)).toBeCloseTo(anchor);
  });

  it('clamps panning and zooming to the extent (with 1% margin)', () => {
    const s = make();
    s.zoomAt(500, 0.01);
    expect(s.startNs).toBeCloseTo(-1e4);
    expect(s.endNs).toBeCloseTo(1.01e6);
    s.setWindow(0, 1000);
    s.panPx(-1e9);
    expect(s.startNs).toBeCloseTo(-1e4);
    s.zoomAt(0, 1e12);
    expect(s.spanNs).toBe(TimeScale.MIN_SPAN_NS);
  });
});

describe('ticks and durations', () => {
  it('picks 1/2/5 steps at least minGap apart, with a fitting unit', () => {
    const s = new TimeScale();
    s.widthCssPx = 1000;
    s.setExtent(0, 1e9);
    s.setWindow(0, 1e9);
    const t = computeTicks(s, 90);
    expect(t.stepNs).toBe(1e8);
    expect(t.unit).toBe('ms');
    expect(formatTick(3e8, t)).toBe('300 ms');
    s.setWindow(0, 5e3);
    const u = computeTicks(s, 90);
    expect(u.stepNs).toBe(500);
    expect(formatTick(1500, u)).toBe('1.5 µs');
    s.setWindow(0, 5e6);
    expect(formatTick(1.5e6, computeTicks(s, 90))).toBe('1.5 ms');
  });

  it('formats durations with adaptive units', () => {
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(1500)).toBe('1.5 µs');
    expect(formatDuration(2e6)).toBe('2 ms');
    expect(formatDuration(92e6)).toBe('92 ms');
    expect(formatDuration(1.25e9)).toBe('1.25 s');
    expect(formatDuration(123456789, 6)).toBe('123.4568 ms');
  });
});
