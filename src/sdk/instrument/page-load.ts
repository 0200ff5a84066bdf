import type { Attributes, Span, SpanContext } from '../types';
import type { Unpatch } from './wrap';
import { parseServerTimingTraceparent, parseTraceparent } from '../../propagation';
import { getTracer } from '../tracer';
import { hrToEpochMs, nowMs } from '../clock';
import { guard, numbers } from '../diag';
import { expectPageLoad, setPageLoadContext } from './activity';
import { matchesAny } from './http';
import { redactUrl } from './redact';
import { addEntryEvents, addTimingEvents, navEntry } from './timing';
import { later, listen, unpatchAll, whenIdle } from './wrap';

export interface PageLoadOptions {
  /** Resource Timing entries recorded as `resourceFetch` children. Default 50. */
  maxResources?: number;
  /** Resources not recorded (substring or RegExp on the URL); `start()` adds the exporter endpoint. */
  ignoreUrls?: readonly (string | RegExp)[];
}

const DOC_EVENTS = [
  'fetchStart',
  'unloadEventStart',
  'unloadEventEnd',
  'domInteractive',
  'domContentLoadedEventStart',
  'domContentLoadedEventEnd',
  'domComplete',
  'loadEventStart',
  'loadEventEnd',
  // A prerendered page's activation.
  'activationStart',
] as const;

/**
 * The server's context for this document: `<meta name="traceparent">`, else `Server-Timing:
 * traceparent`. None for a document from the HTTP cache (a back/forward navigation, `max-age`):
 * its traceparent is that of the response that filled the cache, a trace ended long ago.
 */
export function serverContext(nav: PerformanceNavigationTiming | undefined): SpanContext | undefined {
  if (nav?.transferSize === 0 && nav.encodedBodySize) return;
  const meta = document.querySelector('meta[name="traceparent" i]')?.getAttribute('content');
  return (meta ? parseTraceparent(meta.trim()) : undefined) ?? parseServerTimingTraceparent(nav?.serverTiming);
}

/**
 * `documentLoad` (navigation start → `loadEventEnd`) with a `documentFetch` child and up to
 * `maxResources` `resourceFetch` children for what loaded before the load event, all from
 * buffered Navigation and Resource Timing, so it works however late the SDK loads. Nothing runs
 * at start: the spans are built when the page is first idle after `load` (and, for a prerendered
 * page, after activation; `activationStart` is recorded), or when it is hidden or left before. A page restored from the bfcache gets a new
 * `documentLoad` span (pageshow → next frame, `browser.navigation.type: back_forward_cache`).
 */
export function instrumentPageLoad(options: PageLoadOptions = {}): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const tracer = getTracer('spanbeam/document-load');
  const max = numbers(options, 'documentLoad')('maxResources', 50);
  const ignore = options.ignoreUrls ?? [];
  const undo: Unpatch[] = [];
  // Nothing is read or started now (the first span of a page reads the session from
  // localStorage, which can take milliseconds): web vitals wait for this span's context.
  expectPageLoad();
  const href = location.href;
  let done = false;

  const doc = (parent: SpanContext | null, startHr: number, url: string, type: string) =>
    tracer.startSpan('documentLoad', { parent, startTime: hrToEpochMs(startHr), attributes: { 'url.full': url, 'browser.navigation.type': type } });
  // From the start of the first fetch, redirects included (a navigation's startTime is 0).
  const child = (root: Span, name: string, e: PerformanceResourceTiming, attributes: Attributes) => {
    const s = tracer.startSpan(name, { parent: root, startTime: hrToEpochMs(e.startTime || e.redirectStart || e.fetchStart), attributes });
    addTimingEvents(s, e);
    if (e.responseStatus) s.setAttribute('http.response.status_code', e.responseStatus);
    s.end(hrToEpochMs(e.responseEnd || e.fetchStart));
  };

  const record = () => {
    if (done) return;
    done = true;
    let end = nowMs();
    const nav = navEntry();
    // The document's own URL, also when the SDK starts after the app changed it (`replaceState`).
    const url = redactUrl(nav?.name || href);
    const root = doc(serverContext(nav) ?? null, 0, url, nav?.type ?? 'navigate');
    guard('page_load.failed', () => {
      if (!nav) return;
      if (nav.loadEventEnd > 0) end = hrToEpochMs(nav.loadEventEnd);
      addEntryEvents(root, nav, DOC_EVENTS);
      if (nav.activationStart) root.setAttribute('browser.prerendered', true); // 0 unless prerendered
      for (const p of performance.getEntriesByType('paint')) root.addEvent(p.name, hrToEpochMs(p.startTime));
      child(root, 'documentFetch', nav, { 'url.full': url });
      let n = 0;
      for (const r of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
        // Loaded by the end of the load event (not what its handlers started); fetch/XHR have their own spans.
        if (r.responseEnd > (nav.loadEventEnd || Infinity) || /^(fetch|xmlhttprequest|beacon)$/.test(r.initiatorType)) continue;
        if (matchesAny(ignore, r.name)) continue;
        if (n++ >= max) break;
        child(root, 'resourceFetch', r, { 'url.full': redactUrl(r.name), 'browser.resource.initiator_type': r.initiatorType });
      }
    });
    root.end(end);
    setPageLoadContext(root.spanContext());
  };

  // After load, when the page is first idle (loadEventEnd is set by then, and building the first
  // spans of a page stays off the busy moments right after load); after activation when prerendered.
  // A page can be idle before its first frame is presented (paint entries come after that): then
  // they are waited for, at most 1 s (a page may paint nothing).
  const afterLoad = () =>
    void whenIdle(() => {
      const go = () => (o.disconnect(), record());
      const o = new PerformanceObserver(go);
      o.observe({ type: 'paint', buffered: true });
      later(go, 1000);
    }, 500);
  const whenActive = () => {
    if ((document as { prerendering?: boolean }).prerendering) {
      const off = listen(document, 'prerenderingchange', () => (off(), whenActive()));
      undo.push(off);
    } else if (document.readyState === 'complete') afterLoad();
    else undo.push(listen(window, 'load', afterLoad));
  };
  whenActive();
  // A page left before load still reports what it had. Hidden counts as left: mobile browsers
  // may discard a hidden page without `pagehide`, and the web vitals reported on hide wait for
  // this span. On window, capturing: before the exporter's flush on the same event.
  undo.push(
    listen(window, 'pagehide', record),
    listen(window, 'visibilitychange', () => document.visibilityState === 'hidden' && record()),
    listen(window, 'pageshow', (e) => {
      if ((e as PageTransitionEvent).persisted)
        guard('page_load.bfcache_failed', () => {
          const s = doc(null, e.timeStamp, redactUrl(location.href), 'back_forward_cache');
          setPageLoadContext(s.spanContext());
          requestAnimationFrame(() => later(() => s.end(), 0));
        });
    }),
  );
  return () => {
    unpatchAll(undo);
    record();
  };
}
