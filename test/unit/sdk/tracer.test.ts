import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  SpanKind,
  TracerProvider,
  alwaysOff,
  alwaysOn,
  context,
  getActiveSpan,
  getSelfCounters,
  getTracer,
  parentBasedSampler,
  traceIdRatioSampler,
  type ReadableSpan,
} from '../../../src/sdk/index';
import { freshProvider } from './fresh-provider';

let exporter: InMemorySpanExporter;
let provider: TracerProvider;

beforeEach(() => ({ provider, exporter } = freshProvider()));

const finished = (): ReadableSpan[] => exporter.getFinishedSpans();

describe('ids', () => {
  it('are lowercase hex of the right length, distinct, and parent/child share the trace id', () => {
    const tracer = getTracer('t');
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', { parent });
    const p = parent.spanContext();
    const c = child.spanContext();
    expect(p.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(p.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(c.traceId).toBe(p.traceId);
    expect(c.spanId).not.toBe(p.spanId);
    child.end();
    parent.end();
    expect(finished()[0].parentSpanId).toBe(p.spanId);
    expect(finished()[1].parentSpanId).toBeUndefined();
  });

  it('never repeat across many spans', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(getTracer().startSpan('x').spanContext().spanId);
    expect(ids.size).toBe(5000);
  });

  it('sets the sampled and W3C Level 2 random flags on new traces', () => {
    const s = getTracer().startSpan('root');
    expect(s.spanContext().traceFlags).toBe(3);
  });
});

describe('times', () => {
  it('are epoch ms with sub-ms precision and monotonic', () => {
    const before = Date.now();
    const s = getTracer().startSpan('t');
    s.end();
    const span = finished()[0];
    expect(span.startMs).toBeGreaterThanOrEqual(before - 5);
    expect(span.endMs).toBeGreaterThanOrEqual(span.startMs);
    for (let i = 0; i < 20; i++) getTracer().startSpan('f').end();
    const starts = finished().map((sp) => sp.startMs);
    expect(starts.slice(1).some((t) => t % 1 !== 0)).toBe(true);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1]);
  });

  it('clamps an end before the start to a zero duration', () => {
    const s = getTracer().startSpan('t', { startTime: 1_700_000_000_000 });
    s.end(1_600_000_000_000);
    expect(finished()[0].endMs).toBe(1_700_000_000_000);
  });

  it('treats non-finite caller times (start, end, events) as now', () => {
    const before = Date.now() - 5;
    const s = getTracer().startSpan('t', { startTime: -Infinity });
    s.addEvent('e', {}, Infinity);
    s.end(Infinity);
    const span = finished()[0];
    for (const t of [span.startMs, span.endMs, span.events[0].timeMs]) {
      expect(Number.isFinite(t)).toBe(true);
      expect(t).toBeGreaterThanOrEqual(before);
    }
  });
});

describe('attributes', () => {
  it('keeps strings, numbers, booleans and homogeneous arrays; drops the rest with a count', () => {
    const s = getTracer().startSpan('a', { attributes: { a: 'x', b: 1.5, c: true } });
    s.setAttribute('d', [1, 2]);
    s.setAttribute('e', { nested: true } as never);
    s.setAttribute('f', ['x', 1] as never);
    s.setAttribute('g', undefined);
    s.end();
    const span = finished()[0];
    expect(span.attributes).toEqual({ a: 'x', b: 1.5, c: true, d: [1, 2] });
    expect(span.droppedAttributesCount).toBe(2);
  });

  it('enforces count and length limits and counts what it drops', () => {
    provider.configure({ limits: { attributeCountLimit: 2, attributeValueLengthLimit: 3 } });
    const s = getTracer().startSpan('a');
    s.setAttribute('k1', 'abcdef').setAttribute('k2', ['abcd', 'ab']).setAttribute('k3', 1).setAttribute('k1', 'z');
    s.end();
    const span = finished()[0];
    expect(span.attributes).toEqual({ k1: 'z', k2: ['abc', 'ab'] });
    expect(span.droppedAttributesCount).toBe(1);
  });

  it('keeps boolean and string arrays, with their null holes', () => {
    const s = getTracer().startSpan('a');
    s.setAttribute('b', [true, false]).setAttribute('s', ['x', null as never, 'y']);
    s.end();
    expect(finished()[0].attributes).toEqual({ b: [true, false], s: ['x', null, 'y'] });
    expect(finished()[0].droppedAttributesCount).toBe(0);
  });

  it('overwrites any existing key in place, at the limit too, and never mistakes a value for a key', () => {
    provider.configure({ limits: { attributeCountLimit: 3 } });
    const s = getTracer().startSpan('a');
    s.setAttribute('a', 'b').setAttribute('b', 'c').setAttribute('c', 1);
    s.setAttribute('b', 'x').setAttribute('c', 2).setAttribute('a', 'y');
    s.end();
    expect(finished()[0].attributes).toEqual({ a: 'y', b: 'x', c: 2 });
    expect(finished()[0].droppedAttributesCount).toBe(0);
  });

  it('limits events and links with dropped counts', () => {
    provider.configure({ limits: { eventCountLimit: 1, linkCountLimit: 1 } });
    const other = getTracer().startSpan('other').spanContext();
    const s = getTracer().startSpan('a', { links: [{ context: other }, { context: other }] });
    s.addEvent('e1', { k: 1 }).addEvent('e2');
    s.end();
    const span = finished().find((x) => x.name === 'a')!;
    expect(span.events.map((e) => e.name)).toEqual(['e1']);
    expect(span.droppedEventsCount).toBe(1);
    expect(span.links).toHaveLength(1);
    expect(span.droppedLinksCount).toBe(1);
  });
});

describe('status, kind, exceptions', () => {
  it('records kind, error status with message, and exception events', () => {
    const s = getTracer().startSpan('k', { kind: SpanKind.CLIENT });
    const err = new TypeError('boom');
    s.recordException(err);
    s.setStatus({ code: 2, message: 'failed' });
    s.end();
    const span = finished()[0];
    expect(span.kind).toBe(2);
    expect(span.status).toEqual({ code: 2, message: 'failed' });
    expect(span.events[0].name).toBe('exception');
    expect(span.events[0].attributes['exception.type']).toBe('TypeError');
    expect(span.events[0].attributes['exception.message']).toBe('boom');
    expect(String(span.events[0].attributes['exception.stacktrace'])).toContain('boom');
  });

  it('cuts a long status message as attribute values are, never inside a surrogate pair', () => {
    provider.configure({ limits: { attributeValueLengthLimit: 4 } });
    const s = getTracer().startSpan('k');
    s.setStatus({ code: 2, message: 'abc😀def' }); // the emoji is two UTF-16 units: 4th and 5th
    s.end();
    expect(finished()[0].status).toEqual({ code: 2, message: 'abc' });
  });

  it('keeps OK final and ignores UNSET', () => {
    const s = getTracer().startSpan('k');
    s.setStatus({ code: 1 }).setStatus({ code: 2, message: 'late' }).setStatus({ code: 0 });
    s.end();
    expect(finished()[0].status).toEqual({ code: 1 });
  });
});

describe('after end', () => {
  it('every method is a no-op and counted, nothing throws, end is reported once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const s = getTracer().startSpan('done');
    s.end();
    s.setAttribute('late', 1).addEvent('late').setStatus({ code: 2 }).updateName('renamed');
    s.end();
    expect(finished()).toHaveLength(1);
    expect(finished()[0].attributes).toEqual({});
    expect(finished()[0].name).toBe('done');
    expect(getSelfCounters()['span.after_end']).toBe(5);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('methods never throw on garbage input, and garbage is dropped, not recorded as data', () => {
    const s = getTracer().startSpan('g');
    expect(() => {
      s.setAttribute(undefined as never, 1);
      s.setAttribute('', 1);
      s.setAttributes(null as never);
      s.setAttributes('abc' as never);
      s.addEvent(undefined as never);
      s.addLink(null as never);
      s.addLink({ traceId: 1, spanId: 2 } as never);
      s.setStatus(null as never);
      s.updateName(undefined as never);
      s.recordException(undefined);
      s.recordException({ toString: () => { throw new Error('x'); } });
      s.end(NaN);
    }).not.toThrow();
    const span = finished()[0];
    expect(span.name).toBe('g');
    expect(span.attributes).toEqual({});
    expect(span.droppedAttributesCount).toBe(2); // the two invalid keys (OpenTelemetry: keys are non-empty strings)
    expect(span.links).toEqual([]);
    expect(span.status).toEqual({ code: 0 });
    expect(span.events.map((e) => e.name)).toEqual(['undefined', 'exception', 'exception']);
    expect(span.events[1].attributes).toEqual({ 'exception.message': 'undefined' });
    expect(span.events[2].attributes).toEqual({ 'exception.message': '[unprintable]' });
    expect(Number.isFinite(span.endMs)).toBe(true);
  });
});

describe('active span', () => {
  it('startActiveSpan makes the span active and parents children to it', () => {
    const tracer = getTracer();
    const result = tracer.startActiveSpan('outer', (outer) => {
      expect(getActiveSpan()).toBe(outer);
      const inner = tracer.startSpan('inner');
      inner.end();
      outer.end();
      return 42;
    });
    expect(result).toBe(42);
    expect(getActiveSpan()).toBeUndefined();
    const [inner, outer] = finished();
    expect(inner.parentSpanId).toBe(outer.spanContext().spanId);
  });

  it('withSpan and context.bind carry a span explicitly', () => {
    const tracer = getTracer();
    const span = tracer.startSpan('explicit');
    const bound = context.bind(() => getActiveSpan(), span);
    expect(bound()).toBe(span);
    expect(tracer.withSpan(span, () => getActiveSpan())).toBe(span);
    expect(getActiveSpan()).toBeUndefined();
  });

  it('root: true starts a new trace even under an active span', () => {
    const tracer = getTracer();
    tracer.startActiveSpan('outer', (outer) => {
      const root = tracer.startSpan('new', { root: true });
      expect(root.spanContext().traceId).not.toBe(outer.spanContext().traceId);
    });
  });

  it('restores the previous span when the callback throws', () => {
    const tracer = getTracer();
    expect(() => tracer.startActiveSpan('t', () => { throw new Error('app error'); })).toThrow('app error');
    expect(getActiveSpan()).toBeUndefined();
  });
});

describe('samplers', () => {
  it('alwaysOff yields non-recording spans that still propagate a context', () => {
    provider.configure({ sampler: alwaysOff });
    const s = getTracer().startSpan('off');
    expect(s.isRecording()).toBe(false);
    expect(s.spanContext().traceFlags & 1).toBe(0);
    s.end();
    expect(finished()).toHaveLength(0);
  });

  it('parent-based follows a remote parent’s sampled flag', () => {
    provider.configure({ sampler: parentBasedSampler(alwaysOff) });
    const remote = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true };
    const s = getTracer().startSpan('child', { parent: remote });
    expect(s.isRecording()).toBe(true);
    expect(s.spanContext().traceId).toBe(remote.traceId);
    s.end();
    expect(finished()[0].parentIsRemote).toBe(true);
    const n = getTracer().startSpan('child', { parent: { ...remote, traceFlags: 0 } });
    expect(n.isRecording()).toBe(false);
  });

  it('trace-id ratio decides from the id’s random 56 bits, the same everywhere', () => {
    const half = traceIdRatioSampler(0.5);
    const low = '0'.repeat(18) + '00000000000001';
    const high = '0'.repeat(18) + 'ffffffffffffff';
    const mid = '0'.repeat(18) + '80000000000000';
    expect(half.shouldSample(undefined, low, 'x', 0, undefined)).toBe(false);
    expect(half.shouldSample(undefined, high, 'x', 0, undefined)).toBe(true);
    expect(half.shouldSample(undefined, mid, 'x', 0, undefined)).toBe(true);
    expect(traceIdRatioSampler(0).shouldSample(undefined, high, 'x', 0, undefined)).toBe(false);
    expect(traceIdRatioSampler(1).shouldSample(undefined, low, 'x', 0, undefined)).toBe(true);
    // Statistically close to the ratio over random ids.
    provider.configure({ sampler: parentBasedSampler(traceIdRatioSampler(0.25)) });
    let kept = 0;
    for (let i = 0; i < 4000; i++) if (getTracer().startSpan('r').isRecording()) kept++;
    expect(kept / 4000).toBeGreaterThan(0.2);
    expect(kept / 4000).toBeLessThan(0.3);
  });
});

describe('processors', () => {
  it('see onStart with the parent and onEnd; a throwing processor is counted and isolated', () => {
    const seen: string[] = [];
    provider.addSpanProcessor({
      onStart: (s, parent) => seen.push(`start ${s.name} ${parent ? 'child' : 'root'}`),
      onEnd: () => {
        throw new Error('bad processor');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    });
    const p = getTracer().startSpan('p');
    getTracer().startSpan('c', { parent: p }).end();
    p.end();
    expect(seen).toEqual(['start p root', 'start c child']);
    expect(finished()).toHaveLength(2);
    expect(getSelfCounters()['processor.onEnd_failed']).toBe(2);
  });

  it('removes a processor and shuts all down', async () => {
    const other = new InMemorySpanExporter();
    const remove = provider.addSpanProcessor(new SimpleSpanProcessor(other));
    getTracer().startSpan('one').end();
    remove();
    getTracer().startSpan('two').end();
    expect(other.getFinishedSpans().map((s) => s.name)).toEqual(['one']);
    await provider.shutdown();
    getTracer().startSpan('three').end();
    expect(finished().map((s) => s.name)).toEqual(['one', 'two']);
  });
});

describe('resource', () => {
  it('carries service and sdk attributes; scope is the tracer name', () => {
    provider.configure({ serviceName: 'shop', serviceVersion: '1.2.3', environment: 'staging' });
    getTracer('my-lib', '2.0').startSpan('r').end();
    const span = finished()[0];
    expect(span.resource.attributes).toMatchObject({
      'service.name': 'shop',
      'service.version': '1.2.3',
      'deployment.environment.name': 'staging',
      'telemetry.sdk.name': 'spanbeam',
      'telemetry.sdk.language': 'webjs',
    });
    expect(span.scope).toEqual({ name: 'my-lib', version: '2.0' });
  });
});

afterEach(() => vi.useRealTimers());

describe('review fixes', () => {
  it('truncating a string attribute never splits a surrogate pair (a lone surrogate is not UTF-8)', () => {
    provider.configure({ limits: { attributeValueLengthLimit: 3 } });
    const s = getTracer().startSpan('x');
    s.setAttribute('s', 'ab😀');
    s.setAttribute('a', ['ab😀', 'xy']);
    s.end();
    expect(finished()[0].attributes).toEqual({ s: 'ab', a: ['ab', 'xy'] });
  });

  it('an invalid (all-zero) parent context starts a new trace, as in OpenTelemetry', () => {
    const invalid = { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 };
    const s = getTracer().startSpan('x', { parent: invalid });
    expect(s.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(s.isRecording()).toBe(true);
    s.end();
    expect(finished()[0].parentSpanId).toBeUndefined();
    const under = getTracer().startActiveSpan('p', { parent: invalid }, (p) => getTracer().startSpan('c', { parent: p }));
    expect(under.spanContext().traceId).not.toBe('0'.repeat(32));
  });

  it('recordException never throws on an exception whose message cannot be stringified', () => {
    const s = getTracer().startSpan('x');
    expect(() => s.recordException({ message: Object.create(null) })).not.toThrow();
    s.end();
    expect(finished()[0].events[0].attributes['exception.message']).toBe('[unprintable]');
  });
});

describe('limits given as undefined', () => {
  it('keep their defaults instead of turning the limit off', () => {
    provider.configure({ limits: { attributeCountLimit: undefined, attributeValueLengthLimit: undefined } });
    const s = getTracer().startSpan('x');
    for (let i = 0; i < 200; i++) s.setAttribute(`k${i}`, i);
    s.setAttribute('long', 'x'.repeat(5000));
    s.end();
    const span = finished()[0];
    expect(Object.keys(span.attributes)).toHaveLength(128);
    expect(span.droppedAttributesCount).toBe(73);
  });
});

describe('limits: OpenTelemetry defaults and semantics', () => {
  it('default to 4096 characters per string value and 128 events and links, with drops counted', () => {
    const other = getTracer().startSpan('other').spanContext();
    const s = getTracer().startSpan('d', { links: Array.from({ length: 130 }, () => ({ context: other })) });
    s.setAttribute('long', 'x'.repeat(5000));
    s.setAttribute('arr', ['y'.repeat(5000), 'z']);
    for (let i = 0; i < 130; i++) s.addEvent(`e${i}`);
    s.end();
    const span = finished().find((x) => x.name === 'd')!;
    expect(span.attributes.long).toBe('x'.repeat(4096));
    expect(span.attributes.arr).toEqual(['y'.repeat(4096), 'z']);
    expect(span.droppedAttributesCount).toBe(0);
    expect(span.events).toHaveLength(128);
    expect(span.droppedEventsCount).toBe(2);
    expect(span.links).toHaveLength(128);
    expect(span.droppedLinksCount).toBe(2);
  });

  it('keeps null elements of an array (they are valid) and their array', () => {
    const s = getTracer().startSpan('n');
    s.setAttribute('a', ['x', null] as never);
    s.end();
    expect(finished()[0].attributes).toEqual({ a: ['x', null] });
    expect(finished()[0].droppedAttributesCount).toBe(0);
  });

  it('apply to event and link attributes, each with its own dropped count; undefined values are no-ops', () => {
    provider.configure({ limits: { attributeCountLimit: 1 } });
    const other = getTracer().startSpan('other').spanContext();
    const s = getTracer().startSpan('e');
    s.addEvent('ev', { a: 1, u: undefined as unknown as number, b: 2 });
    s.addLink(other, { a: 1, b: 2, c: 3 });
    s.end();
    const span = finished().find((x) => x.name === 'e')!;
    expect(span.events[0]).toMatchObject({ name: 'ev', attributes: { a: 1 }, droppedAttributesCount: 1 });
    expect(span.links[0]).toMatchObject({ context: other, attributes: { a: 1 }, droppedAttributesCount: 2 });
  });

  it('attributes read while the span runs (e.g. by a processor at start) do not go stale', () => {
    provider.addSpanProcessor({
      onStart: (span) => void span.attributes,
      onEnd: () => {},
      forceFlush: async () => {},
      shutdown: async () => {},
    });
    const s = getTracer().startSpan('a', { attributes: { x: 1 } });
    s.setAttribute('y', 2);
    s.setAttributes({ z: 3 });
    s.end();
    expect(finished()[0].attributes).toEqual({ x: 1, y: 2, z: 3 });
  });
});

describe('span events and status: OpenTelemetry API details', () => {
  it('event times: the addEvent(name, time) overload, an explicit time, and recordException’s time', () => {
    const s = getTracer().startSpan('t', { startTime: 1_700_000_000_000 });
    s.addEvent('overload', 1_700_000_000_100);
    s.addEvent('explicit', { k: 1 }, 1_700_000_000_200);
    s.recordException(new Error('x'), 1_700_000_000_300);
    s.recordException('a thrown string');
    s.end(1_700_000_001_000);
    const ev = finished()[0].events;
    expect(ev.map((e) => [e.name, e.timeMs])).toEqual([
      ['overload', 1_700_000_000_100],
      ['explicit', 1_700_000_000_200],
      ['exception', 1_700_000_000_300],
      ['exception', ev[3].timeMs],
    ]);
    expect(ev[0].attributes).toEqual({});
    expect(ev[3].attributes).toEqual({ 'exception.message': 'a thrown string' });
  });

  it('UNSET never clears ERROR; an unknown code is ignored instead of locking the status to OK', () => {
    const a = getTracer().startSpan('a');
    a.setStatus({ code: 2 }).setStatus({ code: 0 });
    a.end();
    const b = getTracer().startSpan('b');
    b.setStatus({ code: 'ERROR' } as never).setStatus({ code: 7 } as never).setStatus({ code: 2, message: 'late' });
    b.end();
    expect(finished().map((s) => s.status)).toEqual([{ code: 2 }, { code: 2, message: 'late' }]);
  });

  it('is no longer recording once ended', () => {
    const s = getTracer().startSpan('r');
    expect(s.isRecording()).toBe(true);
    s.end();
    expect(s.isRecording()).toBe(false);
  });
});

describe('sampler details', () => {
  const ctx = (sampled: boolean, isRemote: boolean) => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: sampled ? 1 : 0, isRemote });
  const fixed = (v: boolean) => ({ shouldSample: () => v, toString: () => String(v) });

  it('parent-based uses the delegate of each of the four parent cases', () => {
    const s = parentBasedSampler({
      root: alwaysOff,
      remoteParentSampled: alwaysOff,
      remoteParentNotSampled: fixed(true),
      localParentSampled: fixed(false),
      localParentNotSampled: alwaysOn,
    });
    const decide = (p: ReturnType<typeof ctx>) => s.shouldSample(p, p.traceId, 'x', 0, undefined);
    expect([decide(ctx(true, true)), decide(ctx(false, true)), decide(ctx(true, false)), decide(ctx(false, false))]).toEqual([false, true, false, true]);
    const remoteOnly = parentBasedSampler({ root: alwaysOn, remoteParentSampled: alwaysOff });
    expect(remoteOnly.shouldSample(ctx(true, true), 'a'.repeat(32), 'x', 0, undefined)).toBe(false);
    expect(remoteOnly.shouldSample(ctx(true, false), 'a'.repeat(32), 'x', 0, undefined)).toBe(true);
  });

  it('trace-id ratio keeps exactly the ids at or above the 56-bit threshold', () => {
    const ratio = 0.3;
    const threshold = BigInt(Math.round((1 - ratio) * 2 ** 56));
    const id = (v: bigint) => '0'.repeat(18) + v.toString(16).padStart(14, '0');
    const s = traceIdRatioSampler(ratio);
    expect(s.shouldSample(undefined, id(threshold), 'x', 0, undefined)).toBe(true);
    expect(s.shouldSample(undefined, id(threshold - 1n), 'x', 0, undefined)).toBe(false);
  });

  it('samplers describe themselves as the OpenTelemetry SDK spec requires (TraceIdRatioBased{RATIO})', () => {
    expect(String(traceIdRatioSampler(0.25))).toBe('TraceIdRatioBased{0.25}');
    expect(String(parentBasedSampler(traceIdRatioSampler(1)))).toBe('ParentBased{root=TraceIdRatioBased{1}}');
  });

  it('trace-id ratio decides from an explicit randomness value (`ot=rv:` in tracestate) when the parent has one', () => {
    // OpenTelemetry: samplers presume the id random "unless an explicit randomness value is present in the rv sub-key".
    const half = traceIdRatioSampler(0.5);
    const parent = (traceId: string, traceState?: string) => ({ traceId, spanId: 'b'.repeat(16), traceFlags: 0, isRemote: true, traceState });
    const low = '0'.repeat(32);
    const high = 'f'.repeat(32);
    const decide = (p: ReturnType<typeof parent>) => half.shouldSample(p, p.traceId, 'x', 0, undefined);
    expect(decide(parent(low, 'ot=rv:ffffffffffffff'))).toBe(true);
    expect(decide(parent(low, 'vendor=x,ot=th:8;rv:80000000000000;p:1'))).toBe(true);
    expect(decide(parent(high, 'ot=rv:7fffffffffffff,vendor=x'))).toBe(false);
    // Not OpenTelemetry's member, or not a 14-digit value: the id decides.
    expect(decide(parent(low, 'vendor=rv:ffffffffffffff'))).toBe(false);
    expect(decide(parent(low, 'x-ot=rv:ffffffffffffff'))).toBe(false);
    expect(decide(parent(low, 'a=1 , ot=rv:ffffffffffffff'))).toBe(true);
    expect(decide(parent(low, 'a=1,\tot=rv:ffffffffffffff'))).toBe(true);
    expect(decide(parent(high, 'ot=rv:0'))).toBe(true);
    expect(decide(parent(high, 'ot=rv:000000000000000'))).toBe(true);
    expect(decide(parent(low))).toBe(false);
  });

  it('trace-id ratio is exact at tiny ratios and samples nothing at 0, NaN or below 2^-54', () => {
    const id = (hex14: string) => '0'.repeat(18) + hex14;
    const tiny = traceIdRatioSampler(2 ** -50); // threshold 2^56 − 64
    expect(tiny.shouldSample(undefined, id('ffffffffffffc0'), 'x', 0, undefined)).toBe(true);
    expect(tiny.shouldSample(undefined, id('ffffffffffffbf'), 'x', 0, undefined)).toBe(false);
    for (const r of [0, NaN, -1, 1e-20]) expect(traceIdRatioSampler(r).shouldSample(undefined, id('ffffffffffffff'), 'x', 0, undefined)).toBe(false);
    for (const r of [1, 2, Infinity]) expect(traceIdRatioSampler(r).shouldSample(undefined, id('00000000000000'), 'x', 0, undefined)).toBe(r === Infinity ? false : true);
  });
});
