// OTLP protobuf import: real encodings — the OpenTelemetry JS SDK's own protobuf serializer
// (@opentelemetry/otlp-transformer), and protobufjs with the official opentelemetry-proto schema
// over our SDK's OTLP JSON — imported and compared with the OTLP JSON import of the same data.
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { encodeOtlpJson } from '../../../src/export/otlp-json';
import { detectFormat } from '../../../src/viewer/import/detect';
import { importSpanJson } from '../../../src/viewer/import/otlp-json';
import { OtlpProtoImporter } from '../../../src/viewer/import/otlp-proto';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf } from '../../../src/viewer/model/query';
import { TraceImportError, type TraceModel } from '../../../src/viewer/model/trace-model';
import { RESOURCE, fakeSpan } from '../export/spans';
import { otlpRoot, toProtoObject } from '../export/otlp-proto';
import { errorOf } from './import-errors';
import { cat, len, m, v } from './proto-encode';

const REQUEST = (): ReturnType<ReturnType<typeof otlpRoot>['lookupType']> => otlpRoot().lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** OTLP JSON (an object) → its protobuf encoding through the official schema. */
const toProto = (json: unknown): Uint8Array => {
  const t = REQUEST();
  return t.encode(t.fromObject(toProtoObject(json) as Record<string, unknown>)).finish();
};

/** The Collector file exporter's framing (`format: proto`): a 4-byte big-endian length per message. */
const framed = (...msgs: Uint8Array[]): Uint8Array =>
  cat(
    ...msgs.flatMap((b) => {
      const n = new Uint8Array(4);
      new DataView(n.buffer).setUint32(0, b.length);
      return [n, b];
    }),
  );

/** Everything the model holds, format aside. */
const same = (model: TraceModel): unknown => ({ ...model, format: 'x' });

function importProto(bytes: Uint8Array, chunk = bytes.length): TraceModel {
  const imp = new OtlpProtoImporter();
  for (let p = 0; p < bytes.length; p += chunk) imp.push(bytes.subarray(p, p + chunk));
  return imp.finish();
}

/** Each slice: name, parent name, start and duration (ns from the model's origin), details. */
function slices(model: TraceModel): unknown[] {
  const s = model.slices;
  return Array.from({ length: s.count }, (_, i) => ({
    name: model.strings[s.name[i]],
    parent: s.parent[i] >= 0 ? model.strings[s.name[s.parent[i]]] : null,
    start: s.startNs[i],
    dur: s.durNs[i],
    depth: s.depth[i],
    details: argsOf(model, i),
  }));
}

/** Spans of the OpenTelemetry JS SDK: two services, a remote parent, links, events, errors, every attribute type. */
function otelSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = (service: string) =>
    new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const web = provider('web').getTracer('web-tracer', '1.2.3');
  const api = provider('api').getTracer('api-tracer');
  const t0 = 1_700_000_000_123.456;
  const root = web.startSpan('checkout', { kind: SpanKind.SERVER, startTime: t0, attributes: { 'http.method': 'POST', retries: 3, ratio: 0.25, ok: true, tags: ['a', 'b'], codes: [200, 404] } });
  const rootCtx = trace.setSpan(context.active(), root);
  const child = web.startSpan('GET /cart', { kind: SpanKind.CLIENT, startTime: t0 + 1.5, links: [{ context: root.spanContext(), attributes: { why: 'retry' } }] }, rootCtx);
  child.addEvent('sent', { bytes: 120 }, t0 + 2);
  const remote = api.startSpan('handle cart', { kind: SpanKind.SERVER, startTime: t0 + 2.25 }, trace.setSpan(context.active(), child));
  remote.setStatus({ code: SpanStatusCode.ERROR, message: 'db down' });
  remote.recordException(new Error('boom'), t0 + 3);
  remote.end(t0 + 4.000001);
  child.setStatus({ code: SpanStatusCode.OK });
  child.end(t0 + 5);
  web.startSpan('producer', { kind: SpanKind.PRODUCER, startTime: t0 + 6 }, rootCtx).end(t0 + 7);
  web.startSpan('unended', { kind: SpanKind.CONSUMER, startTime: t0 + 8 }, rootCtx);
  root.end(t0 + 10);
  return exporter.getFinishedSpans();
}

describe('OTLP protobuf import', () => {
  it("gives the same model as OTLP JSON for the OpenTelemetry JS SDK's own protobuf and JSON serializers", async () => {
    const spans = otelSpans();
    const pb = ProtobufTraceSerializer.serializeRequest(spans)!;
    const json = JsonTraceSerializer.serializeRequest(spans)!;
    expect(detectFormat(pb)).toBe('otlp-proto');
    const fromPb = await runPipeline({ kind: 'bytes', bytes: pb });
    const fromJson = importSpanJson(json);
    expect(fromPb.format).toBe('otlp-proto');
    expect(fromJson.format).toBe('otlp-json');
    expect(fromPb.slices.count).toBe(4); // the unended span is not exported
    expect(same(fromPb)).toEqual(same(fromJson));
    // What it holds: nesting, ids, kinds, status, attributes of each type, scope, resource, events, links.
    const byName = Object.fromEntries(slices(fromPb).map((s) => [(s as { name: string }).name, s as { parent: string | null; start: number; dur: number; details: Record<string, unknown> }]));
    expect(byName['GET /cart'].parent).toBe('checkout');
    expect(byName['handle cart'].parent).toBe('GET /cart');
    const hr = spans.find((s) => s.name === 'handle cart')!.duration;
    expect(byName['handle cart'].dur).toBe(hr[0] * 1e9 + hr[1]);
    const root = spans.find((s) => s.name === 'checkout')!;
    expect(byName.checkout.details).toMatchObject({
      spanId: root.spanContext().spanId,
      traceId: root.spanContext().traceId,
      kind: 'SERVER',
      scope: 'web-tracer@1.2.3',
      resource: { 'service.name': 'web', 'deployment.environment': 'test' },
      args: { 'http.method': 'POST', retries: 3, ratio: 0.25, ok: true, tags: ['a', 'b'], codes: [200, 404] },
    });
    expect(byName['handle cart'].details).toMatchObject({ statusCode: 'ERROR', statusMessage: 'db down', scope: 'api-tracer' });
    expect(byName['GET /cart'].details).toMatchObject({ kind: 'CLIENT', statusCode: 'OK', links: [{ spanId: root.spanContext().spanId, attributes: { why: 'retry' } }] });
    expect(fromPb.instants.count).toBe(2);
    expect(fromPb.flows.count).toBe(2); // the cross-service parent and the link
  });

  it('gives the same model as OTLP JSON for our SDK spans (encodeOtlpJson → official schema → protobuf)', () => {
    const other = { attributes: { 'service.name': 'api' } };
    const parent = fakeSpan({ name: 'root', kind: 1, attributes: { big: 12345678901, s: 'x', f: 1.5, on: false, list: [1, 2] } });
    const child = fakeSpan({
      name: 'GET',
      kind: 2,
      parentSpanId: parent.spanContext().spanId,
      parentIsRemote: false,
      ctx: { traceState: 'vendor=a', traceFlags: 3 },
      startMs: 1_700_000_000_001.000001,
      endMs: 1_700_000_000_009.999999,
      events: [{ name: 'e1', timeMs: 1_700_000_000_002.5, attributes: { n: 1 }, droppedAttributesCount: 0 }],
      links: [{ context: { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 }, attributes: { l: 'x' }, droppedAttributesCount: 0 }],
      status: { code: 2, message: 'bad' },
    });
    const remote = fakeSpan({ name: 'remote', kind: 1, parentSpanId: child.spanContext().spanId, parentIsRemote: true, resource: other, scope: { name: 'lib', version: '2' } });
    const json = encodeOtlpJson([parent, child, remote]);
    const pb = toProto(json);
    expect(detectFormat(pb)).toBe('otlp-proto');
    const fromPb = importProto(pb);
    expect(same(fromPb)).toEqual(same(importSpanJson(json)));
    expect(fromPb.slices.count).toBe(3);
    expect(slices(fromPb).map((s) => (s as { parent: string | null }).parent)).toEqual([null, 'root', 'GET']);
    expect(argsOf(fromPb, 0)).toMatchObject({ resource: RESOURCE.attributes, args: { big: 12345678901, s: 'x', f: 1.5, on: false, list: [1, 2] } });
  });

  it('keeps 64-bit nanoseconds exact, and int64 attributes beyond 2^53 as exact text as the JSON path does', () => {
    const json = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              scope: { name: 's' },
              spans: [
                {
                  traceId: '0123456789abcdef0123456789abcdef',
                  spanId: '0123456789abcdef',
                  name: 'a',
                  kind: 3,
                  startTimeUnixNano: '1700000000123456789',
                  endTimeUnixNano: '1700000000123456999',
                  attributes: [
                    { key: 'huge', value: { intValue: '9007199254740993' } },
                    { key: 'neg', value: { intValue: '-9223372036854775808' } },
                    { key: 'small', value: { intValue: '-5' } },
                    { key: 'raw', value: { bytesValue: 'AQID' } },
                    { key: 'kv', value: { kvlistValue: { values: [{ key: 'in', value: { doubleValue: 2.5 } }] } } },
                    { key: 'empty', value: {} },
                  ],
                  status: { code: 1 },
                },
              ],
            },
          ],
        },
      ],
    };
    const fromPb = importProto(toProto(json));
    expect(same(fromPb)).toEqual(same(importSpanJson(json)));
    // 1700000000123456789 → …456999: 210 ns, which no double in ms or µs would keep.
    expect(fromPb.slices.durNs[0]).toBe(210);
    expect(argsOf(fromPb, 0)).toMatchObject({
      traceId: '0123456789abcdef0123456789abcdef',
      spanId: '0123456789abcdef',
      kind: 'CLIENT',
      statusCode: 'OK',
      args: { huge: '9007199254740993', neg: '-9223372036854775808', small: -5, raw: 'AQID', kv: { in: 2.5 }, empty: null },
    });
  });

  it('reads the Collector file exporter framing message by message, in any chunking, gzipped too', async () => {
    const reqs = [0, 1, 2].map((i) => encodeOtlpJson([fakeSpan({ name: `a${i}` }), fakeSpan({ name: `b${i}`, resource: { attributes: { 'service.name': `s${i}` } } })]));
    const file = framed(...reqs.map(toProto));
    expect(detectFormat(file)).toBe('otlp-proto');
    const fromJson = importSpanJson(reqs.map((r) => JSON.stringify(r)).join('\n'));
    expect(fromJson.slices.count).toBe(6);
    const whole = importProto(file);
    expect(same(whole)).toEqual(same(fromJson));
    for (const chunk of [1, 3, 7, 64]) expect(same(importProto(file, chunk)), `chunks of ${chunk}`).toEqual(same(fromJson));
    // Spans are read as messages complete, not at the end.
    const imp = new OtlpProtoImporter();
    const firstEnd = 4 + toProto(reqs[0]).length;
    imp.push(file.subarray(0, firstEnd + 10));
    expect(imp.events).toBe(2);
    const gz = await runPipeline({ kind: 'bytes', bytes: gzipSync(file) }, { maxPieceBytes: 5 });
    expect(same(gz)).toEqual(same(fromJson));
    expect(gz.diagnostics).toEqual([]);
    // Main-thread mode (small pieces, yielding) too.
    expect(same(await runPipeline({ kind: 'bytes', bytes: file }, { yieldEveryMs: 1, maxPieceBytes: 64 }))).toEqual(same(fromJson));
    // The raw request streams as well, resource_spans by resource_spans.
    const raw = toProto(reqs[1]);
    for (const chunk of [1, 5]) expect(same(importProto(raw, chunk))).toEqual(same(importSpanJson(reqs[1])));
  });

  it('keeps what came before a truncated last message, with a warning', async () => {
    const reqs = [0, 1].map((i) => encodeOtlpJson([fakeSpan({ name: `a${i}` }), fakeSpan({ name: `b${i}` }), fakeSpan({ name: `c${i}` })]));
    const msgs = reqs.map(toProto);
    const file = framed(...msgs);
    const second = 4 + msgs[0].length;
    // Cut inside the second message's third span: its first two spans are whole.
    const cutAt = file.length - 20;
    const model = await runPipeline({ kind: 'bytes', bytes: file.subarray(0, cutAt) });
    expect(model.format).toBe('otlp-proto');
    expect(slices(model).map((s) => (s as { name: string }).name)).toEqual(['a0', 'b0', 'c0', 'a1', 'b1']);
    const d = model.diagnostics.find((x) => x.kind === 'truncated-input');
    expect(d?.message).toMatch(new RegExp(`the message at byte ${second} declares ${msgs[1].length} bytes but only ${cutAt - second - 4} follow; its 2 whole spans and the 3 spans before it are kept`));
    // Cut inside a length prefix.
    const inLen = importProto(file.subarray(0, second + 2));
    expect(inLen.slices.count).toBe(3);
    expect(inLen.diagnostics.find((x) => x.kind === 'truncated-input')?.message).toMatch(`ends inside the length of the message at byte ${second}`);
    // A raw request cut short keeps its whole spans.
    const raw = importProto(msgs[0].subarray(0, msgs[0].length - 20));
    expect(raw.slices.count).toBe(2);
    expect(raw.diagnostics.find((x) => x.kind === 'truncated-input')?.message).toMatch(/cut short: the resource_spans at byte 0 runs past the end/);
    // Gzipped and cut: the gunzip error and the cut message both say so.
    const gz = gzipSync(file);
    const cutGz = await runPipeline({ kind: 'bytes', bytes: gz.subarray(0, gz.length - 8) });
    expect(cutGz.slices.count).toBeGreaterThanOrEqual(3);
    // Cut at any byte: the whole spans before the cut, a "cut short" warning, never "corrupt".
    for (const input of [file, msgs[0]]) {
      let last = 0;
      for (let n = 1; n < input.length; n++) {
        let model: TraceModel;
        try {
          model = importProto(input.subarray(0, n));
        } catch (e) {
          expect((e as Error).message, `cut at ${n}`).toMatch(/no complete span/);
          expect(last).toBe(0);
          continue;
        }
        expect(model.slices.count, `cut at ${n}`).toBeGreaterThanOrEqual(last);
        last = model.slices.count;
        // Between two messages the file is whole.
        const whole = input === file && n === second;
        expect(model.diagnostics.map((x) => x.message).join(), `cut at ${n}`).toMatch(whole ? /^$/ : /^the file is cut short: [^,]*$/);
      }
      expect(last).toBe(input === file ? 5 : 2);
    }
    // Nothing whole at all: an error, not an empty trace.
    expect(errorOf(() => importProto(msgs[0].subarray(0, 30))).message).toMatch(/no complete span/);
  });

  it('reports corrupt data with its byte offset: an error in the first message, a warning after it', async () => {
    const reqs = [0, 1, 2].map((i) => encodeOtlpJson([fakeSpan({ name: `a${i}` })]));
    const msgs = reqs.map(toProto);
    const file = framed(...msgs);
    const second = 4 + msgs[0].length;
    // A lost frame: the second length points into the middle of nowhere.
    const bad = file.slice();
    new DataView(bad.buffer).setUint32(second, msgs[1].length - 7);
    const model = await runPipeline({ kind: 'bytes', bytes: bad });
    expect(model.slices.count).toBe(1);
    const d = model.diagnostics.find((x) => x.kind === 'truncated-input');
    expect(d?.message).toMatch(new RegExp(`corrupt OTLP protobuf at byte \\d+: length \\d+ runs past the end .*in the message that starts at byte ${second}; the 1 spans before it are kept, the rest of the file is skipped`));
    // A broken varint inside the second message (span name length over 10 bytes).
    const bad2 = file.slice();
    bad2.fill(0xff, second + 20, second + 32);
    const m2 = importProto(bad2);
    expect(m2.slices.count).toBe(1);
    expect(m2.diagnostics.find((x) => x.kind === 'truncated-input')?.message).toMatch(new RegExp(`corrupt OTLP protobuf at byte \\d+: .*in the message that starts at byte ${second}`));
    // The same offset whatever the chunks the bytes arrive in.
    for (const chunk of [1, 7, 100]) expect(importProto(bad2, chunk).diagnostics).toEqual(m2.diagnostics);
    // In the first message: an import error naming the offset.
    const bad3 = file.slice();
    bad3.fill(0xff, 20, 32);
    const err = errorOf(() => importProto(bad3));
    expect(err).toBeInstanceOf(TraceImportError);
    expect(err.info.format).toBe('otlp-proto');
    expect(err.message).toMatch(/corrupt OTLP protobuf at byte \d+: .*in the message that starts at byte 0/);
    expect(err.info.offset).toBeGreaterThanOrEqual(20);
    // Through the pipeline: corrupt before any whole span, the head is no OTLP at all.
    await expect(runPipeline({ kind: 'bytes', bytes: bad3 })).rejects.toThrow(/not a trace file/);
    // After a whole span it is corrupt OTLP, and the error says where.
    const two = toProto(encodeOtlpJson([fakeSpan({ name: 'x' }), fakeSpan({ name: 'y' })]));
    const bad4 = framed(two, msgs[0]);
    // The second span's name length (tag 0x2a, 1, 'y') made a varint of over 10 bytes.
    const yAt = bad4.findIndex((x, i) => x === 0x2a && bad4[i + 1] === 1 && bad4[i + 2] === 0x79);
    expect(yAt).toBeGreaterThan(0);
    bad4.fill(0xff, yAt + 1, yAt + 12);
    await expect(runPipeline({ kind: 'bytes', bytes: bad4 })).rejects.toThrow(/corrupt OTLP protobuf at byte \d+: varint longer than 10 bytes, in the message that starts at byte 0/);
    // Bytes damaged anywhere: a model or an import error, never another exception.
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 400; i++) {
      const x = (i % 2 ? file : msgs[0]).slice();
      for (let k = 0; k < 3; k++) x[rand(x.length)] = rand(256);
      try {
        importProto(x, 1 + rand(64));
      } catch (e) {
        expect(e).toBeInstanceOf(TraceImportError);
      }
    }
    // Hostile nesting (arrays in arrays) is an error, not a stack overflow.
    // AnyValue { array_value 5: ArrayValue { values 1: AnyValue { … bool_value 2 } } }
    let any = v(2, 1);
    for (let i = 0; i < 200; i++) any = m(5, m(1, any));
    const deep = m(1, m(2, m(2, len(1, new Uint8Array(16).fill(1)), len(2, new Uint8Array(8).fill(2)), m(9, len(1, new TextEncoder().encode('k')), m(2, any)))));
    expect(errorOf(() => importProto(deep)).message).toMatch(/nested over 64 deep/);
  });
});

describe('OTLP protobuf detection', () => {
  const text = (x: string): Uint8Array => new TextEncoder().encode(x);
  const pb = ProtobufTraceSerializer.serializeRequest(otelSpans())!;

  it('tells raw and framed OTLP apart from Perfetto, pprof and text, with the head cut anywhere', () => {
    expect(detectFormat(pb)).toBe('otlp-proto');
    expect(detectFormat(framed(pb, pb))).toBe('otlp-proto');
    for (let n = 40; n < pb.length; n += 7) {
      expect(detectFormat(pb.subarray(0, n)), `raw cut at ${n}`).toBe('otlp-proto');
      expect(detectFormat(framed(pb).subarray(0, n)), `framed cut at ${n}`).toBe('otlp-proto');
    }
    // Perfetto: packets holding TracePacket fields (timestamp 8, sequence 10, track_event 11).
    expect(detectFormat(cat(m(1, v(8, 1000), v(10, 1), m(11, v(9, 1))), m(1, v(8, 2000), v(10, 1))))).toBe('perfetto-proto');
    expect(detectFormat(cat(m(1, v(1, 1), len(2, text('x')))))).toBe('perfetto-proto');
    // A packet of nested field-1 messages only, without any OTLP span or attribute in it, stays Perfetto.
    expect(detectFormat(cat(m(1, m(1, len(2, text('x')))), m(1, v(8, 1))))).toBe('perfetto-proto');
    // An id of the wrong length is not OTLP.
    expect(detectFormat(cat(m(1, m(2, m(2, len(1, new Uint8Array(15).fill(1)), len(2, new Uint8Array(8).fill(2)))))))).toBe('perfetto-proto');
    for (const f of ['datadog-wall.pb.gz', 'datadog-heap.pb.gz']) {
      expect(detectFormat(gunzipSync(readFileSync(new URL(`../../fixtures/pprof/${f}`, import.meta.url))))).toBe('pprof');
    }
    for (const f of ['otlp/two-services.json', 'otlp/collector.ndjson', 'otlp/jaeger.json', 'otlp/zipkin.json', 'chrome/all-phases.json', 'viewer-ui/nplus1.otlp.json']) {
      expect(detectFormat(readFileSync(new URL(`../../fixtures/${f}`, import.meta.url)))).not.toBe('otlp-proto');
    }
    expect(detectFormat(text('\nmain;work 3\n'))).toBe('collapsed-stacks');
    expect(detectFormat(text('\n\n\n\n{"resourceSpans":[]}'))).toBe('otlp-json');
  });

  it('opens the OTLP JSON fixtures re-encoded as protobuf with the same model', () => {
    for (const f of ['otlp/two-services.json', 'viewer-ui/nplus1.otlp.json']) {
      const json = JSON.parse(readFileSync(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8'));
      const bytes = toProto(json);
      expect(detectFormat(bytes), f).toBe('otlp-proto');
      expect(same(importProto(bytes)), f).toEqual(same(importSpanJson(json)));
    }
  });
});
