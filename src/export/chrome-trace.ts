import type { ReadableSpan } from '../sdk/types';
import { getRecentSpans } from './recent';

/** One Trace Event Format event (the subset this exporter writes). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'M' | 'i' | 's' | 'f';
  pid: number;
  tid: number;
  /** Microseconds since the Unix epoch. */
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

/**
 * Spans as a Trace Event Format file that Perfetto and chrome://tracing open: one process per
 * service, spans packed onto as few threads ("tracks") as keep each nested only under its parent, `X` events
 * in µs with attributes in `args`, span events as instants, and flow arrows from a parent to a
 * child that landed on another track or process.
 */
export function toChromeTrace(spans: readonly ReadableSpan[]): ChromeTrace {
  const ev: ChromeTraceEvent[] = [];
  const pids = new Map<string, number>();
  const tracks = new Map<number, Array<Array<{ end: number; id: string }>>>();
  const where = new Map<string, { pid: number; tid: number; s: ReadableSpan }>();
  const sorted = spans.slice().sort((a, b) => a.startMs - b.startMs || endOf(b) - endOf(a));
  for (const s of sorted) {
    const svc = String(s.resource.attributes['service.name'] ?? 'unknown_service');
    let pid = pids.get(svc);
    if (pid === undefined) {
      pids.set(svc, (pid = pids.size + 1));
      tracks.set(pid, []);
      ev.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: svc } });
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
      ev.push({ name: 'thread_name', ph: 'M', pid, tid: t + 1, args: { name: `track ${t + 1}` } });
    }
    ts[t].push({ end, id: s.spanContext().spanId });
    const tid = t + 1;
    const ctx = s.spanContext();
    where.set(ctx.spanId, { pid, tid, s });
    const args: Record<string, unknown> = { ...s.attributes, 'trace.id': ctx.traceId, 'span.id': ctx.spanId, 'span.kind': KIND[s.kind] };
    if (s.parentSpanId) args['parent.id'] = s.parentSpanId;
    if (s.status.code) args.status = s.status.code === 2 ? `ERROR${s.status.message ? `: ${s.status.message}` : ''}` : 'OK';
    ev.push({ name: s.name, cat: s.scope.name, ph: 'X', ts: start * 1000, dur: (end - start) * 1000, pid, tid, args });
    for (const e of s.events) ev.push({ name: e.name, ph: 'i', s: 't', ts: e.timeMs * 1000, pid, tid, args: { ...e.attributes } });
    if (p && (p.pid !== pid || p.tid !== tid)) {
      const id = where.size;
      const at = Math.min(Math.max(start, p.s.startMs), endOf(p.s)) * 1000;
      ev.push({ name: 'parent', cat: 'flow', ph: 's', id, ts: at, pid: p.pid, tid: p.tid });
      ev.push({ name: 'parent', cat: 'flow', ph: 'f', bp: 'e', id, ts: start * 1000, pid, tid });
    }
  }
  return { traceEvents: ev, displayTimeUnit: 'ms' };
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
