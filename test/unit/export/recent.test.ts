import { describe, expect, it } from 'vitest';
import { getRecentSpans, rememberSpan } from '../../../src/export/recent';
import { fakeSpan } from './spans';

describe('recent spans (downloadChromeTrace)', () => {
  it('keeps the last `max` ended spans, oldest first', () => {
    const spans = Array.from({ length: 40 }, () => fakeSpan());
    for (const s of spans) rememberSpan(s, 10);
    expect(getRecentSpans()).toEqual(spans.slice(-10));
  });

  it('trimmed in steps (not per span), it still gives exactly the last `max`', () => {
    const spans = Array.from({ length: 200 }, () => fakeSpan());
    for (let i = 0; i < spans.length; i++) {
      rememberSpan(spans[i], 50);
      // (the ring is the module's: the test above left spans in it)
      if (i >= 49) expect(getRecentSpans()).toEqual(spans.slice(i - 49, i + 1));
    }
  });
});
