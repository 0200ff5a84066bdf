import type { Attributes } from '../types';
import type { Unpatch } from './wrap';
import type { MetricWithAttribution } from 'web-vitals/attribution';
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import { getTracer } from '../tracer';
import { hrToEpochMs, nowMs } from '../clock';
import { DEV, guard, warn } from '../diag';
import { interactionOf, pageLoad, whenPageLoad } from './activity';
import { redactUrl } from './redact';
import { navEntry, snake } from './timing';
import { listen } from './wrap';

export interface WebVitalsOptions {
  /** Report every change instead of final values (more spans). Default false. */
  reportAllChanges?: boolean;
}

const W = 'browser.web_vital.';

/**
 * Attribution we keep, per metric: targets (CSS selectors) become `element`, `interactionType`
 * becomes `event_type`, the rest their snake_case names; URLs are redacted.
 */
const KEEP: Record<string, string> = {
  LCP: 'target url timeToFirstByte resourceLoadDelay resourceLoadDuration elementRenderDelay',
  CLS: 'largestShiftTarget largestShiftValue loadState',
  INP: 'interactionTarget interactionType inputDelay processingDuration presentationDelay loadState',
  FCP: 'timeToFirstByte loadState',
  TTFB: 'waitingDuration dnsDuration connectionDuration requestDuration',
};

/** The span's attributes: the metric's own (OpenTelemetry browser names), then its attribution. */
export function vitalAttributes(m: MetricWithAttribution): Attributes {
  const out: Attributes = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'string' ? v : typeof v === 'number' && v === v) out[W + k] = v as string | number;
  };
  // The conventions' names of the metrics are lower case (`lcp`, `inp`, `cls`).
  put('name', m.name.toLowerCase());
  for (const k of ['value', 'delta', 'id', 'rating', 'navigationType'] as const) put(snake(k), m[k]);
  const a = m.attribution as unknown as Record<string, unknown>;
  for (const k of KEEP[m.name].split(' '))
    put('attribution.' + (/[tT]arget$/.test(k) ? 'element' : k === 'interactionType' ? 'event_type' : snake(k)), k === 'url' && a[k] ? redactUrl(String(a[k])) : a[k]);
  return out;
}

/**
 * LCP, CLS, INP, FCP and TTFB through `web-vitals/attribution`, each report a span named after
 * the metric with the OpenTelemetry browser attributes (`browser.web_vital.name`, `.value`,
 * `.delta`, `.id`, `.rating`, `.navigation_type`) and attribution. Spans are children of the
 * page load (INP: of the interaction span that caused it, when we traced it); LCP, FCP and TTFB
 * span from navigation start (activation when prerendered, the restore after the back/forward
 * cache) to the moment measured, INP over the interaction. web-vitals
 * reports final values when the page is hidden, before unload. web-vitals callbacks cannot be
 * unsubscribed, so removal turns reporting off.
 */
export function instrumentWebVitals(options: WebVitalsOptions = {}): Unpatch {
  const tracer = getTracer('spanbeam/web-vitals');
  let on = true;
  // web-vitals measures LCP, FCP and TTFB from activation (a prerendered page) or from the
  // `pageshow` of a back/forward cache restore: the spans start there.
  let restored = 0;
  const unlisten = listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && (restored = e.timeStamp));
  // Measured when reported: web-vitals updates the same metric object on every report, and
  // reports wait (below) for the page-load span, so a later report would overwrite a queued one.
  const report = (m: MetricWithAttribution) =>
    guard('web_vitals.failed', () => {
      const cls = m.name === 'CLS';
      const inp = m.name === 'INP';
      const t = inp
        ? m.attribution.interactionTime
        : m.navigationType === 'back-forward-cache'
          ? restored
          : navEntry()?.activationStart || 0;
      const start = cls ? nowMs() : hrToEpochMs(t);
      const attributes = vitalAttributes(m);
      const end = cls ? start : start + m.value;
      // By the events of its interaction (its entries: one interactionId, 40 ms or longer).
      const ix = inp && interactionOf(m.entries.map((e) => e.startTime));
      whenPageLoad(() => on && tracer.startSpan(m.name, { parent: ix || pageLoad || null, startTime: start, attributes }).end(end));
    });
  // `!!'false'` was on.
  const all = options.reportAllChanges;
  const opts = { reportAllChanges: all === undefined || typeof all == 'boolean' ? !!all : (warn('webVitals.bad_option', DEV ? `reportAllChanges: ${String(all)} is not a boolean; false is used` : ''), false) };
  for (const fn of [onTTFB, onFCP, onLCP, onCLS, onINP]) guard('web_vitals.subscribe_failed', () => fn(report as never, opts));
  return () => {
    on = false;
    unlisten();
  };
}
