import type { Span, SpanContext } from '../types';
import { getContextManager } from '../context';
import { nowMs } from '../clock';

/**
 * State shared between instrumentations: recent interactions (for the activity-window rule and
 * for tying INP to its interaction) and the page-load span context (parent of web vitals).
 */
interface Recent {
  /** The span, while this is the latest (the activity window's parent); then only its context. */
  s?: Span;
  c: SpanContext;
  /** The event's `timeStamp` (performance.now() time base). */
  t: number;
  /** Epoch ms until which requests with no active span are parented to this interaction. */
  _until: number;
  /** When we saw it dispatched (performance.now()): inside the frame that ran its handlers. */
  d: number;
}

const recent: Recent[] = [];
/** The page-load span's context, once it exists (assigned only here). */
export let pageLoad: SpanContext | undefined;

/**
 * Notes an interaction being dispatched; its activity window is open until `_until` is set. Many
 * are kept: INP, reported when the page hides, is the slowest interaction of the visit, maybe
 * followed by dozens of others. A route change with no cause of its own comes with NaN times: a
 * parent for requests, never for INP.
 */
export function noteInteraction(span: Span, timeStampHr: number, d = performance.now()): Recent {
  const r = { s: span, c: span.spanContext(), t: timeStampHr, _until: Infinity, d };
  // The earlier ones keep only their context (for INP): 200 spans, with their attributes, stayed in memory.
  const last = recent[recent.length - 1];
  if (last) last.s = undefined;
  if (recent.push(r) > 200) recent.shift();
  return r;
}

/**
 * The parent for a request or navigation: the active span, else — the activity-window rule —
 * the latest interaction if we are still within its window (zone.js cannot follow native
 * `await`, so a fetch after `await` in a handler has no active span).
 */
export function activeOrInteraction(): Span | undefined {
  const a = getContextManager().active();
  if (a) return a;
  const r = recent[recent.length - 1];
  return r && nowMs() <= r._until ? r.s : undefined;
}

/**
 * The first interaction span whose event happened, or was dispatched, within `[startHr, startHr +
 * durationMs]` — INP attribution starts at the first event (e.g. pointerdown, before our click
 * span's event); a long animation frame starts when its task runs, after the input's timestamp.
 * The first, not the latest: a click made while a slow one's handlers still ran falls in its window.
 */
export function interactionAt(startHr: number, durationMs: number): SpanContext | undefined {
  const end = startHr + durationMs;
  return recent.find(({ t, d }) => (t >= startHr - 1 && t <= end) || (d >= startHr && d <= end))?.c;
}

let waiting: Array<() => void> | undefined;

/** The page-load span will exist later (it is built after load): hold web-vital reports until then. */
export function expectPageLoad(): void {
  waiting ??= [];
}

export function setPageLoadContext(ctx: SpanContext | undefined): void {
  pageLoad = ctx;
  const w = waiting;
  waiting = undefined;
  if (w) for (const fn of w) fn();
}

/** Runs `fn` once the page-load context is known (now, if no page-load span is pending). */
export function whenPageLoad(fn: () => void): void {
  if (waiting) waiting.push(fn);
  else fn();
}

/**
 * True for at most `max` calls an hour: a failing or janking loop must not flood the backend, and
 * a page left open all day still reports what happens late in it.
 */
export function perHour(max: number): () => boolean {
  let left = 0;
  let renew = 0;
  return () => {
    const now = performance.now();
    if (now >= renew) (left = max), (renew = now + 36e5);
    return left-- > 0;
  };
}

export function resetActivity(): void {
  recent.length = 0;
  pageLoad = waiting = undefined;
}
