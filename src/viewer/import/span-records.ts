/**
 * Span documents → SpanRecords: OTLP JSON (requests, resource/scope/span), Jaeger UI JSON and
 * Zipkin v2 JSON, from parsed JS values (a whole document, or one entry at a time when streamed).
 */
import { isInputTime } from '../model/builder';
import type { DiagnosticKind, SourceFormat } from '../model/trace-model';
import { fromEpochNs, fromEpochUs, type SpanRecord } from './spans';

/** Where readers report what they skip (counted by kind; the first message describes them). */
export type Report = (kind: DiagnosticKind, message: string) => void;

const OTLP_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A record keyed by input text: without a prototype, `__proto__` is a key like any other (assigned, it would be lost). */
const record = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
/** A number, or a numeric string, within isInputTime; NaN otherwise (`Number(null)` would be 0: a span at 1970). */
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return isInputTime(n) ? n : NaN;
};
/** A value as it reads in the input, short. */
export const shown = (v: unknown): string => JSON.stringify(v)?.slice(0, 60) ?? 'missing';
export const notObject = (what: string, v: unknown): string => `${what} that is not an object (${shown(v)}) skipped`;
/** What a Zipkin span or an OTLP request in a top-level array is called when it is not an object. */
export const TOP_ENTRY = 'an entry of the top-level array';

/** OTLP JSON ids are hex; some producers send base64 (the protobuf JSON default): accept both. */
export function normalizeId(v: unknown): string {
  const s = str(v);
  if (s === '' || /^[0-9a-fA-F]+$/.test(s)) return s.toLowerCase();
  try {
    const bin = atob(s);
    // Only a trace id (16 bytes) or span id (8 bytes) is base64; other text ("t1", "req-7") stays.
    if (bin.length !== 16 && bin.length !== 8) return s;
    let hex = '';
    for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
    return hex;
  } catch {
    return s;
  }
}

/** OTLP AnyValue → plain JS value. */
export function anyValue(v: unknown): unknown {
  if (!isObj(v)) return v;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : str(v.intValue);
  }
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return arr(isObj(v.arrayValue) ? v.arrayValue.values : undefined).map(anyValue);
  if ('kvlistValue' in v) return keyValues(isObj(v.kvlistValue) ? v.kvlistValue.values : undefined);
  if ('bytesValue' in v) return v.bytesValue;
  return null;
}

/** OTLP KeyValue[] → record. */
export function keyValues(list: unknown): Record<string, unknown> {
  const out = record();
  for (const kv of arr(list)) if (isObj(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

function enumName(v: unknown, names: string[], prefix: string): string {
  if (typeof v === 'number') return names[v] ?? String(v);
  const s = str(v);
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** OTLP scope (or legacy instrumentationLibrary) → "name@version". */
export function scopeName(ss: Json): string {
  const sc = isObj(ss.scope) ? ss.scope : isObj(ss.instrumentationLibrary) ? ss.instrumentationLibrary : {};
  return str(sc.name) + (sc.version ? `@${str(sc.version)}` : '');
}

/** service.name of a resource's attributes. */
export function serviceOf(resource: Record<string, unknown>): string {
  return typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
}

/** One OTLP span → SpanRecord (undefined, reported, without a usable start time). */
export function otlpSpanRecord(sp: Json, service: string, resource: Record<string, unknown>, scope: string, report: Report): SpanRecord | undefined {
  const start = fromEpochNs(sp.startTimeUnixNano);
  if (!start) {
    report('invalid-event', `span ${shown(sp.name ?? sp.spanId)} skipped: startTimeUnixNano ${shown(sp.startTimeUnixNano)} is not a positive integer (ns)`);
    return undefined;
  }
  const end = fromEpochNs(sp.endTimeUnixNano);
  const status = isObj(sp.status) ? sp.status : {};
  const statusCode = status.code === undefined ? '' : enumName(status.code, ['UNSET', 'OK', 'ERROR'], 'STATUS_CODE_');
  const parent = normalizeId(sp.parentSpanId);
  return {
    traceId: normalizeId(sp.traceId),
    spanId: normalizeId(sp.spanId),
    ...(parent ? { parentSpanId: parent } : {}),
    name: str(sp.name),
    service,
    start,
    ...(end ? { end } : {}),
    kind: enumName(sp.kind ?? 0, OTLP_KINDS, 'SPAN_KIND_'),
    error: statusCode === 'ERROR',
    ...(statusCode ? { statusCode } : {}),
    ...(typeof status.message === 'string' && status.message ? { statusMessage: status.message } : {}),
    attributes: keyValues(sp.attributes),
    resource,
    ...(scope ? { scope } : {}),
    events: arr(sp.events).flatMap((e) => {
      if (!isObj(e)) {
        report('invalid-event', notObject(`an event of span ${shown(sp.name)}`, e));
        return [];
      }
      const time = fromEpochNs(e.timeUnixNano);
      if (time) return [{ time, name: str(e.name), attributes: keyValues(e.attributes) }];
      report('invalid-event', `event ${shown(e.name)} of span ${shown(sp.name)} skipped: timeUnixNano ${shown(e.timeUnixNano)} is not a positive integer (ns)`);
      return [];
    }),
    links: arr(sp.links).flatMap((l) =>
      isObj(l) ? [{ traceId: normalizeId(l.traceId), spanId: normalizeId(l.spanId), attributes: keyValues(l.attributes) }] : [],
    ),
  };
}

/** Appends the spans of one ExportTraceServiceRequest. */
export function otlpRequestSpans(doc: unknown, out: SpanRecord[], report: Report): void {
  if (!isObj(doc)) {
    report('invalid-event', notObject(TOP_ENTRY, doc));
    return;
  }
  for (const rs of arr(doc.resourceSpans)) {
    if (!isObj(rs)) continue;
    const resource = keyValues(isObj(rs.resource) ? rs.resource.attributes : undefined);
    const service = serviceOf(resource);
    for (const ss of [...arr(rs.scopeSpans), ...arr(rs.instrumentationLibrarySpans)]) {
      if (!isObj(ss)) continue;
      const scope = scopeName(ss);
      for (const sp of arr(ss.spans)) {
        if (!isObj(sp)) {
          report('invalid-event', notObject('a span', sp));
          continue;
        }
        const rec = otlpSpanRecord(sp, service, resource, scope, report);
        if (rec) out.push(rec);
      }
    }
  }
}

/** Jaeger UI download: {"data":[{traceID, spans, processes}]}. */
export function jaegerSpans(doc: unknown, out: SpanRecord[], report: Report): void {
  const traces = isObj(doc) ? arr(doc.data) : [];
  for (const t of traces) if (isObj(t)) jaegerTraceSpans(t, out, report);
}

/** The spans of one Jaeger trace entry ({traceID, spans, processes}). */
export function jaegerTraceSpans(t: Json, out: SpanRecord[], report: Report): void {
  const processes = isObj(t.processes) ? t.processes : {};
  for (const sp of arr(t.spans)) {
    if (!isObj(sp)) {
      report('invalid-event', notObject('a span', sp));
      continue;
    }
    const proc = isObj(processes[str(sp.processID)]) ? (processes[str(sp.processID)] as Json) : isObj(sp.process) ? sp.process : {};
    const tags = record();
    for (const tag of arr(sp.tags)) if (isObj(tag)) tags[str(tag.key)] = tag.value;
    const refs = arr(sp.references).filter(isObj);
    const parentRef = refs.find((r) => r.refType === 'CHILD_OF') ?? refs[0];
    const parent = str(sp.parentSpanID) || (parentRef ? str(parentRef.spanID) : '');
    const startUs = num(sp.startTime);
    if (!Number.isFinite(startUs)) {
      report('invalid-event', `span ${shown(sp.operationName)} skipped: startTime ${shown(sp.startTime)} is not a number (µs)`);
      continue;
    }
    const durUs = num(sp.duration);
    out.push({
      traceId: str(sp.traceID || t.traceID).toLowerCase(),
      spanId: str(sp.spanID).toLowerCase(),
      ...(parent ? { parentSpanId: parent.toLowerCase() } : {}),
      name: str(sp.operationName),
      service: str(proc.serviceName) || 'unknown_service',
      start: fromEpochUs(startUs),
      ...(Number.isFinite(durUs) ? { end: fromEpochUs(startUs + durUs) } : {}),
      ...(typeof tags['span.kind'] === 'string' ? { kind: String(tags['span.kind']).toUpperCase() } : {}),
      error: tags.error === true || tags.error === 'true' || tags['otel.status_code'] === 'ERROR',
      attributes: tags,
      events: arr(sp.logs).flatMap((l) => {
        const us = isObj(l) ? num(l.timestamp) : NaN;
        if (!Number.isFinite(us)) {
          report('invalid-event', isObj(l) ? `log of span ${shown(sp.operationName)} skipped: timestamp ${shown(l.timestamp)} is not a number (µs)` : notObject(`a log of span ${shown(sp.operationName)}`, l));
          return [];
        }
        const fields = record();
        for (const f of arr((l as Json).fields)) if (isObj(f)) fields[str(f.key)] = f.value;
        return [{ time: fromEpochUs(us), name: str(fields.event ?? fields.message ?? 'log'), attributes: fields }];
      }),
      links: refs
        .filter((r) => r !== parentRef)
        .map((r) => ({ traceId: str(r.traceID).toLowerCase(), spanId: str(r.spanID).toLowerCase() })),
    });
  }
}

/** Zipkin v2: an array of spans. */
export function zipkinSpans(doc: unknown, out: SpanRecord[], report: Report): void {
  for (const sp of arr(doc)) {
    if (!isObj(sp)) {
      report('invalid-event', notObject(TOP_ENTRY, sp));
      continue;
    }
    const startUs = num(sp.timestamp);
    if (!Number.isFinite(startUs)) {
      report('invalid-event', `span ${shown(sp.name)} skipped: timestamp ${shown(sp.timestamp)} is not a number (µs)`);
      continue;
    }
    const durUs = num(sp.duration);
    const tags = isObj(sp.tags) ? sp.tags : {};
    const local = isObj(sp.localEndpoint) ? sp.localEndpoint : {};
    out.push({
      traceId: str(sp.traceId).toLowerCase().padStart(32, '0'),
      spanId: str(sp.id).toLowerCase(),
      ...(sp.parentId ? { parentSpanId: str(sp.parentId).toLowerCase() } : {}),
      name: str(sp.name),
      service: str(local.serviceName) || 'unknown_service',
      start: fromEpochUs(startUs),
      ...(Number.isFinite(durUs) ? { end: fromEpochUs(startUs + durUs) } : {}),
      ...(sp.kind ? { kind: str(sp.kind) } : {}),
      error: 'error' in tags,
      attributes: { ...tags },
      events: arr(sp.annotations).flatMap((a) => {
        const us = isObj(a) ? num(a.timestamp) : NaN;
        if (Number.isFinite(us)) return [{ time: fromEpochUs(us), name: str((a as Json).value) }];
        report('invalid-event', isObj(a) ? `annotation ${shown(a.value)} of span ${shown(sp.name)} skipped: timestamp ${shown(a.timestamp)} is not a number (µs)` : notObject(`an annotation of span ${shown(sp.name)}`, a));
        return [];
      }),
    });
  }
}

/** Which span format a parsed document is, or undefined. */
export function spanDocFormat(doc: unknown): SourceFormat | undefined {
  if (Array.isArray(doc)) {
    const first = doc.find(isObj);
    if (!first) return doc.length === 0 ? 'zipkin-json' : undefined;
    if ('resourceSpans' in first) return 'otlp-json';
    if ('traceId' in first && ('timestamp' in first || 'id' in first)) return 'zipkin-json';
    return undefined;
  }
  if (!isObj(doc)) return undefined;
  if ('resourceSpans' in doc) return 'otlp-json';
  if (Array.isArray(doc.data) && doc.data.some((t) => isObj(t) && 'spans' in t)) return 'jaeger-json';
  return undefined;
}

/** Appends spans of a parsed document of a known span format. */
export function spansOfDoc(doc: unknown, format: SourceFormat, out: SpanRecord[], report: Report): void {
  if (format === 'otlp-json') {
    if (Array.isArray(doc)) for (const d of doc) otlpRequestSpans(d, out, report);
    else otlpRequestSpans(doc, out, report);
  } else if (format === 'jaeger-json') jaegerSpans(doc, out, report);
  else if (format === 'zipkin-json') zipkinSpans(doc, out, report);
}
