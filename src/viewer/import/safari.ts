/**
 * Safari Web Inspector timeline recordings (Timelines → Export): `{"version": 1, "recording":
 * {…}, "overview": {…}}`, the recording as WebKit's `TimelineRecording.exportData` writes it.
 * All times are seconds on the inspected page's monotonic clock (`startTime`, `endTime`):
 * - `sampleStackTraces` (each `{timestamp, stackFrames}`, leaf frame first, frames `{name, url,
 *   line, column}`) with `sampleDurations` (seconds per sample): the JavaScript sampling profiler,
 *   drawn as stacks over time on one samples track, each sample lasting its duration (so idle
 *   time between samples stays empty). Newer exports keep them per target, `samples: [{stackTraces,
 *   durations}]`: a samples track each;
 * - `records` with `startTime`/`endTime` (script evaluations, event dispatches, timers, layout,
 *   paint, rendering frames, media): slices on a track per record type, nested by time (the
 *   export loses Web Inspector's record hierarchy); CPU usage and memory records (`timestamp`)
 *   are counters; network records (HAR entries on the wall clock), heap snapshots and
 *   screenshots are skipped and counted;
 * - `markers` (`{type, time, details}`: load, DOMContentLoaded, console.timeStamp): instants.
 * Newer Web Inspectors write short event and marker types (`event-dispatched`, `paint`,
 * `timestamp`) where older ones wrote `script-timeline-record-event-dispatched`,
 * `timeline-marker-type-load-event`: both are read.
 * Streamed through JsonWalk: records, markers and samples are parsed one at a time.
 */
import { isInputTime } from '../model/builder';
import { GroupKind, InstantScope, TraceImportError, TrackKind } from '../model/trace-model';
import type { JsonReader } from './json-tokenizer';
import { IGNORE, NUMBER, PARSE } from './json-walk';
import { FrameRefs, NumList, StackRuns, type FrameInfo } from './samples';
import { isObj, shown, WalkedImporter } from './walked-importer';

const R_ROOT = 0;
const R_DOC = 1;
const R_REC = 2;
const R_RECORDS = 3;
const R_MARKERS = 4;
const R_STACKS = 5;
const R_DURS = 6;
const R_TARGETS = 7;
const R_TARGET = 8;
const R_EXTRA = 9;

/** Samples laid out between two yields. */
const STEP = 1 << 16;

type Obj = Record<string, unknown>;

/** One target's samples: per sample its time (s), duration (s) and stack (frame ids, root first). */
interface SampleSet {
  times: NumList;
  durations: NumList;
  stacks: number[][];
}

interface TimedRecord {
  type: string;
  name: string;
  start: number;
  end: number;
  args: Obj | undefined;
}

const PREFIX = 'timeline-record-type-';
/** Track names of the record types, as Web Inspector names its timelines. */
const TRACKS: Record<string, string> = {
  script: 'JavaScript & Events',
  layout: 'Layout & Rendering',
  'rendering-frame': 'Rendering Frames',
  media: 'Media',
  network: 'Network Requests',
};

/** Marker types (`timeline-marker-type-…` in older exports) as Web Inspector names them. */
const MARKERS: Record<string, string> = { 'load-event': 'Load Event', 'dom-content-event': 'DOMContentLoaded', timestamp: 'Timestamp' };

/** `script-timeline-record-event-dispatched` (older exports) or `event-dispatched` → "Event Dispatched". */
function eventName(eventType: string): string {
  const at = eventType.indexOf('-record-');
  const words = (at >= 0 ? eventType.slice(at + 8) : eventType).split('-').filter(Boolean);
  return words.map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}

export class SafariImporter extends WalkedImporter {
  private docs = 0;
  private version: unknown;
  private recording = false;
  private startTime = NaN;
  private endTime = NaN;
  private displayName = '';
  private readonly records: TimedRecord[] = [];
  private readonly cpu: Array<[number, number]> = [];
  private readonly memory: Array<[number, number]> = [];
  private readonly markers: Array<[number, string, Obj | undefined]> = [];
  private readonly skipped = new Map<string, number>();
  private readonly sets: SampleSet[] = [];
  private set: SampleSet | undefined;
  private readonly frameIds = new Map<string, number>();
  private readonly frames: FrameInfo[] = [];
  private bad = 0;
  private firstBad = '';
  private read = 0;
  private frameNo = 0;

  constructor() {
    super('safari-timeline', R_ROOT);
  }

  /** Records, markers and samples read so far. */
  get events(): number {
    return this.read;
  }

  // ---- WalkHandler ----

  route(parent: number, key: string, r: JsonReader): number {
    const c = r.buf[r.pos];
    const need = (role: number, obj: boolean): number => {
      if (c !== (obj ? 0x7b : 0x5b)) r.fail(obj ? 'an object' : 'an array', `"${key}" is not ${obj ? 'an object' : 'an array'}`);
      return role;
    };
    switch (parent) {
      case R_ROOT:
        if (this.docs > 0) return R_EXTRA;
        if (c !== 0x7b) r.fail("'{'", 'a Safari timeline recording is one JSON object');
        return R_DOC;
      case R_DOC:
        if (key === 'recording') return need(R_REC, true);
        return key === 'version' ? PARSE : IGNORE;
      case R_REC:
        if (key === 'records') return need(R_RECORDS, false);
        if (key === 'markers') return need(R_MARKERS, false);
        if (key === 'sampleStackTraces') return need(R_STACKS, false);
        if (key === 'sampleDurations') return need(R_DURS, false);
        if (key === 'samples') return need(R_TARGETS, false);
        return key === 'startTime' || key === 'endTime' || key === 'displayName' ? PARSE : IGNORE;
      case R_RECORDS:
      case R_MARKERS:
      case R_STACKS:
        return PARSE;
      case R_DURS:
        return NUMBER;
      case R_TARGETS:
        return need(R_TARGET, true);
      case R_TARGET:
        if (key === 'stackTraces') return need(R_STACKS, false);
        if (key === 'durations') return need(R_DURS, false);
        return IGNORE;
    }
    return IGNORE;
  }

  open(role: number): void {
    if (role === R_DOC) this.docs++;
    else if (role === R_REC) this.recording = true;
    else if (role === R_EXTRA) this.b.diag('skipped-section', 'a second JSON value after the recording: skipped');
    else if (role === R_TARGET) this.sets.push((this.set = { times: new NumList(), durations: new NumList(), stacks: [] }));
    else if ((role === R_STACKS || role === R_DURS) && !this.set) this.sets.push((this.set = { times: new NumList(), durations: new NumList(), stacks: [] }));
  }

  close(role: number): void {
    if (role === R_TARGET) this.set = undefined;
  }

  number(parent: number, key: string, v: number): void {
    if (!isInputTime(v)) return this.value(parent, key, v);
    (this.set as SampleSet).durations.push(v);
  }

  private invalid(what: string): void {
    if (this.bad++ === 0) this.firstBad = what;
  }

  value(parent: number, key: string, v: unknown): void {
    if (parent === R_DOC) {
      this.version = v;
      return;
    }
    if (parent === R_REC) {
      if (key === 'displayName') this.displayName = typeof v === 'string' ? v : '';
      else if (isInputTime(v)) {
        if (key === 'startTime') this.startTime = v;
        else this.endTime = v;
      } else this.b.diag('invalid-event', `recording "${key}" is not a number (${shown(v)}): the extent comes from the records`);
      return;
    }
    const set = this.set as SampleSet;
    if (parent === R_DURS) {
      // Kept as a gap, so later durations stay paired with their samples.
      this.invalid(`sample duration ${set.durations.n} is not a number (${shown(v)})`);
      set.durations.push(NaN);
      return;
    }
    this.read++;
    if (parent === R_STACKS) this.sample(set, v);
    else if (parent === R_MARKERS) {
      if (!isObj(v) || !isInputTime(v.time)) return this.invalid(`a marker without a numeric "time" (${shown(v)})`);
      const type = (typeof v.type === 'string' ? v.type : '').replace(/^timeline-marker-type-/, '');
      // A console.timeStamp() marker's label: its details, or their name.
      const d = v.details;
      const label = typeof d === 'string' ? d : isObj(d) && typeof d.name === 'string' ? d.name : '';
      const name = MARKERS[type] ?? (eventName(type) || 'Marker');
      this.markers.push([v.time, label ? `${name}: ${label}` : name, d !== undefined && d !== null ? { details: d } : undefined]);
    } else this.record(v);
  }

  private sample(set: SampleSet, v: unknown): void {
    if (!isObj(v) || !isInputTime(v.timestamp) || !Array.isArray(v.stackFrames)) {
      this.invalid(`a sample without a numeric "timestamp" and a "stackFrames" array (${shown(v)})`);
      // Kept (at no time) so the durations stay paired.
      set.times.push(NaN);
      set.stacks.push([]);
      return;
    }
    const stack: number[] = [];
    // Leaf first in the file: root first here.
    for (let i = v.stackFrames.length - 1; i >= 0; i--) {
      const f = v.stackFrames[i] as Obj;
      if (!isObj(f)) continue;
      const name = typeof f.name === 'string' && f.name ? f.name : '(anonymous function)';
      const url = typeof f.url === 'string' ? f.url : '';
      const line = typeof f.line === 'number' && f.line >= 0 ? f.line : 0;
      const column = typeof f.column === 'number' && f.column >= 0 ? f.column : 0;
      const key = `${name}\0${url}\0${line}\0${column}`;
      let id = this.frameIds.get(key);
      if (id === undefined) {
        id = this.frames.length;
        this.frameIds.set(key, id);
        // Web Inspector's lines and columns (JavaScriptCore's) are 1-based already.
        this.frames.push({ name, ...(url ? { args: { url, ...(line ? { line } : {}), ...(column ? { column } : {}) } } : {}) });
      }
      stack.push(id);
    }
    set.times.push(v.timestamp);
    set.stacks.push(stack);
  }

  private record(v: unknown): void {
    if (!isObj(v) || typeof v.type !== 'string') return this.invalid(`a record without a "type" (${shown(v)})`);
    const type = v.type.startsWith(PREFIX) ? v.type.slice(PREFIX.length) : v.type;
    if ((type === 'cpu' || type === 'memory') && isInputTime(v.timestamp)) {
      if (type === 'cpu' && isInputTime(v.usage)) this.cpu.push([v.timestamp, v.usage]);
      else if (type === 'memory' && Array.isArray(v.categories)) {
        let size = 0;
        for (const c of v.categories) if (isObj(c) && isInputTime(c.size)) size += c.size;
        this.memory.push([v.timestamp, size]);
      }
      return;
    }
    if (!isInputTime(v.startTime)) {
      this.skipped.set(type, (this.skipped.get(type) ?? 0) + 1);
      return;
    }
    const eventType = typeof v.eventType === 'string' ? v.eventType : '';
    let name = eventType ? eventName(eventType) : type === 'rendering-frame' ? `Frame ${++this.frameNo}` : eventName(type);
    const d = v.details;
    // An event's name, a timer's id: what Web Inspector shows next to the record.
    if (typeof d === 'string' || typeof d === 'number') name = `${name}: ${d}`;
    const args: Obj = {};
    if (eventType) args.eventType = eventType;
    if (d !== undefined && d !== null) args.details = d;
    if (v.extraDetails !== undefined && v.extraDetails !== null) args.extraDetails = v.extraDetails;
    if (Array.isArray(v.quad)) args.quad = v.quad;
    const end = isInputTime(v.endTime) && v.endTime >= v.startTime ? v.endTime : v.startTime;
    this.records.push({ type, name, start: v.startTime, end, args: Object.keys(args).length ? args : undefined });
  }

  // ---- layout ----

  protected *layout(): Generator<void, void, void> {
    const b = this.b;
    if (!this.recording) {
      throw new TraceImportError({
        format: 'safari-timeline',
        message: 'no "recording" object: not a Safari timeline recording',
        expected: '{"version": 1, "recording": {"records": […], "sampleStackTraces": […], …}}',
      });
    }
    const samples = this.sets.reduce((n, s) => n + s.stacks.length, 0);
    if (this.records.length === 0 && samples === 0 && this.markers.length === 0 && this.cpu.length === 0 && this.memory.length === 0) {
      const skipped = [...this.skipped.values()].reduce((a, n) => a + n, 0);
      throw new TraceImportError({
        format: 'safari-timeline',
        message: `the recording has no samples nor timed records${this.bad ? ` (${this.firstBad})` : skipped ? ` (${skipped} records without a "startTime")` : ''}`,
        expected: 'a recording with "sampleStackTraces" or "records" with "startTime"/"endTime"',
      });
    }
    if (this.version !== 1) b.diag('invalid-event', `recording format version ${shown(this.version)}, not 1: read as version 1`);
    if (this.bad) b.diag('invalid-event', `${this.firstBad}: skipped`, this.bad);
    for (const [type, n] of this.skipped) {
      const why = type === 'network' ? 'HAR entries timed on the wall clock, not the recording clock' : 'no "startTime"';
      b.diag('skipped-section', `${n} ${type} record${n === 1 ? '' : 's'} skipped (${why})`, n);
    }
    // Origin: the recording's start, else its earliest time.
    let origin = this.startTime;
    if (!Number.isFinite(origin)) {
      origin = Infinity;
      for (const r of this.records) origin = Math.min(origin, r.start);
      for (const s of this.sets) for (let i = 0; i < s.times.n; i++) if (s.times.a[i] < origin) origin = s.times.a[i];
      for (const [t] of this.markers) origin = Math.min(origin, t);
      if (!Number.isFinite(origin)) origin = 0;
    }
    b.setTimeBase(origin * 1000, 'trace');
    const ns = (s: number): number => (s - origin) * 1e9;
    // Keyed by its name alone: the group's label is the recording's name.
    const g = b.group(GroupKind.PROCESS, this.displayName || 'Safari timeline recording');

    const byType = new Map<string, number>();
    for (const r of this.records) {
      let track = byType.get(r.type);
      if (track === undefined) {
        track = b.track(g, TrackKind.THREAD, `records:${r.type}`, TRACKS[r.type] ?? eventName(r.type));
        byType.set(r.type, track);
      }
      const cat = b.intern(r.type);
      const args = r.args ? b.addDetails({ args: r.args }) : -1;
      if (r.end > r.start) b.addSlice(track, ns(r.start), ns(r.end) - ns(r.start), b.intern(r.name), cat, 0, args);
      else b.addInstant(track, ns(r.start), b.intern(r.name), cat, InstantScope.THREAD, -1, args);
    }
    b.countEvent('record', this.records.length);
    if (this.markers.length) {
      const track = b.track(g, TrackKind.INSTANTS, 'markers', 'Markers');
      for (const [t, name, details] of this.markers) b.addInstant(track, ns(t), b.intern(name), b.intern('marker'), InstantScope.PROCESS, -1, details ? b.addDetails({ args: details }) : -1);
      b.countEvent('marker', this.markers.length);
    }
    if (this.cpu.length) {
      const s = b.counterSeries(b.track(g, TrackKind.COUNTER, 'cpu', 'CPU usage (%)'), 'usage');
      for (const [t, v] of this.cpu) b.addCounterValue(s, ns(t), v);
    }
    if (this.memory.length) {
      const s = b.counterSeries(b.track(g, TrackKind.COUNTER, 'memory', 'Memory (bytes)'), 'total');
      for (const [t, v] of this.memory) b.addCounterValue(s, ns(t), v);
    }
    let k = 0;
    for (let si = 0; si < this.sets.length; si++) {
      const set = this.sets[si];
      const n = set.stacks.length;
      if (n === 0) continue;
      if (set.durations.n !== n) b.diag('invalid-event', `${set.durations.n} sample durations for ${n} samples: a sample without one lasts until the next`);
      const track = b.track(g, TrackKind.SAMPLES, `samples:${si}`, this.sets.length > 1 ? `JavaScript samples (target ${si + 1})` : 'JavaScript samples');
      const runs = new StackRuns(b, track, new FrameRefs(b, (id) => this.frames[id]));
      // Samples without a time (reported when read) are left out.
      const order = Uint32Array.from({ length: n }, (_, i) => i)
        .filter((i) => set.times.a[i] === set.times.a[i])
        .sort((x, y) => set.times.a[x] - set.times.a[y] || x - y);
      if (order.length === 0) continue;
      const none: number[] = [];
      let end = Infinity;
      for (const i of order) {
        const t = set.times.a[i];
        // A sample lasts its duration: from its end to the next sample nothing ran (idle). Durations
        // are deltas of the same float seconds: a next sample less than 1 µs later follows on.
        if (t - end > 1e-6) runs.sample(none, 0, 0, ns(end));
        runs.sample(set.stacks[i], 0, set.stacks[i].length, ns(t));
        const d = i < set.durations.n ? set.durations.a[i] : NaN;
        end = d === d ? t + d : Infinity;
        if ((++k & (STEP - 1)) === 0) yield;
      }
      const last = set.times.a[order[order.length - 1]];
      runs.end(ns(Number.isFinite(end) ? end : Number.isFinite(this.endTime) && this.endTime > last ? this.endTime : last));
      b.countEvent('sample', n);
    }
    if (Number.isFinite(this.endTime)) b.noteTime(ns(this.endTime));
  }
}
