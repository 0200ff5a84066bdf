import type { Attributes, SpanContext } from '../types';
import type { Unpatch } from './wrap';
import type { MetricWithAttribution } from 'web-vitals/attribution';
import { onCLS, onFCP, onINP, onLCP, onTTFB } from 'web-vitals/attribution';
import { getTracer } from '../tracer';
import { hrToEpochMs, nowMs } from '../clock';
import { guard } from '../diag';
import { interactionAt, pageLoadContext, whenPageLoad } from './activity';
import { redactUrl } from './redact';

export interface WebVitalsOptions {
  /** Report every change instead of final values (more spans). Default false. */
  reportAllChanges?: boolean;
}

const A = 'browser.web_vital.attribution.';

/** Attribution we keep: targets (CSS selectors), URLs redacted, INP's type and phases. */
function attribution(m: MetricWithAttribution): Attributes {
  const out: Attributes = {};
  const put = (k: string, v: unknown) => {
    if (typeof v === 'string' ? v : typeof v === 'number' && v === v) out[A + k] = v as string | number;
  };
  switch (m.name) {
    case 'LCP':
      put('element', m.attribution.target);
      if (m.attribution.url) put('url', redactUrl(m.attribution.url));
      put('time_to_first_byte', m.attribution.timeToFirstByte);
      put('resource_load_delay', m.attribution.resourceLoadDelay);
      put('resource_load_duration', m.attribution.resourceLoadDuration);
      put('element_render_delay', m.attribution.elementRenderDelay);
      break;
    case 'CLS':
      put('element', m.attribution.largestShiftTarget);
      put('largest_shift_value', m.attribution.largestShiftValue);
      put('load_state', m.attribution.loadState);
      break;
    case 'INP':
      put('element', m.attribution.interactionTarget);
      put('event_type', m.attribution.interactionType);
      put('input_delay', m.attribution.inputDelay);
      put('processing_duration', m.attribution.processingDuration);
      put('presentation_delay', m.attribution.presentationDelay);
      put('load_state', m.attribution.loadState);
      break;
    case 'FCP':
      put('time_to_first_byte', m.attribution.timeToFirstByte);
      put('load_state', m.attribution.loadState);
      break;
    case 'TTFB':
      put('waiting_duration', m.attribution.waitingDuration);
      put('dns_duration', m.attribution.dnsDuration);
      put('connection_duration', m.attribution.connectionDuration);
      put('request_duration', m.attribution.requestDuration);
      break;
  }
  return out;
}

/**
 * LCP, CLS, INP, FCP and TTFB through `web-vitals/attribution`, each report a span named after
 * the metric with the OpenTelemetry browser attributes (`browser.web_vital.name`, `.value`,
 * `.delta`, `.id`, `.rating`, `.navigation_type`) and attribution. Spans are children of the
 * page load (INP: of the interaction span that caused it, when we traced it); LCP, FCP and TTFB
 * span from navigation start to the moment measured, INP over the interaction. web-vitals
 * reports final values when the page is hidden, before unload. web-vitals callbacks cannot be
 * unsubscribed, so removal turns reporting off.
 */
export function instrumentWebVitals(options: WebVitalsOptions = {}): Unpatch {
  const tracer = getTracer('spanbeam/web-vitals');
  let on = true;
  const report = (m: MetricWithAttribution) => whenPageLoad(() => emit(m));
  const emit = (m: MetricWithAttribution) =>
    guard('web_vitals.failed', () => {
      if (!on) return;
      let start = nowMs();
      let end = start;
      let parent: SpanContext | undefined = pageLoadContext();
      if (m.name === 'INP') {
        start = hrToEpochMs(m.attribution.interactionTime);
        end = start + m.value;
        parent = interactionAt(m.attribution.interactionTime, m.value) ?? parent;
      } else if (m.name !== 'CLS') {
        start = hrToEpochMs(0);
        end = start + m.value;
      }
      const s = tracer.startSpan(m.name, {
        parent: parent ?? null,
        startTime: start,
        attributes: {
          'browser.web_vital.name': m.name,
          'browser.web_vital.value': m.value,
          'browser.web_vital.delta': m.delta,
          'browser.web_vital.id': m.id,
          'browser.web_vital.rating': m.rating,
          'browser.web_vital.navigation_type': m.navigationType,
          ...attribution(m),
        },
      });
      s.end(end);
    });
  const opts = { reportAllChanges: !!options.reportAllChanges };
  for (const fn of [onTTFB, onFCP, onLCP, onCLS, onINP]) guard('web_vitals.subscribe_failed', () => fn(report as never, opts));
  return () => {
    on = false;
  };
}
