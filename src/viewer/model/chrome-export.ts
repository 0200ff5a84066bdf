/**
 * TraceModel → Chrome Trace Event JSON (what Perfetto, chrome://tracing and this viewer open), for
 * every input format. Built as Blob parts in steps: a million events never make one string nor one
 * long task.
 *
 * - Thread and sampled-profile tracks: `X` slices (`B` without `E` when unfinished) on a tid of
 *   their own, with `thread_name` / `thread_sort_index`; groups are pids with `process_name` /
 *   `process_sort_index` (and `process_labels`).
 * - Async and trace tracks: nestable async `b`/`e` (one id per tree, children inside their
 *   parent's pair), which the importer puts back on an async track named by the root slice.
 * - Instants `i` with their scope (`n` inside an async slice), counters `C` (one per series and
 *   time), flows `s`/`f` bound to their slices (`bp: "e"` at a time no child covers).
 * - Times: µs with up to ns decimals; on an epoch clock relative to the origin, which `metadata`
 *   keeps (`epoch_origin_ms`), as it keeps the source format, file name and a non-time x axis.
 * - Spans (a model of trace tracks only): each `b` carries `args.spanbeam` = [slice index, SPAN_*
 *   bits, details its attributes shadow?, its own `spanbeam` attribute?] and `metadata.spanbeam_spans`
 *   their count, from which our importer rebuilds services, traces and parents (import/span-rebuild.ts);
 *   other tools see one more arg.
 */
import { InstantScope, SliceFlag, TrackKind, type SliceDetails, type TraceModel } from './trace-model';
import { childIndex, detailsAt, type Children } from './query';

/** Bits of a span's `args.spanbeam[1]`. */
export const SPAN_ERROR = 1;
/** Its parent link was dropped (a cycle) though the parent is there. */
export const SPAN_CUT = 2;
export const SPAN_ORPHAN = 4;
/** No end: an open span's pair has no `e`, and another tool's (or our) importer may close it with its ancestor's `e` of the same name. */
export const SPAN_OPEN = 8;
/** Span details argsText merges into args (an attribute of the same name shadows one). */
export const SPAN_DETAIL_KEYS = ['spanId', 'traceId', 'parentSpanId', 'kind', 'statusCode', 'statusMessage', 'scope', 'resource', 'links', 'originalDurNs', 'clockSkewNs'] as const;

export interface ChromeExportOptions {
  /** The original file's name, kept in `metadata.source_file`. */
  fileName?: string;
}

/** Events per part string; parts are gathered into a Blob every PARTS_PER_BLOB (so no huge array of strings lingers). */
const EVENTS_PER_PART = 2048;
const PARTS_PER_BLOB = 4;

/** Runs the export at once (tests, workers). */
export function exportChromeJson(model: TraceModel, opts: ChromeExportOptions = {}): Blob {
  const steps = chromeJsonSteps(model, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The export in steps: yields every few thousand events. */
export function* chromeJsonSteps(model: TraceModel, opts: ChromeExportOptions = {}): Generator<void, Blob, void> {
  const m = model;
  const S = m.slices;
  const blobs: Blob[] = [];
  let parts: string[] = [];
  let written = false;
  let lines: string[] = [];
  const flushPart = (): void => {
    if (lines.length === 0) return;
    parts.push((written ? ',\n' : '') + lines.join(',\n'));
    written = true;
    lines = [];
    if (parts.length >= PARTS_PER_BLOB) {
      blobs.push(new Blob(parts, { type: 'application/json' }));
      parts = [];
    }
  };
  /** Adds one event's text; true when a step is due. */
  let sinceYield = 0;
  const add = (ev: string): boolean => {
    lines.push(ev);
    if (lines.length >= EVENTS_PER_PART) flushPart();
    return ++sinceYield % EVENTS_PER_PART === 0;
  };

  // ---- time base ----
  const epoch = m.clock === 'epoch';
  // Trace clocks keep their own µs numbers (small enough for ns decimals); epoch µs (~1.7e15) would
  // not, so those are written relative to the origin, which the metadata keeps.
  const baseUs = epoch ? 0 : m.originMs * 1000;
  const us = (ns: number): string => num(baseUs + ns / 1000);
  // A duration as the difference of the µs written for its end and start: ts + dur then ends where
  // a slice starting at that end begins (a rounded ts plus an unrounded dur overlapped it by 1e-9 µs,
  // and the importer nested the next slice inside, 0 long).
  const durUs = (s: number): string => num(baseUs + (S.startNs[s] + S.durNs[s]) / 1000 - (baseUs + S.startNs[s] / 1000));

  // ---- strings (interned: each stringified once) ----
  const quoted: Array<string | undefined> = new Array(m.strings.length);
  const q = (id: number): string => (quoted[id] ??= JSON.stringify(m.strings[id] ?? ''));

  // ---- pids and tids ----
  const pids: number[] = [];
  const usedPid = new Set<number>();
  const globalPos = m.groups.findIndex((g) => g.kind === 2 /* GLOBAL */);
  let nextPid = 1;
  const freshPid = (): number => {
    while (usedPid.has(nextPid)) nextPid++;
    usedPid.add(nextPid);
    return nextPid;
  };
  // Numeric source pids are kept (first come), the others numbered.
  for (const g of m.groups) {
    const n = Number(g.key);
    if (g.key !== '' && Number.isSafeInteger(n) && !usedPid.has(n)) {
      usedPid.add(n);
      pids[g.id] = n;
    }
  }
  for (const g of m.groups) if (pids[g.id] === undefined) pids[g.id] = freshPid();
  const tids = new Float64Array(m.tracks.length);
  const trackPid = new Float64Array(m.tracks.length);
  const isThread = (k: number): boolean => k === TrackKind.THREAD || k === TrackKind.SAMPLES;
  const isAsync = (k: number): boolean => k === TrackKind.ASYNC || k === TrackKind.TRACE;

  const meta: string[] = [];
  for (let gi = 0; gi < m.groups.length; gi++) {
    const g = m.groups[gi];
    const pid = pids[g.id];
    if (g.kind !== 2) {
      if (g.name) meta.push(`{"ph":"M","name":"process_name","pid":${pid},"tid":0,"args":{"name":${JSON.stringify(g.name)}}}`);
      // Positions as sort indices, around the global group (which sorts at 0, after ties).
      const si = globalPos >= 0 ? gi - globalPos : gi;
      meta.push(`{"ph":"M","name":"process_sort_index","pid":${pid},"tid":0,"args":{"sort_index":${si}}}`);
      if (g.labels.length) meta.push(`{"ph":"M","name":"process_labels","pid":${pid},"tid":0,"args":{"labels":${JSON.stringify(g.labels.join(','))}}}`);
    }
    const usedTid = new Set<number>();
    let nextTid = 1;
    // Numeric thread keys are kept (Chrome tids), the other tracks numbered.
    for (const t of g.tracks) {
      const tr = m.tracks[t];
      trackPid[t] = pid;
      const n = Number(tr.key);
      if (tr.kind === TrackKind.THREAD && tr.key !== '' && Number.isSafeInteger(n) && !usedTid.has(n)) {
        usedTid.add(n);
        tids[t] = n;
      } else tids[t] = NaN;
    }
    let pos = 0;
    for (const t of g.tracks) {
      const tr = m.tracks[t];
      if (tids[t] !== tids[t]) {
        while (usedTid.has(nextTid)) nextTid++;
        usedTid.add(nextTid);
        tids[t] = nextTid;
      }
      if (!isThread(tr.kind)) continue;
      if (tr.name) meta.push(`{"ph":"M","name":"thread_name","pid":${pid},"tid":${tids[t]},"args":{"name":${JSON.stringify(tr.name)}}}`);
      meta.push(`{"ph":"M","name":"thread_sort_index","pid":${pid},"tid":${tids[t]},"args":{"sort_index":${pos++}}}`);
    }
  }

  // Span-shaped (only span importers make trace tracks, and nothing else): the b events carry what rebuilds them.
  const spans = m.tracks.length > 0 && m.tracks.every((t) => t.kind === TrackKind.TRACE);

  // ---- header ----
  const md: Record<string, unknown> = { ...(m.metadata ?? {}) };
  delete md.spanbeam_spans;
  md.source_format = m.format;
  if (opts.fileName) md.source_file = opts.fileName;
  md.exported_by = 'spanbeam';
  if (epoch) {
    md.clock = 'epoch';
    md.epoch_origin_ms = m.originMs;
  }
  if (m.valueUnit) {
    md.value_unit = m.valueUnit;
    md.x_axis = `${m.valueUnit}, not time: 1 ns (0.001 µs) stands for one ${m.valueUnit === 'bytes' ? 'byte' : m.valueUnit === 'samples' ? 'sample' : 'unit'}`;
  }
  if (spans) md.spanbeam_spans = S.count;
  parts.push(`{"displayTimeUnit":${JSON.stringify(m.displayTimeUnit)},"metadata":${safeJson(md)},"traceEvents":[\n`);
  for (const e of meta) add(e);
  yield;

  // ---- slices ----
  const common = (s: number, ph: string, tNs: number, cat?: string): string => {
    const t = S.track[s];
    let e = `{"ph":"${ph}","name":${q(S.name[s])},"ts":${us(tNs)},"pid":${trackPid[t]},"tid":${tids[t]}`;
    if (cat !== undefined) e += cat;
    else if (S.category[s]) e += `,"cat":${q(S.category[s])}`;
    if (S.color[s]) e += `,"cname":${q(S.color[s])}`;
    return e;
  };
  const argsText = (d: SliceDetails | undefined, skipId: boolean, span = -1): string => {
    if (!d && span < 0) return '';
    d ??= {};
    const out: Record<string, unknown> = { ...(d.args ?? {}) };
    let shadowed: Record<string, unknown> | 0 = 0;
    for (const k in d) {
      if (k === 'args' || k === 'threadDurNs' || k === 'threadStartNs' || (skipId && k === 'id')) continue;
      if (!(k in out)) out[k] = (d as Record<string, unknown>)[k];
      else if (span >= 0) (shadowed ||= {})[k] = (d as Record<string, unknown>)[k];
    }
    if (span >= 0) {
      // An attribute named as a detail the span lacks: null in the entry, so it stays an attribute.
      for (const k of SPAN_DETAIL_KEYS) if (d.args && k in d.args && !(k in d)) (shadowed ||= {})[k] = null;
      const f = S.flags[span];
      const bits = (f & SliceFlag.ERROR ? SPAN_ERROR : 0) | (f & SliceFlag.ORPHAN ? SPAN_ORPHAN : 0) | (f & SliceFlag.UNFINISHED ? SPAN_OPEN : 0) | (d.parentSpanId && S.parent[span] < 0 && !(f & SliceFlag.ORPHAN) ? SPAN_CUT : 0);
      const r: unknown[] = [span, bits];
      if (shadowed || (d.args && 'spanbeam' in d.args)) r.push(shadowed);
      if (d.args && 'spanbeam' in d.args) r.push(d.args.spanbeam);
      out.spanbeam = r;
    }
    for (const _ in out) return `,"args":${safeJson(out)}`;
    return '';
  };
  const threadTime = (d: SliceDetails | undefined, withDur: boolean): string => {
    let e = '';
    if (d && typeof d.threadStartNs === 'number') e += `,"tts":${num(d.threadStartNs / 1000)}`;
    if (withDur && d && typeof d.threadDurNs === 'number') e += `,"tdur":${num(d.threadDurNs / 1000)}`;
    return e;
  };

  // Flows touching an async slice: v2 (`bind_id` with flow_out / flow_in on the slices' own
  // events), as far as one id per slice allows (chains); v1 s/f bind to thread slices only.
  let asyncId = 0;
  const F = m.flows;
  const v2Done = new Uint8Array(F.count);
  const bindOf = new Map<number, { id: number; fin: boolean; fout: boolean }>();
  for (let f = 0; f < F.count; f++) {
    const a = F.fromSlice[f];
    const b = F.toSlice[f];
    if (a < 0 || b < 0) {
      v2Done[f] = 1;
      continue;
    }
    if (!isAsync(m.tracks[S.track[a]].kind) && !isAsync(m.tracks[S.track[b]].kind)) continue;
    v2Done[f] = 1;
    const ba = bindOf.get(a);
    const bb = bindOf.get(b);
    // The importer joins each flow_in to the latest earlier flow_out of its id.
    if (S.startNs[a] > S.startNs[b] || (ba && ba.fout) || (bb && bb.fin) || (ba && bb)) continue;
    const id = ba?.id ?? bb?.id ?? ++asyncId;
    if (ba) ba.fout = true;
    else bindOf.set(a, { id, fin: false, fout: true });
    if (bb) bb.fin = true;
    else bindOf.set(b, { id, fin: true, fout: false });
  }
  const bind = (s: number): string => {
    const v = bindOf.get(s);
    return v ? `,"bind_id":"0x${v.id.toString(16)}"${v.fin ? ',"flow_in":true' : ''}${v.fout ? ',"flow_out":true' : ''}` : '';
  };
  let kidIndex: Children | null = null;
  const kids = (): Children => (kidIndex ??= childIndex(m));

  // Instants owned by a slice on an async track are written inside its b/e pair (as `n`).
  const ownedInstants = new Map<number, number[]>();
  const I = m.instants;
  for (let i = 0; i < I.count; i++) {
    if (I.slice[i] >= 0 && isAsync(m.tracks[I.track[i]].kind)) {
      const l = ownedInstants.get(I.slice[i]);
      if (l) l.push(i);
      else ownedInstants.set(I.slice[i], [i]);
    }
  }
  // Children of async slices on their own track (the b/e nesting).
  const asyncKids = new Map<number, number[]>();
  for (let s = 0; s < S.count; s++) {
    const p = S.parent[s];
    if (p >= 0 && S.track[p] === S.track[s] && isAsync(m.tracks[S.track[s]].kind)) {
      const l = asyncKids.get(p);
      if (l) l.push(s);
      else asyncKids.set(p, [s]);
    }
  }
  for (const g of m.groups) {
    for (const t of g.tracks) {
      const kind = m.tracks[t].kind;
      const r0 = m.rows.rowStart[t];
      const r1 = m.rows.rowStart[t + 1];
      const a = r0 < r1 ? m.rows.rowSliceStart[r0] : 0;
      const b = r0 < r1 ? m.rows.rowSliceStart[r1] : 0;
      if (isThread(kind)) {
        // Sorted by depth then start: a parent precedes a child of the same start and length.
        for (let s = a; s < b; s++) {
          const d = detailsAt(m, S.args[s]);
          const open = (S.flags[s] & SliceFlag.UNFINISHED) !== 0;
          const ev = open
            ? `${common(s, 'B', S.startNs[s])}${threadTime(d, false)}${bind(s)}${argsText(d, false)}}`
            : `${common(s, 'X', S.startNs[s])},"dur":${durUs(s)}${threadTime(d, true)}${bind(s)}${argsText(d, false)}}`;
          if (add(ev)) yield;
        }
      } else if (isAsync(kind)) {
        // Trees in start order, each depth-first with one id (the importer nests b inside the open b of that id).
        for (let s = a; s < b; s++) {
          const p = S.parent[s];
          if (p >= 0 && S.track[p] === t) continue;
          const id = `"0x${(++asyncId).toString(16)}"`;
          // A tree shares one category: the importer nests a b (and an n) by category and id.
          const cat = S.category[s] ? `,"cat":${q(S.category[s])}` : '';
          const stack: number[] = [s];
          const closing: boolean[] = [false];
          while (stack.length) {
            const x = stack.pop() as number;
            const close = closing.pop() as boolean;
            const d = detailsAt(m, S.args[x]);
            if (close) {
              if (!(S.flags[x] & SliceFlag.UNFINISHED)) add(`${common(x, 'e', S.startNs[x] + S.durNs[x], cat)},"id":${id}}`);
              continue;
            }
            if (add(`${common(x, 'b', S.startNs[x], cat)},"id":${id}${bind(x)}${argsText(d, true, spans ? x : -1)}}`)) yield;
            for (const i of ownedInstants.get(x) ?? []) {
              const n = I.name[i];
              add(`{"ph":"n","name":${q(n)},"ts":${us(I.timeNs[i])},"pid":${trackPid[t]},"tid":${tids[t]}${cat},"id":${id}${argsText(detailsAt(m, I.args[i]), true)}}`);
            }
            stack.push(x);
            closing.push(true);
            const kids = asyncKids.get(x) ?? [];
            for (let k = kids.length - 1; k >= 0; k--) {
              stack.push(kids[k]);
              closing.push(false);
            }
          }
        }
      }
    }
  }

  // ---- instants (not inside async slices) ----
  for (let i = 0; i < I.count; i++) {
    const t = I.track[i];
    const kind = m.tracks[t].kind;
    if (I.slice[i] >= 0 && isAsync(kind)) continue;
    const sc = kind === TrackKind.INSTANTS ? (I.scope[i] === InstantScope.GLOBAL || m.tracks[t].key === 'global' ? 'g' : 'p') : I.scope[i] === InstantScope.GLOBAL ? 'g' : I.scope[i] === InstantScope.PROCESS ? 'p' : 't';
    const ph = isAsync(kind) ? 'n' : 'i';
    let e = `{"ph":"${ph}","name":${q(I.name[i])},"ts":${us(I.timeNs[i])},"pid":${trackPid[t]},"tid":${tids[t]}`;
    if (I.category[i]) e += `,"cat":${q(I.category[i])}`;
    e += ph === 'n' ? `,"id":"0x${(++asyncId).toString(16)}"` : `,"s":"${sc}"`;
    if (add(`${e}${argsText(detailsAt(m, I.args[i]), false)}}`)) yield;
  }

  // ---- counters: one event per series and time ----
  for (const c of m.counters) {
    const tr = m.tracks[c.track];
    const head = `{"ph":"C","name":${JSON.stringify(tr.name)},"pid":${trackPid[c.track]},"tid":0,"ts":`;
    const key = JSON.stringify(c.name || tr.name);
    for (let i = 0; i < c.timesNs.length; i++) {
      if (add(`${head}${us(c.timesNs[i])},"args":{${key}:${num(c.values[i])}}}`)) yield;
    }
  }

  // ---- flows (v1 between thread slices) ----
  for (let f = 0; f < F.count; f++) {
    if (v2Done[f]) continue;
    const id = `"0x${(++asyncId).toString(16)}"`;
    const name = F.name[f] ? q(F.name[f]) : '"flow"';
    const cat = F.category[f] ? q(F.category[f]) : '"flow"';
    for (const [ph, s, tNs] of [['s', F.fromSlice[f], F.fromNs[f]], ['f', F.toSlice[f], F.toNs[f]]] as const) {
      const t = S.track[s];
      add(`{"ph":"${ph}","name":${name},"cat":${cat},"id":${id},"ts":${us(bindTime(m, kids(), s, tNs))},"pid":${trackPid[t]},"tid":${tids[t]}${ph === 'f' ? ',"bp":"e"' : ''}}`);
    }
    if (sinceYield % EVENTS_PER_PART < 2) yield;
  }

  flushPart();
  parts.push('\n]}\n');
  blobs.push(new Blob(parts, { type: 'application/json' }));
  return new Blob(blobs, { type: 'application/json' });
}

/** A number as JSON: finite always (the model's are; anything else would not be strict JSON). */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : '0';
}

function safeJson(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

/**
 * A time at which slice s is the deepest slice enclosing it on its thread (a v1 flow end binds
 * there): `tNs` when no child covers it, else the first gap between its children.
 */
function bindTime(m: TraceModel, c: Children, s: number, tNs: number): number {
  const S = m.slices;
  const start = S.startNs[s];
  const end = start + S.durNs[s];
  let t = Math.min(Math.max(tNs, start), end);
  const list: number[] = [];
  for (let k = c.start[s]; k < c.start[s + 1]; k++) if (S.track[c.list[k]] === S.track[s]) list.push(c.list[k]);
  const covered = (x: number): boolean => list.some((k) => S.startNs[k] <= x && S.startNs[k] + S.durNs[k] >= x);
  if (!covered(t)) return t;
  t = start;
  for (const k of list) {
    if (S.startNs[k] > t) break;
    t = Math.max(t, S.startNs[k] + S.durNs[k]);
  }
  // Just past the children covering the start (µs with ns decimals keep it apart).
  t = t === start ? start : Math.min(end, t + 0.5);
  return covered(t) ? tNs : t;
}
