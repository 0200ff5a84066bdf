import type { Span } from '../types';
import { hrToEpochMs } from '../clock';

/** An entry's property name as an attribute name: `renderStart` → `render_start`. */
export const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

/** The page's Navigation Timing entry (none in some embedded or non-window contexts). */
export const navEntry = (): PerformanceNavigationTiming | undefined =>
  performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;

/** Network phases of a Resource/Navigation Timing entry, recorded as span events in this order. */
const PHASES = [
  'fetchStart',
  'domainLookupStart',
  'domainLookupEnd',
  'connectStart',
  'secureConnectionStart',
  'connectEnd',
  'requestStart',
  'responseStart',
  'responseEnd',
] as const;

/**
 * Adds the entry's network phases as events (zero phases — absent, or hidden cross-origin
 * without Timing-Allow-Origin — are skipped) and its sizes and protocol as attributes. With a
 * body size known, a transfer size of 0 is real: served from the cache.
 */
export function addTimingEvents(span: Span, e: PerformanceResourceTiming): void {
  addEntryEvents(span, e, PHASES);
  const sizes: [string, number][] = [
    ['http.response.size', e.transferSize],
    ['http.response.body.size', e.encodedBodySize],
    ['http.response.body.decoded_size', e.decodedBodySize],
  ];
  for (const [k, v] of sizes) if (v || e.encodedBodySize) span.setAttribute(k, v);
  const proto = e.nextHopProtocol;
  if (proto) {
    const m = /^(?:http\/)?h?(\d(?:\.\d)?)/.exec(proto);
    span.setAttribute('network.protocol.name', 'http');
    if (m) span.setAttribute('network.protocol.version', m[1]);
  }
}

/** An event per timestamp of `e` named in `keys`, in that order; zero (not reached, or hidden) ones are skipped. */
export function addEntryEvents<E>(span: Span, e: E, keys: readonly (keyof E)[]): void {
  for (const k of keys) {
    const v = e[k] as number;
    if (v > 0) span.addEvent(k as string, hrToEpochMs(v));
  }
}
