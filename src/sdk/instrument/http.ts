import type { Span } from '../types';
import type { PropagateToEntry, PropagationPolicy, Propagator } from '../../propagation';
import { injectWith, propagationPolicyWith } from '../../propagation';
import { getTracer } from '../tracer';
import { hrToEpochMs, nowMs } from '../clock';
import { guard } from '../diag';
import { redactUrl } from './redact';
import { activeOrInteraction } from './activity';
import { addTimingEvents } from './timing';
import { later, listen } from './wrap';

/** Options shared by the fetch and XHR instrumentations. */
export interface HttpOptions {
  /** Cross-origin URLs that get trace headers (same-origin ones always do). Default: none. */
  propagateTo?: readonly PropagateToEntry[];
  /** Requests that are not traced (substring or RegExp on the absolute URL). The exporter's endpoint is added by `start()`. */
  ignoreUrls?: readonly (string | RegExp)[];
}

export interface HttpConfig {
  policy: PropagationPolicy;
  ignored(url: string): boolean;
}

// A canonical tracestate (what extraction and the tracestate helpers produce): at most 32
// `key=value` members. Anything else is not sent, so no bad value reaches `Headers.set`.
const TS_KEY = '[a-z0-9][_0-9a-z*/-]{0,255}(?:@[a-z][_0-9a-z*/-]{0,13})?';
const TS_VAL = '[ -+\\--<>-~]{0,255}[!-+\\--<>-~]';
const TRACESTATE = new RegExp(`^${TS_KEY}=${TS_VAL}(?:,${TS_KEY}=${TS_VAL}){0,31}$`);
const TRACEPARENT = /^00-(?!0{32}-)[\da-f]{32}-(?!0{16}-)[\da-f]{16}-0[0-3]$/;

/**
 * W3C Trace Context injection only, for the SDK's own spans: the full propagator (extraction,
 * tracestate rewriting, any carrier) stays out of bundles that do not use it.
 */
const w3cInject: Propagator = {
  inject(c, carrier) {
    const h = carrier as Record<string, string>;
    const tp = `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 3}`;
    if (!TRACEPARENT.test(tp)) return;
    h.traceparent = tp;
    if (c.traceState && TRACESTATE.test(c.traceState)) h.tracestate = c.traceState;
  },
  extract: () => undefined,
  fields: ['traceparent', 'tracestate'],
};

export function httpConfig(o: HttpOptions = {}): HttpConfig {
  const ignore = o.ignoreUrls ?? [];
  let policy: PropagationPolicy | undefined;
  return {
    // Compiled on the first request, not at start.
    get policy() {
      return (policy ??= propagationPolicyWith([w3cInject], { propagateTo: o.propagateTo, pageOrigin: location.origin }));
    },
    ignored: (url) => ignore.some((m) => (typeof m === 'string' ? url.includes(m) : ((m.lastIndex = 0), m.test(url)))),
  };
}

const KNOWN = /^(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|QUERY)$/;

/** A CLIENT span named `{METHOD}` with the stable HTTP conventions (the caller parses the URL once). */
export function startHttpSpan(method: string, u: URL, scope: string): Span {
  const m = String(method).toUpperCase();
  const known = KNOWN.test(m);
  const span = getTracer(scope).startSpan(known ? m : 'HTTP', {
    kind: 2,
    parent: activeOrInteraction(),
    attributes: {
      'http.request.method': known ? m : '_OTHER',
      'url.full': redactUrl(u),
      'server.address': u.hostname,
      'server.port': Number(u.port) || (u.protocol === 'https:' ? 443 : 80),
    },
  });
  if (!known) span.setAttribute('http.request.method_original', String(method));
  return span;
}

/** Trace headers for `url` per the policy (empty when it must get none). */
export function traceHeaders(cfg: HttpConfig, span: Span, url: string | URL): Record<string, string> {
  const h: Record<string, string> = {};
  const ps = cfg.policy.propagatorsFor(url);
  if (ps.length) injectWith(ps, span.spanContext(), h);
  return h;
}

/**
 * One request in flight. Its span ends when the network is done: at the matching Resource
 * Timing entry's `responseEnd` (whose phases become events), or — when no entry comes (no
 * Timing, a cancelled body, a non-HTTP URL) — when the body was seen to finish, after a short
 * grace period for the entry.
 */
export interface Pending {
  s: Span;
  k: string;
  it: string;
  t: number;
  r?: boolean;
  e?: PerformanceResourceTiming;
  end?: number;
  done?: boolean;
}

/** How long a finished body waits for its Resource Timing entry. */
export const TIMING_GRACE_MS = 250;
const MAX_PENDING = 200;

const waiting = new Map<string, Pending[]>();
let pendingCount = 0;
let observer: PerformanceObserver | undefined;
let users = 0;
let unlisten = () => {};
// Finished bodies waiting for their entry, oldest first, under one timer (not one per request).
let grace: Pending[] = [];

const key = (url: string) => url.split('#')[0];

function onEntries(list: PerformanceObserverEntryList): void {
  for (const e of list.getEntries() as PerformanceResourceTiming[]) {
    const q = waiting.get(key(e.name));
    const p = q && q.find((p) => !p.e && p.it === e.initiatorType && e.startTime >= p.t - 1);
    if (p) {
      p.e = e;
      if (p.r) finish(p);
    }
  }
}

function flushAll(): void {
  for (const q of [...waiting.values()]) for (const p of q.slice()) finish(p);
}

/** The shared Resource Timing observer, started by the first request (entries come after it). */
function observing(): PerformanceObserver | undefined {
  if (users && !observer)
    guard('http.observer_failed', () => {
      observer = new PerformanceObserver(onEntries);
      observer.observe({ type: 'resource' });
      unlisten = listen(window, 'pagehide', flushAll);
    });
  return observer;
}

/** Holds the shared Resource Timing observer (reference counted); returns its release. */
export function acquireTiming(): () => void {
  users++;
  let released = false;
  return () => {
    if (released || --users) return;
    released = true;
    observer?.disconnect();
    observer = undefined;
    unlisten();
    unlisten = () => {};
    flushAll();
  };
}

/** Tracks a request to an http(s) `url`. */
export function track(span: Span, url: string, initiatorType: string, startHr: number): Pending {
  const p: Pending = { s: span, k: key(url), it: initiatorType, t: startHr };
  if (observing()) {
    let q = waiting.get(p.k);
    if (!q) waiting.set(p.k, (q = []));
    q.push(p);
    if (++pendingCount > MAX_PENDING) finish(waiting.values().next().value![0]);
  }
  return p;
}

/** The response (status line) arrived. */
export function responded(p: Pending, status: number): void {
  p.r = true;
  if (status > 0) p.s.setAttribute('http.response.status_code', status);
  if (status >= 400) {
    p.s.setAttribute('error.type', String(status));
    p.s.setStatus({ code: 2 });
  }
  if (p.e) finish(p);
}

/** The body was seen to end (or fail); the span ends once the Timing entry is in. */
export function bodyDone(p: Pending, err?: unknown): void {
  if (p.done || p.end !== undefined) return;
  p.end = nowMs();
  if (err !== undefined) failWith(p, err);
  if (p.e || !waiting.has(p.k)) finish(p);
  else if (grace.push(p) === 1) sweep(TIMING_GRACE_MS);
}

/** Ends the bodies whose grace period is over; runs while any wait. */
function sweep(ms: number): void {
  later(() => {
    const now = nowMs();
    grace = grace.filter((p) => !p.done && (p.end! + TIMING_GRACE_MS > now || (finish(p), false)));
    if (grace.length) sweep(grace[0].end! + TIMING_GRACE_MS - now);
  }, ms);
}

/** The request failed before a response (network error, abort, timeout): end now. */
export function failed(p: Pending, err: unknown): void {
  failWith(p, err);
  p.end = nowMs();
  finish(p);
}

function failWith(p: Pending, err: unknown): void {
  const name = (err as { name?: unknown })?.name;
  const type = typeof name === 'string' && name ? name : typeof err === 'string' ? err : 'Error';
  p.s.setAttribute('error.type', type);
  const msg = (err as { message?: unknown })?.message;
  p.s.setStatus({ code: 2, message: type === 'AbortError' ? 'aborted' : typeof msg === 'string' ? msg : type });
}

function finish(p: Pending): void {
  if (p.done) return;
  p.done = true;
  const q = waiting.get(p.k);
  const i = q ? q.indexOf(p) : -1;
  if (i >= 0) {
    pendingCount--;
    q!.splice(i, 1);
    if (!q!.length) waiting.delete(p.k);
  }
  const e = p.e;
  guard('http.timing_failed', () => e && addTimingEvents(p.s, e));
  p.s.end(e && e.responseEnd > 0 ? hrToEpochMs(e.responseEnd) : (p.end ?? nowMs()));
}
