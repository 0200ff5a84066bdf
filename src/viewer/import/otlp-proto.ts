/**
 * OTLP protobuf (opentelemetry-proto trace/v1): the body of an OTLP/HTTP request sent as
 * `application/x-protobuf` (an ExportTraceServiceRequest, the same bytes as a TracesData), or the
 * Collector's file exporter with `format: proto` — each TracesData preceded by its length as a
 * 4-byte big-endian uint32. Each message is decoded into the shape of OTLP JSON (hex ids, 64-bit
 * nanos and ints as decimal text, bytes as base64) and mapped by `otlpRequestSpans`, so both
 * encodings give the same model. Read as bytes arrive: message by message when framed,
 * ResourceSpans by ResourceSpans in a raw request.
 */
import { TraceBuilder } from '../model/builder';
import { TraceImportError, type TraceModel } from '../model/trace-model';
import { readVarint, varOut, Wire, WireError, WT_I32, WT_I64, WT_LEN, WT_VARINT } from './protobuf';
import { otlpRequestSpans, type Json, type Report } from './span-records';
import { buildSpanModel, type SpanRecord } from './spans';

/** Deeper AnyValue nesting is refused (recursion must not exhaust the stack on hostile input). */
const MAX_DEPTH = 64;
const HEX = /* @__PURE__ */ Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const hex = (w: Wire): string => {
  let s = '';
  for (let i = w.start; i < w.end; i++) s += HEX[w.b[i]];
  return s;
};

function base64(w: Wire): string {
  let s = '';
  for (let i = w.start; i < w.end; i += 8192) s += String.fromCharCode(...w.b.subarray(i, Math.min(i + 8192, w.end)));
  return btoa(s);
}

/** AnyValue → its OTLP JSON form (a oneof: the last field set wins, as in protobuf). */
function anyValue(w: Wire, depth: number): Json {
  if (depth > MAX_DEPTH) throw new WireError(`values nested over ${MAX_DEPTH} deep`, w.start);
  let v: Json = {};
  const r = w.sub();
  while (r.next()) {
    const f = r.field;
    const t = r.type;
    if (t === WT_LEN) {
      if (f === 1) v = { stringValue: r.str() };
      else if (f === 5) v = { arrayValue: { values: list(r, 1, (x) => anyValue(x, depth + 1)) } };
      else if (f === 6) v = { kvlistValue: { values: list(r, 1, (x) => keyValue(x, depth + 1)) } };
      else if (f === 7) v = { bytesValue: base64(r) };
    } else if (t === WT_VARINT) {
      if (f === 2) v = { boolValue: r.bool() };
      // int64: exact decimal text, as OTLP JSON writes it (anyValue keeps it a number when safe).
      else if (f === 3) v = { intValue: r.decimal(true) };
    } else if (t === WT_I64 && f === 4) v = { doubleValue: r.double() };
  }
  return v;
}

/** The messages of repeated field `field` of the message `w` is at (ArrayValue, KeyValueList). */
function list(w: Wire, field: number, each: (x: Wire) => Json): Json[] {
  const out: Json[] = [];
  const r = w.sub();
  while (r.next()) if (r.field === field && r.type === WT_LEN) out.push(each(r));
  return out;
}

function keyValue(w: Wire, depth = 0): Json {
  const kv: Json = { key: '' };
  const r = w.sub();
  while (r.next()) {
    if (r.type !== WT_LEN) continue;
    if (r.field === 1) kv.key = r.str();
    else if (r.field === 2) kv.value = anyValue(r, depth);
  }
  return kv;
}

/** Resource, InstrumentationScope / InstrumentationLibrary: name 1, version 2, attributes (3 in a scope, 1 in a resource). */
function named(w: Wire, attrField: number): Json {
  const o: Json = {};
  const attributes: Json[] = [];
  const r = w.sub();
  while (r.next()) {
    if (r.type !== WT_LEN) continue;
    if (r.field === attrField) attributes.push(keyValue(r));
    else if (r.field === 1) o.name = r.str();
    else if (r.field === 2) o.version = r.str();
  }
  o.attributes = attributes;
  return o;
}

function event(w: Wire): Json {
  const e: Json = {};
  const attributes: Json[] = [];
  const r = w.sub();
  while (r.next()) {
    if (r.field === 1 && r.type === WT_I64) e.timeUnixNano = r.decimal();
    else if (r.type !== WT_LEN) continue;
    else if (r.field === 2) e.name = r.str();
    else if (r.field === 3) attributes.push(keyValue(r));
  }
  e.attributes = attributes;
  return e;
}

function link(w: Wire): Json {
  const l: Json = {};
  const attributes: Json[] = [];
  const r = w.sub();
  while (r.next()) {
    if (r.type !== WT_LEN) continue;
    if (r.field === 1) l.traceId = hex(r);
    else if (r.field === 2) l.spanId = hex(r);
    else if (r.field === 4) attributes.push(keyValue(r));
  }
  l.attributes = attributes;
  return l;
}

function span(w: Wire): Json {
  const sp: Json = {};
  const attributes: Json[] = [];
  const events: Json[] = [];
  const links: Json[] = [];
  const r = w.sub();
  while (r.next()) {
    const f = r.field;
    if (r.type === WT_LEN) {
      if (f === 1) sp.traceId = hex(r);
      else if (f === 2) sp.spanId = hex(r);
      else if (f === 4) sp.parentSpanId = hex(r);
      else if (f === 5) sp.name = r.str();
      else if (f === 9) attributes.push(keyValue(r));
      else if (f === 11) events.push(event(r));
      else if (f === 13) links.push(link(r));
      else if (f === 15) {
        // Status: message 2, code 3 (only when on the wire, as OTLP JSON omits it then).
        const st: Json = {};
        const s = r.sub();
        while (s.next()) {
          if (s.field === 2 && s.type === WT_LEN) st.message = s.str();
          else if (s.field === 3 && s.type === WT_VARINT) st.code = s.signed();
        }
        sp.status = st;
      }
    } else if (r.type === WT_I64) {
      if (f === 7) sp.startTimeUnixNano = r.decimal();
      else if (f === 8) sp.endTimeUnixNano = r.decimal();
    } else if (f === 6 && r.type === WT_VARINT) sp.kind = r.signed();
  }
  sp.attributes = attributes;
  sp.events = events;
  sp.links = links;
  return sp;
}

/**
 * Reads the fields of the message `w` is at. In a message cut short by the end of the input
 * (`cut`), the field that runs past the end is handed to `partial` with a reader over the bytes
 * that are there, and reading stops; otherwise that is a WireError.
 */
function fields(w: Wire, cut: boolean, each: (r: Wire) => void, partial?: (r: Wire) => void): void {
  const r = w.sub();
  for (;;) {
    const at = r.p;
    try {
      if (!r.next()) return;
    } catch (e) {
      if (!cut || !(e instanceof WireError) || !/past the end/.test(e.message)) throw e;
      const tag = readVarint(r.b, at, r.limit);
      if (partial && tag !== undefined && tag % 8 === WT_LEN && readVarint(r.b, varOut.end, r.limit) !== undefined) {
        const p = new Wire(r.b, varOut.end, r.limit);
        p.field = Math.floor(tag / 8);
        p.type = WT_LEN;
        p.start = varOut.end;
        p.end = r.limit;
        partial(p);
      }
      return;
    }
    each(r);
  }
}

/** ScopeSpans (or a legacy InstrumentationLibrarySpans, whose field 1 is the library). */
function scopeSpans(w: Wire, legacy: boolean, cut: boolean): Json {
  const ss: Json = {};
  const spans: Json[] = [];
  const take = (r: Wire): void => {
    if (r.type !== WT_LEN) return;
    if (r.field === 1) ss[legacy ? 'instrumentationLibrary' : 'scope'] = named(r, 3);
    else if (r.field === 2) spans.push(span(r));
  };
  // A cut span is dropped; the spans before it are whole.
  fields(w, cut, take);
  ss.spans = spans;
  return ss;
}

/** ResourceSpans: resource 1, scope_spans 2, and the deprecated instrumentation_library_spans 1000. */
function resourceSpans(w: Wire, cut: boolean): Json {
  const rs: Json = {};
  const scopes: Json[] = [];
  const legacy: Json[] = [];
  const take = (r: Wire, isCut = false): void => {
    if (r.type !== WT_LEN) return;
    if (r.field === 1) rs.resource = named(r, 1);
    else if (r.field === 2) scopes.push(scopeSpans(r, false, isCut));
    else if (r.field === 1000) legacy.push(scopeSpans(r, true, isCut));
  };
  // A cut scope_spans keeps its whole spans (a cut resource has none after it).
  fields(w, cut, take, (r) => r.field !== 1 && take(r, true));
  rs.scopeSpans = scopes;
  if (legacy.length) rs.instrumentationLibrarySpans = legacy;
  return rs;
}

/** A TracesData / ExportTraceServiceRequest at b[s, e) in OTLP JSON form. */
function tracesData(b: Uint8Array, s: number, e: number, cut: boolean): Json {
  const all: Json[] = [];
  const w = new Wire(b, s, e);
  w.start = s;
  w.end = e;
  fields(
    w,
    cut,
    (r) => {
      if (r.field === 1 && r.type === WT_LEN) all.push(resourceSpans(r, false));
    },
    (r) => {
      if (r.field === 1) all.push(resourceSpans(r, true));
    },
  );
  return { resourceSpans: all };
}

export class OtlpProtoImporter {
  private readonly out: SpanRecord[] = [];
  /** Bytes received. */
  bytes = 0;
  /** Framed (Collector file exporter: 4-byte big-endian lengths) or one raw request. */
  private framed: boolean | undefined;
  /** Bytes received but not yet read (a message cut by the end of a chunk); buf[0] is input byte `at0`. */
  private buf = new Uint8Array(0);
  private fill = 0;
  private at0 = 0;
  /** Messages (framed) or ResourceSpans (raw) read. */
  private units = 0;
  /** Set at corrupt data: the rest of the input is skipped. */
  private dead = false;
  private readonly b = new TraceBuilder('otlp-proto');
  private readonly report: Report = (kind, message) => this.b.diag(kind, message);

  /** `skew` false: no clock-skew adjustment (see buildSpanModel). */
  constructor(private readonly skew = true) {}

  /** Spans read so far. */
  get events(): number {
    return this.out.length;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.dead || chunk.length === 0) return;
    // A raw message starts with a field tag (8 or more); a framed one with a length's high byte.
    this.framed ??= chunk[0] < 8;
    let b = chunk;
    let end = chunk.length;
    if (this.fill > 0) {
      if (this.fill + end > this.buf.length) {
        // Grown as bytes arrive: a truncated file must not allocate the length it claims.
        const g = new Uint8Array(Math.max(this.buf.length * 2, this.fill + end));
        g.set(this.buf.subarray(0, this.fill));
        this.buf = g;
      }
      this.buf.set(chunk, this.fill);
      this.fill += end;
      b = this.buf;
      end = this.fill;
    }
    let p = 0;
    for (let n = 1; p < end && n > 0 && !this.dead; p += n) n = this.framed ? this.frame(b, p, end) : this.field(b, p, end);
    if (this.dead) {
      this.buf = new Uint8Array(0);
      this.fill = 0;
      return;
    }
    const rest = end - p;
    if (b === this.buf) this.buf.copyWithin(0, p, end);
    else if (rest > 0) {
      if (this.buf.length < rest) this.buf = new Uint8Array(Math.max(rest * 2, 1 << 16));
      this.buf.set(chunk.subarray(p));
    }
    this.fill = rest;
    this.at0 += p;
  }

  /** One length-prefixed TracesData at b[p, end): the bytes it took, 0 when not all there yet. */
  private frame(b: Uint8Array, p: number, end: number): number {
    if (end - p < 4) return 0;
    const n = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    // TracesData has one field, resource_spans (tag 0x0a): anything else means the framing is lost.
    if (n > 0 && end - p > 4 && b[p + 4] !== 0x0a) {
      this.corrupt(this.at0 + p, `the message length ${n} there is not followed by a TracesData (its first byte is 0x${b[p + 4].toString(16).padStart(2, '0')}, not resource_spans' tag 0x0a)`);
      return 0;
    }
    if (end - p - 4 < n) return 0;
    this.read(b, p + 4, p + 4 + n, false);
    return 4 + n;
  }

  /** One top-level field of a raw TracesData at b[p, end) (resource_spans are read one by one). */
  private field(b: Uint8Array, p: number, end: number): number {
    const tag = readVarint(b, p, end);
    if (tag === undefined) return 0;
    const wt = tag % 8;
    if (tag < 8 || (wt !== WT_VARINT && wt !== WT_I64 && wt !== WT_LEN && wt !== WT_I32)) {
      this.corrupt(this.at0 + p, tag < 0 ? 'a varint longer than 10 bytes' : `invalid field tag ${tag} where a TracesData field must start`);
      return 0;
    }
    let q = varOut.end;
    if (wt === WT_VARINT || wt === WT_LEN) {
      const v = readVarint(b, q, end);
      if (v === undefined) return 0;
      if (v < 0) {
        this.corrupt(this.at0 + q, 'a varint longer than 10 bytes');
        return 0;
      }
      q = varOut.end + (wt === WT_LEN ? v : 0);
    } else q += wt === WT_I64 ? 8 : 4;
    if (q > end) return 0;
    if (tag === 10) this.read(b, p, q, false);
    return q - p;
  }

  /** Reads the TracesData fields at b[s, e); corrupt data stops the import there. */
  private read(b: Uint8Array, s: number, e: number, cut: boolean): void {
    let doc: Json;
    try {
      // Decoded whole before any span is kept: a corrupt message adds nothing.
      doc = tracesData(b, s, e, cut);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.corrupt(this.at0 + err.at, `${err.message}, in the ${this.framed ? 'message' : 'resource_spans'} that starts at byte ${this.at0 + s - (this.framed ? 4 : 0)}`);
      return;
    }
    otlpRequestSpans(doc, this.out, this.report);
    this.units++;
  }

  private corrupt(at: number, why: string): void {
    this.dead = true;
    if (this.units === 0) {
      throw new TraceImportError({ format: 'otlp-proto', message: `corrupt OTLP protobuf at byte ${at}: ${why}`, offset: at, expected: 'an OTLP TracesData / ExportTraceServiceRequest (opentelemetry-proto), raw or length-prefixed' });
    }
    this.report('truncated-input', `corrupt OTLP protobuf at byte ${at}: ${why}; the ${this.out.length} spans before it are kept, the rest of the file is skipped`);
  }

  finish(): TraceModel {
    if (!this.dead && this.fill > 0) {
      // Cut short: the whole spans of the last message (or resource_spans) are kept.
      const at = this.at0;
      const had = this.out.length;
      const unitsBefore = this.units;
      const b = this.buf;
      const declared = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      const what = !this.framed
        ? `the resource_spans at byte ${at} runs past the end (${this.fill} bytes there)`
        : this.fill < 4
          ? `it ends inside the length of the message at byte ${at}`
          : `the message at byte ${at} declares ${declared} bytes but only ${this.fill - 4} follow`;
      if (this.framed) {
        if (this.fill > 4) this.read(b, 4, this.fill, true);
      } else this.read(b, 0, this.fill, true);
      this.buf = new Uint8Array(0);
      this.fill = 0;
      if (!this.dead) {
        if (this.out.length === 0 && unitsBefore === 0) throw new TraceImportError({ format: 'otlp-proto', message: `no complete span: ${what}`, offset: at });
        const kept = this.out.length - had;
        this.report('truncated-input', `the file is cut short: ${what}; ${kept ? `its ${kept} whole spans and ` : ''}the ${had} spans before it are kept`);
      }
    }
    return buildSpanModel('otlp-proto', this.out, this.b, this.skew);
  }
}
