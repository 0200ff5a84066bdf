/**
 * Format detection from content (never from a file name): the first bytes of the input.
 */
import type { SourceFormat } from '../model/trace-model';
import { isCallgrind } from './callgrind';
import { PERF_HEADER } from './perf-script';
import { FTRACE_LINE } from './systrace';
import { readVarint, varOut, Wire, WireError, WT_I32, WT_I64, WT_LEN, WT_VARINT } from './protobuf';

export type Detected = SourceFormat | 'gzip' | 'unknown';

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Perfetto caps a packet far below this; a larger first length is not a trace. */
const MAX_PACKET = 1 << 28;

/**
 * True when the head is a Perfetto protobuf trace: TracePacket fields (tag 0x0a, a length) whose
 * contents parse as protobuf, in bytes that are not text — a JSON or collapsed-stacks file may
 * start with a newline, which is 0x0a too.
 */
export function isPerfettoProto(head: Uint8Array): boolean {
  if (head.length < 2 || head[0] !== 0x0a) return false;
  let binary = false;
  for (let i = 0; i < head.length && !binary; i++) {
    const c = head[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20)) binary = true;
  }
  if (!binary) return false;
  let p = 0;
  let packets = 0;
  while (p < head.length && packets < 64) {
    if (head[p] !== 0x0a) return false;
    const len = readVarint(head, p + 1, head.length);
    if (len === undefined) return packets > 0;
    if (len < 0 || len > MAX_PACKET) return false;
    const s = varOut.end;
    const e = s + len;
    // A packet cut by the end of the head is checked as far as the head goes.
    if (!fieldsParse(head, s, Math.min(e, head.length), e > head.length)) return false;
    packets++;
    p = e;
  }
  return packets > 0;
}

function fieldsParse(b: Uint8Array, p: number, end: number, cut: boolean): boolean {
  const w = new Wire(b, p, end);
  try {
    while (w.next()) {
      // Reading is checking.
    }
    return true;
  } catch (e) {
    // A field running past a cut head is fine; anything else is not protobuf.
    return cut && e instanceof WireError && /past the end|not closed/.test(e.message);
  }
}

/**
 * Wire types of the fields of pprof's Profile and of the messages checked inside it (R: a
 * repeated scalar, packed or not; X: no such field). From google/pprof proto/profile.proto.
 */
const V = WT_VARINT;
const L = WT_LEN;
const R = -1;
const X = -2;
const PROFILE = [X, L, L, L, L, L, L, V, V, V, V, L, V, R, V, V, L];
const VALUE_TYPE = [X, V, V];
const SAMPLE = [X, R, R, L, L];
const LOCATION = [X, V, V, V, L, V];
const FUNCTION = [X, V, V, V, V, V];
const INNER: Record<number, number[]> = { 1: VALUE_TYPE, 2: SAMPLE, 4: LOCATION, 5: FUNCTION, 11: VALUE_TYPE };

function typeFits(types: number[], field: number, type: number): boolean {
  const t = types[field];
  return t === R ? type === V || type === L : t !== undefined && t !== X && type === t;
}

/**
 * Every field of b[p, end) is one `types` has, of its wire type. `cut`: the message is cut by
 * the end of the head, so a field running past `end` is fine.
 */
function fieldsMatch(b: Uint8Array, p: number, end: number, types: number[], cut: boolean): boolean {
  const w = new Wire(b, p, end);
  try {
    while (w.next()) if (!typeFits(types, w.field, w.type)) return false;
    return true;
  } catch (e) {
    return cut && e instanceof WireError && /past the end|not closed/.test(e.message);
  }
}

/**
 * True when the head is a pprof Profile message (google/pprof profile.proto). Its first field is
 * not fixed (Go writes time_nanos or period_type before sample_type; others sample_type, tag
 * 0x0a as Perfetto's packets): every field is checked against the Profile's fields and their
 * wire types, and the ValueType, Sample, Location and Function messages against theirs (a field
 * cut by the end of the head as far as it goes). A Perfetto TracePacket fails this: its fields
 * are 8, 10, 11, 60…, not ValueType's varints 1 and 2. At least one ValueType must be seen.
 */
export function isPprof(head: Uint8Array): boolean {
  if (head.length < 2 || !/[\0-\x08\x0e-\x1f]/.test(String.fromCharCode(...head.subarray(0, 64)))) return false;
  let valueTypes = 0;
  for (let p = 0; p < head.length; ) {
    const tag = readVarint(head, p, head.length);
    if (tag === undefined) break;
    if (tag < 8) return false;
    const f = Math.floor(tag / 8);
    const type = tag % 8;
    if (!typeFits(PROFILE, f, type)) return false;
    if (f === 1 || f === 11) valueTypes++;
    let q = varOut.end;
    if (type === V) {
      const v = readVarint(head, q, head.length);
      if (v === undefined) break;
      if (v < 0) return false;
      q = varOut.end;
    } else {
      const len = readVarint(head, q, head.length);
      if (len === undefined) break;
      if (len < 0 || len > MAX_PACKET) return false;
      q = varOut.end + len;
      const sub = INNER[f];
      if (sub && !fieldsMatch(head, varOut.end, Math.min(q, head.length), sub, q > head.length)) return false;
    }
    p = q;
  }
  return valueTypes > 0;
}

/**
 * The OTLP trace messages checked by `isOtlpProto` (opentelemetry-proto trace/v1, common/v1,
 * resource/v1): per field number its wire type, the message it holds, and for ids their length.
 */
type OtlpField = [wt: number, msg?: string, idLen?: number];
const I64 = WT_I64;
const I32 = WT_I32;
const OTLP: Record<string, Record<number, OtlpField>> = {
  data: { 1: [L, 'rs'] },
  rs: { 1: [L, 'res'], 2: [L, 'ss'], 3: [L], 1000: [L, 'ss'] },
  res: { 1: [L, 'kv'], 2: [V], 3: [L] },
  ss: { 1: [L, 'scope'], 2: [L, 'span'], 3: [L] },
  scope: { 1: [L], 2: [L], 3: [L, 'kv'], 4: [V] },
  span: {
    1: [L, undefined, 16],
    2: [L, undefined, 8],
    3: [L],
    4: [L, undefined, 8],
    5: [L],
    6: [V],
    7: [I64],
    8: [I64],
    9: [L, 'kv'],
    10: [V],
    11: [L, 'event'],
    12: [V],
    13: [L, 'link'],
    14: [V],
    15: [L, 'status'],
    16: [I32],
  },
  event: { 1: [I64], 2: [L], 3: [L, 'kv'], 4: [V] },
  link: { 1: [L, undefined, 16], 2: [L, undefined, 8], 3: [L], 4: [L, 'kv'], 5: [V], 6: [I32] },
  status: { 2: [L], 3: [V] },
  kv: { 1: [L], 2: [L, 'any'] },
  any: { 1: [L], 2: [V], 3: [V], 4: [I64], 5: [L, 'list'], 6: [L, 'kvlist'], 7: [L] },
  list: { 1: [L, 'any'] },
  kvlist: { 1: [L, 'kv'] },
};

/**
 * b[p, end) holds only fields of OTLP message `msg`, of their wire types, and the messages inside
 * theirs, as deep as the bytes go (`cut`: the message runs past the end of the head). `seen`
 * counts the spans and key-values met, and the whole spans.
 */
function otlpFits(b: Uint8Array, p: number, end: number, msg: string, cut: boolean, seen: { n: number; spans: number }, depth: number): boolean {
  const fields = OTLP[msg];
  while (p < end) {
    const tag = readVarint(b, p, end);
    if (tag === undefined) return cut;
    const f = fields[Math.floor(tag / 8)];
    const wt = tag % 8;
    if (tag < 0 || !f || f[0] !== wt) return false;
    p = varOut.end;
    if (wt === V) {
      const v = readVarint(b, p, end);
      if (v === undefined) return cut;
      if (v < 0) return false;
      p = varOut.end;
    } else if (wt !== L) {
      p += wt === I64 ? 8 : 4;
      if (p > end) return cut;
    } else {
      const n = readVarint(b, p, end);
      if (n === undefined) return cut;
      if (n < 0 || n > MAX_PACKET) return false;
      const s = varOut.end;
      p = s + n;
      const inner = p > end;
      // A field longer than its (whole) message, or an id of another length, is not OTLP.
      if ((inner && !cut) || (f[2] && !inner && n !== 0 && n !== f[2])) return false;
      if (f[1] && s < end) {
        if (depth > 24 || !otlpFits(b, s, Math.min(p, end), f[1], inner, seen, depth + 1)) return false;
        if (f[1] === 'span' || f[1] === 'kv') seen.n++;
        if (f[1] === 'span' && !inner) seen.spans++;
      }
    }
  }
  return true;
}

/**
 * True when the head is OTLP protobuf trace data: a TracesData / ExportTraceServiceRequest, raw
 * (an OTLP/HTTP `application/x-protobuf` body) or after a 4-byte big-endian length (the
 * Collector's file exporter, `format: proto`). Its first message is checked against the OTLP
 * schema as far as the head goes, down to spans, attributes and values; at least one span or
 * attribute must be seen. After a whole span, bytes that break the schema are corrupt OTLP (the
 * importer says where), not another format. Perfetto packets (fields 8, 10, 11… inside field 1) and pprof profiles
 * (varints inside field 1) fail this.
 */
export function isOtlpProto(head: Uint8Array): boolean {
  let p = 0;
  let end = head.length;
  if (head.length >= 6 && head[0] < 8) {
    // A raw message cannot start below 8 (field 0): a length's high byte then.
    const n = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    p = 4;
    end = Math.min(end, 4 + n);
  }
  // Text starting with a newline (0x0a too) has no control bytes; OTLP has them (0x12: a key's value).
  if (head[p] !== 0x0a || end - p < 2 || !/[\0-\x08\x0e-\x1f]/.test(String.fromCharCode(...head.subarray(p, p + 256)))) return false;
  const seen = { n: 0, spans: 0 };
  return otlpFits(head, p, end, 'data', end === head.length, seen, 0) ? seen.n > 0 : seen.spans > 0;
}

/** Collapsed stacks: every complete line of the head is blank or `stack count`. */
const FOLDED_LINE = /^\s*$|^[^\0]*?\S\s+\d+(\.\d+)?\s*$/;

function isCollapsed(text: string): boolean {
  const lines = text.split('\n');
  // The last line may be cut by the end of the head (or be the end of a short input).
  if (lines.length > 1) lines.pop();
  // One line longer than the head (a deep stack) shows only frames so far.
  else if (!FOLDED_LINE.test(text)) return text.includes(';') && !/[\0-\x08\x0e-\x1f]/.test(text);
  return lines.some((l) => l.trim() !== '') && lines.every((l) => FOLDED_LINE.test(l));
}

/**
 * `perf script` text: after any `#` lines (`--header`) and blank lines, a sample header line,
 * followed by a stack line (indented), a blank line or the end of the head. Checked before
 * collapsed stacks; a folded line (`a;b 12`) has no `tid seconds:` in it.
 */
function isPerfScript(text: string): boolean {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i].startsWith('#') || !lines[i].trim())) i++;
  // A long `--header` may fill the head: it starts with perf's `# ========` line.
  if (i >= lines.length - 1) return text.startsWith('# ========');
  const next = lines[i + 1];
  // Without call graphs the comm is padded to 16 columns (leading spaces), and samples follow one a line.
  const header = (l: string) => PERF_HEADER.test(l.replace(/\r$/, '').trimStart());
  return header(lines[i]) && (i + 2 === lines.length || /^[ \t]|^\r?$/.test(next) || header(next));
}

/**
 * ftrace / systrace text: the `# tracer:` header, atrace's `TRACE:` line, trace-cmd's `cpus=N`, or
 * (after `#` and blank lines) a line of the ftrace event form; or systrace's HTML report, told
 * from other pages by catapult's trace-viewer in its head (its title, `tr-ui-timeline-view`) or a
 * trace-data block. Checked before perf script and collapsed stacks: `cpu_id=0` ends like a folded line.
 */
function isSystrace(text: string): boolean {
  if (/^<(!doctype html|html)\b/i.test(text)) {
    return /<title>Android System Trace<\/title>|<script\b[^>]*\bclass=["']?trace-data\b|<tr-ui-timeline-view|i18n-values="dir:textdirection;"/i.test(text);
  }
  if (/^(# tracer:|TRACE:\r?\n|cpus=\d+\r?\n)/.test(text)) return true;
  const lines = text.split('\n', 256);
  let i = 0;
  while (i < lines.length && (lines[i].startsWith('#') || !lines[i].trim())) i++;
  return i < lines.length && FTRACE_LINE.test(lines[i].replace(/\r$/, ''));
}

/**
 * A Firefox Profiler profile: Gecko's starts `{"meta": {"version": …, "interval": …, "stackwalk": …`
 * (its meta, with a long marker schema, comes first); a processed one has
 * `preprocessedProfileVersion` in its meta. Either way its threads have stack and frame tables.
 */
function isGecko(text: string, has: (key: string) => boolean): boolean {
  if (has('preprocessedProfileVersion')) return true;
  if (/^\{\s*"meta"\s*:\s*\{/.test(text)) return has('stackwalk') || (has('interval') && has('startTime') && (has('categories') || has('threads')));
  // Keys sorted (`jq -S`): "libs" (Gecko's shared libraries) before "meta".
  return (has('threads') && has('stackTable') && has('frameTable')) || (/^\{\s*"(counters|libs)"\s*:/.test(text) && has('breakpadId') && has('debugName'));
}

/**
 * A Safari Web Inspector timeline recording: `{"version": 1, "recording": {…`, whose recording
 * starts with `displayName`, `startTime`, `endTime`, `discontinuities`, `instrumentTypes` before
 * its (long) records and samples.
 */
function isSafariTimeline(text: string, has: (key: string) => boolean): boolean {
  return /^\{\s*"version"\s*:\s*\d+\s*,\s*"recording"\s*:\s*\{/.test(text) || (has('recording') && (has('sampleStackTraces') || (has('instrumentTypes') && has('discontinuities'))));
}

/**
 * Sniffs the format from the first bytes (a few KB is plenty). Chrome traces are the default
 * for JSON that shows no other format's markers: the Chrome importer then reports precise errors.
 * `has` matches values as well as keys, so the markers are the distinctive keys of each format,
 * and profile formats are told before Chrome's `ph` (a frame may be named "ph").
 */
export function detectFormat(head: Uint8Array): Detected {
  if (isGzip(head)) return 'gzip';
  // All three may start with field 1 (0x0a). OTLP's check is the strictest (a schema, as deep as
  // the head goes: pprof's takes a field cut inside its first message); Perfetto's takes any
  // protobuf made of field-1 messages.
  if (isOtlpProto(head)) return 'otlp-proto';
  if (isPprof(head)) return 'pprof';
  if (isPerfettoProto(head)) return 'perfetto-proto';
  const text = new TextDecoder().decode(head.subarray(0, 65536));
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  const first = text[i];
  if (first !== '[' && first !== '{') return isCallgrind(text.slice(i)) ? 'callgrind' : isSystrace(text.slice(i)) ? 'systrace' : isPerfScript(text.slice(i)) ? 'perf-script' : isCollapsed(text.slice(i)) ? 'collapsed-stacks' : 'unknown';
  const has = (key: string): boolean => text.includes(`"${key}"`);
  if (first === '{' && isGecko(text.slice(i), has)) return 'gecko-json';
  if (first === '{' && isSafariTimeline(text.slice(i), has)) return 'safari-timeline';
  // DevTools writes `{"metadata": …, "traceEvents": …}`; its metadata can hold source maps whose
  // `names` (any identifier: "data", "spans", "events", …) look like other formats' keys.
  if (has('traceEvents') || /^\{\s*"metadata"\s*:/.test(text.slice(i))) return 'chrome-json';
  // Tempo's trace-by-id JSON calls resourceSpans `batches`.
  if (has('resourceSpans') || (has('batches') && (has('scopeSpans') || has('instrumentationLibrarySpans')))) return 'otlp-json';
  if (first === '{') {
    if (text.includes('speedscope.app/file-format-schema') || (has('profiles') && has('unit') && (has('shared') || has('weights') || has('events')))) {
      return 'speedscope-json';
    }
    if (has('nodes') && has('callFrame')) return 'v8-cpuprofile';
  }
  if (first === '{' && has('data') && (has('traceID') || has('spans'))) return 'jaeger-json';
  if (has('ph') && (has('ts') || has('name'))) return 'chrome-json';
  if (first === '[' && has('traceId') && (has('timestamp') || has('localEndpoint'))) return 'zipkin-json';
  return 'chrome-json';
}
