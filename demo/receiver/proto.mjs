// OTLP protobuf → OTLP JSON, with the official .proto files. The copy shipped in
// @opentelemetry/otlp-grpc-exporter-base predates OTLP 1.0, so the fields added since
// (Span.flags, Link.flags, scope attributes) are added to the loaded schema here.
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { ROOT } from '../config.mjs';

const PROTO_DIR = join(ROOT, 'node_modules/@opentelemetry/otlp-grpc-exporter-base/build/protos');

/** @type {protobuf.Type | undefined} */
let requestType;

function loadRequestType() {
  if (requestType) return requestType;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  const span = root.lookupType('opentelemetry.proto.trace.v1.Span');
  if (!span.fields.flags) span.add(new protobuf.Field('flags', 16, 'fixed32'));
  const link = root.lookupType('opentelemetry.proto.trace.v1.Span.Link');
  if (!link.fields.flags) link.add(new protobuf.Field('flags', 6, 'fixed32'));
  const scope = root.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');
  if (!scope.fields.attributes) scope.add(new protobuf.Field('attributes', 3, 'opentelemetry.proto.common.v1.KeyValue', 'repeated'));
  if (!scope.fields.droppedAttributesCount) scope.add(new protobuf.Field('droppedAttributesCount', 4, 'uint32'));
  requestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  return requestType;
}

/** @param {unknown} v */
const hex = (v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : '');

/** proto3 JSON of AnyValue, with int64 as a decimal string (as OTLP JSON has it). @param {any} v @returns {any} */
function anyValue(v) {
  if (!v) return {};
  if (v.stringValue !== undefined) return { stringValue: v.stringValue };
  if (v.boolValue !== undefined) return { boolValue: v.boolValue };
  if (v.intValue !== undefined) return { intValue: String(v.intValue) };
  if (v.doubleValue !== undefined) return { doubleValue: v.doubleValue };
  if (v.arrayValue) return { arrayValue: { values: (v.arrayValue.values ?? []).map(anyValue) } };
  if (v.kvlistValue) return { kvlistValue: { values: keyValues(v.kvlistValue.values) } };
  if (v.bytesValue !== undefined) return { bytesValue: Buffer.from(v.bytesValue).toString('base64') };
  return {};
}

/** @param {any[] | undefined} list */
const keyValues = (list) => (list ?? []).map((kv) => ({ key: kv.key, value: anyValue(kv.value) }));

/** @param {any} s */
function span(s) {
  /** @type {Record<string, unknown>} */
  const out = {
    traceId: hex(s.traceId),
    spanId: hex(s.spanId),
    name: s.name ?? '',
    kind: s.kind ?? 0,
    startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
    endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
    attributes: keyValues(s.attributes),
  };
  const parent = hex(s.parentSpanId);
  if (parent) out.parentSpanId = parent;
  if (s.traceState) out.traceState = s.traceState;
  if (s.flags) out.flags = s.flags;
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  if (s.events?.length) {
    out.events = s.events.map((/** @type {any} */ e) => ({
      timeUnixNano: String(e.timeUnixNano ?? '0'),
      name: e.name ?? '',
      attributes: keyValues(e.attributes),
      ...(e.droppedAttributesCount ? { droppedAttributesCount: e.droppedAttributesCount } : {}),
    }));
  }
  if (s.droppedEventsCount) out.droppedEventsCount = s.droppedEventsCount;
  if (s.links?.length) {
    out.links = s.links.map((/** @type {any} */ l) => ({
      traceId: hex(l.traceId),
      spanId: hex(l.spanId),
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: keyValues(l.attributes),
      ...(l.droppedAttributesCount ? { droppedAttributesCount: l.droppedAttributesCount } : {}),
      ...(l.flags ? { flags: l.flags } : {}),
    }));
  }
  if (s.droppedLinksCount) out.droppedLinksCount = s.droppedLinksCount;
  if (s.status && (s.status.code || s.status.message)) {
    out.status = { code: s.status.code ?? 0, ...(s.status.message ? { message: s.status.message } : {}) };
  }
  return out;
}

/**
 * Decodes a protobuf ExportTraceServiceRequest into its OTLP JSON form (hex ids, integer enums,
 * 64-bit values as decimal strings). Throws on bytes that are not a valid message.
 * @param {Uint8Array} body
 */
export function decodeProtobufRequest(body) {
  const type = loadRequestType();
  const msg = type.decode(body);
  /** @type {any} */
  const o = type.toObject(msg, { longs: String, enums: Number, bytes: Buffer, defaults: false, arrays: true });
  return {
    resourceSpans: (o.resourceSpans ?? []).map((/** @type {any} */ rs) => ({
      resource: { attributes: keyValues(rs.resource?.attributes) },
      scopeSpans: [
        ...(rs.scopeSpans ?? []).map((/** @type {any} */ ss) => ({
          scope: { name: ss.scope?.name ?? '', ...(ss.scope?.version ? { version: ss.scope.version } : {}) },
          spans: (ss.spans ?? []).map(span),
        })),
        // OTLP before 0.15 called them instrumentation library spans.
        ...(rs.instrumentationLibrarySpans ?? []).map((/** @type {any} */ ils) => ({
          scope: { name: ils.instrumentationLibrary?.name ?? '', ...(ils.instrumentationLibrary?.version ? { version: ils.instrumentationLibrary.version } : {}) },
          spans: (ils.spans ?? []).map(span),
        })),
      ],
    })),
  };
}

/**
 * Encodes an OTLP JSON request as protobuf (tests and clients that want to send protobuf).
 * @param {any} json
 */
export function encodeProtobufRequest(json) {
  const type = loadRequestType();
  const fromHex = (/** @type {string | undefined} */ h) => (h ? Buffer.from(h, 'hex') : undefined);
  const kv = (/** @type {any[] | undefined} */ list) => list ?? [];
  const msg = type.fromObject({
    resourceSpans: (json.resourceSpans ?? []).map((/** @type {any} */ rs) => ({
      resource: { attributes: kv(rs.resource?.attributes) },
      scopeSpans: (rs.scopeSpans ?? []).map((/** @type {any} */ ss) => ({
        scope: ss.scope,
        spans: (ss.spans ?? []).map((/** @type {any} */ s) => ({
          ...s,
          traceId: fromHex(s.traceId),
          spanId: fromHex(s.spanId),
          parentSpanId: fromHex(s.parentSpanId),
          links: (s.links ?? []).map((/** @type {any} */ l) => ({ ...l, traceId: fromHex(l.traceId), spanId: fromHex(l.spanId) })),
        })),
      })),
    })),
  });
  return type.encode(msg).finish();
}
