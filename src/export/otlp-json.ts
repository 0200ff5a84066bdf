import type { AttributeValue, Attributes, InstrumentationScope, ReadableSpan, Resource, SpanContext } from '../sdk/types';

/** OTLP/JSON `AnyValue`: int64 as a decimal string, non-finite doubles as "NaN"/"Infinity". */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number | string;
  arrayValue?: { values: OtlpAnyValue[] };
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[]; droppedAttributesCount?: number }>;
  droppedEventsCount?: number;
  links?: Array<{
    traceId: string;
    spanId: string;
    traceState?: string;
    attributes: OtlpKeyValue[];
    droppedAttributesCount?: number;
    flags: number;
  }>;
  droppedLinksCount?: number;
  status?: { code: number; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version?: string }; spans: OtlpSpan[] }>;
  }>;
}

/**
 * Epoch ms (float) → nanoseconds as a decimal string, without going through a float that large:
 * integer ms, then the sub-ms part rounded to 6 digits.
 */
export function msToNanoString(ms: number): string {
  if (!(ms > 0)) return '0';
  // Clamped below the uint64 limit (year 2286): `String` of a larger (or infinite) number is no
  // decimal integer, and one such time would get the whole batch refused.
  ms = Math.min(ms, 1e13);
  let i = Math.floor(ms);
  let f = Math.round((ms - i) * 1e6);
  if (f >= 1e6) {
    i++;
    f -= 1e6;
  }
  return i ? String(i) + String(f).padStart(6, '0') : String(f);
}

function anyValue(v: AttributeValue | null | undefined): OtlpAnyValue {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: Number.isFinite(v) ? v : String(v) };
    case 'object':
      if (Array.isArray(v)) return { arrayValue: { values: (v as Array<AttributeValue | null>).map(anyValue) } };
  }
  return {};
}

export function encodeAttributes(attrs: Attributes): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in attrs) out.push({ key, value: anyValue(attrs[key]) });
  return out;
}

// OTLP 1.x flags: low byte = W3C trace flags; bit 8 = "is_remote is known", bit 9 = is_remote.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const flagsOf = (ctx: SpanContext, remote: boolean | undefined): number =>
  (ctx.traceFlags & 0xff) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);

/**
 * One span as an OTLP/JSON `Span` (kind is the API kind + 1). Zero counts and absent fields are
 * undefined, which `JSON.stringify` leaves out.
 */
export function encodeOtlpSpan(s: ReadableSpan): OtlpSpan {
  const ctx = s.spanContext();
  const st = s.status;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    flags: flagsOf(ctx, s.parentIsRemote),
    name: s.name,
    kind: s.kind + 1,
    startTimeUnixNano: msToNanoString(s.startMs),
    endTimeUnixNano: msToNanoString(s.endMs === s.endMs ? s.endMs : s.startMs),
    attributes: encodeAttributes(s.attributes),
    traceState: ctx.traceState || undefined,
    parentSpanId: s.parentSpanId || undefined,
    droppedAttributesCount: s.droppedAttributesCount || undefined,
    events: s.events.length
      ? s.events.map((e) => ({
          timeUnixNano: msToNanoString(e.timeMs),
          name: e.name,
          attributes: encodeAttributes(e.attributes),
          droppedAttributesCount: e.droppedAttributesCount || undefined,
        }))
      : undefined,
    droppedEventsCount: s.droppedEventsCount || undefined,
    links: s.links.length
      ? s.links.map(({ context: c, attributes, droppedAttributesCount }) => ({
          traceId: c.traceId,
          spanId: c.spanId,
          attributes: encodeAttributes(attributes),
          flags: flagsOf(c, c.isRemote),
          traceState: c.traceState || undefined,
          droppedAttributesCount: droppedAttributesCount || undefined,
        }))
      : undefined,
    droppedLinksCount: s.droppedLinksCount || undefined,
    status: st.code ? { code: st.code, message: (st.code === 2 && st.message) || undefined } : undefined,
  };
}

function scopeJson(sc: InstrumentationScope): string {
  return JSON.stringify({ name: sc.name, version: sc.version || undefined });
}

/**
 * Assembles an `ExportTraceServiceRequest` body from already-encoded spans (`encoded[i]` is
 * `spans[i]` as JSON), grouped by resource and then scope. `extra` resource attributes describe
 * the batch (its id on every resource; `first` only on the first resource, e.g. a drop count).
 */
export function otlpBody(spans: ReadableSpan[], encoded: string[], extra?: Attributes, first?: Attributes): string {
  const groups = new Map<Resource, Map<string, string[]>>();
  spans.forEach((s, i) => {
    let scopes = groups.get(s.resource);
    if (!scopes) groups.set(s.resource, (scopes = new Map()));
    const sk = scopeJson(s.scope);
    const list = scopes.get(sk);
    if (list) list.push(encoded[i]);
    else scopes.set(sk, [encoded[i]]);
  });
  const rs: string[] = [];
  for (const [r, scopes] of groups) {
    const attrs = { ...r.attributes, ...extra, ...(rs.length ? undefined : first) };
    const ss: string[] = [];
    for (const [sk, list] of scopes) ss.push(`{"scope":${sk},"spans":[${list.join(',')}]}`);
    rs.push(`{"resource":${JSON.stringify({ attributes: encodeAttributes(attrs) })},"scopeSpans":[${ss.join(',')}]}`);
  }
  return `{"resourceSpans":[${rs.join(',')}]}`;
}

/** Spans as an OTLP/JSON `ExportTraceServiceRequest` string, ready to POST to `/v1/traces`. */
export function encodeOtlpJsonString(spans: ReadableSpan[]): string {
  return otlpBody(spans, spans.map((s) => JSON.stringify(encodeOtlpSpan(s))));
}

/** Spans as an OTLP/JSON `ExportTraceServiceRequest` object (grouped by resource and scope). */
export function encodeOtlpJson(spans: ReadableSpan[]): OtlpTraceRequest {
  return JSON.parse(encodeOtlpJsonString(spans)) as OtlpTraceRequest;
}
