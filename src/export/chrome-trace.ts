import type { Attributes, ReadableSpan } from '../sdk/types';
import { getRecentSpans } from './recent';

/** One Trace Event Format event (the subset this exporter writes). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M' | 'i' | 's' | 'f';
  pid: number;
  tid: number;
  /** Microseconds since the Unix epoch: whole, but a flow end half a µs before its slice. */
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 't';
  /** Flow v2 on an `X`: the flow leaving (`flow_out`) or entering (`flow_in`) this very slice. */
  bind_id?: number;
  flow_in?: true;
  flow_out?: true;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
}

const KIND = ['internal', 'server', 'client', 'producer', 'consumer'];
const endOf = (s: ReadableSpan) => (s.endMs === s.endMs ? s.endMs : s.startMs);
// Whole µs: Perfetto turns a fractional epoch-µs `ts` and `dur` into ns separately, each rounded
// (≈256 ns steps at today's dates), so a child ending with its parent, or a slice starting as the
// previous one ends, came out overlapping it (dropped by Perfetto, or spilled with an import error).
const us = (ms: number) => Math.round(ms * 1000);
// JSON has no NaN or ±Infinity (JSON.stringify writes null): strings, as in OTLP/JSON.
const val = (v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : Array.isArray(v) ? v.map(val) : v);
const argsOf = (a: Attributes) => {
  const o: Record<string, unknown> = {};
  for (const k in a) o[k] = val(a[k]);
  return o;
};

/**
 * Spans as a Trace Event Format file that Perfetto and chrome://tracing open: one process per
 * service, spans packed onto as few threads ("tracks") as keep each nested only under its parent, `X` events
 * in µs with attributes in `args`, span events as instants, and flow arrows from a parent to a
 * child not nested under it (another track or process, or after it ended); links in `args`.
 */
export function toChromeTrace(spans: readonly ReadableSpan[]): ChromeTrace {
  // One group per span (its slice, then its flow events) so a flow start can follow its parent's slice.
  const ev: ChromeTraceEvent[][] = [];
  const inst: ChromeTraceEvent[] = [];
  const pids = new Map<string, number>();
  // Per process: its tracks' slice stacks, and a min-tree of when each track's outermost slice ends
  // (level 0: the tracks; level k + 1: minima of pairs on level k; level L: one root), so the first
  // free track is found in log steps: scanning every track for every span took seconds for 20k
  // concurrent fetches. Levels, not one array indexed from the root, stay dense as tracks are added.
  const tracks = new Map<number, [Array<Array<{ end: number; id: string }>>, number[][]]>();
  const L = 32 - Math.clz32(spans.length);
  type Placed = { pid: number; tid: number; g: ChromeTraceEvent[]; k: string };
  const where = new Map<string, Placed>();
  const flows: Array<[Placed, Placed]> = [];
  const pend: Array<[string, Placed]> = [];
  // Per track and µs: the shortest slice starting there (with a duration).
  const shortest = new Map<string, number>();
  // Starting together, a parent goes first even when its child ends later (or the child ended first,
  // as recent spans are listed): placed first, the child showed as a root, unlinked from its parent.
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  // Once per span, not per comparison.
  const depths = new Map<ReadableSpan, number>();
  for (const s of spans) {
    let d = 0;
    for (let p = s; (p = byId.get(p.parentSpanId!)!) && d < spans.length; ) d++;
    depths.set(s, d);
  }
  const sorted = spans.slice().sort((a, b) => a.startMs - b.startMs || depths.get(a)! - depths.get(b)! || endOf(b) - endOf(a));
  for (const s of sorted) {
    const svc = String(s.resource.attributes['service.name'] ?? 'unknown_service');
    let pid = pids.get(svc);
    if (pid === undefined) {
      pids.set(svc, (pid = pids.size + 1));
      tracks.set(pid, [[], Array.from({ length: L + 1 }, () => [])]);
      ev.push([{ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: svc } }]);
    }
    const [ts, m] = tracks.get(pid)!;
    const start = s.startMs;
    const end = endOf(s);
    // Close slices that ended (on the tracks looked at: starts only grow), then take the parent's track
    // if it nests there, else the first that fits.
    // A slice shows as the child of the open slice it lands in, so it only goes under its own parent
    // (never under a sibling that is still open): other tracks get a flow arrow instead.
    const top = (t: number) => {
      const st = ts[t];
      while (st.length && st[st.length - 1].end <= start) st.pop();
      return st[st.length - 1];
    };
    const fits = (t: number) => {
      const o = top(t);
      return !o || (o.id === s.parentSpanId && o.end >= end);
    };
    const p = s.parentSpanId ? where.get(s.parentSpanId) : undefined;
    let t = p && p.pid === pid && fits(p.tid - 1) ? p.tid - 1 : -1;
    // Elsewhere only an empty track fits: the leftmost whose outermost slice ended.
    if (t < 0 && m[L][0] <= start) {
      t = 0;
      for (let k = L; k--; ) t = m[k][2 * t] <= start ? 2 * t : 2 * t + 1;
      top(t);
    } else if (t < 0) {
      t = ts.push([]) - 1;
      ev.push([{ name: 'thread_name', ph: 'M', pid, tid: t + 1, args: { name: `track ${t + 1}` } }]);
    }
    // Nested only when the parent is open on this track: one that ended before the child began
    // (same track, a later continuation) needs an arrow too, or the child looks like a root.
    const under = top(t)?.id === s.parentSpanId;
    // Onto an empty track: its leaf and the minima above it change.
    if (ts[t].push({ end, id: s.spanContext().spanId }) < 2) for (let k = 0, j = t, c = m[0]; k <= L; c = m[k++], j >>= 1) m[k][j] = k ? (c[2 * j + 1] < c[2 * j] ? c[2 * j + 1] : c[2 * j]) : end;
    const tid = t + 1;
    const ctx = s.spanContext();
    const args: Record<string, unknown> = { ...argsOf(s.attributes), 'trace.id': ctx.traceId, 'span.id': ctx.spanId, 'span.kind': KIND[s.kind] };
    if (s.parentSpanId) args['parent.id'] = s.parentSpanId;
    // The file has no link type: the linked spans go in the args, or the export lost them.
    if (s.links.length) args.links = s.links.map((l) => ({ ...argsOf(l.attributes), 'trace.id': l.context.traceId, 'span.id': l.context.spanId }));
    if (s.status.code) args.status = s.status.code === 2 ? `ERROR${s.status.message ? `: ${s.status.message}` : ''}` : 'OK';
    const x: ChromeTraceEvent = { name: s.name, cat: s.scope.name, ph: 'X', ts: us(start), dur: us(end) - us(start), pid, tid, args };
    const me: Placed = { pid, tid, g: [x], k: `${pid}/${tid}/${x.ts}` };
    ev.push(me.g);
    where.set(ctx.spanId, me);
    if (x.dur) shortest.set(me.k, Math.min(shortest.get(me.k) ?? Infinity, x.dur));
    // With its span's id: an instant shows under whatever slice is open on the track then (a child
    // of its span, often), not necessarily its own span.
    for (const e of s.events) inst.push({ name: e.name, ph: 'i', s: 't', ts: us(e.timeMs), pid, tid, args: { ...argsOf(e.attributes), 'span.id': ctx.spanId } });
    if (s.parentSpanId && !under) pend.push([s.parentSpanId, me]);
  }
  // Arrows once every span is placed: a child starting before its parent (another service's clock
  // ahead) had none. Each runs from the earlier slice, as Perfetto drops a flow ending before it starts.
  for (const [id, c] of pend) {
    const p = where.get(id);
    if (p) flows.push(c.g[0].ts! < p.g[0].ts! ? [c, p] : [p, c]);
  }
  // Flow arrows. Perfetto binds a v1 `s` or `f` (bp "e") to the top of its thread's slice stack once
  // every slice starting in that µs is in: a span's same-µs child (a server span's first middleware,
  // documentLoad's documentFetch) if it has one on its track ("busy"). Flow v2 (`bind_id` with
  // `flow_out`/`flow_in` on the X) binds to that X itself, but an X has one `bind_id`: a span that is
  // both a target and a source uses it for its incoming arrow or, when busy, its outgoing ones. Other
  // arrows are v1: `s` on the parent, `f` with bp "e" on a child that is not busy, else without bp
  // half a µs before it: that binds to the next slice to begin on the child's track, the child (its
  // track was empty, or it would have nested). Left inexact, and rare: such a busy child whose parent
  // is busy too or starts in the same µs.
  const busy = (e: Placed) => shortest.get(e.k)! < e.g[0].dur!;
  const srcs = new Set(flows.map((f) => f[0]));
  const tgts = new Set(flows.map((f) => f[1]));
  let v1 = 0;
  // v2 ids above every v1 id: Perfetto numbers v1 flows 0, 1, … in the id space of `bind_id`, and
  // chrome://tracing keys both by id.
  let v2 = flows.length;
  for (const [p, c] of flows) {
    const [px, cx] = [p.g[0], c.g[0]];
    // v2 only when Perfetto reads the parent's X first: at the same µs it reads the longer first, so
    // a child outliving its parent there (a click's fetch, times in 100 µs ticks) would lose its arrow.
    if ((!tgts.has(p) || busy(p)) && !(srcs.has(c) && busy(c)) && (cx.ts! > px.ts! || cx.dur! <= px.dur!)) {
      px.flow_out = true;
      cx.bind_id = px.bind_id ??= ++v2;
      cx.flow_in = true;
    } else {
      const id = ++v1;
      p.g.push({ name: 'parent', cat: 'flow', ph: 's', id, ts: px.ts, pid: p.pid, tid: p.tid });
      c.g.push({ name: 'parent', cat: 'flow', ph: 'f', id, ...(busy(c) ? { ts: cx.ts! - 0.5 } : { ts: cx.ts, bp: 'e' as const }), pid: c.pid, tid: c.tid });
    }
  }
  // Instants last: one at a slice's start would otherwise be on top of the stack for its flows.
  return { traceEvents: ev.flat().concat(inst), displayTimeUnit: 'ms' };
}

/** Saves spans (default: the exporters' recent spans) as a Chrome trace JSON file via a download link. */
export function downloadChromeTrace(spans: readonly ReadableSpan[] = getRecentSpans(), filename = 'spanbeam-trace.json'): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(toChromeTrace(spans))], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
