import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/viewer/import/detect';
import { PerfettoImporter } from '../../../src/viewer/import/perfetto-proto';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { Wire } from '../../../src/viewer/import/protobuf';
import { argsOf, categoryOf, nameOf, parentOf } from '../../../src/viewer/model/query';
import { GroupKind, SliceFlag, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';
import { zstdStored } from './zstd-stored';
import { cat, len, m, tag, v, varint, type Bytes } from './proto-encode';

// ---- the test-side encoder, for what Perfetto traces need beyond proto-encode ----

const s = (f: number, text: string): Bytes => len(f, new TextEncoder().encode(text));
const fixed64 = (f: number, n: bigint): Bytes => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return cat(tag(f, 1), b);
};
const dbl = (f: number, x: number): Bytes => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return cat(tag(f, 1), b);
};
const fixed32 = (f: number, n: number): Bytes => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return cat(tag(f, 5), b);
};
const packet = (...parts: Bytes[]): Bytes => m(1, ...parts);

// TracePacket / TrackEvent helpers (field numbers from Perfetto's protos).
const ts = (n: number | bigint): Bytes => v(8, n);
const seq = (id: number): Bytes => v(10, id);
const CLEARED = v(13, 1);
const NEEDS = v(13, 2);
const thread = (uuid: number | bigint, pid: number, tid: number, name: string, parent?: number | bigint): Bytes =>
  packet(m(60, v(1, uuid), ...(parent !== undefined ? [v(5, parent)] : []), m(4, v(1, pid), v(2, tid), s(5, name))));
const proc = (uuid: number | bigint, pid: number, name: string): Bytes => packet(m(60, v(1, uuid), m(3, v(1, pid), s(6, name))));
const ev = (...parts: Bytes[]): Bytes => m(11, ...parts);
const BEGIN = v(9, 1);
const END = v(9, 2);
const INSTANT = v(9, 3);
const COUNTER = v(9, 4);
const track = (uuid: number | bigint): Bytes => v(11, uuid);
const name = (n: string): Bytes => s(23, n);

function load(bytes: Bytes, size = 1 << 20): TraceModel {
  const imp = new PerfettoImporter();
  for (let p = 0; p < bytes.length; p += size) imp.push(bytes.slice(p, p + size));
  return imp.finish();
}

function rows(model: TraceModel): string[] {
  const out: Array<{ s: string; start: number; depth: number }> = [];
  for (let i = 0; i < model.slices.count; i++) {
    const p = parentOf(model, i);
    out.push({
      s: `${'  '.repeat(model.slices.depth[i])}${nameOf(model, i)}@${model.slices.startNs[i]}+${model.slices.durNs[i]}${p >= 0 ? ` <${nameOf(model, p)}` : ''}`,
      start: model.slices.startNs[i],
      depth: model.slices.depth[i],
    });
  }
  return out.sort((a, b) => a.start - b.start || a.depth - b.depth).map((r) => r.s);
}
const sliceNamed = (model: TraceModel, n: string): number => {
  for (let i = 0; i < model.slices.count; i++) if (nameOf(model, i) === n) return i;
  throw new Error(`no slice ${n}`);
};
const trackOf = (model: TraceModel, n: string) => model.tracks.find((t) => t.name === n);
const diag = (model: TraceModel) => model.diagnostics.map((d) => [d.kind, d.count]);

/** A small two-thread trace with nesting, used by several tests. */
const basic = cat(
  proc(1, 10, 'Renderer'),
  thread(2, 10, 11, 'CrRendererMain', 1),
  thread(3, 10, 12, 'Compositor', 1),
  packet(ts(1000), seq(1), ev(BEGIN, track(2), name('outer'), s(22, 'toplevel'))),
  packet(ts(2000), seq(1), ev(BEGIN, track(2), name('inner'))),
  packet(ts(3000), seq(1), ev(END, track(2))),
  packet(ts(2500), seq(2), ev(BEGIN, track(3), name('draw'))),
  packet(ts(4000), seq(1), ev(END, track(2))),
  packet(ts(4500), seq(2), ev(END, track(3))),
);

describe('protobuf wire reader', () => {
  it('reads 64-bit varints exactly as keys, as numbers up to 2^53, negatives as int64', () => {
    const big = (1n << 63n) + 5n;
    const bytes = cat(v(1, big), v(2, -3), v(3, 2n ** 53n - 1n), fixed64(4, big), fixed32(5, 7));
    const w = new Wire(bytes, 0, bytes.length);
    w.next();
    expect(w.decimal()).toBe(String(big));
    const k = w.key();
    w.next();
    expect(w.signed()).toBe(-3);
    w.next();
    expect(w.num()).toBe(2 ** 53 - 1);
    w.next();
    expect(w.key()).toBe(k);
    w.next();
    expect(w.num()).toBe(7);
    expect(w.next()).toBe(false);
  });

  it('throws on a varint longer than 10 bytes and on lengths past the message', () => {
    const long = new Uint8Array([0x08, ...Array(11).fill(0xff), 0x01]);
    expect(() => new Wire(long, 0, long.length).next()).toThrow(/longer than 10 bytes/);
    // 11 bytes: one too many (read, it corrupted the high half instead).
    const eleven = new Uint8Array([0x08, ...Array(10).fill(0x80), 0x01]);
    expect(() => new Wire(eleven, 0, eleven.length).next()).toThrow(/longer than 10 bytes/);
    const over = cat(tag(1, 2), varint(50), new Uint8Array(3));
    expect(() => new Wire(over, 0, over.length).next()).toThrow(/runs past the end/);
  });
});

describe('detection', () => {
  it('tells a Perfetto trace from content; JSON and collapsed stacks starting with a newline stay what they are', () => {
    expect(detectFormat(basic)).toBe('perfetto-proto');
    const text = (t: string) => new TextEncoder().encode(t);
    expect(detectFormat(text('\n{"traceEvents":[]}'))).toBe('chrome-json');
    expect(detectFormat(text('\n[{"ph":"X","ts":1,"name":"a"}]'))).toBe('chrome-json');
    expect(detectFormat(text('\nmain;foo 10\nmain;bar 3\n'))).toBe('collapsed-stacks');
    // 0x0a then bytes that are no packet.
    expect(detectFormat(new Uint8Array([0x0a, 0x05, 0x07, 0x07, 0x07, 0x07, 0x07]))).toBe('unknown');
  });

  it('imports through the pipeline, gzipped too', async () => {
    for (const bytes of [basic, new Uint8Array(gzipSync(basic))]) {
      const model = await runPipeline({ kind: 'bytes', bytes });
      expect(model.format).toBe('perfetto-proto');
      expect(model.slices.count).toBe(3);
    }
  });
});

describe('Perfetto TrackEvent import', () => {
  it('builds process groups and thread tracks from TrackDescriptors and nests slices', () => {
    const model = load(basic);
    expect(model.format).toBe('perfetto-proto');
    const g = model.groups.find((x) => x.kind === GroupKind.PROCESS)!;
    expect(g).toMatchObject({ key: '10', name: 'Renderer' });
    expect(g.tracks.map((t) => [model.tracks[t].name, model.tracks[t].key, model.tracks[t].kind])).toEqual([
      ['CrRendererMain', '11', TrackKind.THREAD],
      ['Compositor', '12', TrackKind.THREAD],
    ]);
    expect(rows(model)).toEqual(['outer@0+3000', '  inner@1000+1000 <outer', 'draw@1500+2000']);
    expect(categoryOf(model, sliceNamed(model, 'outer'))).toBe('toplevel');
    expect(model.diagnostics).toEqual([]);
  });

  it('reads a packet split across chunks (1-byte chunks) exactly as in one piece', () => {
    const whole = load(basic);
    const bytewise = load(basic, 1);
    expect(rows(bytewise)).toEqual(rows(whole));
    expect(bytewise.tracks.map((t) => t.name)).toEqual(whole.tracks.map((t) => t.name));
    const imp = new PerfettoImporter();
    for (let p = 0; p < basic.length; p += 3) imp.push(basic.slice(p, p + 3));
    expect(imp.bytes).toBe(basic.length);
  });

  it('resolves interned names, categories and annotation names per sequence; a clear resets them', () => {
    const interned = (...parts: Bytes[]): Bytes => m(12, ...parts);
    const evName = (iid: number, n: string): Bytes => m(2, v(1, iid), s(2, n));
    const evCat = (iid: number, n: string): Bytes => m(1, v(1, iid), s(2, n));
    const argName = (iid: number, n: string): Bytes => m(3, v(1, iid), s(2, n));
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        packet(ts(100), seq(7), CLEARED, interned(evName(1, 'first'), evCat(1, 'cat-a'), argName(1, 'count')), ev(INSTANT, track(2), v(10, 1), v(3, 1), m(4, v(1, 1), v(4, 3)))),
        // Same iids on another sequence mean other strings.
        packet(ts(150), seq(8), CLEARED, interned(evName(1, 'other-seq')), ev(INSTANT, track(2), v(10, 1))),
        packet(ts(200), seq(7), NEEDS, ev(INSTANT, track(2), v(10, 1))),
        packet(ts(300), seq(7), CLEARED, interned(evName(1, 'second')), ev(INSTANT, track(2), v(10, 1))),
        // After a clear the old table is gone: iid 9 was never sent again.
        packet(ts(400), seq(7), NEEDS, ev(INSTANT, track(2), v(10, 9))),
        // A sequence that lost its state (never cleared): its packets that need state are skipped.
        packet(ts(500), seq(9), NEEDS, ev(INSTANT, track(2), v(10, 1))),
        packet(ts(600), seq(9), NEEDS, ev(INSTANT, track(2), v(10, 1))),
      ),
    );
    const names = Array.from(model.instants.name, (n) => model.strings[n]);
    expect(names).toEqual(['first', 'other-seq', 'first', 'second', '(name iid 9)']);
    expect(model.strings[model.instants.category[0]]).toBe('cat-a');
    const det = JSON.parse(new TextDecoder().decode(model.args.bytes.subarray(model.args.offsets[model.instants.args[0]], model.args.offsets[model.instants.args[0] + 1])));
    expect(det).toEqual({ args: { count: 3 } });
    expect(diag(model)).toEqual([
      ['invalid-event', 1],
      ['lost-state', 2],
    ]);
    expect(model.diagnostics[0].message).toMatch(/name iid 9 is not in the sequence's interned data/);
  });

  it('reads incremental sequence clocks as Chrome writes them (clock 64, µs deltas) and converts other clocks via ClockSnapshot', () => {
    // Chrome: a service snapshot names MONOTONIC (3) the trace clock and relates BOOTTIME (6) to it;
    // each sequence then clears its state with defaults (clock 64) and a snapshot of 3, 64 (µs, incremental).
    const clock = (id: number, t: number, incremental = false, mult = 0): Bytes => m(1, v(1, id), v(2, t), ...(incremental ? [v(3, 1)] : []), ...(mult ? [v(4, mult)] : []));
    const model = load(
      cat(
        packet(seq(1), m(6, v(2, 3), clock(6, 5_000_000_000), clock(3, 4_000_000_000))),
        thread(2, 1, 1, 'Main'),
        packet(ts(0), seq(5), CLEARED, m(59, v(58, 64), m(11, v(11, 2))), m(6, clock(3, 4_000_000_500), clock(64, 4_000_000, true, 1000))),
        packet(ts(10), seq(5), NEEDS, ev(BEGIN, name('a'))), // 4 000 010 µs + 500 ns
        // An absolute timestamp on MONOTONIC does not move the incremental clock.
        packet(ts(4_000_015_500), v(58, 3), seq(5), NEEDS, ev(INSTANT, name('abs'))),
        packet(ts(20), seq(5), NEEDS, ev(END)), // +20 µs
        // BOOTTIME is 1 s ahead of MONOTONIC here.
        packet(ts(5_000_040_500), v(58, 6), seq(6), ev(INSTANT, track(2), name('boot'))),
      ),
    );
    expect(rows(model)).toEqual(['a@0+20000']);
    expect(model.originMs).toBeCloseTo(4000.0105, 9);
    expect(Array.from(model.instants.timeNs)).toEqual([5000, 30000]);
    expect(model.diagnostics).toEqual([]);
  });

  it('says when a clock cannot be related to the trace clock', () => {
    const model = load(cat(packet(ts(100), v(58, 1), seq(1), ev(INSTANT, name('x')))));
    expect(diag(model)).toEqual([['unknown-clock', 1]]);
    expect(model.diagnostics[0].message).toMatch(/clock REALTIME have no ClockSnapshot relating them to BOOTTIME/);
  });

  it('reads counters: int and double values, incremental counters with a unit multiplier', () => {
    const counterTrack = (uuid: number, n: string, parent: number, ...c: Bytes[]): Bytes => packet(m(60, v(1, uuid), v(5, parent), s(2, n), m(8, ...c)));
    const model = load(
      cat(
        proc(1, 10, 'Browser'),
        counterTrack(5, 'heap', 1),
        counterTrack(6, 'bytes sent', 1, v(4, 1024), v(5, 1)),
        packet(ts(1000), seq(1), CLEARED, ev(COUNTER, track(5), v(30, 7))),
        packet(ts(2000), seq(1), ev(COUNTER, track(5), dbl(44, 2.5))),
        packet(ts(2000), seq(1), ev(COUNTER, track(6), v(30, 1))),
        packet(ts(3000), seq(1), ev(COUNTER, track(6), v(30, 2))),
        packet(ts(3500), seq(1), ev(COUNTER, track(5), v(30, -4))),
      ),
    );
    const heap = model.counters.find((c) => c.name === 'heap')!;
    expect(Array.from(heap.values)).toEqual([7, 2.5, -4]);
    expect(Array.from(heap.timesNs)).toEqual([0, 1000, 2500]);
    expect(model.tracks[heap.track]).toMatchObject({ kind: TrackKind.COUNTER, name: 'heap' });
    expect(model.groups[model.tracks[heap.track].group].name).toBe('Browser');
    expect(Array.from(model.counters.find((c) => c.name === 'bytes sent')!.values)).toEqual([1024, 3072]);
  });

  it('turns Chrome-style thread-time extra counters into thread durations, not counter tracks', () => {
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        packet(m(60, v(1, 9), v(5, 2), s(10, 'thread_time'), m(8, v(1, 1), v(4, 1000), v(5, 1)))),
        packet(ts(0), seq(3), CLEARED, m(59, m(11, v(11, 2), v(31, 9)))),
        packet(ts(1000), seq(3), NEEDS, ev(BEGIN, name('task'), v(12, 500))),
        packet(ts(9000), seq(3), NEEDS, ev(END, v(12, 3))),
      ),
    );
    expect(model.counters).toHaveLength(0);
    expect(argsOf(model, sliceNamed(model, 'task'))).toEqual({ threadDurNs: 3000 });
  });

  it('links flow_ids across threads in time order; terminating_flow_ids end a flow', () => {
    const id = 0xfedcba9876543210n; // beyond 2^53: compared exactly
    const model = load(
      cat(
        thread(2, 1, 1, 'A'),
        thread(3, 1, 2, 'B'),
        packet(ts(1000), seq(1), ev(BEGIN, track(2), name('post'), fixed64(47, id))),
        packet(ts(1500), seq(1), ev(END, track(2))),
        packet(ts(3000), seq(2), ev(BEGIN, track(3), name('run'), fixed64(48, id))),
        packet(ts(3500), seq(2), ev(END, track(3))),
        // Same id again after termination: a new flow, which has no second end.
        packet(ts(4000), seq(2), ev(BEGIN, track(3), name('late'), fixed64(47, id + 1n))),
        packet(ts(4500), seq(2), ev(END, track(3))),
        packet(ts(5000), seq(2), ev(BEGIN, track(3), name('old-style'), v(36, 77))),
        packet(ts(5100), seq(2), ev(END, track(3))),
        packet(ts(6000), seq(1), ev(BEGIN, track(2), name('old-end'), v(42, 77))),
        packet(ts(6100), seq(1), ev(END, track(2))),
      ),
    );
    expect(model.flows.count).toBe(2);
    const pairs = Array.from({ length: 2 }, (_, i) => `${nameOf(model, model.flows.fromSlice[i])}->${nameOf(model, model.flows.toSlice[i])}`).sort();
    expect(pairs).toEqual(['old-style->old-end', 'post->run']);
    expect(model.slices.flags[sliceNamed(model, 'post')] & SliceFlag.HAS_FLOWS).toBeTruthy();
  });

  it('draws instants on their track and shows debug annotations of every kind as args', () => {
    const ann = (k: string, ...val: Bytes[]): Bytes => m(4, s(10, k), ...val);
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        packet(ts(10), seq(1), ev(BEGIN, track(2), name('parent'))),
        packet(
          ts(20),
          seq(1),
          ev(
            INSTANT,
            track(2),
            name('mark'),
            ann('b', v(2, 1)),
            ann('u', v(3, 2n ** 64n - 1n)),
            ann('i', v(4, -5)),
            ann('d', dbl(5, 0.25)),
            ann('s', s(6, 'text')),
            ann('p', v(7, 0xdeadbeefn)),
            ann('dict', m(11, s(10, 'x'), v(4, 1)), m(11, s(10, 'y'), s(6, 'z'))),
            ann('arr', m(12, v(4, 1)), m(12, v(4, 2))),
            ann('nested', m(8, v(1, 1), s(2, 'k'), m(3, v(5, 9)))),
            ann('json', s(9, '{"a":[1]}')),
          ),
        ),
        packet(ts(30), seq(1), ev(END, track(2), m(4, s(10, 'result'), s(6, 'ok')))),
      ),
    );
    expect(model.instants.count).toBe(1);
    expect(model.tracks[model.instants.track[0]].name).toBe('Main');
    const det = JSON.parse(new TextDecoder().decode(model.args.bytes.subarray(model.args.offsets[model.instants.args[0]], model.args.offsets[model.instants.args[0] + 1])));
    expect(det.args).toEqual({
      b: true,
      u: '18446744073709551615',
      i: -5,
      d: 0.25,
      s: 'text',
      p: '0xdeadbeef',
      dict: { x: 1, y: 'z' },
      arr: [1, 2],
      nested: { k: 9 },
      json: { a: [1] },
    });
    // END annotations merge into the slice's args.
    expect(argsOf(model, sliceNamed(model, 'parent'))).toEqual({ args: { result: 'ok' } });
  });

  it('reads legacy_event complete events (phase X, duration_us) and legacy async ids', () => {
    const legacy = (...parts: Bytes[]): Bytes => m(6, ...parts);
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        packet(seq(1), CLEARED, m(59, m(11, v(11, 2)))),
        packet(ts(1000), seq(1), ev(name('complete'), legacy(v(2, 0x58), v(3, 7)))),
        // Async ids get a track of their own in the process of the sequence's thread.
        packet(ts(2000), seq(1), ev(name('req'), legacy(v(2, 0x62), v(6, 42)))),
        packet(ts(5000), seq(1), ev(legacy(v(2, 0x65), v(6, 42)))),
        packet(ts(6000), seq(1), ev(name('meta'), legacy(v(2, 0x4d)))),
      ),
    );
    expect(rows(model)).toEqual(['complete@0+7000', 'req@1000+3000']);
    const req = model.tracks[model.slices.track[sliceNamed(model, 'req')]];
    expect(req).toMatchObject({ kind: TrackKind.ASYNC, name: 'req' });
    expect(model.groups[req.group].key).toBe('1');
    expect(diag(model)).toEqual([['ignored-phase', 1]]);
  });

  it('matches legacy async unscoped_id / global_id across processes; local_id only within one', () => {
    const legacy = (...parts: Bytes[]): Bytes => m(6, ...parts);
    const model = load(
      cat(
        thread(2, 1, 1, 'Browser main'),
        thread(3, 2, 2, 'Renderer main'),
        packet(seq(1), CLEARED, m(59, m(11, v(11, 2)))),
        packet(seq(2), CLEARED, m(59, m(11, v(11, 3)))),
        // Begun in one process, ended in another (a navigation, an IPC round trip).
        packet(ts(1000), seq(1), ev(name('unscoped'), legacy(v(2, 0x62), v(6, 7)))),
        packet(ts(1500), seq(1), ev(name('global'), legacy(v(2, 0x62), v(11, 8)))),
        packet(ts(1600), seq(1), ev(name('local'), legacy(v(2, 0x62), v(10, 9)))),
        packet(ts(3000), seq(2), ev(legacy(v(2, 0x65), v(6, 7)))),
        packet(ts(3500), seq(2), ev(legacy(v(2, 0x65), v(11, 8)))),
        packet(ts(3600), seq(2), ev(legacy(v(2, 0x65), v(10, 9)))),
      ),
    );
    // The local id's end in the other process matches nothing: its begin stays open to the end.
    expect(rows(model)).toEqual(['unscoped@0+2000', 'global@500+2000', 'local@600+2000']);
    expect(diag(model)).toEqual([
      ['unmatched-async-end', 1],
      ['unclosed-async', 1],
    ]);
  });

  it('keeps distinct 64-bit track uuids apart even when they round to the same double', () => {
    const a = 3190708988185961344n;
    const b = a + 1n; // same double as a
    expect(Number(a)).toBe(Number(b));
    const model = load(cat(thread(a, 1, 1, 'A'), thread(b, 1, 2, 'B'), packet(ts(1), ev(INSTANT, track(b), name('on-b')))));
    expect(model.tracks[model.instants.track[0]].name).toBe('B');
  });

  it('reports unmatched SLICE_END, unclosed SLICE_BEGIN and events on undescribed tracks, with the first case', () => {
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        packet(ts(1000), seq(1), ev(END, track(2))),
        packet(ts(2000), seq(1), ev(BEGIN, track(2), name('open'))),
        packet(ts(3000), seq(1), ev(BEGIN, track(99), name('lost'))),
        packet(ts(3500), seq(1), ev(END, track(99))),
      ),
    );
    expect(diag(model)).toEqual([
      ['unmatched-end', 1],
      ['unclosed-begin', 1],
      ['unknown-track', 1],
    ]);
    expect(model.diagnostics[0].message).toMatch(/SLICE_END .* on thread 1 \(Main\) has no open SLICE_BEGIN/);
    expect(model.diagnostics[1].message).toBe('SLICE_BEGIN "open" on thread 1 (Main) never ended; drawn to the end of the trace');
    expect(model.diagnostics[2].message).toMatch(/track uuid 99, which no TrackDescriptor describes/);
    expect(model.slices.flags[sliceNamed(model, 'open')] & SliceFlag.UNFINISHED).toBeTruthy();
    expect(trackOf(model, 'Track 99')).toBeDefined();
  });

  it('moves a track into its process when the descriptor comes after its events', () => {
    const model = load(cat(packet(ts(10), seq(1), ev(INSTANT, track(4), name('early'))), proc(1, 7, 'Gpu'), thread(4, 7, 8, 'Late', 1)));
    const t = model.tracks[model.instants.track[0]];
    expect(t).toMatchObject({ name: 'Late', kind: TrackKind.THREAD });
    expect(model.groups[t.group]).toMatchObject({ key: '7', name: 'Gpu' });
    expect(diag(model)).toEqual([]);
  });

  it('skips unknown fields of every wire type, groups included, and counts other data sources in one line', () => {
    const group = cat(tag(900, 3), v(1, 5), tag(2, 3), fixed32(3, 1), tag(2, 4), tag(900, 4));
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        packet(ts(10), seq(1), v(500, 1), fixed32(501, 2), fixed64(502, 3n), s(503, 'x'), group, ev(BEGIN, track(2), name('a'), v(4000, 1), group, s(4001, 'y'))),
        packet(ts(20), seq(1), ev(END, track(2))),
        packet(ts(30), m(1 /* ftrace_events */, v(1, 1))),
        packet(ts(40), m(9 /* process_stats */, v(1, 1))),
        packet(ts(50), m(9, v(1, 1))),
        packet(m(33 /* trace_config */, v(1, 1))),
        // A top-level field that is not a packet.
        v(7, 3),
      ),
    );
    expect(rows(model)).toEqual(['a@0+10']);
    expect(diag(model)).toEqual([['skipped-section', 4]]);
    expect(model.diagnostics[0].message).toBe('4 packets of other data sources are not drawn (ftrace_events × 1, process_stats × 2, non-packet fields × 1)');
  });

  it('salvages a truncated file and names the byte offset of the cut packet', () => {
    const cut = basic.length - 3;
    const lastPacketAt = basic.length - packet(ts(4500), seq(2), ev(END, track(3))).length;
    for (const size of [1 << 20, 1]) {
      const model = load(basic.slice(0, cut), size);
      expect(rows(model)).toEqual(['outer@0+3000', '  inner@1000+1000 <outer', 'draw@1500+NaN'.replace('NaN', String(3000 - 1500))]);
      const d = model.diagnostics.find((x) => x.kind === 'truncated-input')!;
      expect(d.message).toBe(`the trace is cut short: the packet at byte ${lastPacketAt + 2} declares ${packet(ts(4500), seq(2), ev(END, track(3))).length - 2} bytes but only ${packet(ts(4500), seq(2), ev(END, track(3))).length - 5} follow; the 8 packets before it are kept`);
      expect(model.diagnostics.find((x) => x.kind === 'unclosed-begin')).toBeDefined();
    }
  });

  it('stops at a corrupt varint with a diagnostic, or an error when nothing was read', () => {
    const bad = new Uint8Array([0x0a, ...Array(11).fill(0xff)]);
    const model = load(cat(basic, bad, basic));
    expect(model.slices.count).toBe(3);
    expect(model.diagnostics.map((d) => d.message)).toEqual([`corrupt data at byte ${basic.length} (a varint longer than 10 bytes): the 9 packets before it are kept, the rest of the file is skipped`]);
    const err = errorOf(() => load(bad));
    expect(err.info).toMatchObject({ format: 'perfetto-proto', offset: 0 });
    // A packet whose inside is malformed is skipped on its own.
    const inner = load(cat(basic, packet(ts(1), cat(tag(11, 2), varint(40), v(9, 1)))));
    expect(diag(inner)).toEqual([['invalid-event', 1]]);
    expect(inner.diagnostics[0].message).toMatch(/^packet at byte \d+ is malformed \(length 40 runs past the end/);
  });

  it('binds flow ids on INSTANT events to the instant itself (a zero-length slice), as Perfetto does', () => {
    const model = load(
      cat(
        thread(2, 1, 1, 'A'),
        thread(3, 1, 2, 'B'),
        // An instant outside any slice starts a flow; one inside a slice ends it.
        packet(ts(1000), seq(1), ev(INSTANT, track(2), name('post'), fixed64(47, 5n))),
        packet(ts(2000), seq(2), ev(BEGIN, track(3), name('task'))),
        packet(ts(2500), seq(2), ev(INSTANT, track(3), name('recv'), fixed64(48, 5n))),
        packet(ts(3000), seq(2), ev(END, track(3))),
      ),
    );
    expect(rows(model)).toEqual(['post@0+0', 'task@1000+1000', '  recv@1500+0 <task']);
    expect(model.flows.count).toBe(1);
    expect([nameOf(model, model.flows.fromSlice[0]), nameOf(model, model.flows.toSlice[0])]).toEqual(['post', 'recv']);
    expect([model.flows.fromNs[0], model.flows.toNs[0]]).toEqual([0, 1500]);
    expect(diag(model)).toEqual([]);
  });

  it('puts legacy events with pid_override / tid_override on that process / thread (track_uuid 0)', () => {
    const legacy = (...parts: Bytes[]): Bytes => m(6, ...parts);
    const model = load(
      cat(
        thread(2, 1, 1, 'Main'),
        thread(3, 1, 7, 'Worker'),
        packet(seq(1), CLEARED, m(59, m(11, v(11, 2)))),
        packet(ts(1000), seq(1), ev(name('own'), legacy(v(2, 0x58), v(3, 1)))),
        // Emitted on behalf of thread 7 of the same process, and of process 9.
        packet(ts(2000), seq(1), ev(track(0), name('for-tid'), legacy(v(2, 0x58), v(3, 1), v(19, 7)))),
        packet(ts(3000), seq(1), ev(track(0), name('for-pid'), legacy(v(2, 0x58), v(3, 1), v(18, 9)))),
        // An explicit track wins over the overrides (Perfetto's trace processor does the same).
        packet(ts(4000), seq(1), ev(track(2), name('tracked'), legacy(v(2, 0x58), v(3, 1), v(19, 7)))),
      ),
    );
    const where = (n: string): string => {
      const t = model.tracks[model.slices.track[sliceNamed(model, n)]];
      return `${model.groups[t.group].key}/${t.key}`;
    };
    expect(['own', 'for-tid', 'for-pid', 'tracked'].map(where)).toEqual(['1/1', '1/7', '9/-1', '1/1']);
    expect(model.tracks[model.slices.track[sliceNamed(model, 'for-tid')]].name).toBe('Worker');
    expect(model.tracks[model.slices.track[sliceNamed(model, 'for-pid')]].name).toBe('Process');
  });

  it('orders child tracks by their parent child_ordering (explicit sibling_order_rank, lexicographic, chronological)', () => {
    const desc = (uuid: number, n: string, ...more: Bytes[]): Bytes => packet(m(60, v(1, uuid), s(2, n), ...more));
    const slice = (t: number, uuid: number, n: string): Bytes => cat(packet(ts(t), seq(1), ev(BEGIN, track(uuid), name(n))), packet(ts(t + 5), seq(1), ev(END, track(uuid))));
    const order = (model: TraceModel, pid: string): string[] => model.groups.find((g) => g.key === pid)!.tracks.map((t) => model.tracks[t].name);
    // Perfetto's own test traces (test/trace_processor/diff_tests/…/tests.py, class Viz).
    const model = load(
      cat(
        packet(m(60, v(1, 1), m(3, v(1, 10)), v(11, 3))),
        desc(110, 'B', v(5, 1), v(12, 1)),
        desc(120, 'A', v(5, 1), v(12, 100)),
        desc(130, 'C', v(5, 1), v(12, -100)),
        desc(140, 'D', v(5, 1)),
        slice(220, 120, '2'),
        slice(230, 110, '1'),
        slice(235, 140, '4'),
        slice(240, 130, '3'),
        packet(m(60, v(1, 2), m(3, v(1, 20)), v(11, 1))),
        desc(210, 'b', v(5, 2)),
        desc(220, 'ab', v(5, 2)),
        desc(230, 'a', v(5, 2)),
        slice(300, 210, 'x'),
        slice(310, 220, 'y'),
        slice(320, 230, 'z'),
        packet(m(60, v(1, 3), m(3, v(1, 30)), v(11, 2))),
        desc(310, 'first-used', v(5, 3)),
        desc(320, 'earliest', v(5, 3)),
        slice(500, 310, 'p'),
        slice(400, 320, 'q'),
      ),
    );
    // Explicit: ascending rank, an unranked track as rank 0.
    expect(order(model, '10')).toEqual(['C', 'D', 'B', 'A']);
    expect(order(model, '20')).toEqual(['a', 'ab', 'b']);
    expect(order(model, '30')).toEqual(['earliest', 'first-used']);
  });
});

describe('compressed_packets', () => {
  /** zlib-wrapped deflate, as Perfetto's deflateInit writes it. */
  const deflate = async (b: Bytes): Promise<Bytes> => new Uint8Array(await new Response(new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());

  it('inflates compressed_packets (zlib) and reads the packets inside in file order', async () => {
    const interned = packet(seq(1), CLEARED, m(12, m(2, v(1, 7), s(2, 'zipped-outer'))));
    const zipped = await deflate(cat(interned, packet(ts(1000), seq(1), NEEDS, ev(BEGIN, track(2), v(10, 7))), packet(ts(2000), seq(1), NEEDS, ev(BEGIN, track(2), name('zipped-inner')))));
    const bytes = cat(
      proc(1, 10, 'Renderer'),
      thread(2, 10, 11, 'CrRendererMain', 1),
      packet(len(50, zipped)),
      // Plain packets after a compressed one apply after the packets inside it.
      packet(ts(3000), seq(1), NEEDS, ev(END, track(2))),
      packet(len(50, await deflate(packet(ts(4000), seq(1), NEEDS, ev(END, track(2)))))),
      // Not a zlib stream: said, with its byte offset, and the rest is still read.
      packet(len(50, Uint8Array.from([1, 2, 3, 4]))),
      packet(ts(5000), seq(1), ev(INSTANT, track(2), name('after'))),
    );
    const model = await runPipeline({ kind: 'bytes', bytes }, { maxPieceBytes: 64 });
    expect(rows(model)).toEqual(['zipped-outer@0+3000', '  zipped-inner@1000+1000 <zipped-outer']);
    expect(model.instants.count).toBe(1);
    expect(model.diagnostics.map((d) => d.kind)).toEqual(['invalid-event']);
    expect(model.diagnostics[0].message).toMatch(/^compressed_packets at byte \d+ \(4 bytes\) could not be inflated/);
    const at = Number(/byte (\d+)/.exec(model.diagnostics[0].message)![1]);
    expect(Array.from(bytes.subarray(at, at + 4))).toEqual([1, 2, 3, 4]);
  });
  it('decompresses zstd_compressed_packets (Perfetto v58+) like compressed_packets', async () => {
    const interned = packet(seq(1), CLEARED, m(12, m(2, v(1, 7), s(2, 'zstd-outer'))));
    const bytes = cat(
      proc(1, 10, 'Renderer'),
      thread(2, 10, 11, 'CrRendererMain', 1),
      packet(len(133, zstdStored(cat(interned, packet(ts(1000), seq(1), NEEDS, ev(BEGIN, track(2), v(10, 7))), packet(ts(2000), seq(1), NEEDS, ev(BEGIN, track(2), name('zstd-inner'))))))),
      packet(ts(3000), seq(1), NEEDS, ev(END, track(2))),
      packet(len(133, zstdStored(packet(ts(4000), seq(1), NEEDS, ev(END, track(2)))))),
      packet(len(133, Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 9]))),
    );
    const model = await runPipeline({ kind: 'bytes', bytes }, { maxPieceBytes: 64 });
    expect(rows(model)).toEqual(['zstd-outer@0+3000', '  zstd-inner@1000+1000 <zstd-outer']);
    expect(model.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^zstd_compressed_packets at byte \d+ \(5 bytes\) could not be inflated \(.+\); the packets in it are lost$/)]);
  });
});

describe('legacy ThreadDescriptor sequences (Chrome ≤ 2020)', () => {
  it('puts events without a track on the sequence thread, timed by timestamp_delta_us from reference_timestamp_us', () => {
    const model = load(
      cat(
        packet(seq(1), CLEARED, m(43, v(1, 10), s(6, 'Browser')), m(44, v(1, 10), v(2, 11), s(5, 'CrBrowserMain'), v(6, 1000), v(7, 500))),
        packet(seq(1), ev(BEGIN, v(1, 10), v(2, 4), name('a'))),
        packet(seq(1), ev(BEGIN, v(1, 5), name('b'))),
        packet(seq(1), ev(END, v(1, 5))),
        // An absolute timestamp is a one-off: the next delta adds to the running sum, not to it.
        packet(seq(1), ev(INSTANT, v(16, 2000), name('abs'))),
        packet(seq(1), ev(END, v(1, 10), v(2, 8))),
        packet(seq(1), ev(v(1, 1), name('x'), m(6, v(2, 0x58), v(3, 3), v(4, 2)))),
      ),
    );
    expect(rows(model)).toEqual(['a@0+20000', '  b@5000+5000 <a', 'x@21000+3000']);
    expect(argsOf(model, sliceNamed(model, 'a')).threadDurNs).toBe(8000);
    expect(argsOf(model, sliceNamed(model, 'x')).threadDurNs).toBe(2000);
    expect(Array.from(model.instants.timeNs.subarray(0, model.instants.count))).toEqual([990000]);
    expect(model.groups.map((g) => g.name)).toEqual(['Browser']);
    expect(trackOf(model, 'CrBrowserMain')?.kind).toBe(TrackKind.THREAD);
    expect(model.diagnostics).toEqual([]);
  });
});

describe('robustness', () => {
  it('survives truncation, bit flips and random bytes (compressed packets too): diagnostics or a TraceImportError with byte offsets, never a throw', async () => {
    let seed = 12345;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const zipped = new Uint8Array(await new Response(new Blob([basic as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
    const inputs = [basic, cat(packet(len(50, zipped)), basic)];
    for (let i = 0; i < 300; i++) {
      const b = inputs[i % 2].slice(0, i % 3 === 0 ? Math.floor(rand() * inputs[i % 2].length) : undefined);
      if (i % 3 === 1) for (let k = 0; k < 4; k++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      if (i % 3 === 2) for (let k = 0; k < 4; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        const model = i % 4 === 0 ? await runPipeline({ kind: 'bytes', bytes: b }, { maxPieceBytes: 7 }) : load(b, 1 + (i % 13));
        for (const d of model.diagnostics) if (d.kind === 'invalid-event' || d.kind === 'truncated-input') expect(d.message).toMatch(/byte \d+/);
      } catch (e) {
        const info = (e as { info?: { offset?: number; message?: string } }).info;
        if (!info) throw e;
        expect(info.offset ?? info.message?.match(/byte \d+/)).toBeDefined();
      }
    }
  });
});
