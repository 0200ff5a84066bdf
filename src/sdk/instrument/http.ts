import type { Span } from '../types';
import type { Tracer } from '../tracer';
import type { PropagateToEntry, Propagator } from '../../propagation';
import { parseHttpUrl, propagatorsForWith } from '../../propagation/policy';
import { hrToEpochMs, nowMs } from '../clock';
import { guard } from '../diag';
import { redactUrl } from './redact';
import { activeOrInteraction, hold, settle, type Recent } from './activity';
import { addTimingEvents } from './timing';
import { later, listen } from './wrap';

/** Options shared by the fetch and XHR instrumentations. */
export interface HttpOptions {
  /** Cross-origin URLs that get trace headers (same-origin ones always do). Default: none. */
  propagateTo?: readonly PropagateToEntry[];
  /** Requests that are not traced (substring or RegExp on the absolute URL). The exporter's endpoint is added by `start()`. */
  ignoreUrls?: readonly (string | RegExp)[];
}

/** What a traced request URL means, worked out once per URL string. */
export interface Route {
  /** Absolute URL without fragment: the name of its Resource Timing entry. */
  k: string;
  /** `url.full` (redacted), `server.address`, `server.port`. */
  u: string;
  h: string;
  p: number;
  /** Propagators for its trace headers (empty: none). */
  ps: readonly Propagator[];
}

/** Routes for URLs as the page writes them; 0 for URLs that are not traced. */
export type HttpConfig = (url: string) => Route | 0;

// A canonical tracestate (what extraction and the tracestate helpers produce): at most 32
// `key=value` members, keys per Level 2 (`@` anywhere, 256 characters in all). Anything else is
// not sent, so no bad value reaches `Headers.set`.
const TS_KEY = '[a-z0-9][_0-9a-z*/@-]{0,255}';
const TS_VAL = '[ -+\\--<>-~]{0,255}[!-+\\--<>-~]';
const TRACESTATE = new RegExp(`^${TS_KEY}=${TS_VAL}(?:,${TS_KEY}=${TS_VAL}){0,31}$`);

/**
 * W3C Trace Context injection only, for the SDK's own spans: the full propagator (extraction,
 * tracestate rewriting, any carrier) stays out of bundles that do not use it. Only `inject` is
 * ever called on it (by `traceHeaders`).
 */
const w3cInject = {
  inject(c, carrier) {
    const h = carrier as Record<string, string>;
    // Always valid: the tracer gives its spans only valid ids (new ones, or a checked parent's).
    h.traceparent = `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 3}`;
    if (c.traceState && TRACESTATE.test(c.traceState)) h.tracestate = c.traceState;
  },
} as Propagator;

/** Whether `url` matches an `ignoreUrls` entry (substring or RegExp; a global RegExp's `lastIndex` is reset, or it would match every other URL). */
export const matchesAny = (list: readonly (string | RegExp)[], url: string): boolean =>
  list.some((m) => (typeof m === 'string' ? url.includes(m) : ((m.lastIndex = 0), m.test(url))));

/**
 * The route for each URL string (resolved against `document.baseURI`): parsing, redaction, the
 * ignore list and the propagation policy run once per distinct URL, not on every request. Apps
 * call the same few URLs over and over; the cache is small and starts over when the base changes.
 */
export function httpConfig(o: HttpOptions = {}): HttpConfig {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const ignore = o.ignoreUrls ?? [];
  // Compiled on the first request, not at start.
  let propagatorsFor: ReturnType<typeof propagatorsForWith> | undefined;
  let cache = new Map<string, Route | 0>();
  let base: string | undefined;
  return (url) => {
    const b = document.baseURI;
    if (b !== base || cache.size > 63) (base = b), (cache = new Map());
    let r = cache.get(url);
    if (r === undefined) {
      r = 0;
      try {
        const u = parseHttpUrl(url, b);
        if (u && !matchesAny(ignore, u.href)) {
          // The document's origin, not its URL's: a sandboxed one's is opaque (`null`), and its
          // requests to the URL's origin are cross-origin (`Origin: null`, preflighted with headers).
          propagatorsFor ??= propagatorsForWith([w3cInject], { propagateTo: o.propagateTo, pageOrigin: self.origin });
          r = {
            k: u.href.split('#')[0],
            u: redactUrl(u),
            h: u.hostname,
            p: Number(u.port) || (u.protocol == 'https:' ? 443 : 80),
            ps: propagatorsFor(u),
          };
        }
      } catch {
        /* not a URL: the native call fails as it would */
      }
      cache.set(url, r);
    }
    return r;
  };
}

const KNOWN = /^(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|QUERY)$/;

/**
 * A request starting now: its CLIENT span, named `{METHOD}` with the stable HTTP conventions.
 * Call `track` with it once the native call is made.
 */
export function startRequest(tracer: Tracer, method: unknown, r: Route, initiatorType: string): Pending {
  const t = performance.now();
  const o = String(method);
  const u = o.toUpperCase();
  // fetch and XHR upper-case GET, HEAD, POST, PUT, DELETE, OPTIONS; PATCH and QUERY go out as
  // written (a `patch` is no PATCH to the server): `_OTHER` unless upper case already.
  const m = /^(PA|Q)/.test(u) ? o : u;
  const known = KNOWN.test(m);
  const parent = activeOrInteraction();
  // The latest interaction's own request keeps its activity window open while in flight.
  const w = hold(parent);
  const span = tracer.startSpan(known ? m : 'HTTP', {
    kind: 2,
    // null: no parent was found, so the tracer need not look again.
    parent: parent ?? null,
    attributes: { 'http.request.method': known ? m : '_OTHER', 'url.full': r.u, 'server.address': r.h, 'server.port': r.p },
  });
  if (!known) span.setAttribute('http.request.method_original', o);
  return { s: span, k: r.k, it: initiatorType, t, w };
}

/** Trace headers for the request per the policy, or undefined when it gets none. */
export function traceHeaders(r: Route, span: Span): Record<string, string> | undefined {
  const h: Record<string, string> = {};
  for (const p of r.ps) p.inject(span.spanContext(), h);
  for (const _ in h) return h;
}

/**
 * One request in flight. Its span ends when the network is done: at the matching Resource
 * Timing entry's `responseEnd` (whose phases become events), or — when no entry comes (no
 * Timing, a cancelled body) — when the body was seen to finish, after a short grace period for
 * the entry. The response and the end of the body only take note (they run on the page's
 * path); the span ends in the entry observer's callback when the response came first, else
 * from one shared timer (the next task, or within TIMING_GRACE_MS), or at once when the page hides.
 */
export interface Pending {
  s: Span;
  k: string;
  it: string;
  /** performance.now() at the call: entries that started earlier belong to other requests. */
  t: number;
  /** The interaction whose activity window it holds open. */
  w?: Recent;
  /** The response's status, set when it comes (0: opaque). The entry's callback waits for it. */
  st?: number;
  e?: PerformanceResourceTiming;
  /** Epoch ms when the body ended or the request failed. */
  _end?: number;
  _err?: unknown;
  _done?: boolean;
}

/** How long a finished body waits for its Resource Timing entry. */
export const TIMING_GRACE_MS = 250;
const MAX_PENDING = 200;

const waiting = new Map<string, Pending[]>();
let pendingCount = 0;
let observer: PerformanceObserver | undefined;
let users = 0;
let unlisten = () => {};
// Requests whose end is known, waiting for their entry or for the timer to end them: one timer
// for all of them, not one per request.
let due: Pending[] = [];

function onEntries(list: PerformanceObserverEntryList): void {
  for (const e of list.getEntries() as PerformanceResourceTiming[]) {
    // The entry belongs to the request of its kind that started last before it: with the oldest
    // one, concurrent requests to one URL would take each other's entries.
    const q = waiting.get(e.name.split('#')[0]);
    let i = q ? q.length : 0;
    while (i-- && (q![i].it !== e.initiatorType || q![i].t > e.startTime + 1));
    const p = q && q[i];
    if (p) {
      drop(p);
      p.e = e;
      // The observer's callback is a task of its own, off the page's path: with the response in,
      // the span ends here (no timer task per request).
      if (p.st !== undefined) finish(p);
    }
  }
}

function drop(p: Pending): void {
  const q = waiting.get(p.k);
  const i = q ? q.indexOf(p) : -1;
  if (i >= 0) {
    pendingCount--;
    q!.splice(i, 1);
    if (!q!.length) waiting.delete(p.k);
  }
}

function flushAll(): void {
  for (const q of [...waiting.values()]) for (const p of q.slice()) finish(p);
  sweep(true);
}

/** The shared Resource Timing observer, started by the first request (entries come after it). */
function observing(): PerformanceObserver | undefined {
  if (users && !observer)
    guard('http.observer_failed', () => {
      observer = new PerformanceObserver(onEntries);
      observer.observe({ type: 'resource' });
    });
  return observer;
}

/** Holds the shared Resource Timing observer (reference counted); returns its release. */
export function acquireTiming(): () => void {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  // At page hide, requests in flight end before the exporter's own page-hide listener runs (it is
  // made later, when the page is first idle): listeners run in the order they were added.
  if (!users++) guard('http.listen_failed', () => (unlisten = listen(window, 'pagehide', flushAll)));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--users) return;
    observer?.disconnect();
    observer = undefined;
    unlisten();
    unlisten = () => {};
    flushAll();
  };
}

/** Tracks a request (call it after the native call: nothing here delays the request). */
export function track(p: Pending): Pending {
  if (observing()) {
    let q = waiting.get(p.k);
    if (!q) waiting.set(p.k, (q = []));
    q.push(p);
    if (++pendingCount > MAX_PENDING) finish(waiting.values().next().value![0]);
  }
  return p;
}

/** The body was seen to end, or the request failed (`err`): the span ends once its entry is in. */
export function ended(p: Pending, err?: unknown): void {
  if (p._done) return;
  if (p._end === undefined) {
    p._end = nowMs();
    p._err = err;
    due.push(p);
  }
  // With its entry in, the span ends in the next task (off the page's path, but without a wait
  // that would keep it out of a flush() the app calls once it has the body).
  wake(p.e ? 0 : p._end + TIMING_GRACE_MS);
}

let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Infinity;

/** One timer for every due request, set for the earliest time one of them can end. */
function wake(at: number): void {
  if (at >= timerAt) return;
  clearTimeout(timer);
  timerAt = at;
  timer = later(() => {
    timer = undefined;
    timerAt = Infinity;
    sweep();
  }, at - nowMs());
}

/** Ends what is due: requests with their entry, and those whose grace period is over. */
function sweep(all?: boolean): void {
  const now = nowMs();
  due = due.filter((p) => !p._done && !(all === true || p.e || !observer || p._end! + TIMING_GRACE_MS <= now) || (finish(p), false));
  if (due.length) wake(due[0]._end! + TIMING_GRACE_MS);
}

function finish(p: Pending): void {
  if (p._done) return;
  p._done = true;
  drop(p);
  settle(p.w);
  const { s, e, st, _err: err } = p;
  if (st) s.setAttribute('http.response.status_code', st);
  if (err !== undefined) {
    const name = (err as { name?: unknown })?.name;
    const type = typeof name === 'string' && name ? name : typeof err === 'string' ? err : 'Error';
    s.setAttribute('error.type', type);
    // Never the error's message: browsers put the full URL in it (credentials, secret query values).
    s.setStatus({ code: 2, message: type === 'AbortError' ? 'aborted' : type });
  } else if (st! >= 400) {
    s.setAttribute('error.type', String(st));
    s.setStatus({ code: 2 });
  }
  if (e) addTimingEvents(s, e);
  s.end(e && e.responseEnd > 0 ? hrToEpochMs(e.responseEnd) : (p._end ?? nowMs()));
}
