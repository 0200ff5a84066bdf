import type { ReadableSpan } from './types';
import type { TracerProvider } from './provider';
import { getTracerProvider } from './provider';
import { later } from './instrument/wrap';

/** What `<spanbeam-viewer>.source` accepts: ended spans, delivered in batches as they end. */
export interface LiveSpanSource {
  /** Calls `onSpans` with the spans kept so far, then with each new batch; returns an unsubscribe. */
  subscribe(onSpans: (spans: readonly ReadableSpan[]) => void): () => void;
}

interface Hub {
  kept: ReadableSpan[];
  /** Kept spans not yet delivered to the listeners (the tail of `kept`). */
  batch: ReadableSpan[];
  listeners: Set<(spans: readonly ReadableSpan[]) => void>;
}

// Spans kept for late subscribers (a viewer opened after the page loaded), oldest dropped first.
const KEEP = 5000;
const hubs = new WeakMap<TracerProvider, Hub>();

function hubFor(provider: TracerProvider): Hub {
  let hub = hubs.get(provider);
  if (hub) return hub;
  const h: Hub = { kept: [], batch: [], listeners: new Set() };
  let scheduled = false;
  const deliver = () => {
    scheduled = false;
    const spans = h.batch;
    h.batch = [];
    for (const fn of h.listeners) {
      try {
        fn(spans);
      } catch {
        /* a listener's failure is its own */
      }
    }
  };
  provider.addSpanProcessor({
    onStart() {},
    onEnd(span) {
      // Trimmed 64 at a time: removing the oldest on each end moved the 5000 others.
      if (h.kept.push(span) > KEEP + 64) h.kept.splice(0, h.kept.length - KEEP);
      if (!h.listeners.size) return;
      h.batch.push(span);
      // One delivery per task, not per span: a burst of spans is one update for the viewer.
      if (!scheduled) {
        scheduled = true;
        later(deliver, 0); // native: no Zone task (Angular change detection) per delivery
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  });
  hubs.set(provider, h);
  return h;
}

/**
 * A live source of ended spans for `<spanbeam-viewer>` (`viewer.source = liveSpans()`). It keeps
 * the last 5000 spans that end after its first use, so call it early (e.g. right after `start()`)
 * to see the page load.
 */
export function liveSpans(provider: TracerProvider = getTracerProvider()): LiveSpanSource {
  const hub = hubFor(provider);
  return {
    subscribe(onSpans) {
      // Spans of a pending batch come with that batch: handing them over now too would duplicate them.
      const n = hub.kept.length;
      const kept = hub.kept.slice(Math.max(0, n - KEEP), Math.max(0, n - hub.batch.length));
      if (kept.length) onSpans(kept);
      hub.listeners.add(onSpans);
      return () => {
        hub.listeners.delete(onSpans);
      };
    },
  };
}
