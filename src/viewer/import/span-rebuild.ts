/**
 * A span trace Spanbeam saved as Chrome JSON (model/chrome-export.ts) → the span model it was:
 * each span's `b` event carries its attributes and details in `args` and `args.spanbeam` (its
 * slice index, error / cut / orphan bits, details its attributes shadow), its process is its
 * service, its `n` events are its events. From the plain Chrome import of that file, the spans
 * are rebuilt as SpanRecords in their saved order and laid out by buildSpanModel, as the first
 * import did. Anything that does not add up keeps the plain import, with an input warning.
 */
import { TraceBuilder } from '../model/builder';
import { SPAN_CUT, SPAN_DETAIL_KEYS, SPAN_ERROR, SPAN_OPEN, SPAN_ORPHAN } from '../model/chrome-export';
import { detailsAt } from '../model/query';
import { SliceFlag, type TraceModel } from '../model/trace-model';
import { isObj } from './span-records';
import { breakCycles, buildSpanModel, type EpochTime, type SpanRecord } from './spans';

const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The spans of a plain import of Spanbeam's export, rebuilt; `plain` (with a warning) when they cannot be. */
export function rebuildSpans(plain: TraceModel, skew = true): TraceModel {
  const md = plain.metadata;
  if (!md || md.exported_by !== 'spanbeam' || !('spanbeam_spans' in md)) return plain;
  let model: TraceModel | string;
  try {
    model = rebuild(plain, md, skew);
  } catch (e) {
    model = String(e);
  }
  if (typeof model !== 'string') return model;
  const message = `the spans Spanbeam saved could not be rebuilt (${model.slice(0, 200)}): shown as plain Chrome async slices`;
  return { ...plain, diagnostics: [...plain.diagnostics, { kind: 'invalid-args', count: 1, message }] };
}

function rebuild(plain: TraceModel, md: Record<string, unknown>, skew: boolean): TraceModel | string {
  const S = plain.slices;
  const n = S.count;
  const origin = md.epoch_origin_ms;
  if (md.spanbeam_spans !== n) return `metadata.spanbeam_spans is ${JSON.stringify(md.spanbeam_spans)?.slice(0, 30)}, the file has ${n} slices`;
  if (md.clock !== 'epoch' || typeof origin !== 'number' || !Number.isFinite(origin) || plain.counters.length > 0) return 'not an epoch-clock span trace';
  // Epoch times as whole ms plus ns (float epoch ns would lose them): the origin's ms, and ns from there.
  const baseMs = Math.floor(origin);
  const fracNs = Math.round((origin - baseMs) * 1e6);
  const at = (ns: number): EpochTime => ({ ms: baseMs, ns: fracNs + Math.round(ns) });

  const recs: Array<SpanRecord | undefined> = new Array(n);
  const recOf = new Int32Array(n); // plain slice → saved index
  const bitsOf = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const d = detailsAt(plain, S.args[s]);
    const a = d?.args;
    const r = isObj(a) ? a.spanbeam : undefined;
    if (!Array.isArray(r) || r.length < 2 || r.length > 4) return `slice ${s} has no spanbeam entry`;
    const [i, bits, shadow] = r as [unknown, unknown, unknown];
    if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= n || recs[i as number]) return `bad or repeated span index ${JSON.stringify(i)?.slice(0, 30)}`;
    if (!Number.isInteger(bits) || shadow !== undefined && shadow !== 0 && !isObj(shadow)) return `span ${i as number}: bad spanbeam entry`;
    // The span's own `spanbeam` attribute back in its place (attributes keep their order).
    const attrs: Record<string, unknown> = Object.fromEntries(
      Object.entries(a as Record<string, unknown>).flatMap(([k, v]) => (k !== 'spanbeam' ? [[k, v]] : r.length === 4 ? [[k, r[3]]] : [])),
    );
    const det: Record<string, unknown> = {};
    for (const k of SPAN_DETAIL_KEYS) {
      // null: the span has no such detail (an attribute of that name is only an attribute).
      if (isObj(shadow) && k in shadow) {
        if (shadow[k] !== null) det[k] = shadow[k];
      } else if (k in attrs) {
        det[k] = attrs[k];
        delete attrs[k];
      }
    }
    const { spanId, traceId, parentSpanId, kind, statusCode, statusMessage, scope, resource, links, originalDurNs, clockSkewNs } = det;
    if (typeof spanId !== 'string' || typeof traceId !== 'string' || !optStr(parentSpanId) || !optStr(kind) || !optStr(statusCode) || !optStr(statusMessage) || !optStr(scope)) {
      return `span ${i as number}: ids, kind or status are not strings`;
    }
    if ((resource !== undefined && !isObj(resource)) || (originalDurNs !== undefined && typeof originalDurNs !== 'number') || (clockSkewNs !== undefined && typeof clockSkewNs !== 'number')) return `span ${i as number}: bad resource, duration or clock skew`;
    if (links !== undefined && !(Array.isArray(links) && links.every((l) => isObj(l) && typeof l.traceId === 'string' && typeof l.spanId === 'string'))) return `span ${i as number}: bad links`;
    const g = plain.groups[plain.tracks[S.track[s]].group];
    const start = S.startNs[s];
    const unfinished = (S.flags[s] & SliceFlag.UNFINISHED) !== 0;
    const b = bits as number;
    if (unfinished !== ((b & SPAN_OPEN) !== 0)) return `span ${spanId}: its end event closed another span`;
    recs[i as number] = {
      traceId,
      spanId,
      ...(parentSpanId ? { parentSpanId: parentSpanId as string } : {}),
      name: plain.strings[S.name[s]],
      service: g.name || g.key,
      start: at(start),
      ...(unfinished ? {} : { end: at(start + (typeof originalDurNs === 'number' ? originalDurNs : S.durNs[s])) }),
      ...(kind ? { kind: kind as string } : {}),
      error: (b & SPAN_ERROR) !== 0,
      ...(statusCode ? { statusCode: statusCode as string } : {}),
      ...(statusMessage ? { statusMessage: statusMessage as string } : {}),
      attributes: attrs,
      ...(resource ? { resource: resource as Record<string, unknown> } : {}),
      ...(scope ? { scope: scope as string } : {}),
      events: [],
      ...(links ? { links: links as SpanRecord['links'] } : {}),
      ...(b & SPAN_CUT ? { cut: true } : {}),
      ...(clockSkewNs ? { clockSkewNs: clockSkewNs as number } : {}),
    };
    recOf[s] = i as number;
    bitsOf[i as number] = b;
  }
  const spans = recs as SpanRecord[];

  // Events: the `n` instants inside their span's pair.
  const I = plain.instants;
  for (let k = 0; k < I.count; k++) {
    const s = I.slice[k];
    if (s < 0) return 'an instant outside any span';
    const args = detailsAt(plain, I.args[k])?.args;
    spans[recOf[s]].events!.push({ time: at(I.timeNs[k]), name: plain.strings[I.name[k]], ...(isObj(args) ? { attributes: args } : {}) });
  }

  // Parents as saved: a span's parent is there unless it was an orphan, and no chain loops (cut links aside).
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = spans[i].spanId ? `${spans[i].traceId}/${spans[i].spanId}` : '';
    if (key && index.has(key)) return `span ${spans[i].spanId} appears twice`;
    if (key) index.set(key, i);
  }
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = spans[i].parentSpanId;
    if (!p || spans[i].cut) continue;
    const j = index.get(`${spans[i].traceId}/${p}`);
    if ((j === undefined) !== ((bitsOf[i] & SPAN_ORPHAN) !== 0)) return `span ${spans[i].spanId}: parent ${p.slice(0, 40)} ${j === undefined ? 'is missing' : 'is there, though saved as missing'}`;
    if (j !== undefined) parent[i] = j;
  }
  let loop = -1;
  breakCycles(parent, (c) => void (loop < 0 && (loop = c)));
  if (loop >= 0) return `the parent chain of span ${spans[loop].spanId} loops`;

  const b = new TraceBuilder('chrome-json');
  b.metadata = md;
  b.displayTimeUnit = plain.displayTimeUnit;
  return buildSpanModel('chrome-json', spans, b, skew);
}
