import type { ReadableSpan } from '../sdk/types';

// The last ended spans any exporter saw, for `downloadChromeTrace()` without arguments.
const ring: ReadableSpan[] = [];
let keep = 0;

export function rememberSpan(span: ReadableSpan, max: number): void {
  if (max <= 0) return;
  keep = max;
  // The oldest go 64 at a time: removing one per span moved all the others, so each span's end
  // cost more once the ring was full, the bigger it is.
  if (ring.push(span) > max + 64) ring.splice(0, ring.length - max);
}

/** Recently ended spans (oldest first), as kept by the exporters' `recentSpans` option. */
export function getRecentSpans(): ReadableSpan[] {
  return ring.slice(-keep);
}
