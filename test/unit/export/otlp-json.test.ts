import { describe, expect, it } from 'vitest';
import { encodeOtlpJson, encodeOtlpJsonString, encodeOtlpSpan, msToNanoString, otlpBody } from '../../../src/export/otlp-json';
import { checkOtlpJson } from './otlp-proto';
import { RESOURCE, fakeSpan } from './spans';

/** The exact value of a double ms in ns, rounded to nearest, via its bits. */
function exactNs(ms: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, ms);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn) - 1075;
  const mant = (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  // ns = mant * 2^exp * 1e6, rounded half up
  if (exp >= 0) return mant * 2n ** BigInt(exp) * 1_000_000n;
  const den = 2n ** BigInt(-exp);
  const num = mant * 1_000_000n;
  return (num * 2n + den) / (2n * den);
}

describe('msToNanoString', () => {
  it('writes whole nanoseconds as a decimal string without float loss', () => {
    expect(msToNanoString(1_700_000_000_000)).toBe('1700000000000000000');
    expect(msToNanoString(1_700_000_000_123.5)).toBe('1700000000123500000');
    expect(msToNanoString(0.000001)).toBe('1');
    expect(msToNanoString(5.9999999999)).toBe('6000000');
    expect(msToNanoString(0)).toBe('0');
    expect(msToNanoString(NaN)).toBe('0');
  });

  it('gives a decimal uint64 string for infinite and huge times (clamped), never "Infinity" or an exponent', () => {
    for (const ms of [Infinity, 1e21, 1e300, Number.MAX_VALUE]) {
      const ns = msToNanoString(ms);
      expect(ns, String(ms)).toMatch(/^\d+$/);
      expect(BigInt(ns) <= 2n ** 64n - 1n).toBe(true);
    }
  });

  it('keeps a batch valid when one span has an infinite end (one bad time would get it refused)', () => {
    expect(checkOtlpJson(encodeOtlpJson([fakeSpan({ name: 'inf', endMs: Infinity }), fakeSpan()]))).toEqual([]);
  });

  it('is within 1 ns of the exact value of the double for present-day times', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = 1_600_000_000_000 + Math.random() * 200_000_000_000;
      const got = BigInt(msToNanoString(ms));
      const diff = got - exactNs(ms);
      expect(diff >= -1n && diff <= 1n, `${ms}: ${got} vs ${exactNs(ms)}`).toBe(true);
    }
  });
});

describe('encodeOtlpJson', () => {
  const other = { attributes: { 'service.name': 'api' } };
  const parent = fakeSpan({ name: 'root', kind: 1 });
  const child = fakeSpan({
    name: 'GET',
    kind: 2,
    parentSpanId: parent.spanContext().spanId,
    parentIsRemote: false,
    ctx: { traceState: 'vendor=a', traceFlags: 3 },
    attributes: {
      str: 'x',
      int: 42,
      neg: -7,
      dbl: 1.5,
      big: 2 ** 60,
      inf: Infinity,
      nan: NaN,
      bool: false,
      strs: ['a', 'b'],
      ints: [1, 2],
      dbls: [0.5],
      bools: [true],
    },
    droppedAttributesCount: 2,
    events: [{ name: 'exception', timeMs: 1_700_000_000_005.125, attributes: { 'exception.message': 'boom' }, droppedAttributesCount: 1 }],
    droppedEventsCount: 3,
    links: [
      {
        context: { traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1, traceState: 'k=v', isRemote: true },
        attributes: { why: 'retry' },
        droppedAttributesCount: 0,
      },
    ],
    droppedLinksCount: 1,
    status: { code: 2, message: 'HTTP 500' },
  });
  const remoteChild = fakeSpan({ name: 'server-child', parentSpanId: 'a'.repeat(16), parentIsRemote: true, status: { code: 1 } });
  const otherScope = fakeSpan({ scope: { name: 'fetch', version: '1.0.0' } });
  const otherResource = fakeSpan({ resource: other });
  const spans = [parent, child, remoteChild, otherScope, otherResource];
  const json = encodeOtlpJson(spans);

  it('passes the strict schema check', () => {
    expect(checkOtlpJson(json)).toEqual([]);
  });

  it('groups by resource, then scope', () => {
    expect(json.resourceSpans).toHaveLength(2);
    const [a, b] = json.resourceSpans;
    expect(a.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'shop' } });
    expect(a.scopeSpans.map((s) => s.scope)).toEqual([{ name: 'test' }, { name: 'fetch', version: '1.0.0' }]);
    expect(a.scopeSpans[0].spans.map((s) => s.name)).toEqual(['root', 'GET', 'server-child']);
    expect(b.scopeSpans[0].spans).toHaveLength(1);
    expect(b.resource.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'api' } }]);
  });

  it('encodes span fields per OTLP', () => {
    const s = json.resourceSpans[0].scopeSpans[0].spans[1];
    expect(s.kind).toBe(3); // CLIENT: API 2 + 1
    expect(json.resourceSpans[0].scopeSpans[0].spans[0].kind).toBe(2);
    expect(s.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(s.parentSpanId).toBe(parent.spanContext().spanId);
    expect(s.traceState).toBe('vendor=a');
    expect(s.flags).toBe(0x103); // sampled|random, parent is_remote known and false
    expect(s.startTimeUnixNano).toBe('1700000000000250000');
    expect(s.endTimeUnixNano).toBe('1700000000010500000');
    expect(s.status).toEqual({ code: 2, message: 'HTTP 500' });
    expect(s.droppedAttributesCount).toBe(2);
    expect(s.droppedEventsCount).toBe(3);
    expect(s.droppedLinksCount).toBe(1);
    const attr = Object.fromEntries(s.attributes.map((kv) => [kv.key, kv.value]));
    expect(attr).toEqual({
      str: { stringValue: 'x' },
      int: { intValue: '42' },
      neg: { intValue: '-7' },
      dbl: { doubleValue: 1.5 },
      big: { doubleValue: 2 ** 60 },
      inf: { doubleValue: 'Infinity' },
      nan: { doubleValue: 'NaN' },
      bool: { boolValue: false },
      strs: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
      ints: { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } },
      dbls: { arrayValue: { values: [{ doubleValue: 0.5 }] } },
      bools: { arrayValue: { values: [{ boolValue: true }] } },
    });
    expect(s.events).toEqual([
      {
        timeUnixNano: '1700000000005125000',
        name: 'exception',
        attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
        droppedAttributesCount: 1,
      },
    ]);
    expect(s.links).toEqual([
      {
        traceId: 'f'.repeat(32),
        spanId: 'e'.repeat(16),
        traceState: 'k=v',
        attributes: [{ key: 'why', value: { stringValue: 'retry' } }],
        flags: 0x301,
      },
    ]);
  });

  it('keeps status messages to ERROR and marks remote parents', () => {
    const s = json.resourceSpans[0].scopeSpans[0].spans[2];
    expect(s.status).toEqual({ code: 1 });
    expect(s.flags).toBe(0x301);
    const root = json.resourceSpans[0].scopeSpans[0].spans[0];
    expect(root.status).toBeUndefined();
    expect(root.parentSpanId).toBeUndefined();
    const okWithMessage = encodeOtlpJson([fakeSpan({ status: { code: 1, message: 'ignored' } })]);
    expect(okWithMessage.resourceSpans[0].scopeSpans[0].spans[0].status).toEqual({ code: 1 });
  });

  it('string and object forms agree; resources are referenced, not mutated', () => {
    expect(JSON.parse(encodeOtlpJsonString(spans))).toEqual(json);
    expect(Object.keys(RESOURCE.attributes)).toEqual(['service.name', 'telemetry.sdk.name']);
  });
});

describe('strict checker', () => {
  const good = () => encodeOtlpJson([fakeSpan({ attributes: { n: 1 } })]) as unknown as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
  };
  const mutate = (f: (s: Record<string, unknown>) => void) => {
    const j = good();
    f(j.resourceSpans[0].scopeSpans[0].spans[0]);
    return checkOtlpJson(j);
  };

  it('rejects misspelled keys, ms numbers, base64 or uppercase ids, string enums, numeric int64', () => {
    expect(checkOtlpJson(good())).toEqual([]);
    expect(mutate((s) => (s.startTimeUnixNanos = s.startTimeUnixNano)).join()).toMatch(/unknown field/);
    expect(mutate((s) => (s.startTimeUnixNano = 1_700_000_000_000)).join()).toMatch(/decimal string/);
    expect(mutate((s) => (s.traceId = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64'))).join()).toMatch(/hex/);
    expect(mutate((s) => (s.spanId = String(s.spanId).toUpperCase())).join()).toMatch(/hex/);
    expect(mutate((s) => (s.kind = 'SPAN_KIND_CLIENT')).join()).toMatch(/enum/);
    expect(mutate((s) => (s.kind = 9)).join()).toMatch(/unknown enum/);
    expect(mutate((s) => ((s.attributes as Array<{ value: unknown }>)[0].value = { intValue: 1 })).join()).toMatch(/decimal string/);
    expect(mutate((s) => ((s.attributes as Array<{ value: unknown }>)[0].value = { intValue: '1', stringValue: 'x' })).join()).toMatch(/oneof/);
    expect(mutate((s) => (s.status = { code: 2, msg: 'x' })).join()).toMatch(/unknown field/);
  });
});

describe('OTLP/JSON details', () => {
  it('ends a span that has not ended yet (public encoders take any span) at its start', () => {
    const s = encodeOtlpJson([fakeSpan({ endMs: NaN })]).resourceSpans[0].scopeSpans[0].spans[0];
    expect(s.endTimeUnixNano).toBe(s.startTimeUnixNano);
  });

  it('keeps a link’s dropped attribute count', () => {
    const link = { context: { traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 }, attributes: {}, droppedAttributesCount: 2 };
    const s = encodeOtlpJson([fakeSpan({ links: [link] })]).resourceSpans[0].scopeSpans[0].spans[0];
    expect(s.links?.[0].droppedAttributesCount).toBe(2);
  });

  it('writes a null array element as an empty AnyValue', () => {
    const json = encodeOtlpJson([fakeSpan({ attributes: { a: ['x', null] as never } })]);
    expect(checkOtlpJson(json)).toEqual([]);
    expect(json.resourceSpans[0].scopeSpans[0].spans[0].attributes).toEqual([{ key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, {}] } } }]);
  });

  it('puts batch attributes on every resource and the `first` ones (a drop count) on the first only', () => {
    const spans = [fakeSpan(), fakeSpan({ resource: { attributes: { 'service.name': 'api' } } })];
    const body = JSON.parse(otlpBody(spans, spans.map((s) => JSON.stringify(encodeOtlpSpan(s))), { 'spanbeam.batch.id': 'b1' }, { 'spanbeam.export.dropped_spans': 3 }));
    const keys = body.resourceSpans.map((r: { resource: { attributes: Array<{ key: string }> } }) => r.resource.attributes.map((a) => a.key));
    expect(keys).toEqual([
      ['service.name', 'telemetry.sdk.name', 'spanbeam.batch.id', 'spanbeam.export.dropped_spans'],
      ['service.name', 'spanbeam.batch.id'],
    ]);
  });
});
