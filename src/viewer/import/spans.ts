/**
 * Span formats (OTLP, Jaeger, Zipkin, live SDK spans) share one path: each importer normalises
 * spans to `SpanRecord`s, and `buildSpanModel` lays them out — services → groups, traces →
 * tracks, nesting by parent id (orphans marked, cycles broken), links and cross-service parents
 * as flows, span events as instants, ERROR status flagged.
 */
import { TraceBuilder, isInputTime } from '../model/builder';
import {
  FlowKind,
  GroupKind,
  InstantScope,
  SliceFlag,
  TrackKind,
  type SliceDetails,
  type SourceFormat,
  type TraceModel,
} from '../model/trace-model';

/** A point in time: whole epoch milliseconds plus extra nanoseconds (keeps ns precision). */
export interface EpochTime {
  ms: number;
  ns: number;
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  start: EpochTime;
  /** Undefined when the span has not ended. */
  end?: EpochTime;
  kind?: string;
  error?: boolean;
  statusCode?: string;
  statusMessage?: string;
  attributes?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  scope?: string;
  events?: Array<{ time: EpochTime; name: string; attributes?: Record<string, unknown> }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: Record<string, unknown> }>;
  /** Its parent link is dropped (as a cycle) though the parent is there: a rebuilt export keeps where the cycle was cut. */
  cut?: boolean;
  /** Already moved by this much for clock skew (a rebuilt export: its times are the moved ones). */
  clockSkewNs?: number;
}

/** Epoch ms float → EpochTime. */
export function fromEpochMs(ms: number): EpochTime {
  const whole = Math.floor(ms);
  return { ms: whole, ns: Math.round((ms - whole) * 1e6) };
}

/** Epoch µs number → EpochTime (Jaeger, Zipkin). */
export function fromEpochUs(us: number): EpochTime {
  const ms = Math.floor(us / 1000);
  return { ms, ns: Math.round((us - ms * 1000) * 1000) };
}

/** Epoch ns as a decimal string or number (OTLP `…UnixNano`) → EpochTime; undefined if unusable. */
export function fromEpochNs(v: unknown): EpochTime | undefined {
  if (typeof v === 'number') return isInputTime(v) && v > 0 ? fromEpochUs(v / 1000) : undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return undefined;
  if (/^0+$/.test(v)) return undefined;
  if (v.length <= 6) return { ms: 0, ns: Number(v) };
  const ms = Number(v.slice(0, -6));
  return isInputTime(ms) ? { ms, ns: Number(v.slice(-6)) } : undefined;
}

function relNs(t: EpochTime, baseMs: number): number {
  return (t.ms - baseMs) * 1e6 + t.ns;
}

/** Builds a model from normalised spans; `skew` false keeps recorded times (no clock-skew adjustment). */
export function buildSpanModel(format: SourceFormat, spans: readonly SpanRecord[], builder = new TraceBuilder(format), skew = true): TraceModel {
  const b = builder;
  let baseMs = Infinity;
  for (const s of spans) if (s.start.ms < baseMs) baseMs = s.start.ms;
  if (baseMs === Infinity) baseMs = 0;

  // Records by traceId/spanId (the first of duplicates), then each record's parent record: -1 none
  // or not in the input, -2 the record is a duplicate (dropped). Known before any slice is added,
  // so clock skew can move spans first.
  const index = new Map<string, number>();
  const parentRec = new Int32Array(spans.length).fill(-1);
  spans.forEach((s, i) => {
    // Without a span id no span can name it as parent, nor is it the duplicate of another.
    if (!s.spanId) return;
    const key = `${s.traceId}/${s.spanId}`;
    if (index.has(key)) parentRec[i] = -2;
    else index.set(key, i);
  });
  spans.forEach((s, i) => {
    if (s.parentSpanId && parentRec[i] !== -2) parentRec[i] = index.get(`${s.traceId}/${s.parentSpanId}`) ?? -1;
  });
  const moved = skew ? clockSkew(spans, parentRec, baseMs) : undefined;
  if (moved) {
    // The trace starts at its earliest span as moved (one that began first may have moved later).
    let first = Infinity;
    spans.forEach((s, i) => {
      if (parentRec[i] !== -2) first = Math.min(first, relNs(s.start, baseMs) + moved.shift[i]);
    });
    baseMs += Math.floor(first / 1e6);
  }
  b.setTimeBase(baseMs, 'epoch');

  const sliceOf: number[] = []; // record index → slice (-1 duplicate)
  const roots = new Map<number, { start: number; name: number }>();
  spans.forEach((s, i) => {
    if (parentRec[i] === -2) {
      b.diag('duplicate-span', `span ${s.spanId} of trace ${s.traceId} appears more than once; first kept`);
      sliceOf.push(-1);
      return;
    }
    if (!s.spanId) b.diag('missing-id', `span "${s.name}" has no spanId${s.traceId ? '' : ' nor traceId'}: kept, but no span can name it as its parent`);
    else if (!s.traceId) b.diag('missing-id', `span "${s.name}" has no traceId: kept, on a track of spans without one`);
    const g = b.group(GroupKind.SERVICE, s.service, s.service);
    const track = b.track(g, TrackKind.TRACE, s.traceId, '');
    b.setTrackTraceId(track, s.traceId);
    const shift = moved ? moved.shift[i] : 0;
    const startNs = relNs(s.start, baseMs) + shift;
    const dur = s.end ? relNs(s.end, baseMs) + shift - startNs : NaN;
    const details: SliceDetails = { spanId: s.spanId, traceId: s.traceId };
    if (s.parentSpanId) details.parentSpanId = s.parentSpanId;
    if (shift || s.clockSkewNs) details.clockSkewNs = shift || s.clockSkewNs;
    if (s.attributes && Object.keys(s.attributes).length > 0) details.args = s.attributes;
    if (s.kind) details.kind = s.kind;
    if (s.statusCode) details.statusCode = s.statusCode;
    if (s.statusMessage) details.statusMessage = s.statusMessage;
    if (s.scope) details.scope = s.scope;
    if (s.resource && Object.keys(s.resource).length > 0) details.resource = s.resource;
    if (s.links && s.links.length > 0) details.links = s.links;
    const name = b.intern(s.name);
    const slice = b.addSlice(track, startNs, dur, name, b.intern(s.kind ?? ''), s.error ? SliceFlag.ERROR : 0, b.addDetails(details));
    if (!s.end) b.diag('unclosed-begin', `span "${s.name}" has no end time; drawn to the end of the trace`);
    sliceOf.push(slice);
    b.countEvent('span');
    if (!s.parentSpanId) {
      const r = roots.get(track);
      if (!r || startNs < r.start) roots.set(track, { start: startNs, name });
    }
  });
  if (moved) {
    const s = spans[moved.first];
    const p = spans[parentRec[moved.first]];
    b.diag(
      'clock-skew',
      `span "${s.name}" of ${s.service} moved by ${signedTime(moved.shift[moved.first])} to the middle of its parent "${p.name}" of ${p.service}, as their clocks differ (the spans of ${s.service} under it move with it; skew="off" keeps the recorded times)`,
      moved.count,
    );
  }

  // Parents: same track → nesting; other track (other service) → remote parent + flow.
  const parent = new Int32Array(sliceOf.length === 0 ? 0 : b.sliceCount).fill(-1);
  spans.forEach((s, i) => {
    const slice = sliceOf[i];
    if (slice < 0 || !s.parentSpanId) return;
    const p = parentRec[i];
    if (p < 0) {
      b.orFlags(slice, SliceFlag.ORPHAN);
      b.diag('orphan-span', `span "${s.name}" names parent ${s.parentSpanId}, which is not in the input`);
      return;
    }
    if (p === i || s.cut) {
      b.diag('parent-cycle', `span "${s.name}" is ${p === i ? 'its own parent' : 'in a parent cycle'}; link dropped`);
      return;
    }
    parent[slice] = sliceOf[p];
  });
  breakCycles(parent, (slice) => b.diag('parent-cycle', `parent chain of span "${b.strings[b.sliceName(slice)]}" loops; link dropped`));
  for (let slice = 0; slice < parent.length; slice++) {
    const p = parent[slice];
    if (p < 0) continue;
    b.setParent(slice, p);
    if (b.sliceTrack(p) !== b.sliceTrack(slice)) {
      b.orFlags(slice, SliceFlag.REMOTE_PARENT);
      b.addFlow(p, slice, b.sliceStart(p), b.sliceStart(slice), FlowKind.REMOTE_PARENT);
    }
  }

  // Links and events.
  spans.forEach((s, i) => {
    const slice = sliceOf[i];
    if (slice < 0) return;
    for (const l of s.links ?? []) {
      const r = index.get(`${l.traceId}/${l.spanId}`);
      const from = r === undefined ? -1 : sliceOf[r];
      if (from >= 0 && from !== slice) b.addFlow(from, slice, b.sliceStart(from), b.sliceStart(slice), FlowKind.LINK);
    }
    for (const e of s.events ?? []) {
      const args = e.attributes && Object.keys(e.attributes).length > 0 ? b.addDetails({ args: e.attributes }) : -1;
      b.addInstant(b.sliceTrack(slice), relNs(e.time, baseMs) + (moved ? moved.shift[i] : 0), b.intern(e.name), 0, InstantScope.THREAD, slice, args);
    }
  });

  // Track names: the earliest root span's name, else the trace id.
  const trackCount = new Set<number>();
  for (let i = 0; i < b.sliceCount; i++) trackCount.add(b.sliceTrack(i));
  for (const t of trackCount) {
    const r = roots.get(t);
    if (r) b.setTrackName(t, b.strings[r.name]);
  }
  spans.forEach((s, i) => {
    const slice = sliceOf[i];
    if (slice >= 0 && !b.trackName(b.sliceTrack(slice))) b.setTrackName(b.sliceTrack(slice), s.traceId ? `trace ${s.traceId.slice(0, 8)}` : 'no trace id');
  });
  return b.finish();
}

/** "+2.314 s", "-150 ms": a clock-skew shift, 4 digits (as the details panel shows it). */
function signedTime(ns: number): string {
  const a = Math.abs(ns);
  const [scale, unit] = a >= 1e9 ? [1e9, 's'] : a >= 1e6 ? [1e6, 'ms'] : a >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  return `${ns < 0 ? '-' : '+'}${Number((a / scale).toPrecision(4))} ${unit}`;
}

/**
 * Clock-skew adjustment, as Jaeger's adjuster does it: the hosts of a trace keep their own clocks
 * (a browser's is often seconds or minutes off), so a server span can show outside the client
 * span that called it. A span whose parent is of another service and which does not fit within
 * the parent (as moved itself) but is no longer than it is moved to the parent's middle (request
 * and response assumed to take as long), and the spans of its service under it with it; a
 * cross-service child below is then checked against its moved parent. Same-service children
 * share their parent's clock: they only ever move with it. Messaging (a CONSUMER, or a child of a
 * PRODUCER) may run after its parent ended, and a span without an end has no interval: left as
 * they are. Returns per record the ns added (undefined when nothing moves), how many moved, and
 * the first (in input order) that moved on its own.
 */
export function clockSkew(spans: readonly SpanRecord[], parent: Int32Array, baseMs: number): { shift: Float64Array; count: number; first: number } | undefined {
  const n = spans.length;
  // Children as linked lists (head per parent, next per child): no array per span.
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(n);
  let cross = false;
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p < 0 || p === i) continue;
    next[i] = head[p];
    head[p] = i;
    if (spans[p].service !== spans[i].service) cross = true;
  }
  if (!cross) return undefined;
  const shift = new Float64Array(n);
  const own = (c: number, p: number): number => {
    const a = spans[p];
    const s = spans[c];
    if (!a.end || !s.end || s.kind === 'CONSUMER' || a.kind === 'PRODUCER') return 0;
    const ps = relNs(a.start, baseMs);
    const pd = relNs(a.end, baseMs) - ps;
    const cs = relNs(s.start, baseMs);
    const cd = relNs(s.end, baseMs) - cs;
    const start = ps + shift[p];
    // Longer than its parent (async, or the caller timed out): no middle to put it in.
    if (!(cd >= 0 && cd <= pd) || (cs >= start && cs + cd <= start + pd)) return 0;
    // Whole ns, as times are kept (a saved trace has no half ns to give back).
    return Math.round(start + (pd - cd) / 2 - cs);
  };
  let count = 0;
  let first = -1;
  // Roots (no parent, or one not in the input) down; spans in a parent cycle are not reached.
  const stack: number[] = [];
  for (let i = 0; i < n; i++) if (parent[i] === -1) stack.push(i);
  while (stack.length > 0) {
    const p = stack.pop() as number;
    for (let c = head[p]; c >= 0; c = next[c]) {
      const mine = spans[c].service !== spans[p].service ? own(c, p) : 0;
      shift[c] = mine || (spans[c].service === spans[p].service ? shift[p] : 0);
      if (shift[c]) count++;
      if (mine && (first < 0 || c < first)) first = c;
      stack.push(c);
    }
  }
  return count ? { shift, count, first } : undefined;
}

/** Drops one parent link per cycle (iterative colouring; O(n)); `onBreak` gets the node whose link went. */
export function breakCycles(parent: Int32Array, onBreak: (slice: number) => void): void {
  const state = new Uint8Array(parent.length); // 0 new, 1 on current path, 2 done
  const path: number[] = [];
  for (let i = 0; i < parent.length; i++) {
    if (state[i]) continue;
    let cur = i;
    while (cur >= 0 && state[cur] === 0) {
      state[cur] = 1;
      path.push(cur);
      const p = parent[cur];
      if (p >= 0 && state[p] === 1) {
        parent[cur] = -1;
        onBreak(cur);
        break;
      }
      cur = p;
    }
    for (const x of path) state[x] = 2;
    path.length = 0;
  }
}
