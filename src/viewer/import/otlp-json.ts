/**
 * Span-format importers: OTLP JSON (an ExportTraceServiceRequest, an array of them, or NDJSON
 * as the Collector's file exporter writes), Jaeger UI JSON, Zipkin v2 JSON, and live SDK spans.
 * Each normalises to SpanRecords (span-records.ts) and goes through `buildSpanModel` (spans.ts).
 */
import type { ReadableSpan } from '../../sdk/types';
import { TraceBuilder, isInputTime } from '../model/builder';
import type { DiagnosticKind, SourceFormat, TraceModel } from '../model/trace-model';
import { INCOMPLETE, type JsonReader } from './json-tokenizer';
import { IGNORE, JsonWalk, PARSE, type WalkHandler } from './json-walk';
import {
  isObj,
  jaegerTraceSpans,
  keyValues,
  notObject,
  otlpRequestSpans,
  otlpSpanRecord,
  scopeName,
  serviceOf,
  shown,
  spanDocFormat,
  spansOfDoc,
  zipkinSpans,
  TOP_ENTRY,
  type Json,
  type Report,
} from './span-records';
import { buildSpanModel, fromEpochMs, type SpanRecord } from './spans';

const API_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/**
 * Live SDK spans (epoch-ms floats; endMs NaN while running). Entries that are not spans (e.g. a
 * copy without its context) are reported and skipped: one must not cost all the others.
 */
export function readableSpanRecords(spans: readonly ReadableSpan[], out: SpanRecord[], report: Report): SpanRecord[] {
  for (const s of spans as ReadonlyArray<ReadableSpan | null | undefined>) {
    // spanContext is a method on live spans; tolerate plain data copies that carry it as a field.
    const sc = s?.spanContext as unknown;
    const ctx = (typeof sc === 'function' ? s!.spanContext() : sc) as { traceId: string; spanId: string } | undefined;
    if (!s || typeof ctx !== 'object' || ctx === null || !isInputTime(s.startMs)) {
      report('invalid-event', `live span ${shown(s?.name)} skipped: ${!s ? 'not a span' : typeof ctx !== 'object' || ctx === null ? 'no spanContext' : `startMs ${shown(s.startMs)} is not a number`}`);
      continue;
    }
    const res = s.resource?.attributes ?? {};
    const service = typeof res['service.name'] === 'string' ? res['service.name'] : 'unknown_service';
    const status = s.status ?? { code: 0 };
    out.push({
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
      name: s.name,
      service,
      start: fromEpochMs(s.startMs),
      ...(isInputTime(s.endMs) ? { end: fromEpochMs(s.endMs) } : {}),
      kind: API_KINDS[s.kind] ?? String(s.kind),
      error: status.code === 2,
      statusCode: ['UNSET', 'OK', 'ERROR'][status.code] ?? String(status.code),
      ...(status.message ? { statusMessage: status.message } : {}),
      attributes: { ...s.attributes },
      resource: { ...res },
      scope: s.scope ? s.scope.name + (s.scope.version ? `@${s.scope.version}` : '') : '',
      events: (s.events ?? []).map((e) => ({ time: fromEpochMs(e.timeMs), name: e.name, attributes: { ...e.attributes } })),
      links: (s.links ?? []).map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: { ...l.attributes } })),
    });
  }
  return out;
}

/** Live SDK spans → model, through the same path as OTLP. */
export function importReadableSpans(spans: readonly ReadableSpan[], skew = true): TraceModel {
  const b = new TraceBuilder('spanbeam-spans');
  return buildSpanModel('spanbeam-spans', readableSpanRecords(spans, [], (kind, message) => b.diag(kind, message)), b, skew);
}

// Roles of the containers the streaming walk descends into.
const R_ROOT = 0; // top level (one or more documents)
const R_DOC = 1; // a top-level object: OTLP request or Jaeger download
const R_DOC_ARR = 2; // a top-level array: OTLP requests or Zipkin spans
const R_REQ = 3; // an OTLP request inside a top-level array
const R_RS_ARR = 4; // resourceSpans
const R_RS = 5; // one resourceSpans entry
const R_SS_ARR = 6; // scopeSpans
const R_IL_ARR = 7; // instrumentationLibrarySpans (legacy)
const R_SS = 8; // one scopeSpans entry
const R_SPANS = 9; // its spans
const R_JDATA = 10; // Jaeger data
const R_JTRACE = 11; // one Jaeger trace
const R_JSPANS = 12; // its spans
const R_WRAP = 13; // a request wrapped by a trace API: Tempo's `{"trace": …}`, Jaeger v2's `{"result": …}`

/** Members that hold lists of spans (or of their containers). */
const LISTS = new Set(['resourceSpans', 'batches', 'scopeSpans', 'instrumentationLibrarySpans', 'spans', 'data']);

/** True when the object at r.pos starts with the member "resourceSpans" (peeked, not consumed). */
function startsWithResourceSpans(r: JsonReader): boolean {
  const b = r.buf;
  let p = r.pos + 1;
  while (p < r.end && b[p] <= 0x20) p++;
  const key = '"resourceSpans"';
  for (let i = 0; i < key.length; i++, p++) {
    if (p >= r.end) {
      if (r.eof) return false;
      throw INCOMPLETE;
    }
    if (b[p] !== key.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Streams a span document (or NDJSON of them) through the incremental tokenizer: only one span
 * (or one resource/scope/process map) is materialised as a JS value at a time, so documents
 * larger than V8's longest string load. Key order is free: spans met before their resource or
 * scope (OTLP), or before their trace's `processes` (Jaeger), wait in their entry until it ends.
 */
export class SpanJsonImporter implements WalkHandler {
  private readonly walk: JsonWalk;
  private readonly out: SpanRecord[] = [];
  /** Format of the first document that showed one (as `spanDocFormat` would tell). */
  private docFormat: SourceFormat | undefined;

  // Current top-level object.
  private sawResourceSpans = false;
  private jaegerHasSpans = false;
  private jaegerOut: SpanRecord[] = [];
  // Current top-level array: its element mode once the first object element decided it.
  private arrMode: SourceFormat | undefined;
  private arrDecided = false;
  private arrFormat: SourceFormat | undefined;
  // Current resourceSpans entry.
  private hasResource = false;
  private resource: Record<string, unknown> = {};
  private service = 'unknown_service';
  private scopeRecs: SpanRecord[] = [];
  private legacyRecs: SpanRecord[] = [];
  // Current scopeSpans entry.
  private legacy = false;
  private scopeObj: unknown;
  private libObj: unknown;
  /** Scope name once settled (a `scope` object was read). */
  private scope: string | undefined;
  private waiting: Json[] = [];
  // Current Jaeger trace.
  private tTraceId: unknown;
  private tProcesses: unknown;
  private tHasTraceId = false;
  private tHasProcesses = false;
  private tSpans: Json[] = [];
  /** List members that were no list. */
  private notLists = new Set<string>();
  /** What was skipped, by kind (replayed into the builder at the end). */
  private diags = new Map<DiagnosticKind, { count: number; message: string }>();
  private readonly report: Report = (kind, message) => {
    const d = this.diags.get(kind);
    if (d) d.count++;
    else this.diags.set(kind, { count: 1, message });
  };

  /** `skew` false: no clock-skew adjustment (see buildSpanModel). */
  constructor(
    private format: SourceFormat,
    private skew = true,
  ) {
    this.walk = new JsonWalk(this, R_ROOT, format);
  }

  /** Adds input; parsing may wait until `batch` bytes are buffered (see JsonReader.feed). */
  push(chunk: Uint8Array, batch = 0): void {
    this.walk.push(chunk, batch);
  }

  /** Bytes consumed so far. */
  get bytes(): number {
    return this.walk.consumed;
  }

  /** Spans read so far. */
  get events(): number {
    return this.out.length;
  }

  finish(): TraceModel {
    this.walk.end();
    const format = this.docFormat ?? this.format;
    const b = new TraceBuilder(format);
    for (const k of this.notLists) this.report('invalid-event', `"${k}" is not an array: nothing read from it`);
    for (const [kind, d] of this.diags) b.diag(kind, d.message, d.count);
    return buildSpanModel(format, this.out, b, this.skew);
  }

  // ---- WalkHandler ----

  route(parent: number, key: string, r: JsonReader): number {
    const c = r.buf[r.pos];
    const o = c === 0x7b;
    // A list member that is something else has nothing to read, but must say so (an empty trace
    // would be all the user saw), at the end: route() may run twice for a value. null is Go's
    // empty list (Jaeger): silent.
    const a = c === 0x5b;
    if (!a && c !== 0x6e && LISTS.has(key)) this.notLists.add(key);
    switch (parent) {
      case R_ROOT:
        return o ? R_DOC : a ? R_DOC_ARR : IGNORE;
      case R_DOC:
      case R_WRAP:
        // Flags only ever set (idempotent): what `'resourceSpans' in doc` would tell. Tempo's
        // trace-by-id JSON names that list `batches`; its v2 API and Jaeger v2's API (api_v3)
        // wrap the request in `trace` / `result`.
        if (key === 'resourceSpans' || key === 'batches') {
          this.sawResourceSpans = true;
          return a ? R_RS_ARR : IGNORE;
        }
        if (parent === R_WRAP) return IGNORE;
        if (key === 'data') return a ? R_JDATA : IGNORE;
        return (key === 'trace' || key === 'result') && o ? R_WRAP : IGNORE;
      case R_REQ:
        return key === 'resourceSpans' && a ? R_RS_ARR : IGNORE;
      case R_DOC_ARR:
        if (!o) return PARSE; // reported in value()
        if (!this.arrDecided) return startsWithResourceSpans(r) ? R_REQ : PARSE;
        return this.arrMode === 'otlp-json' ? R_REQ : this.arrMode === 'zipkin-json' ? PARSE : IGNORE;
      case R_RS_ARR:
        return o ? R_RS : IGNORE;
      case R_RS:
        if (key === 'resource') return PARSE;
        if (key === 'scopeSpans') return a ? R_SS_ARR : IGNORE;
        if (key === 'instrumentationLibrarySpans') return a ? R_IL_ARR : IGNORE;
        return IGNORE;
      case R_SS_ARR:
      case R_IL_ARR:
        return o ? R_SS : IGNORE;
      case R_SS:
        if (key === 'scope' || key === 'instrumentationLibrary') return PARSE;
        return key === 'spans' && a ? R_SPANS : IGNORE;
      case R_SPANS:
      case R_JSPANS:
        return PARSE; // non-objects too: value() reports them
      case R_JDATA:
        return o ? R_JTRACE : IGNORE;
      case R_JTRACE:
        if (key === 'traceID' || key === 'processes') return PARSE;
        if (key !== 'spans') return IGNORE;
        this.jaegerHasSpans = true;
        return a ? R_JSPANS : IGNORE;
    }
    return IGNORE;
  }

  open(role: number, parent: number): void {
    switch (role) {
      case R_DOC:
        this.sawResourceSpans = false;
        this.jaegerHasSpans = false;
        this.jaegerOut = [];
        return;
      case R_DOC_ARR:
        this.arrDecided = false;
        this.arrMode = undefined;
        this.arrFormat = undefined;
        return;
      case R_REQ:
        if (!this.arrDecided) {
          this.arrDecided = true;
          this.arrMode = this.arrFormat = 'otlp-json';
        }
        return;
      case R_RS:
        this.hasResource = false;
        this.resource = {};
        this.service = 'unknown_service';
        this.scopeRecs = [];
        this.legacyRecs = [];
        return;
      case R_SS:
        this.legacy = parent === R_IL_ARR;
        this.scopeObj = undefined;
        this.libObj = undefined;
        this.scope = undefined;
        this.waiting = [];
        return;
      case R_JTRACE:
        this.tTraceId = undefined;
        this.tProcesses = undefined;
        this.tHasTraceId = false;
        this.tHasProcesses = false;
        this.tSpans = [];
        return;
    }
  }

  value(parent: number, key: string, v: unknown): void {
    switch (parent) {
      case R_DOC_ARR: {
        if (!isObj(v)) {
          this.report('invalid-event', notObject(TOP_ENTRY, v));
          return;
        }
        if (!this.arrDecided) {
          this.arrDecided = true;
          this.arrFormat = spanDocFormat([v]);
          this.arrMode = this.arrFormat ?? this.format;
        }
        if (this.arrMode === 'otlp-json') otlpRequestSpans(v, this.out, this.report);
        else if (this.arrMode === 'zipkin-json') zipkinSpans([v], this.out, this.report);
        return;
      }
      case R_RS: {
        this.hasResource = true;
        this.resource = keyValues(isObj(v) ? v.attributes : undefined);
        this.service = serviceOf(this.resource);
        // Spans read before their resource get it now.
        for (const rec of this.scopeRecs) this.setResource(rec);
        for (const rec of this.legacyRecs) this.setResource(rec);
        return;
      }
      case R_SS:
        if (key === 'scope') {
          this.scopeObj = v;
          // A scope object wins over instrumentationLibrary: later spans convert at once.
          if (isObj(v)) this.scope = scopeName({ scope: v });
        } else this.libObj = v;
        return;
      case R_SPANS:
        if (this.scope !== undefined && this.waiting.length === 0) this.addSpan(v as Json, this.scope);
        else this.waiting.push(v as Json);
        return;
      case R_JTRACE:
        if (key === 'traceID') {
          this.tTraceId = v;
          this.tHasTraceId = true;
        } else {
          this.tProcesses = v;
          this.tHasProcesses = true;
        }
        return;
      case R_JSPANS:
        if (this.tHasTraceId && this.tHasProcesses && this.tSpans.length === 0) jaegerTraceSpans({ traceID: this.tTraceId, processes: this.tProcesses, spans: [v] }, this.jaegerOut, this.report);
        else this.tSpans.push(v as Json);
        return;
    }
  }

  close(role: number, count: number): void {
    switch (role) {
      case R_DOC: {
        const f: SourceFormat | undefined = this.sawResourceSpans ? 'otlp-json' : this.jaegerHasSpans ? 'jaeger-json' : undefined;
        if (f === 'jaeger-json') for (const rec of this.jaegerOut) this.out.push(rec);
        this.jaegerOut = [];
        this.docFormat ??= f;
        return;
      }
      case R_DOC_ARR:
        this.docFormat ??= this.arrDecided ? this.arrFormat : count === 0 ? 'zipkin-json' : undefined;
        return;
      case R_SS: {
        if (this.waiting.length > 0) {
          const scope = scopeName({ scope: this.scopeObj, instrumentationLibrary: this.libObj });
          for (const sp of this.waiting) this.addSpan(sp, scope);
          this.waiting = [];
        }
        return;
      }
      case R_RS:
        for (const rec of this.scopeRecs) this.out.push(rec);
        for (const rec of this.legacyRecs) this.out.push(rec);
        this.scopeRecs = [];
        this.legacyRecs = [];
        return;
      case R_JTRACE:
        if (this.tSpans.length > 0) {
          jaegerTraceSpans({ traceID: this.tTraceId, processes: this.tProcesses, spans: this.tSpans }, this.jaegerOut, this.report);
          this.tSpans = [];
        }
        return;
    }
  }

  /** One OTLP span of the current scopeSpans entry, in the order a whole-document parse gives. */
  private addSpan(sp: Json, scope: string): void {
    if (!isObj(sp)) {
      this.report('invalid-event', notObject('a span', sp));
      return;
    }
    const rec = otlpSpanRecord(sp, this.service, this.resource, scope, this.report);
    if (!rec) return;
    // scopeSpans records precede instrumentationLibrarySpans ones within an entry.
    if (this.legacy) this.legacyRecs.push(rec);
    else if (this.hasResource && this.scopeRecs.length === 0 && this.legacyRecs.length === 0) this.out.push(rec);
    else this.scopeRecs.push(rec);
  }

  private setResource(rec: SpanRecord): void {
    rec.service = this.service;
    rec.resource = this.resource;
  }
}

/** Imports a span document held in memory (string, bytes or parsed object). */
export function importSpanJson(input: string | Uint8Array | object, format?: SourceFormat): TraceModel {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    const f = format ?? spanDocFormat(input) ?? 'otlp-json';
    const out: SpanRecord[] = [];
    const b = new TraceBuilder(f);
    spansOfDoc(input, f, out, (kind, message) => b.diag(kind, message));
    return buildSpanModel(f, out, b);
  }
  const imp = new SpanJsonImporter(format ?? 'otlp-json');
  imp.push(typeof input === 'string' ? new TextEncoder().encode(input) : input);
  return imp.finish();
}
