/**
 * Wall-clock epoch milliseconds with sub-millisecond precision that never go backwards within a
 * trace: the high-resolution monotonic clock anchored at the page's time origin.
 */
// Held in a constant: `performance` on the global object is a getter, read on every span otherwise.
const perf = performance;
const origin: number = perf.timeOrigin;
/**
 * Wall clock minus monotonic clock, as of the last resync. The monotonic clock stops while the
 * machine sleeps (macOS, some Windows): a tab left open across a sleep would otherwise stamp its
 * spans hours before the backend spans they cause.
 */
let skew = 0;

/**
 * Re-anchors to the wall clock when the two drifted apart by over a second; called as a trace
 * starts. Returns the wall-clock time it read (the session check of a new trace uses it too).
 */
export function resyncClock(): number {
  const wall = Date.now();
  const d = wall - nowMs();
  if (d * d > 1e6) skew += d;
  return wall;
}

export function nowMs(): number {
  return origin + skew + perf.now();
}

/**
 * `t` when it is a finite number (a caller-given time), else now: a span time must encode. Below
 * 1e12 (September 2001 as epoch ms; 31 years of page uptime) it is a `performance.now()`-style
 * time, e.g. a PerformanceEntry's, as OpenTelemetry reads such numbers too: not 1970.
 */
export function timeOrNow(t: unknown): number {
  return Number.isFinite(t) ? ((t as number) < 1e12 ? hrToEpochMs(t as number) : (t as number)) : nowMs();
}

/** Converts a `performance.now()`-style timestamp (e.g. from a PerformanceEntry) to epoch ms. */
export function hrToEpochMs(hrMs: number): number {
  return origin + skew + hrMs;
}

export function timeOriginMs(): number {
  return origin;
}
