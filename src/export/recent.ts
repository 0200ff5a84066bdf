import type { ReadableSpan } from '../sdk/types';

// The last ended spans any exporter saw, for `downloadChromeTrace()` without arguments.
const ring: ReadableSpan[] = [];

export function rememberSpan(span: ReadableSpan, max: number): void {
  if (max <= 0) return;
  ring.push(span);
  if (ring.length > max) ring.splice(0, ring.length - max);
}

/** Recently ended spans (oldest first), as kept by the exporters' `recentSpans` option. */
export function getRecentSpans(): ReadableSpan[] {
  return ring.slice();
}
