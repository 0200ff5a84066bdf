/**
 * Wall-clock epoch milliseconds with sub-millisecond precision that never go backwards within a
 * page: the high-resolution monotonic clock anchored at the page's time origin.
 */
const perf: Performance | undefined = typeof performance !== 'undefined' ? performance : undefined;
const origin: number = perf?.timeOrigin ?? Date.now();

export function nowMs(): number {
  return perf ? origin + perf.now() : Date.now();
}

/** `t` when it is a finite number (a caller-given time), else now: a span time must encode. */
export function timeOrNow(t: unknown): number {
  return Number.isFinite(t) ? (t as number) : nowMs();
}

/** Converts a `performance.now()`-style timestamp (e.g. from a PerformanceEntry) to epoch ms. */
export function hrToEpochMs(hrMs: number): number {
  return origin + hrMs;
}

export function timeOriginMs(): number {
  return origin;
}
