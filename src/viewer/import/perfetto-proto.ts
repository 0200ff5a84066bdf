/**
 * Perfetto's native protobuf trace (`perfetto.protos.Trace`: repeated `TracePacket packet = 1`),
 * as Perfetto, Chrome's `Tracing.start({streamFormat: 'proto'})` and the Perfetto SDK write it.
 *
 * Streamed packet by packet: a packet inside one chunk is decoded in place; only a packet that
 * spans chunks is copied (into a buffer of its own size). What is read is the TrackEvent model:
 * TrackDescriptors (process / thread / counter / async tracks), TrackEvents (slices, instants,
 * counters, flows, debug annotations, the legacy_event phases Chrome still writes), interned data
 * and packet defaults per sequence, and clocks (incremental sequence clocks, ClockSnapshots).
 * Field numbers are those of Perfetto's .proto files (protos/perfetto/trace/…).
 */
import { TraceBuilder, runSteps } from '../model/builder';
import {
  FlowKind,
  GroupKind,
  InstantScope,
  SliceFlag,
  TraceImportError,
  TrackKind,
  type SliceDetails,
  type StringId,
  type TraceModel,
} from '../model/trace-model';
import { readVarint, varOut, Wire, WireError, WT_LEN } from './protobuf';
import { joinBytes } from './bytes';
import { unzstdAll } from './zstd';

// TracePacket fields.
const P_TIMESTAMP = 8;
const P_CLOCK_ID = 58;
const P_SEQ_ID = 10;
const P_SEQ_FLAGS = 13;
const P_CLEARED = 41;
const P_DROPPED = 42;
const P_TRACK_EVENT = 11;
const P_INTERNED = 12;
const P_DEFAULTS = 59;
const P_TRACK_DESCRIPTOR = 60;
const P_CLOCK_SNAPSHOT = 6;
const P_COMPRESSED = 50;
const P_ZSTD_COMPRESSED = 133;
/** The pre-TrackDescriptor way (Chrome ≤ 2020): a sequence's thread and its µs time base. */
const P_THREAD_DESCRIPTOR = 44;
const P_PROCESS_DESCRIPTOR = 43;
/** Fields of every packet that say where and when, not what. */
const PACKET_META = new Set([P_TIMESTAMP, P_CLOCK_ID, P_SEQ_ID, P_SEQ_FLAGS, P_CLEARED, P_DROPPED, P_INTERNED, P_DEFAULTS, 3 /* trusted_uid */, 79 /* trusted_pid */, 87 /* first_packet_on_sequence */, 98 /* machine_id */]);
/** Trace-wide bookkeeping a viewer has nothing to draw from: read past silently. */
const TRACE_METADATA = new Set([33, 34, 35, 36, 45, 46, 51, 67, 69, 72, 89, 113, 124, 126, 5 /* Chrome's metadata bundle */]);
/** Names of other data sources' packets, for the diagnostic that counts them. */
const PACKET_NAMES: Record<number, string> = {
  1: 'ftrace_events',
  2: 'process_tree',
  4: 'inode_file_map',
  7: 'sys_stats',
  9: 'process_stats',
  37: 'profile_packet',
  38: 'battery',
  39: 'android_log',
  40: 'power_rails',
  47: 'packages_list',
  49: 'perfetto_metatrace',
  50: 'compressed_packets',
  54: 'streaming_profile_packet',
  66: 'perf_sample',
  99: 'v8_js_code',
};

const SEQ_INCREMENTAL_STATE_CLEARED = 1;
const SEQ_NEEDS_INCREMENTAL_STATE = 2;
const BOOTTIME = 6;
const CLOCK_NAMES: Record<number, string> = { 1: 'REALTIME', 2: 'REALTIME_COARSE', 3: 'MONOTONIC', 4: 'MONOTONIC_COARSE', 5: 'MONOTONIC_RAW', 6: 'BOOTTIME' };
const CHROME_PROCESS: Record<number, string> = { 1: 'Browser', 2: 'Renderer', 3: 'Utility', 4: 'Zygote', 5: 'SandboxHelper', 6: 'GPU Process', 7: 'PpapiPlugin', 8: 'PpapiBroker' };
/** A top-level packet longer than this is corrupt data, not a packet (Perfetto's are ≤ a few MB). */
const MAX_PACKET = 1 << 28;
const MAX_NESTING = 32;

// TrackEvent.Type
const SLICE_BEGIN = 1;
const SLICE_END = 2;
const INSTANT = 3;
const COUNTER = 4;

/** A sequence-scoped clock (ids 64–127) as its last ClockSnapshot on the sequence defined it. */
interface SeqClock {
  mult: number;
  incremental: boolean;
  /** Last value in the clock's units (incremental clocks add each packet's delta). */
  last: number;
  /** Trace-clock ns minus this clock's ns at the snapshot (NaN: no trace clock to relate it to). */
  offset: number;
}

/** Per trusted_packet_sequence_id state: interning tables and defaults, valid until cleared. */
class Sequence {
  valid = false;
  names = new Map<number, StringId>();
  cats = new Map<number, StringId>();
  argNames = new Map<number, string>();
  argStrings = new Map<number, string>();
  locations = new Map<number, { file: string; fn: string; line: number }>();
  clockId = -1;
  defTrack: string | undefined;
  defExtra: string[] = [];
  defExtraDouble: string[] = [];
  clocks = new Map<number, SeqClock>();
  /** Legacy ThreadDescriptor: the sequence's thread track, and the µs bases its TrackEvents' deltas add to. */
  thread: string | undefined;
  refUs = 0;
  refTtUs = NaN;
  /** Running values of incremental counters on this sequence (by track key). */
  counters = new Map<string, number>();

  reset(): void {
    this.names.clear();
    this.cats.clear();
    this.argNames.clear();
    this.argStrings.clear();
    this.locations.clear();
    this.clockId = -1;
    this.defTrack = undefined;
    this.defExtra = [];
    this.defExtraDouble = [];
    this.clocks.clear();
    this.counters.clear();
    this.thread = undefined;
    this.refUs = 0;
    this.refTtUs = NaN;
  }
}

/** What the TrackDescriptors said of one track uuid (merged: descriptors are re-emitted). */
interface TrackInfo {
  uuid: string;
  label: string;
  described: boolean;
  parent: string | undefined;
  name: string;
  pid: number | undefined;
  tid: number | undefined;
  isProcess: boolean;
  processName: string;
  /** CounterDescriptor: builtin type (1 = thread time), unit multiplier, incremental. */
  counter: { type: number; mult: number; incremental: boolean } | undefined;
  /** child_ordering of its children (1 lexicographic, 2 chronological, 3 explicit; 0 unset). */
  ordering: number;
  /** sibling_order_rank (0 when unset: what Perfetto sorts an unranked track as). */
  rank: number;
  /** Builder track, once events use it (-1 before). */
  bt: number;
  kind: TrackKind;
  /** Open SLICE_BEGINs on this track. */
  stack: Open[];
}

interface Open {
  slice: number;
  /** Annotations as JSON object members (`"k":v,…`; '' for none): serialised once, as decoded. */
  args: string;
  /** Thread time (ns) at the begin, when the sequence records it. */
  tt: number;
}

/** What one TrackEvent carries (reused scratch). */
interface Ev {
  type: number;
  name: StringId;
  hasName: boolean;
  nameIid: number;
  catId: StringId;
  track: string | undefined;
  /** JSON object members, as Open.args. */
  args: string;
  counter: number;
  hasCounter: boolean;
  extraUuids: string[] | undefined;
  extraValues: number[];
  extraDoubleUuids: string[] | undefined;
  extraDoubleValues: number[];
  flows: string[];
  termFlows: string[];
  phase: number;
  durUs: number;
  legacyId: string | undefined;
  idScope: string;
  bindId: string | undefined;
  flowDir: number;
  instantScope: number;
  /** Legacy thread_time (µs), NaN when absent. */
  ttUs: number;
  /** legacy_event.thread_duration_us of a complete event (NaN when absent). */
  tdurUs: number;
  /** legacy_event.pid_override / tid_override (NaN when absent). */
  pidOv: number;
  tidOv: number;
}

type Value = unknown;

export class PerfettoImporter {
  readonly builder = new TraceBuilder('perfetto-proto');
  /** Packets read. */
  events = 0;
  /** Bytes consumed. */
  bytes = 0;

  // ---- stream state ----
  private hdr = new Uint8Array(24);
  private hdrLen = 0;
  /** The packet being assembled across chunks, its declared length, bytes so far, and offset. */
  private pkt: Uint8Array | null = null;
  private pktLen = 0;
  private pktFill = 0;
  private pktAt = 0;
  /** Bytes of a non-packet top-level field still to skip, and where that field's data starts. */
  private skipLeft = 0;
  private skipAt = 0;
  /** Set at corrupt framing: the rest of the input is skipped. */
  private dead = false;

  // ---- trace state ----
  private seqs = new Map<number, Sequence>();
  private tracks = new Map<string, TrackInfo>();
  private groups = new Map<string, number>();
  /** ClockSnapshots of global clocks: clock id → ns, per snapshot, in arrival order. */
  private snapshots: Array<Map<number, number>> = [];
  /** The clock times are shown in: ClockSnapshot.primary_trace_clock, else BOOTTIME. */
  private traceClock = BOOTTIME;
  private baseNs = NaN;
  private flowRecs: Array<{ id: string; slice: number; t: number; term: boolean }> = [];
  private skipped = new Map<number, number>();
  private unknownClocks = new Set<number>();
  private counts = { begin: 0, end: 0, instant: 0, counter: 0, complete: 0, descriptor: 0 };
  private legacyAsync = new Map<string, Open[]>();
  private ev: Ev = newEv();
  /** Readers reused for every packet and its TrackEvent (the hot path allocates none). */
  private pw = new Wire(new Uint8Array(0), 0, 0);
  private tw = new Wire(new Uint8Array(0), 0, 0);
  private pushExtra = (): void => void this.ev.extraValues.push(this.tw.signed());
  /**
   * compressed_packets payloads waiting for `drain()` (inflating is async), and the packets read
   * after one, queued behind it so that sequence state is applied in file order.
   */
  private queue: Array<{ zipped?: 'deflate' | 'zstd'; b: Uint8Array; at: number }> = [];
  private draining = false;

  // ---- streaming ----

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      if (this.dead) {
        this.bytes += n - p;
        return;
      }
      if (this.skipLeft > 0) {
        const k = Math.min(this.skipLeft, n - p);
        this.skipLeft -= k;
        p += k;
        this.bytes += k;
        continue;
      }
      if (this.pkt) {
        const k = Math.min(this.pktLen - this.pktFill, n - p);
        if (this.pktFill + k > this.pkt.length) {
          // Grown as bytes arrive: a truncated file must not allocate the length it claims.
          const g = new Uint8Array(Math.min(this.pktLen, Math.max(this.pkt.length * 2, this.pktFill + k)));
          g.set(this.pkt.subarray(0, this.pktFill));
          this.pkt = g;
        }
        this.pkt.set(chunk.subarray(p, p + k), this.pktFill);
        this.pktFill += k;
        p += k;
        this.bytes += k;
        if (this.pktFill === this.pktLen) {
          const b = this.pkt;
          this.pkt = null;
          this.packet(b, 0, this.pktLen, this.pktAt);
        }
        continue;
      }
      if (this.hdrLen === 0) {
        const used = this.header(chunk, p, n);
        if (used > 0) {
          p += used;
          this.bytes += used;
          p = this.startPacket(chunk, p, n);
          continue;
        }
        if (used < 0) return this.corrupt(used);
      }
      // The header itself is cut by the chunk's end: gather it byte by byte.
      const had = this.hdrLen;
      const k = Math.min(this.hdr.length - had, n - p);
      this.hdr.set(chunk.subarray(p, p + k), had);
      this.hdrLen += k;
      const used = this.header(this.hdr, 0, this.hdrLen);
      if (used < 0) return this.corrupt(used);
      if (used === 0) {
        if (this.hdrLen === this.hdr.length) return this.corrupt(-1);
        this.bytes += k;
        p += k;
        continue;
      }
      this.hdrLen = 0;
      p += used - had;
      this.bytes += used - had;
      p = this.startPacket(chunk, p, n);
    }
  }

  /** Field number, wire type and length of the top-level field at `p` (set by `header`). */
  private hField = 0;
  private hLen = 0;

  /**
   * Reads a top-level field header at b[p, end): the bytes it took, 0 when incomplete, -1 for a
   * varint over 10 bytes, -2 for a wire type / field that cannot start a field here.
   */
  private header(b: Uint8Array, p: number, end: number): number {
    const start = p;
    const tag = readVarint(b, p, end);
    if (tag === undefined) return 0;
    if (tag < 0) return -1;
    p = varOut.end;
    const field = Math.floor(tag / 8);
    const wt = tag % 8;
    if (field === 0) return -2;
    let len = 0;
    if (wt === 0) {
      const v = readVarint(b, p, end);
      if (v === undefined) return 0;
      if (v < 0) return -1;
      p = varOut.end;
    } else if (wt === 1) len = 8;
    else if (wt === 5) len = 4;
    else if (wt === 2) {
      const v = readVarint(b, p, end);
      if (v === undefined) return 0;
      if (v < 0) return -1;
      if (v > MAX_PACKET) return -3;
      p = varOut.end;
      len = v;
    } else return -2;
    this.hField = wt === 2 ? field : -field;
    this.hLen = len;
    return p - start;
  }

  /** After a header: a packet is decoded in place when whole in this chunk, else gathered. */
  private startPacket(chunk: Uint8Array, p: number, n: number): number {
    const len = this.hLen;
    if (this.hField !== 1) {
      this.skipLeft = len;
      this.skipAt = this.bytes;
      this.skipped.set(-1, (this.skipped.get(-1) ?? 0) + 1);
      return p;
    }
    const at = this.bytes;
    if (n - p >= len) {
      this.bytes += len;
      this.packet(chunk, p, p + len, at);
      return p + len;
    }
    this.pktAt = at;
    this.pktLen = len;
    this.pktFill = 0;
    this.pkt = new Uint8Array(Math.min(len, Math.max(1 << 16, (n - p) * 2)));
    return p;
  }

  /**
   * Inflates queued compressed_packets and reads the packets inside (and those queued behind them),
   * in order. The pipeline awaits it after each push; undefined when nothing waits.
   */
  drain(): Promise<void> | undefined {
    return this.queue.length && !this.draining ? this.drainQueue() : undefined;
  }

  private async drainQueue(): Promise<void> {
    this.draining = true;
    try {
      for (let q = this.queue.shift(); q; q = this.queue.shift()) {
        if (!q.zipped) {
          this.packet(q.b, 0, q.b.length, q.at);
          continue;
        }
        let b: Uint8Array;
        try {
          b = q.zipped == 'zstd' ? unzstdAll(q.b, MAX_PACKET) : await inflate(q.b);
        } catch (e) {
          this.builder.diag('invalid-event', `${q.zipped == 'zstd' ? 'zstd_' : ''}compressed_packets at byte ${q.at} (${q.b.length} bytes) could not be inflated (${(e as Error).message}); the packets in it are lost`);
          continue;
        }
        // The inflated bytes are framed as a Trace: repeated `TracePacket packet = 1`.
        const w = new Wire(b, 0, b.length);
        try {
          while (w.next()) if (w.field === 1 && w.type === WT_LEN) this.packet(b, w.start, w.end, q.at);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          this.builder.diag('invalid-event', `${q.zipped == 'zstd' ? 'zstd_' : ''}compressed_packets at byte ${q.at}: ${e.message} at byte ${e.at} of its ${b.length} inflated bytes; the rest of it is skipped`);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private corrupt(code: number): void {
    const at = this.bytes;
    const why = code === -1 ? 'a varint longer than 10 bytes' : code === -3 ? 'a packet length over 256 MB' : 'no packet field (field 1, length-delimited) where one must start';
    this.dead = true;
    if (this.events === 0) {
      throw new TraceImportError({ format: 'perfetto-proto', message: `corrupt data: ${why}`, offset: at, expected: 'TracePacket fields (tag 0x0a, length)' });
    }
    this.builder.diag('truncated-input', `corrupt data at byte ${at} (${why}): the ${this.events} packets before it are kept, the rest of the file is skipped`);
  }

  finish(): TraceModel {
    return runSteps(this.finishSteps());
  }

  preview(): TraceBuilder {
    return this.builder.snapshot();
  }

  *finishSteps(): Generator<void, TraceModel, void> {
    const b = this.builder;
    if (this.pkt || this.hdrLen > 0 || this.skipLeft > 0) {
      const what = this.pkt
        ? `the packet at byte ${this.pktAt} declares ${this.pktLen} bytes but only ${this.pktFill} follow`
        : this.hdrLen > 0
          ? `it ends inside a packet header at byte ${this.bytes - this.hdrLen}`
          : `the non-packet field at byte ${this.skipAt} ends ${this.skipLeft} bytes after the end`;
      if (this.events === 0 && !this.pkt) throw new TraceImportError({ format: 'perfetto-proto', message: `no complete packet: ${what}`, offset: this.bytes });
      b.diag('truncated-input', `the trace is cut short: ${what}; the ${this.events} packets before it are kept`);
      this.pkt = null;
    }
    if (this.queue.length) {
      const z = this.queue.filter((q) => q.zipped).length;
      b.diag('skipped-section', `${z} compressed_packets not inflated (read without the async import pipeline), nor the ${this.queue.length - z} packets after them`);
      this.queue = [];
    }
    for (const t of this.tracks.values()) {
      for (const o of t.stack) {
        b.diag('unclosed-begin', `SLICE_BEGIN "${b.strings[b.sliceName(o.slice)]}" on ${this.where(t)} never ended; drawn to the end of the trace`);
        this.settle(o, '', NaN);
      }
      t.stack = [];
      if (t.bt >= 0 && !t.described && t.uuid !== '0') b.diag('unknown-track', `events on track uuid ${t.label}, which no TrackDescriptor describes: shown under Global`);
    }
    for (const [, stack] of this.legacyAsync) {
      for (const o of stack) {
        b.diag('unclosed-async', `async slice "${b.strings[b.sliceName(o.slice)]}" never ended`);
        this.settle(o, '', NaN);
      }
    }
    this.flushFlows();
    this.orderChildren();
    let other = 0;
    const parts: string[] = [];
    for (const [f, n] of this.skipped) {
      other += n;
      parts.push(`${f < 0 ? 'non-packet fields' : (PACKET_NAMES[f] ?? `field ${f}`)} × ${n}`);
    }
    if (other) b.diag('skipped-section', `${other} packets of other data sources are not drawn (${parts.join(', ')})`, other);
    for (const c of this.unknownClocks) {
      b.diag('unknown-clock', `timestamps on clock ${CLOCK_NAMES[c] ?? c} have no ClockSnapshot relating them to ${CLOCK_NAMES[this.traceClock] ?? this.traceClock}: used as they are`);
    }
    const c = this.counts;
    const add = (k: string, n: number): void => {
      if (n) b.countEvent(k, n);
    };
    add('SLICE_BEGIN', c.begin);
    add('SLICE_END', c.end);
    add('INSTANT', c.instant);
    add('COUNTER', c.counter);
    add('COMPLETE', c.complete);
    add('TrackDescriptor', c.descriptor);
    return yield* b.finishSteps();
  }

  // ---- packets ----

  private seq(id: number): Sequence {
    let s = this.seqs.get(id);
    if (!s) {
      s = new Sequence();
      this.seqs.set(id, s);
    }
    return s;
  }

  private packet(b: Uint8Array, s: number, e: number, at: number): void {
    if (this.queue.length && !this.draining) {
      this.queue.push({ b: b.slice(s, e), at });
      return;
    }
    this.events++;
    const w = this.pw.reset(b, s, e);
    let hasTs = false;
    let tsLo = 0;
    let tsHi = 0;
    let clockId = -1;
    let seqId = 0;
    let flags = 0;
    let cleared = false;
    let dropped = false;
    let te: Wire | undefined;
    let interned: Wire | undefined;
    let defaults: Wire | undefined;
    let td: Wire | undefined;
    let cs: Wire | undefined;
    let legacyThread: Wire | undefined;
    let legacyProcess: Wire | undefined;
    let data = 0;
    try {
      while (w.next()) {
        switch (w.field) {
          case P_TIMESTAMP:
            hasTs = true;
            tsLo = w.lo;
            tsHi = w.hi;
            break;
          case P_CLOCK_ID:
            clockId = w.num();
            break;
          case P_SEQ_ID:
            seqId = w.num();
            break;
          case P_SEQ_FLAGS:
            flags = w.lo;
            break;
          case P_CLEARED:
            cleared = w.bool();
            break;
          case P_DROPPED:
            dropped = w.bool();
            break;
          case P_TRACK_EVENT:
            if (w.type === WT_LEN) te = this.tw.reset(b, w.start, w.end);
            break;
          case P_INTERNED:
            if (w.type === WT_LEN) interned = w.sub();
            break;
          case P_DEFAULTS:
            if (w.type === WT_LEN) defaults = w.sub();
            break;
          case P_TRACK_DESCRIPTOR:
            if (w.type === WT_LEN) td = w.sub();
            break;
          case P_CLOCK_SNAPSHOT:
            if (w.type === WT_LEN) cs = w.sub();
            break;
          case P_THREAD_DESCRIPTOR:
            if (w.type === WT_LEN) legacyThread = w.sub();
            break;
          case P_PROCESS_DESCRIPTOR:
            if (w.type === WT_LEN) legacyProcess = w.sub();
            break;
          case P_COMPRESSED:
          case P_ZSTD_COMPRESSED:
            // A zlib (or, since Perfetto v58, zstd) stream of more framed packets (the trace config's `compression_type`).
            if (w.type === WT_LEN) this.queue.push({ zipped: w.field == P_COMPRESSED ? 'deflate' : 'zstd', b: b.slice(w.start, w.end), at: at + w.start - s });
            break;
          default:
            if (!PACKET_META.has(w.field)) data = w.field;
        }
      }
      const sq = this.seq(seqId);
      // Order within a packet: loss invalidates, a clear resets, then the packet's own state.
      if (dropped) sq.valid = false;
      if (cleared || flags & SEQ_INCREMENTAL_STATE_CLEARED) {
        sq.reset();
        sq.valid = true;
      } else if (flags & SEQ_NEEDS_INCREMENTAL_STATE && !sq.valid) {
        this.builder.diag('lost-state', `packet at byte ${at} (sequence ${seqId}) needs interned data or defaults that were lost before it (ring buffer wrap or a cut trace); such packets are skipped until the sequence's state is re-emitted`);
        return;
      }
      if (defaults) this.defaults(defaults, sq);
      if (interned) this.interned(interned, sq);
      if (cs) this.clockSnapshot(cs, sq);
      let t = NaN;
      if (hasTs) t = this.time(sq, clockId >= 0 ? clockId : sq.clockId >= 0 ? sq.clockId : BOOTTIME, tsLo, tsHi);
      if (td) this.descriptor(td);
      if (legacyProcess) this.legacyProcess(legacyProcess);
      if (legacyThread) this.legacyThread(legacyThread, sq);
      if (te) this.trackEvent(te, sq, t, at);
      else if (data && !TRACE_METADATA.has(data)) this.skipped.set(data, (this.skipped.get(data) ?? 0) + 1);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.builder.diag('invalid-event', `packet at byte ${at} is malformed (${err.message}, byte ${at + err.at - s}); skipped`);
    }
  }

  private defaults(w: Wire, sq: Sequence): void {
    while (w.next()) {
      if (w.field === P_CLOCK_ID) sq.clockId = w.num();
      else if (w.field === 11 && w.type === WT_LEN) {
        const d = w.sub();
        while (d.next()) {
          if (d.field === 11) sq.defTrack = d.key();
          else if (d.field === 31) d.repeated(() => sq.defExtra.push(d.key()));
          else if (d.field === 45) d.repeated(() => sq.defExtraDouble.push(d.key()));
        }
      }
    }
  }

  private interned(w: Wire, sq: Sequence): void {
    const b = this.builder;
    while (w.next()) {
      const f = w.field;
      if (w.type !== WT_LEN || !(f <= 4 || f === 29)) continue;
      const e = w.sub();
      let iid = 0;
      let name = '';
      let fn = '';
      let line = 0;
      while (e.next()) {
        if (e.field === 1) iid = e.num();
        else if (e.field === 2 && e.type === WT_LEN) name = e.str();
        else if (f === 4 && e.field === 3 && e.type === WT_LEN) fn = e.str();
        else if (f === 4 && e.field === 4) line = e.num();
      }
      if (f === 1) sq.cats.set(iid, b.intern(name));
      else if (f === 2) sq.names.set(iid, b.intern(name));
      else if (f === 3) sq.argNames.set(iid, name);
      else if (f === 29) sq.argStrings.set(iid, name);
      else sq.locations.set(iid, { file: name, fn, line });
    }
  }

  // ---- clocks ----

  private clockSnapshot(w: Wire, sq: Sequence): void {
    const clocks: Array<{ id: number; ns: number; raw: number; incremental: boolean; mult: number }> = [];
    let primary = -1;
    while (w.next()) {
      if (w.field === 2) primary = w.num();
      else if (w.field === 1 && w.type === WT_LEN) {
        const c = w.sub();
        let id = 0;
        let raw = 0;
        let incremental = false;
        let mult = 1;
        while (c.next()) {
          if (c.field === 1) id = c.num();
          else if (c.field === 2) raw = c.num();
          else if (c.field === 3) incremental = c.bool();
          else if (c.field === 4) mult = c.num() || 1;
        }
        clocks.push({ id, ns: raw * mult, raw, incremental, mult });
      }
    }
    if (primary > 0 && this.snapshots.length === 0 && this.baseNs !== this.baseNs) this.traceClock = primary;
    const global = new Map<number, number>();
    for (const c of clocks) if (c.id < 64 || c.id > 127) global.set(c.id, c.ns);
    if (global.size > 1) this.snapshots.push(global);
    for (const c of clocks) {
      if (c.id < 64 || c.id > 127) continue;
      // Related to the trace clock through a global clock read at the same moment.
      let offset = NaN;
      for (const [g, ns] of global) {
        const inTrace = this.toTrace(g, ns, false);
        if (inTrace === inTrace) {
          offset = inTrace - c.ns;
          if (g === this.traceClock) break;
        }
      }
      sq.clocks.set(c.id, { mult: c.mult, incremental: c.incremental, last: c.raw, offset });
    }
  }

  /** A global clock's ns on the trace clock, through the latest snapshot holding both (NaN: none). */
  private toTrace(clock: number, ns: number, note = true): number {
    if (clock === this.traceClock) return ns;
    let best: Map<number, number> | undefined;
    for (const s of this.snapshots) {
      const c = s.get(clock);
      if (c === undefined || !s.has(this.traceClock)) continue;
      if (!best || c <= ns) best = s;
    }
    if (!best) {
      if (note) this.unknownClocks.add(clock);
      return note ? ns : NaN;
    }
    return (best.get(this.traceClock) as number) + (ns - (best.get(clock) as number));
  }

  /** A packet timestamp in trace-clock ns (incremental clocks advance). */
  private time(sq: Sequence, clock: number, lo: number, hi: number): number {
    const v = hi * 4294967296 + lo;
    let ns: number;
    if (clock >= 64 && clock <= 127) {
      const c = sq.clocks.get(clock);
      if (!c) {
        this.unknownClocks.add(clock);
        ns = v;
      } else {
        c.last = c.incremental ? c.last + v : v;
        ns = c.last * c.mult;
        if (c.offset === c.offset) ns += c.offset;
        else this.unknownClocks.add(clock);
      }
    } else ns = this.toTrace(clock, v);
    return ns;
  }

  private rel(ns: number): number {
    if (this.baseNs !== this.baseNs) {
      this.baseNs = ns;
      this.builder.setTimeBase(ns / 1e6, 'trace');
    }
    return ns - this.baseNs;
  }

  // ---- tracks ----

  private info(uuid: string, label: string): TrackInfo {
    let t = this.tracks.get(uuid);
    if (!t) {
      t = { uuid, label, described: false, parent: undefined, name: '', pid: undefined, tid: undefined, isProcess: false, processName: '', counter: undefined, ordering: 0, rank: 0, bt: -1, kind: TrackKind.ASYNC, stack: [] };
      this.tracks.set(uuid, t);
    }
    return t;
  }

  private processGroup(pid: number): number {
    const key = String(pid);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = this.builder.group(GroupKind.PROCESS, key);
      this.groups.set(key, g);
    }
    return g;
  }

  private globalGroup(): number {
    return this.builder.group(GroupKind.GLOBAL, '', 'Global');
  }

  private descriptor(w: Wire): void {
    this.counts.descriptor++;
    let uuid = '0';
    let label = '0';
    let parent: string | undefined;
    let name = '';
    let proc: Wire | undefined;
    let thread: Wire | undefined;
    let chromeProc: Wire | undefined;
    let counter: Wire | undefined;
    let ordering = -1;
    let rank: number | undefined;
    while (w.next()) {
      switch (w.field) {
        case 1:
          uuid = w.key();
          label = w.decimal();
          break;
        case 11: // child_ordering
          ordering = w.num();
          break;
        case 12: // sibling_order_rank (int32)
          rank = w.signed();
          break;
        case 5:
          parent = w.key();
          break;
        case 2:
        case 10: // static_name
        case 13: // atrace_name
          if (w.type === WT_LEN) name = w.str();
          break;
        case 3:
          if (w.type === WT_LEN) proc = w.sub();
          break;
        case 4:
          if (w.type === WT_LEN) thread = w.sub();
          break;
        case 6:
          if (w.type === WT_LEN) chromeProc = w.sub();
          break;
        case 8:
          if (w.type === WT_LEN) counter = w.sub();
          break;
      }
    }
    const t = this.info(uuid, label);
    const wasDescribed = t.described;
    t.described = true;
    if (parent !== undefined && parent !== '0') t.parent = parent;
    if (name) t.name = name;
    if (ordering >= 0) t.ordering = ordering;
    if (rank !== undefined) t.rank = rank;
    if (proc) {
      t.isProcess = true;
      while (proc.next()) {
        if (proc.field === 1) t.pid = proc.signed();
        else if (proc.field === 6 && proc.type === WT_LEN) t.processName = proc.str();
      }
    }
    if (chromeProc) {
      while (chromeProc.next()) if (chromeProc.field === 1 && !t.processName) t.processName = CHROME_PROCESS[chromeProc.num()] ?? '';
    }
    if (thread) {
      while (thread.next()) {
        if (thread.field === 1) t.pid = thread.signed();
        else if (thread.field === 2) t.tid = thread.signed();
        else if (thread.field === 5 && thread.type === WT_LEN) t.name = thread.str() || t.name;
      }
    }
    if (counter) {
      const c = { type: 0, mult: 1, incremental: false };
      while (counter.next()) {
        if (counter.field === 1) c.type = counter.num();
        else if (counter.field === 4) c.mult = counter.signed() || 1;
        else if (counter.field === 5) c.incremental = counter.bool();
      }
      t.counter = c;
    }
    if (t.isProcess && t.pid !== undefined) {
      const g = this.processGroup(t.pid);
      const pname = t.processName || t.name;
      if (pname) this.builder.setGroupName(g, pname);
    }
    // Events came first (another sequence's descriptor arrives later): move the track into place.
    if (t.bt >= 0 && !wasDescribed) {
      const [g, kind] = this.placement(t);
      this.builder.moveTrack(t.bt, g, kind);
      t.kind = kind;
    }
    if (t.bt >= 0 && t.name) this.builder.setTrackName(t.bt, t.name);
  }

  /** ProcessDescriptor as a packet of its own (legacy): names the pid's process group. */
  private legacyProcess(w: Wire): void {
    let pid: number | undefined;
    let name = '';
    while (w.next()) {
      if (w.field === 1) pid = w.signed();
      else if (w.field === 6 && w.type === WT_LEN) name = w.str();
      else if (w.field === 4 && !name) name = CHROME_PROCESS[w.num()] ?? '';
    }
    if (pid !== undefined && name) this.builder.setGroupName(this.processGroup(pid), name);
  }

  /**
   * ThreadDescriptor as a packet of its own (legacy): the sequence's events without a track_uuid
   * are on this thread, and their timestamp_delta_us add up from reference_timestamp_us.
   */
  private legacyThread(w: Wire, sq: Sequence): void {
    let pid: number | undefined;
    let tid: number | undefined;
    let name = '';
    while (w.next()) {
      if (w.field === 1) pid = w.signed();
      else if (w.field === 2) tid = w.signed();
      else if (w.field === 5 && w.type === WT_LEN) name = w.str();
      else if (w.field === 6) sq.refUs = w.signed();
      else if (w.field === 7) sq.refTtUs = w.signed();
    }
    if (tid === undefined) return;
    // A key no uuid (base-36 digits, '.') can take.
    const key = `td:${pid ?? ''}:${tid}`;
    const t = this.tracks.get(key) ?? this.info(key, `thread ${tid}`);
    t.described = true;
    t.pid = pid;
    t.tid = tid;
    if (name) {
      t.name = name;
      if (t.bt >= 0) this.builder.setTrackName(t.bt, name);
    }
    sq.thread = key;
  }

  /**
   * The thread track of legacy pid_override / tid_override, as Perfetto's trace processor reads
   * them: the sequence's pid and tid, either replaced; a pid alone gets a thread of its own (tid
   * -1), not the process's main thread. Undefined when only a tid is given and the sequence has no
   * thread to take the pid from.
   */
  private overrideTrack(ev: Ev, sq: Sequence): string | undefined {
    // The sequence's thread: its legacy ThreadDescriptor, else the thread its default track is.
    const seqThread = sq.thread ?? sq.defTrack;
    const own = seqThread !== undefined ? this.tracks.get(seqThread) : undefined;
    const pid = ev.pidOv === ev.pidOv ? ev.pidOv : own?.pid;
    if (pid === undefined) return undefined;
    const tid = ev.tidOv === ev.tidOv ? ev.tidOv : ev.pidOv === ev.pidOv ? -1 : (own?.tid as number);
    const key = `td:${pid}:${tid}`;
    const t = this.tracks.get(key) ?? this.info(key, `thread ${tid}`);
    if (!t.described) {
      t.described = true;
      t.pid = pid;
      t.tid = tid;
      // Named as that thread's descriptor names it, when there is one.
      for (const o of this.tracks.values()) if (o.pid === pid && o.tid === tid && o.name && !t.name) t.name = o.name;
      if (tid === -1) t.name = 'Process';
    }
    return key;
  }

  /** The process a track belongs to (itself, or up its parents), if any. */
  private pidOf(t: TrackInfo): number | undefined {
    for (let i = 0, c: TrackInfo | undefined = t; c && i < 16; i++) {
      if (c.pid !== undefined) return c.pid;
      c = c.parent !== undefined ? this.tracks.get(c.parent) : undefined;
    }
    return undefined;
  }

  private placement(t: TrackInfo): [group: number, kind: TrackKind] {
    const pid = this.pidOf(t);
    const g = pid !== undefined ? this.processGroup(pid) : this.globalGroup();
    if (t.counter) return [g, TrackKind.COUNTER];
    if (t.tid !== undefined || t.uuid === '0') return [g, TrackKind.THREAD];
    return [g, TrackKind.ASYNC];
  }

  /** The builder track of a track uuid (created on first use). */
  private trackOf(uuid: string, firstName: StringId): TrackInfo {
    const t = this.tracks.get(uuid) ?? this.info(uuid, uuidText(uuid));
    if (t.bt >= 0) return t;
    const b = this.builder;
    const [g, kind] = this.placement(t);
    t.kind = kind;
    if (t.tid !== undefined) t.bt = b.track(g, TrackKind.THREAD, String(t.tid), t.name);
    else if (uuid === '0') t.bt = b.track(g, TrackKind.THREAD, 'global', 'Global track');
    else {
      // Async tracks without a name take their first event's, as Perfetto does.
      const name = t.name || (t.isProcess ? 'Process' : '') || (t.described ? b.strings[firstName] : '') || `Track ${t.label}`;
      t.bt = b.track(g, kind, `uuid:${uuid}`, name);
    }
    return t;
  }

  private where(t: TrackInfo): string {
    return t.tid !== undefined ? `thread ${t.tid}${t.name ? ` (${t.name})` : ''}` : `track ${t.label}${t.name ? ` (${t.name})` : ''}`;
  }

  // ---- events ----

  private trackEvent(w: Wire, sq: Sequence, tAbs: number, at: number): void {
    const b = this.builder;
    const ev = resetEv(this.ev);
    let cats: string[] | undefined;
    /** The one interned category most events have: its id as it is, no join and re-intern. */
    let cat1 = -1;
    let location: { file: string; fn: string; line: number } | undefined;
    while (w.next()) {
      switch (w.field) {
        case 9:
          ev.type = w.num();
          break;
        // Legacy µs timestamps (with a ThreadDescriptor): deltas add up on the sequence, absolutes do not.
        case 1:
          sq.refUs += w.signed();
          tAbs = this.toTrace(BOOTTIME, sq.refUs * 1000);
          break;
        case 16:
          tAbs = this.toTrace(BOOTTIME, w.signed() * 1000);
          break;
        case 2:
          sq.refTtUs += w.signed();
          ev.ttUs = sq.refTtUs;
          break;
        case 17:
          ev.ttUs = w.signed();
          break;
        case 10:
          ev.nameIid = w.num();
          break;
        case 23:
          if (w.type === WT_LEN) {
            ev.name = b.intern(w.str());
            ev.hasName = true;
          }
          break;
        case 3:
          if (w.type !== WT_LEN && cat1 < 0 && !cats && sq.cats.has(w.num())) cat1 = sq.cats.get(w.num()) as number;
          else {
            if (cat1 >= 0) cats = [b.strings[cat1]];
            cat1 = -1;
            w.repeated(() => {
              const c = sq.cats.get(w.num());
              (cats ??= []).push(c !== undefined ? b.strings[c] : `(category iid ${w.num()})`);
            });
          }
          break;
        case 22:
          if (w.type === WT_LEN) {
            if (cat1 >= 0) cats = [b.strings[cat1]];
            cat1 = -1;
            (cats ??= []).push(w.str());
          }
          break;
        case 11:
          ev.track = w.key();
          break;
        case 30:
          ev.counter = w.signed();
          ev.hasCounter = true;
          break;
        case 44:
          ev.counter = w.double();
          ev.hasCounter = true;
          break;
        case 31:
          w.repeated(() => (ev.extraUuids ??= []).push(w.key()));
          break;
        case 12:
          w.repeated(this.pushExtra);
          break;
        case 45:
          w.repeated(() => (ev.extraDoubleUuids ??= []).push(w.key()));
          break;
        case 46:
          w.repeatedFixed64(() => ev.extraDoubleValues.push(w.double()));
          break;
        case 47:
          w.repeatedFixed64(() => ev.flows.push(w.key()));
          break;
        case 36:
          w.repeated(() => ev.flows.push(w.key()));
          break;
        case 48:
          w.repeatedFixed64(() => ev.termFlows.push(w.key()));
          break;
        case 42:
          w.repeated(() => ev.termFlows.push(w.key()));
          break;
        case 4:
          if (w.type === WT_LEN) {
            const [k, v] = this.annotation(w.sub(), sq, 0);
            ev.args += `${ev.args ? ',' : ''}${this.quote(k)}:${typeof v === 'number' && Number.isFinite(v) ? v : JSON.stringify(v)}`;
          }
          break;
        case 5: // task_execution: where the task was posted from
          if (w.type === WT_LEN) {
            const x = w.sub();
            while (x.next()) if (x.field === 1) location = sq.locations.get(x.num());
          }
          break;
        case 6:
          if (w.type === WT_LEN) this.legacy(w.sub(), ev);
          break;
      }
    }
    if (!ev.hasName && ev.nameIid) {
      const n = sq.names.get(ev.nameIid);
      if (n !== undefined) ev.name = n;
      else {
        ev.name = b.intern(`(name iid ${ev.nameIid})`);
        b.diag('invalid-event', `packet at byte ${at}: event name iid ${ev.nameIid} is not in the sequence's interned data`);
      }
    }
    if (cat1 >= 0) ev.catId = cat1;
    else if (cats) ev.catId = b.intern(cats.join(','));
    if (location) {
      ev.args += `${ev.args ? ',' : ''}"src_file":${JSON.stringify(location.file)}${location.fn ? `,"src_func":${JSON.stringify(location.fn)}` : ''}`;
    }
    if (tAbs !== tAbs) {
      b.diag('invalid-event', `TrackEvent at byte ${at} has no timestamp; skipped`);
      return;
    }
    const t = this.rel(tAbs);
    this.dispatch(ev, sq, t, at);
  }

  private legacy(w: Wire, ev: Ev): void {
    while (w.next()) {
      switch (w.field) {
        case 1:
          if (!ev.nameIid) ev.nameIid = w.num();
          break;
        case 2:
          ev.phase = w.num();
          break;
        case 3:
          ev.durUs = w.signed();
          break;
        case 4:
          ev.tdurUs = w.signed();
          break;
        case 6:
        case 10:
        case 11:
          ev.legacyId = `${w.field}:${w.key()}`;
          break;
        case 7:
          if (w.type === WT_LEN) ev.idScope = w.str();
          break;
        case 8:
          ev.bindId = w.key();
          break;
        case 13:
          ev.flowDir = w.num();
          break;
        case 14:
          ev.instantScope = w.num();
          break;
        case 18:
          ev.pidOv = w.signed();
          break;
        case 19:
          ev.tidOv = w.signed();
          break;
      }
    }
  }

  private dispatch(ev: Ev, sq: Sequence, t: number, at: number): void {
    const b = this.builder;
    let uuid = ev.track ?? sq.defTrack ?? sq.thread ?? '0';
    // Events emitted on behalf of another thread / process: only without a track of their own.
    if ((ev.pidOv === ev.pidOv || ev.tidOv === ev.tidOv) && (ev.track ?? sq.defTrack ?? '0') === '0') uuid = this.overrideTrack(ev, sq) ?? uuid;
    let type = ev.type;
    const ph = ev.phase;
    // legacy_event phases (Chrome's TRACE_EVENT macros): the type they stand for.
    if (ph) {
      if (ph === 0x58 /* X */) type = -1;
      else if (!type) {
        if (ph === 0x42 || ph === 0x62 || ph === 0x53) type = SLICE_BEGIN; // B b S
        else if (ph === 0x45 || ph === 0x65 || ph === 0x46) type = SLICE_END; // E e F
        else if (ph === 0x49 || ph === 0x69 || ph === 0x52 || ph === 0x6e || ph === 0x54 || ph === 0x70) type = INSTANT; // I i R n T p
        else if (ph === 0x43) type = COUNTER; // C
        else {
          b.diag('ignored-phase', `legacy phase "${String.fromCharCode(ph)}" events are not drawn`);
          return;
        }
      }
    }
    const isAsyncPhase = ph === 0x62 || ph === 0x65 || ph === 0x6e || ph === 0x53 || ph === 0x46 || ph === 0x54 || ph === 0x70;
    const track = this.trackOf(uuid, ev.name);
    // Legacy async events with an id and no track of their own: one stack per id (see asyncStack).
    const async = isAsyncPhase && ev.legacyId !== undefined && ev.track === undefined;
    const xt = this.extraCounters(ev, sq, t);
    const tt = ev.ttUs === ev.ttUs ? ev.ttUs * 1000 : xt;
    switch (type) {
      case -1: {
        this.counts.complete++;
        const s = b.addSlice(track.bt, t, ev.durUs === ev.durUs && ev.durUs >= 0 ? ev.durUs * 1000 : NaN, ev.name, ev.catId, track.kind === TrackKind.THREAD ? 0 : SliceFlag.ASYNC);
        if (ev.durUs !== ev.durUs) b.diag('unfinished-complete', `complete event "${b.strings[ev.name]}" (packet at byte ${at}) has no duration_us; kept open to the end of the trace`);
        if (track.kind !== TrackKind.THREAD && track.stack.length) b.setParent(s, track.stack[track.stack.length - 1].slice);
        this.settle({ slice: s, args: ev.args, tt: 0 }, '', ev.tdurUs * 1000);
        this.flowsOf(ev, s, t);
        return;
      }
      case SLICE_BEGIN: {
        this.counts.begin++;
        let bt = track.bt;
        let stack = track.stack;
        let flags = track.kind === TrackKind.THREAD ? 0 : SliceFlag.ASYNC;
        if (async) {
          const pid = this.pidOf(track);
          const name = b.strings[ev.name];
          bt = b.track(pid !== undefined ? this.processGroup(pid) : this.globalGroup(), TrackKind.ASYNC, name, name);
          stack = this.asyncStack(ev, pid);
          flags = SliceFlag.ASYNC;
        }
        const s = b.addSlice(bt, t, NaN, ev.name, ev.catId, flags);
        if (flags && stack.length) b.setParent(s, stack[stack.length - 1].slice);
        stack.push({ slice: s, args: ev.args, tt });
        this.flowsOf(ev, s, t);
        return;
      }
      case SLICE_END: {
        this.counts.end++;
        const stack = async ? this.asyncStack(ev, this.pidOf(track)) : track.stack;
        const o = stack.pop();
        if (!o) {
          if (async) b.diag('unmatched-async-end', `async end "${b.strings[ev.name]}" without a matching begin`);
          else b.diag('unmatched-end', `SLICE_END at ${(t / 1e6).toFixed(3)} ms (packet at byte ${at}) on ${this.where(track)} has no open SLICE_BEGIN`);
          b.noteTime(t);
          return;
        }
        b.setSliceDur(o.slice, t - b.sliceStart(o.slice));
        this.settle(o, ev.args, tt);
        this.flowsOf(ev, o.slice, t);
        return;
      }
      case INSTANT: {
        this.counts.instant++;
        // legacy instant_event_scope: 1 global, 2 process, else the event's track.
        const sc = ev.instantScope === 1 ? InstantScope.GLOBAL : ev.instantScope === 2 || track.isProcess ? InstantScope.PROCESS : InstantScope.THREAD;
        let bt = track.bt;
        let owner = -1;
        if (sc === InstantScope.GLOBAL) bt = b.track(this.globalGroup(), TrackKind.INSTANTS, 'global', 'Global instants');
        else if (async) {
          const st = this.asyncStack(ev, this.pidOf(track));
          if (st.length) {
            owner = st[st.length - 1].slice;
            bt = b.sliceTrack(owner);
          }
        }
        if (ev.flows.length || ev.termFlows.length || (ev.bindId !== undefined && ev.flowDir)) {
          // Flows bind to slices: an instant with flows is a zero-length slice on its track, nested
          // in the slice it happens in (Perfetto's instants are such slices, and its flows end there).
          const async = track.kind !== TrackKind.THREAD;
          const top = owner >= 0 ? owner : async && track.stack.length ? track.stack[track.stack.length - 1].slice : -1;
          const s = b.addSlice(owner >= 0 ? bt : track.bt, t, 0, ev.name, ev.catId, async || owner >= 0 ? SliceFlag.ASYNC : 0, ev.args ? b.addDetailsArgs(ev.args, NaN) : -1);
          if (top >= 0) b.setParent(s, top);
          this.flowsOf(ev, s, t);
          return;
        }
        b.addInstant(bt, t, ev.name, ev.catId, sc, owner, ev.args ? b.addDetailsArgs(ev.args, NaN) : -1);
        return;
      }
      case COUNTER: {
        this.counts.counter++;
        if (ph === 0x43) {
          // Legacy "C": each numeric argument is a series.
          for (const [k, v] of Object.entries(JSON.parse(`{${ev.args}}`) as Record<string, unknown>)) if (typeof v === 'number') this.counterValue(track, uuid, sq, t, v, k);
          return;
        }
        if (!ev.hasCounter) {
          b.diag('invalid-event', `COUNTER event at byte ${at} has no counter_value; skipped`);
          return;
        }
        this.counterValue(track, uuid, sq, t, ev.counter);
        return;
      }
      default:
        b.diag('unknown-phase', `TrackEvent at byte ${at} has type ${type} (and no legacy phase); skipped`);
    }
  }

  private asyncStack(ev: Ev, pid: number | undefined): Open[] {
    // Only local_id (field 10) is process-scoped; unscoped_id and global_id match across processes
    // (Perfetto's trace processor and the JSON `id` / `id2.global` do the same).
    const scoped = ev.legacyId !== undefined && ev.legacyId.startsWith('10:');
    const key = `${scoped ? (pid ?? '') : ''}\u0000${ev.catId}\u0000${ev.idScope}\u0000${ev.legacyId}`;
    let s = this.legacyAsync.get(key);
    if (!s) {
      s = [];
      this.legacyAsync.set(key, s);
    }
    return s;
  }

  /** A counter value on a counter track (incremental counters add to the sequence's running value). */
  private counterValue(track: TrackInfo, uuid: string, sq: Sequence, t: number, v: number, series?: string): void {
    const b = this.builder;
    if (track.kind !== TrackKind.COUNTER) {
      // A counter value on a track described as something else (or not at all): a counter anyway.
      track.kind = TrackKind.COUNTER;
      b.moveTrack(track.bt, track.described ? this.placement(track)[0] : this.globalGroup(), TrackKind.COUNTER);
    }
    const c = track.counter;
    if (c) {
      if (c.incremental) {
        v += sq.counters.get(uuid) ?? 0;
        sq.counters.set(uuid, v);
      }
      v *= c.mult;
    }
    b.addCounterValue(b.counterSeries(track.bt, series ?? (b.trackName(track.bt) || 'value')), t, v);
  }

  /**
   * extra_counter_values (Chrome: the thread's CPU time at each BEGIN/END): thread-time counters
   * become the slice's thread duration, others counter samples. Returns the thread time (ns) or NaN.
   */
  private extraCounters(ev: Ev, sq: Sequence, t: number): number {
    let tt = NaN;
    if (ev.extraValues.length) tt = this.extraRun(ev.extraUuids ?? sq.defExtra, ev.extraValues, sq, t, tt);
    if (ev.extraDoubleValues.length) tt = this.extraRun(ev.extraDoubleUuids ?? sq.defExtraDouble, ev.extraDoubleValues, sq, t, tt);
    return tt;
  }

  private extraRun(uuids: string[], values: number[], sq: Sequence, t: number, tt: number): number {
    for (let i = 0; i < values.length && i < uuids.length; i++) {
        const info = this.tracks.get(uuids[i]);
        let v = values[i];
        if (info?.counter?.type === 1) {
          if (info.counter.incremental) {
            v += sq.counters.get(info.uuid) ?? 0;
            sq.counters.set(info.uuid, v);
          }
          tt = v * info.counter.mult;
          continue;
        }
        const track = this.trackOf(uuids[i], 0);
        this.counterValue(track, uuids[i], sq, t, v);
    }
    return tt;
  }

  /** Writes a slice's details once it is complete: BEGIN and END annotations merged, thread time. */
  private settle(o: Open, endArgs: string, endTt: number): void {
    let args = o.args;
    // END annotations override BEGIN ones of the same name (rare: merged as objects).
    if (endArgs) args = args ? JSON.stringify({ ...(JSON.parse(`{${args}}`) as object), ...(JSON.parse(`{${endArgs}}`) as object) }).slice(1, -1) : endArgs;
    const tt = o.tt === o.tt && endTt === endTt ? endTt - o.tt : NaN;
    if (args || tt === tt) this.builder.setSliceArgs(o.slice, this.builder.addDetailsArgs(args, tt));
  }

  private flowsOf(ev: Ev, slice: number, t: number): void {
    for (const id of ev.flows) this.flowRecs.push({ id, slice, t, term: false });
    for (const id of ev.termFlows) this.flowRecs.push({ id, slice, t, term: true });
    // Legacy v2 flows: out starts or continues, in ends.
    if (ev.bindId !== undefined && ev.flowDir) this.flowRecs.push({ id: `bind:${ev.bindId}`, slice, t, term: ev.flowDir === 1 });
  }

  /**
   * TrackDescriptor.child_ordering of a parent: its children's order in the group (Perfetto UI:
   * lexicographic by name, chronological by first event, explicit by sibling_order_rank, ascending).
   */
  private orderChildren(): void {
    const b = this.builder;
    const kids = new Map<string, TrackInfo[]>();
    for (const t of this.tracks.values()) {
      const p = t.parent !== undefined && t.bt >= 0 ? this.tracks.get(t.parent) : undefined;
      if (!p || p.ordering < 1 || p.ordering > 3) continue;
      let l = kids.get(p.uuid);
      if (!l) kids.set(p.uuid, (l = []));
      l.push(t);
    }
    if (!kids.size) return;
    let first: Map<number, number> | undefined;
    for (const [uuid, l] of kids) {
      const ordering = (this.tracks.get(uuid) as TrackInfo).ordering;
      if (ordering === 2 && !first) {
        first = new Map();
        for (let i = 0; i < b.sliceCount; i++) {
          const bt = b.sliceTrack(i);
          if (!(b.sliceStart(i) >= (first.get(bt) ?? Infinity))) first.set(bt, b.sliceStart(i));
        }
      }
      const f = first;
      const at = (t: TrackInfo): number => f?.get(t.bt) ?? Infinity;
      const key = (t: TrackInfo): string => b.trackName(t.bt);
      const cmp = ordering === 1 ? (x: TrackInfo, y: TrackInfo) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0) : ordering === 2 ? (x: TrackInfo, y: TrackInfo) => at(x) - at(y) : (x: TrackInfo, y: TrackInfo) => x.rank - y.rank;
      // Ties keep the order the tracks were first used in.
      l.sort((x, y) => cmp(x, y) || x.bt - y.bt);
      l.forEach((t, k) => b.setTrackSortIndex(t.bt, k));
    }
  }

  /** Flows: events sharing an id chain in time order; a terminating id ends its chain. */
  private flushFlows(): void {
    const b = this.builder;
    const byId = new Map<string, Array<{ slice: number; t: number; term: boolean }>>();
    for (const r of this.flowRecs) {
      let l = byId.get(r.id);
      if (!l) byId.set(r.id, (l = []));
      l.push(r);
    }
    for (const [id, l] of byId) {
      l.sort((x, y) => x.t - y.t);
      let prev: { slice: number; t: number } | undefined;
      for (const r of l) {
        if (prev && prev.slice !== r.slice) b.addFlow(prev.slice, r.slice, b.sliceStart(prev.slice), b.sliceStart(r.slice), FlowKind.FLOW);
        else if (!prev && r.term) b.diag('unbound-flow', `terminating flow id ${id.startsWith('bind:') ? uuidText(id.slice(5)) : uuidText(id)} has no earlier event with that id`);
        prev = r.term ? undefined : r;
      }
    }
  }

  // ---- debug annotations ----

  /** Annotation names as JSON keys, quoted once (a trace has few; capped against one that has not). */
  private quoted = new Map<string, string>();
  private quote(k: string): string {
    let q = this.quoted.get(k);
    if (q === undefined) {
      q = JSON.stringify(k);
      if (this.quoted.size < 4096) this.quoted.set(k, q);
    }
    return q;
  }

  private annotation(w: Wire, sq: Sequence, depth: number): [string, Value] {
    let name = '';
    let v: Value = null;
    let dict: Record<string, Value> | undefined;
    let arr: Value[] | undefined;
    let protoType = '';
    while (w.next()) {
      switch (w.field) {
        case 1:
          name = sq.argNames.get(w.num()) ?? `(arg iid ${w.num()})`;
          break;
        case 10:
          if (w.type === WT_LEN) name = w.str();
          break;
        case 2:
          v = w.bool();
          break;
        case 3:
          v = w.hi >= 0x200000 ? w.decimal() : w.num();
          break;
        case 4:
          v = w.hi >= 0x200000 && w.hi < 0xffe00000 ? w.decimal(true) : w.signed();
          break;
        case 5:
          v = w.double();
          break;
        case 6:
          if (w.type === WT_LEN) v = w.str();
          break;
        case 17:
          v = sq.argStrings.get(w.num()) ?? `(string iid ${w.num()})`;
          break;
        case 7:
          v = `0x${w.hi ? w.hi.toString(16) + w.lo.toString(16).padStart(8, '0') : w.lo.toString(16)}`;
          break;
        case 8:
          if (w.type === WT_LEN) v = depth < MAX_NESTING ? this.nested(w.sub(), depth + 1) : '(nested too deep)';
          break;
        case 9:
          if (w.type === WT_LEN) {
            const s = w.str();
            try {
              v = JSON.parse(s) as Value;
            } catch {
              v = s;
            }
          }
          break;
        case 11:
          if (w.type === WT_LEN && depth < MAX_NESTING) {
            const [k, x] = this.annotation(w.sub(), sq, depth + 1);
            (dict ??= {})[k] = x;
          }
          break;
        case 12:
          if (w.type === WT_LEN && depth < MAX_NESTING) (arr ??= []).push(this.annotation(w.sub(), sq, depth + 1)[1]);
          break;
        case 16:
          if (w.type === WT_LEN) protoType = w.str();
          break;
        case 14:
          if (w.type === WT_LEN) v = `(${protoType || 'proto'} message, ${w.end - w.start} bytes)`;
          break;
      }
    }
    return [name, dict ?? arr ?? v];
  }

  private nested(w: Wire, depth: number): Value {
    let type = 0;
    const keys: string[] = [];
    const values: Value[] = [];
    let v: Value = null;
    while (w.next()) {
      switch (w.field) {
        case 1:
          type = w.num();
          break;
        case 2:
          if (w.type === WT_LEN) keys.push(w.str());
          break;
        case 3:
        case 4:
          if (w.type === WT_LEN) values.push(depth < MAX_NESTING ? this.nested(w.sub(), depth + 1) : null);
          break;
        case 5:
          v = w.signed();
          break;
        case 6:
          v = w.double();
          break;
        case 7:
          v = w.bool();
          break;
        case 8:
          if (w.type === WT_LEN) v = w.str();
          break;
      }
    }
    if (type === 1) return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? null]));
    if (type === 2) return values;
    return v;
  }
}

function newEv(): Ev {
  return {
    type: 0,
    name: 0,
    hasName: false,
    nameIid: 0,
    catId: 0,
    track: undefined,
    args: '',
    counter: 0,
    hasCounter: false,
    extraUuids: undefined,
    extraValues: [],
    extraDoubleUuids: undefined,
    extraDoubleValues: [],
    flows: [],
    termFlows: [],
    phase: 0,
    durUs: NaN,
    legacyId: undefined,
    idScope: '',
    bindId: undefined,
    flowDir: 0,
    instantScope: 0,
    ttUs: NaN,
    tdurUs: NaN,
    pidOv: NaN,
    tidOv: NaN,
  };
}

function resetEv(e: Ev): Ev {
  e.type = 0;
  e.name = 0;
  e.hasName = false;
  e.nameIid = 0;
  e.catId = 0;
  e.track = undefined;
  e.args = '';
  e.counter = 0;
  e.hasCounter = false;
  e.extraUuids = undefined;
  // Cleared only when used: setting an array's length is not free, and most events have none.
  if (e.extraValues.length) e.extraValues.length = 0;
  e.extraDoubleUuids = undefined;
  if (e.extraDoubleValues.length) e.extraDoubleValues.length = 0;
  if (e.flows.length) e.flows.length = 0;
  if (e.termFlows.length) e.termFlows.length = 0;
  e.phase = 0;
  e.durUs = NaN;
  e.legacyId = undefined;
  e.idScope = '';
  e.bindId = undefined;
  e.flowDir = 0;
  e.instantScope = 0;
  e.ttUs = NaN;
  e.tdurUs = NaN;
  e.pidOv = NaN;
  e.tidOv = NaN;
  return e;
}

/** Inflates a zlib stream (deflate with zlib header, as Perfetto's deflateInit writes), at most MAX_PACKET bytes. */
async function inflate(z: Uint8Array): Promise<Uint8Array> {
  const r = new Blob([z as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    n += value.length;
    if (n > MAX_PACKET) {
      void r.cancel();
      throw new Error('inflates to over 256 MB');
    }
    parts.push(value);
  }
  return joinBytes(parts);
}

/** A uuid key (see Wire.key) back as decimal text, for messages. */
function uuidText(key: string): string {
  const dot = key.indexOf('.');
  if (dot < 0) return String(parseInt(key, 36));
  return String((BigInt(parseInt(key.slice(0, dot), 36)) << 32n) | BigInt(parseInt(key.slice(dot + 1), 36)));
}
