import type { Span, SpanContext } from '../types';
import { getContextManager } from '../context';
import { nowMs } from '../clock';

/**
 * State shared between instrumentations: recent interactions (for the activity-window rule and
 * for tying INP to its interaction) and the page-load span context (parent of web vitals).
 */
interface Recent {
  span: Span;
  /** The event's `timeStamp` (performance.now() time base). */
  t: number;
  /** Epoch ms until which requests with no active span are parented to this interaction. */
  until: number;
}

const recent: Recent[] = [];
let pageLoad: SpanContext | undefined;

export function noteInteraction(span: Span, timeStampHr: number, untilMs: number): Recent {
  const r = { span, t: timeStampHr, until: untilMs };
  if (recent.push(r) > 16) recent.shift();
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
  return r && nowMs() <= r.until ? r.span : undefined;
}

/** The interaction span whose event had this `timeStamp` (as INP attribution reports it). */
export function interactionAt(timeStampHr: number): SpanContext | undefined {
  for (let i = recent.length - 1; i >= 0; i--) if (Math.abs(recent[i].t - timeStampHr) < 1) return recent[i].span.spanContext();
  return undefined;
}

export function setPageLoadContext(ctx: SpanContext | undefined): void {
  pageLoad = ctx;
}

export function pageLoadContext(): SpanContext | undefined {
  return pageLoad;
}

export function resetActivity(): void {
  recent.length = 0;
  pageLoad = undefined;
}
