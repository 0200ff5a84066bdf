import { describe, expect, it } from 'vitest';
import type { MetricWithAttribution } from 'web-vitals/attribution';
import { vitalAttributes } from '../../../../src/sdk/instrument/web-vitals';

const metric = (name: string, attribution: Record<string, unknown>) =>
  ({ name, value: 1234.5, delta: 34.5, id: 'v5-1', rating: 'poor', navigationType: 'back-forward', attribution, entries: [] }) as unknown as MetricWithAttribution;

describe('vitalAttributes', () => {
  it('names the metric with the OpenTelemetry browser attributes (its name in lower case, as they list it) and keeps LCP attribution, URL redacted', () => {
    expect(
      vitalAttributes(
        metric('LCP', {
          target: '#hero',
          url: 'https://cdn.example.com/hero.jpg?token=s3cret&w=2',
          timeToFirstByte: 10,
          resourceLoadDelay: 20,
          resourceLoadDuration: 30,
          elementRenderDelay: 40,
          lcpEntry: {},
        }),
      ),
    ).toEqual({
      'browser.web_vital.name': 'lcp',
      'browser.web_vital.value': 1234.5,
      'browser.web_vital.delta': 34.5,
      'browser.web_vital.id': 'v5-1',
      'browser.web_vital.rating': 'poor',
      'browser.web_vital.navigation_type': 'back-forward',
      'browser.web_vital.attribution.element': '#hero',
      'browser.web_vital.attribution.url': 'https://cdn.example.com/hero.jpg?token=REDACTED&w=2',
      'browser.web_vital.attribution.time_to_first_byte': 10,
      'browser.web_vital.attribution.resource_load_delay': 20,
      'browser.web_vital.attribution.resource_load_duration': 30,
      'browser.web_vital.attribution.element_render_delay': 40,
    });
  });

  it('INP: target, event type and phases; CLS: largest shift; missing and NaN values left out', () => {
    const inp = vitalAttributes(
      metric('INP', { interactionTarget: 'button#buy', interactionType: 'pointer', inputDelay: 1, processingDuration: 150, presentationDelay: 8, loadState: 'complete', interactionTime: 5 }),
    );
    expect(inp).toMatchObject({
      'browser.web_vital.attribution.element': 'button#buy',
      'browser.web_vital.attribution.event_type': 'pointer',
      'browser.web_vital.attribution.input_delay': 1,
      'browser.web_vital.attribution.processing_duration': 150,
      'browser.web_vital.attribution.presentation_delay': 8,
      'browser.web_vital.attribution.load_state': 'complete',
    });
    expect(Object.keys(inp)).not.toContain('browser.web_vital.attribution.interaction_time');
    const cls = vitalAttributes(metric('CLS', { largestShiftTarget: 'div.ad', largestShiftValue: 0.2, loadState: undefined }));
    expect(cls['browser.web_vital.attribution.element']).toBe('div.ad');
    expect(cls['browser.web_vital.attribution.largest_shift_value']).toBe(0.2);
    expect('browser.web_vital.attribution.load_state' in cls).toBe(false);
    const ttfb = vitalAttributes(metric('TTFB', { waitingDuration: 1, dnsDuration: NaN, connectionDuration: 3, requestDuration: 4 }));
    expect(Object.keys(ttfb).filter((k) => k.includes('attribution'))).toEqual([
      'browser.web_vital.attribution.waiting_duration',
      'browser.web_vital.attribution.connection_duration',
      'browser.web_vital.attribution.request_duration',
    ]);
  });
});
