import type { Span, SpanContext } from '../types';
import { getContextManager } from '../context';
import { nowMs } from '../clock';

/**
 * State shared between instrumentations: recent interactions (for the activity-window rule and
 * for tying INP to its interaction) and the page-load span context (parent of web vitals).
 */
export interface Recent {
  /** The span, while this is the latest (the activity window's parent); then only its context. */
  s?: Span;
  c: SpanContext;
  /** The event's `timeStamp` (performance.now() time base). */
  t: number;
  /** Epoch ms until which requests with no active span are parented to this interaction (Infinity while dispatched). */
  _until: number;
  /** Its work in progress (requests, route changes): it holds the window open, up to `_cap` (epoch ms). */
  p: number;
  _cap: number;
  /** How long (ms) the window stays open after its last activity ended. */
  w: number;
  /** When we saw it dispatched (performance.now()): inside the frame that ran its handlers. */
  d: number;
  /** Another event's `timeStamp` of this interaction: a pointer click's pointerdown, a Space keydown's click on keyup. */
  _t2?: number;
}

const recent: Recent[] = [];
/** The page-load span's context, once it exists (assigned only here). */
export let pageLoad: SpanContext | undefined;

/**
 * Notes an interaction being dispatched; its activity window is open until it is settled. Many
 * are kept: INP, reported when the page hides, is the slowest interaction of the visit, maybe
 * followed by dozens of others. A route change with no cause of its own comes with NaN times: a
 * parent for requests, never for INP.
 */
export function noteInteraction(span: Span, timeStampHr: number, w: number, d = performance.now()): Recent {
  // A route change's (NaN `d`) is capped from now, as a click's after its dispatch: an intercepted
  // navigation's handler may never settle (a hung request).
  const r = { s: span, c: span.spanContext(), t: timeStampHr, _until: Infinity, p: 0, _cap: d ? Infinity : nowMs() + 15e3, w, d };
  // The earlier ones keep only their context (for INP): 200 spans, with their attributes, stayed in memory.
  const last = recent[recent.length - 1];
  if (last) last.s = undefined;
  // A route change's (NaN times) is no INP's: the next one takes its place, so that route changes
  // (a player updating `?t=` every few seconds) do not push the visit's slowest click out.
  if (last?.d !== last?.d) recent.pop();
  if (recent.push(r) > 200) recent.shift();
  return r;
}

/**
 * The parent for a request or navigation: the active span, else — the activity-window rule —
 * the latest interaction if we are still within its window (zone.js cannot follow native
 * `await`, so a fetch after `await` in a handler has no active span).
 */
export function activeOrInteraction(): Span | undefined {
  return getContextManager().active() ?? open()?.s;
}

/** The latest interaction, while its window is open. */
function open(): Recent | undefined {
  const r = recent[recent.length - 1];
  const now = nowMs();
  return r && now <= r._cap && (r.p || now <= r._until) ? r : undefined;
}

/**
 * The latest interaction's record when `span` is its span and its window is open: this work of
 * its own (a request, a route change it made) holds the window open until it is settled. Work
 * zone.js carries past the window (a late timer's request) does not reopen it.
 */
export function hold(span: Span | undefined): Recent | undefined {
  const r = open();
  if (span && r?.s === span) return r.p++, r;
}

/**
 * Activity of `r` ended: its dispatch (`first`), or work it held (a request; a route change, `w`
 * 1 s: a route may load its code before its data). Like Sentry's idle spans, its window stays
 * open `r.w` ms after the last of these, and while its work is in progress, at most 15 s after
 * its dispatch (Sentry's childSpanTimeout: a long-poll or a stream may never end).
 */
export function settle(r: Recent | undefined, w = 0, first?: boolean): void {
  if (r) {
    const now = nowMs();
    r.w = Math.max(r.w, w);
    first ? ((r._cap = now + 15e3), (r._until = 0)) : r.p--;
    // Infinity while it is dispatched (an intercepted navigation's handler runs): it opens when that ends.
    r._until = Math.max(r._until, now + r.w);
  }
}

/**
 * The first interaction span whose event happened, or was dispatched, within a long animation
 * frame `[startHr, startHr + durationMs]`: a frame starts when its task runs, after the input's
 * timestamp. The first, not the latest: a click made while a slow one's handlers still ran falls
 * in its frame.
 */
export function interactionAt(startHr: number, durationMs: number): SpanContext | undefined {
  const end = startHr + durationMs;
  return recent.find(({ t, d }) => (t >= startHr - 1 && t <= end) || (d >= startHr && d <= end))?.c;
}

/**
 * The interaction span with an event among an INP's Event Timing entries (their `startTime` is
 * the event's `timeStamp`; web-vitals has those of the INP's frame: of a slow pointerdown, maybe
 * not its click's). Not by time: an interaction we do not trace (a letter typed, a right-click,
 * one before start()) must not lend its INP to a click made while it was slow.
 */
export function interactionOf(times: number[]): SpanContext | undefined {
  return recent.find(({ t, _t2 }) => times.includes(t) || times.includes(_t2!))?.c;
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
