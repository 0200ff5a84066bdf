import { describe, expect, it } from 'vitest';
import { TracerProvider, getTracer, setTracerProvider, type ReadableSpan } from '../../../src/sdk/index';
import { liveSpans } from '../../../src/sdk/live';

describe('liveSpans', () => {
  it('a subscriber that joins while a batch is pending gets each span once', async () => {
    const provider = new TracerProvider();
    provider.configure({ session: false });
    setTracerProvider(provider);
    const source = liveSpans(provider);
    const first: ReadableSpan[] = [];
    source.subscribe((spans) => first.push(...spans));
    getTracer().startSpan('a').end();
    const late: ReadableSpan[] = [];
    source.subscribe((spans) => late.push(...spans));
    await new Promise((r) => setTimeout(r, 10));
    expect(first.map((s) => s.name)).toEqual(['a']);
    expect(late.map((s) => s.name)).toEqual(['a']);
  });
});

describe('liveSpans on a page open for long', () => {
  it('keeps exactly the last 5000 spans for a late subscriber (trimmed in steps, not per span)', () => {
    const provider = new TracerProvider();
    provider.configure({ session: false });
    setTracerProvider(provider);
    const source = liveSpans(provider);
    const tracer = getTracer();
    for (let i = 0; i < 6001; i++) tracer.startSpan(`s${i}`).end();
    const late: ReadableSpan[] = [];
    source.subscribe((spans) => late.push(...spans))();
    expect(late).toHaveLength(5000);
    expect([late[0].name, late[4999].name]).toEqual(['s1001', 's6000']);
  });
});
