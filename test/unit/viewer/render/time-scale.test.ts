import { describe, expect, it } from 'vitest';
import { TimeScale, computeTicks, formatDuration, formatExact, formatTick } from '../../../../src/viewer/render/time-scale';

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

describe('ticks and durations on a value axis (samples, bytes, units)', () => {
  const scaleOver = (span: number, width = 1000) => {
    const s = new TimeScale();
    s.widthCssPx = width;
    s.setExtent(0, span);
    s.setWindow(0, span);
    return s;
  };
  const labels = (s: TimeScale, unit: 'samples' | 'bytes' | 'units') => {
    const t = computeTicks(s, 90, unit);
    const out: string[] = [];
    for (let v = t.firstNs; v <= s.endNs; v += t.stepNs) out.push(formatTick(v, t));
    return { t, out };
  };

  it('formats counts with magnitude suffixes and no time unit', () => {
    expect(formatDuration(10, 3, 'samples')).toBe('10 samples');
    expect(formatDuration(1, 3, 'samples')).toBe('1 sample');
    expect(formatDuration(0, 3, 'samples')).toBe('0 samples');
    expect(formatDuration(1500, 3, 'samples')).toBe('1.5 k samples');
    expect(formatDuration(2.5e6, 3, 'samples')).toBe('2.5 M samples');
    expect(formatDuration(123456, 6, 'samples')).toBe('123.456 k samples');
    expect(formatDuration(250, 3, 'units')).toBe('250 units');
    expect(formatDuration(1, 3, 'units')).toBe('1 unit');
    expect(formatDuration(1, 3, 'bytes')).toBe('1 B');
    expect(formatDuration(1500, 3, 'bytes')).toBe('1.5 KB'); // 1000-based
    expect(formatDuration(3e6, 3, 'bytes')).toBe('3 MB');
    expect(formatDuration(4.2e9, 3, 'bytes')).toBe('4.2 GB');
    expect(formatDuration(-12, 3, 'samples')).toBe('-12 samples');
  });

  it('leaves time formatting as it was when there is no value unit', () => {
    expect(formatDuration(12, 3, undefined)).toBe('12 ns');
    expect(formatDuration(0, 3, undefined)).toBe('0');
    const s = scaleOver(40);
    expect(labels(s, 'samples').out.every((l) => !l.includes('ns'))).toBe(true);
    expect(formatTick(10, computeTicks(s, 90))).toBe('10 ns');
  });

  // Labels keep the step's decimals, as time ticks do ("0.5 ms, 1.0 ms").
  it('ticks at whole 1/2/5×10^k counts, never fractions, even zoomed in past one per pixel', () => {
    const few = labels(scaleOver(5), 'samples');
    expect(few.t.stepNs).toBe(1);
    expect(few.out).toEqual(['0 samples', '1 sample', '2 samples', '3 samples', '4 samples', '5 samples']);
    const tens = labels(scaleOver(40), 'samples');
    expect(tens.t.stepNs).toBe(5);
    expect(tens.out.slice(0, 3)).toEqual(['0 samples', '5 samples', '10 samples']);
    const k = labels(scaleOver(5000), 'samples');
    expect(k.t.stepNs).toBe(500);
    expect(k.out.slice(0, 4)).toEqual(['0.0 k samples', '0.5 k samples', '1.0 k samples', '1.5 k samples']);
    const m = labels(scaleOver(2e7), 'units');
    expect(m.t.stepNs).toBe(2e6);
    expect(m.out[1]).toBe('2 M units');
    const b = labels(scaleOver(5000), 'bytes');
    expect(b.out.slice(0, 4)).toEqual(['0.0 KB', '0.5 KB', '1.0 KB', '1.5 KB']);
    expect(labels(scaleOver(300), 'bytes').out.slice(0, 3)).toEqual(['0 B', '50 B', '100 B']);
    for (const span of [3, 17, 123, 9999, 4.5e7]) {
      const { t } = labels(scaleOver(span), 'samples');
      expect(Number.isInteger(t.stepNs) && t.stepNs >= 1).toBe(true);
      expect(String(t.stepNs)).toMatch(/^[125]0*$/);
    }
  });
});

describe('ticks past a minute', () => {
  const ruler = (startNs: number, endNs: number, width = 1000) => {
    const s = new TimeScale();
    s.widthCssPx = width;
    s.setExtent(0, 10 * 86_400e9);
    s.setWindow(startNs, endNs);
    const t = computeTicks(s, 90);
    const out: string[] = [];
    for (let v = t.firstNs; v <= s.endNs; v += t.stepNs) out.push(formatTick(v, t));
    return { t, out };
  };
  const H = 3600e9;

  it('ticks a three-hour trace at whole minutes and labels them as a clock would', () => {
    const { t, out } = ruler(0, 3 * H);
    expect(t.stepNs).toBe(30 * 60e9);
    expect(out).toEqual(['0 s', '30 min', '1 h', '1 h 30 min', '2 h', '2 h 30 min', '3 h']);
  });

  it('keeps 1/2/5 seconds under 20 s a label, and counts on in minutes', () => {
    const { t, out } = ruler(0, 120e9);
    expect(t.stepNs).toBe(20e9);
    expect(out).toEqual(['0 s', '20 s', '40 s', '1 min', '1 min 20 s', '1 min 40 s', '2 min']);
    expect(ruler(0, 300e9).out).toEqual(['0 s', '30 s', '1 min', '1 min 30 s', '2 min', '2 min 30 s', '3 min', '3 min 30 s', '4 min', '4 min 30 s', '5 min']);
  });

  it('zoomed in two hours into a trace: the clock with the decimals the step needs, never float noise', () => {
    const { out } = ruler(2 * H + 36e9, 2 * H + 36e9 + 5e6);
    expect(out[0]).toBe('2 h 36.0000 s');
    expect(out[1]).toBe('2 h 36.0005 s');
    expect(out.every((l) => /^2 h 36\.\d{4} s$/.test(l))).toBe(true);
  });

  it('days for traces of a week, and a sign before the origin', () => {
    expect(ruler(0, 7 * 86_400e9).out.slice(0, 3)).toEqual(['0 s', '1 d', '2 d']);
    const s = new TimeScale();
    s.widthCssPx = 1000;
    expect(formatTick(-90e9, computeTicks(Object.assign(s, { startNs: -300e9, endNs: 0 }), 90))).toBe('-1 min 30 s');
  });

  it('durations over an hour read in hours', () => {
    expect(formatDuration(3 * 3600e9)).toBe('3 h');
    expect(formatDuration(5400e9)).toBe('1.5 h');
    expect(formatDuration(90e9)).toBe('1.5 min');
  });
});

describe('formatExact', () => {
  it('keeps every ns: slices 100 ns apart a day in do not share one start', () => {
    expect(formatExact(86400e9 + 500)).toBe('1 d 0.0000005 s');
    expect(formatExact(86400e9 + 600)).toBe('1 d 0.0000006 s');
    expect(formatExact(3600e9)).toBe('1 h');
    expect(formatExact(3661.5e9)).toBe('1 h 1 min 1.5 s');
    expect(formatExact(123456789)).toBe('123.456789 ms');
    expect(formatExact(59999999999)).toBe('59.999999999 s');
    expect(formatExact(1234)).toBe('1.234 µs');
    expect(formatExact(0)).toBe('0');
  });
});
