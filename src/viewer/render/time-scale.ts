import type { TraceModel } from '../model/trace-model';

/**
 * Maps trace time (ns relative to the model origin) to CSS pixels of the timeline area and back.
 * The visible window is [startNs, endNs]; `widthCssPx` is the timeline area width.
 * Mutable on purpose: pan/zoom change it in place every frame without allocating.
 */
export class TimeScale {
  startNs = 0;
  endNs = 1;
  widthCssPx = 1;
  /** Bounds the window may not leave (the trace extent, with a margin). */
  minNs = 0;
  maxNs = 1;
  /** Smallest window width (zoom-in limit). */
  static readonly MIN_SPAN_NS = 10;

  get spanNs(): number {
    return this.endNs - this.startNs;
  }

  get pxPerNs(): number {
    return this.widthCssPx / (this.endNs - this.startNs);
  }

  timeToPx(tNs: number): number {
    return ((tNs - this.startNs) * this.widthCssPx) / (this.endNs - this.startNs);
  }

  pxToTime(xCssPx: number): number {
    return this.startNs + (xCssPx * (this.endNs - this.startNs)) / this.widthCssPx;
  }

  /** Sets the bounds and shows all of them. */
  setExtent(minNs: number, maxNs: number): void {
    if (!(maxNs > minNs)) maxNs = minNs + 1000;
    const pad = (maxNs - minNs) * 0.01;
    this.minNs = minNs - pad;
    this.maxNs = maxNs + pad;
    this.startNs = this.minNs;
    this.endNs = this.maxNs;
  }

  setWindow(startNs: number, endNs: number): void {
    this.startNs = startNs;
    this.endNs = Math.max(endNs, startNs + TimeScale.MIN_SPAN_NS);
    this.clamp();
  }

  /** Zooms by `factor` (> 1 zooms in) keeping the time under `xCssPx` fixed. */
  zoomAt(xCssPx: number, factor: number): void {
    const anchor = this.pxToTime(xCssPx);
    let span = this.spanNs / factor;
    const full = this.maxNs - this.minNs;
    if (span > full) span = full;
    if (span < TimeScale.MIN_SPAN_NS) span = TimeScale.MIN_SPAN_NS;
    const frac = xCssPx / this.widthCssPx;
    this.startNs = anchor - span * frac;
    this.endNs = this.startNs + span;
    this.clamp();
  }

  /** Pans by a distance in CSS pixels (positive moves the view to later times). */
  panPx(dxCssPx: number): void {
    const dt = (dxCssPx * this.spanNs) / this.widthCssPx;
    this.startNs += dt;
    this.endNs += dt;
    this.clamp();
  }

  private clamp(): void {
    const span = Math.min(this.spanNs, this.maxNs - this.minNs);
    if (this.startNs < this.minNs) this.startNs = this.minNs;
    if (this.startNs + span > this.maxNs) this.startNs = this.maxNs - span;
    this.endNs = this.startNs + span;
  }
}

type Units = ReadonlyArray<readonly [number, string]>;

const MIN = 60e9;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const UNITS: Units = [
  [HOUR, 'h'],
  [MIN, 'min'],
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

/** What one model ns stands for (`TraceModel.valueUnit`); undefined is time. */
export type ValueUnit = TraceModel['valueUnit'];

// Counts get 1000-based magnitudes, bytes too (1 KB = 1000 B): 1/2/5×10^k ticks then read as round
// numbers ("1.5 KB", not "1.46 KB").
const counts = (u: string, sep: string, k: string): Units =>
  ['T', 'G', 'M', k, ''].map((p, i) => [10 ** (12 - 3 * i), p ? `${p}${sep}${u}` : u] as const);
const COUNT_UNITS: Record<NonNullable<ValueUnit>, Units> = {
  samples: counts('samples', ' ', 'k'),
  units: counts('units', ' ', 'k'),
  bytes: counts('B', '', 'K'),
};

const unitsOf = (unit: ValueUnit): Units => (unit ? COUNT_UNITS[unit] : UNITS);

/** "1 sample", not "1 samples". */
const withUnit = (v: string, unit: string): string => (v === '1' && (unit === 'samples' || unit === 'units') ? `1 ${unit.slice(0, -1)}` : `${v} ${unit}`);

/**
 * Formats a duration (or position) in ns with an adaptive unit, e.g. "1.25 ms"; with a value unit,
 * a count instead: "12 samples", "1.5 k samples", "2 KB".
 */
export function formatDuration(ns: number, digits = 3, unit?: ValueUnit): string {
  const units = unitsOf(unit);
  const a = Math.abs(ns);
  if (a === 0) return unit ? withUnit('0', units[units.length - 1][1]) : '0';
  for (const [scale, u] of units) {
    if (a >= scale || scale === 1) return withUnit(trimNumber(ns / scale, digits), u);
  }
  return `${ns} ns`;
}

function trimNumber(v: number, digits: number): string {
  const s = v.toPrecision(Math.max(1, digits + (Math.abs(v) >= 100 ? 1 : 0)));
  return s.includes('e') ? String(Number(s)) : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export interface Ticks {
  /** Step between major ticks in ns (1, 2 or 5 × 10^k). */
  stepNs: number;
  /** First tick time (a multiple of stepNs). */
  firstNs: number;
  /** Unit scale and name used for labels. */
  unitNs: number;
  unit: string;
}

/**
 * Chooses a tick step so labels are at least `minGapCssPx` apart. No allocation in callers' loops.
 * Steps are at least 1 ns, so counts (`unit`) tick at whole samples/bytes/units.
 */
export function computeTicks(scale: TimeScale, minGapCssPx = 90, valueUnit?: ValueUnit): Ticks {
  const rough = (minGapCssPx * scale.spanNs) / scale.widthCssPx;
  // Past 20 s a label, time ticks at whole minutes and hours: 1/2/5×10^k seconds read as
  // "1 h 23 min 20 s" apart. Days go 1/2/5×10^k.
  if (!valueUnit && rough > 20e9) {
    const days = Math.pow(10, Math.floor(Math.log10(rough / DAY)));
    const stepNs = CLOCK_STEPS.find((s) => s >= rough) ?? [1, 2, 5, 10].map((m) => m * days * DAY).find((s) => s >= rough)!;
    return { stepNs, firstNs: Math.ceil(scale.startNs / stepNs) * stepNs, unitNs: 1e9, unit: 's' };
  }
  const pow = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-3))));
  let stepNs = pow;
  for (const m of [1, 2, 5, 10]) {
    if (pow * m >= rough) {
      stepNs = pow * m;
      break;
    }
  }
  stepNs = Math.max(stepNs, 1);
  let unitNs = 1;
  let unit = 'ns';
  // A unit the step is at least half of: steps of 500 µs read as 0.5 ms, 1 ms, 1.5 ms…
  for (const [s, u] of unitsOf(valueUnit)) {
    if (stepNs * 2 >= s) {
      unitNs = s;
      unit = u;
      break;
    }
  }
  return { stepNs, firstNs: Math.ceil(scale.startNs / stepNs) * stepNs, unitNs, unit };
}

const CLOCK_STEPS = [30e9, MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];
const CLOCK: Units = [
  [DAY, 'd'],
  [HOUR, 'h'],
  [MIN, 'min'],
];
const TIME_UNITS = new Set(UNITS.map(([, u]) => u));

/**
 * Label for a tick at tNs: value in the tick unit, with only the decimals the step needs. From a
 * minute on, time reads as a clock would: "1 h 5 min", "2 h 36.125 s" (not "7236.125 s").
 */
export function formatTick(tNs: number, ticks: Ticks): string {
  if (Math.abs(tNs) >= MIN && TIME_UNITS.has(ticks.unit)) return clockLabel(tNs, ticks.stepNs);
  const v = tNs / ticks.unitNs;
  return withUnit((Math.abs(v) < 1e-9 ? 0 : v).toFixed(Math.min(stepDecimals(ticks.stepNs, ticks.unitNs), 6)), ticks.unit);
}

/**
 * A time exact to the ns (the details' start): "1 d 0.0000005 s", "123.456789 ms". Three to six
 * digits read "24 h" for every slice in the microsecond after a day's mark.
 */
export function formatExact(tNs: number): string {
  if (Math.abs(tNs) < MIN) return formatDuration(tNs, Math.max(6, String(Math.round(Math.abs(tNs))).length));
  return clockLabel(tNs, 1).replace(/\.?0+ s$/, ' s').replace(/ 0 s$/, '');
}

/** Decimals a value in `unitNs` needs to tell ticks `stepNs` apart (0.5 ms steps: 1). */
const stepDecimals = (stepNs: number, unitNs: number): number => Math.max(0, Math.ceil(-Math.log10(stepNs / unitNs) - 1e-9));

/** Days, hours and minutes that are not zero, then seconds (with the step's decimals under a second). */
function clockLabel(tNs: number, stepNs: number): string {
  // A whole number of steps: float sums of steps would read 59.999 s.
  let rest = Math.round(Math.abs(tNs) / stepNs) * stepNs;
  const parts: string[] = [];
  for (const [s, u] of CLOCK) {
    const n = Math.floor(rest / s);
    rest -= n * s;
    if (n) parts.push(`${n} ${u}`);
  }
  if (rest || stepNs < 1e9) parts.push(`${(rest / 1e9).toFixed(Math.min(9, stepDecimals(stepNs, 1e9)))} s`);
  return `${tNs < 0 ? '-' : ''}${parts.join(' ')}`;
}
