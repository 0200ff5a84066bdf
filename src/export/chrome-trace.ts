import type { Attributes, ReadableSpan } from '../sdk/types';
import { getRecentSpans } from './recent';

/** One Trace Event Format event (the subset this exporter writes). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M' | 'i' | 's' | 'f';
  pid: number;
  tid: number;
  /** Whole microseconds since the Unix epoch. */
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  bp?: 'e';
  s?: 't';
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
 * child that landed on another track or process.
 */
export function toChromeTrace(spans: readonly ReadableSpan[]): ChromeTrace {
  // One group per span (its slice, then its flow events) so a flow start can follow its parent's slice.
  const ev: ChromeTraceEvent[][] = [];
  const inst: ChromeTraceEvent[] = [];
  const pids = new Map<string, number>();
  const tracks = new Map<number, Array<Array<{ end: number; id: string }>>>();
  const where = new Map<string, { pid: number; tid: number; s: ReadableSpan; g: ChromeTraceEvent[] }>();
  const sorted = spans.slice().sort((a, b) => a.startMs - b.startMs || endOf(b) - endOf(a));
  for (const s of sorted) {
    const svc = String(s.resource.attributes['service.name'] ?? 'unknown_service');
    let pid = pids.get(svc);
    if (pid === undefined) {
      pids.set(svc, (pid = pids.size + 1));
      tracks.set(pid, []);
      ev.push([{ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: svc } }]);
    }
    const ts = tracks.get(pid)!;
    const start = s.startMs;
    const end = endOf(s);
    // Close slices that ended, then take the parent's track if it nests there, else the first that fits.
    // A slice shows as the child of the open slice it lands in, so it only goes under its own parent
    // (never under a sibling that is still open): other tracks get a flow arrow instead.
    for (const stack of ts) while (stack.length && stack[stack.length - 1].end <= start) stack.pop();
    const fits = (st: Array<{ end: number; id: string }>) => {
      const top = st[st.length - 1];
      return !top || (top.id === s.parentSpanId && top.end >= end);
    };
    const p = s.parentSpanId ? where.get(s.parentSpanId) : undefined;
    let t = p && p.pid === pid && fits(ts[p.tid - 1]) ? p.tid - 1 : ts.findIndex(fits);
    if (t < 0) {
      t = ts.push([]) - 1;
      ev.push([{ name: 'thread_name', ph: 'M', pid, tid: t + 1, args: { name: `track ${t + 1}` } }]);
    }
    ts[t].push({ end, id: s.spanContext().spanId });
    const tid = t + 1;
    const ctx = s.spanContext();
    const args: Record<string, unknown> = { ...argsOf(s.attributes), 'trace.id': ctx.traceId, 'span.id': ctx.spanId, 'span.kind': KIND[s.kind] };
    if (s.parentSpanId) args['parent.id'] = s.parentSpanId;
    if (s.status.code) args.status = s.status.code === 2 ? `ERROR${s.status.message ? `: ${s.status.message}` : ''}` : 'OK';
    const g: ChromeTraceEvent[] = [{ name: s.name, cat: s.scope.name, ph: 'X', ts: us(start), dur: us(end) - us(start), pid, tid, args }];
    ev.push(g);
    where.set(ctx.spanId, { pid, tid, s, g });
    for (const e of s.events) inst.push({ name: e.name, ph: 'i', s: 't', ts: us(e.timeMs), pid, tid, args: argsOf(e.attributes) });
    if (p && (p.pid !== pid || p.tid !== tid)) {
      const id = where.size;
      // Perfetto binds a flow event to the top of its thread's slice stack, not to the slice around
      // its `ts`, and handles it after every slice starting at that `ts`. Right after the slice it
      // belongs to (in the file and in time), that top is this slice; at the child's start it was
      // often a sibling still open (or already ended) on the parent's track.
      p.g.push({ name: 'parent', cat: 'flow', ph: 's', id, ts: us(p.s.startMs), pid: p.pid, tid: p.tid });
      g.push({ name: 'parent', cat: 'flow', ph: 'f', bp: 'e', id, ts: us(start), pid, tid });
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
