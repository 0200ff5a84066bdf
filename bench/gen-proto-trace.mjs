#!/usr/bin/env node
/**
 * Writes a synthetic Perfetto protobuf trace equivalent to bench/gen-chrome-trace.mjs's JSON one
 * (same seed, same slices, names, categories, nesting over 3 processes × 4 threads), as Chrome's
 * TrackEvent writer lays it out: one packet sequence per thread with interned names, categories and
 * annotation names, an incremental sequence clock (id 64, ns deltas), TrackDescriptors for
 * processes, threads and an incremental thread-time counter (extra_counter_values at each
 * BEGIN/END, the JSON's `tdur`), and a `seq` debug annotation on each BEGIN (the JSON's args).
 * Each JSON "X" event is a SLICE_BEGIN / SLICE_END pair. Streams to disk.
 *
 *   node bench/gen-proto-trace.mjs <events> <out.pftrace>
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { traceShape } from './gen-chrome-trace.mjs';

/** A growable protobuf writer: messages are built inside out into small arrays of bytes. */
class Enc {
  constructor() {
    this.b = [];
  }
  varint(v) {
    // Non-negative, exact to 2^53.
    while (v >= 0x80) {
      this.b.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.b.push(v);
    return this;
  }
  v(f, n) {
    return this.varint(f * 8).varint(n);
  }
  /** A signed int64 varint field (negatives as 10-byte two's complement). */
  i(f, n) {
    if (n >= 0) return this.v(f, n);
    const x = BigInt.asUintN(64, BigInt(n));
    this.varint(f * 8);
    for (let y = x; ; ) {
      const c = Number(y & 0x7fn);
      y >>= 7n;
      if (!y) return this.b.push(c), this;
      this.b.push(c | 0x80);
    }
  }
  bytes(f, arr) {
    this.varint(f * 8 + 2).varint(arr.length);
    for (const x of arr) this.b.push(x);
    return this;
  }
  s(f, text) {
    return this.bytes(f, Buffer.from(text, 'utf8'));
  }
  m(f, enc) {
    return this.bytes(f, enc.b);
  }
}
const E = () => new Enc();

/**
 * @param {string} path
 * @param {number} events
 * @param {{ seed?: number }} [opts]
 * @returns {Promise<{ bytes: number, events: number }>}
 */
export async function generateProtoTrace(path, events, opts = {}) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let buf = Buffer.alloc(1 << 21);
  let pos = 0;
  const write = async (enc) => {
    // Trace.packet (field 1) framing.
    const frame = E().m(1, enc).b;
    if (pos + frame.length > buf.length) {
      bytes += pos;
      if (!out.write(buf.subarray(0, pos))) await once(out, 'drain');
      buf = Buffer.alloc(Math.max(1 << 21, frame.length));
      pos = 0;
    }
    for (const x of frame) buf[pos++] = x;
  };
  const BASE_NS = 1_000_000_000_000;
  let uuid = 100;
  let puuid = 0;
  let seqs = 0;
  /** One TrackEvent packet on `th`'s sequence at `us` (µs, as the JSON's ts). */
  const event = async (th, us, type, name, cat, seq) => {
    const ns = Math.round(BASE_NS + us * 1000);
    const tt = Math.round((us - 1_000_000) * 800);
    const pkt = E();
    if (!th.started) {
      th.started = true;
      th.lastNs = ns;
      th.lastTt = 0;
      pkt
        .v(13, 1) // SEQ_INCREMENTAL_STATE_CLEARED
        .m(6, E().m(1, E().v(1, 6).v(2, ns)).m(1, E().v(1, 64).v(2, ns).v(3, 1)))
        .m(59, E().v(58, 64).m(11, E().v(11, th.uuid).v(31, th.ttUuid)));
    } else pkt.v(13, 2); // SEQ_NEEDS_INCREMENTAL_STATE
    const interned = E();
    let hasInterned = false;
    if (type === 1) {
      if (!th.names.has(name)) {
        th.names.set(name, th.names.size + 1);
        interned.m(2, E().v(1, th.names.get(name)).s(2, name));
        hasInterned = true;
      }
      if (!th.cats.has(cat)) {
        th.cats.set(cat, th.cats.size + 1);
        interned.m(1, E().v(1, th.cats.get(cat)).s(2, cat));
        hasInterned = true;
      }
      if (!th.argName) {
        th.argName = true;
        interned.m(3, E().v(1, 1).s(2, 'seq'));
        hasInterned = true;
      }
    }
    pkt.v(8, ns - th.lastNs).v(10, th.seq);
    th.lastNs = ns;
    if (hasInterned) pkt.m(12, interned);
    const te = E().v(9, type);
    if (type === 1) te.v(3, th.cats.get(cat)).v(10, th.names.get(name)).m(4, E().v(1, 1).v(4, seq));
    te.i(12, tt - th.lastTt);
    th.lastTt = tt;
    pkt.m(11, te);
    await write(pkt);
  };
  const written = await traceShape(events, opts.seed ?? 42, {
    process: (pid, name) => write(E().m(60, E().v(1, (puuid = uuid++)).m(3, E().v(1, pid).s(6, name)))),
    thread: async (th, name) => {
      Object.assign(th, { uuid: uuid++, ttUuid: uuid++, seq: ++seqs, lastNs: 0, lastTt: 0, names: new Map(), cats: new Map(), argName: false, started: false });
      await write(E().m(60, E().v(1, th.uuid).v(5, puuid).m(4, E().v(1, th.pid).v(2, th.tid).s(5, name))));
      // Thread time: COUNTER_THREAD_TIME_NS (1), incremental, as Chrome describes it.
      await write(E().m(60, E().v(1, th.ttUuid).v(5, th.uuid).m(8, E().v(1, 1).v(5, 1))));
    },
    begin: (th, start, _dur, name, cat, seq) => event(th, start, 1, name, cat, seq),
    end: (th, t) => event(th, t, 2),
  });
  bytes += pos;
  out.write(buf.subarray(0, pos));
  out.end();
  await once(out, 'finish');
  return { bytes, events: written };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 1e6);
  const path = process.argv[3] ?? 'trace.pftrace';
  const t0 = performance.now();
  const r = await generateProtoTrace(path, n);
  console.log(`${path}: ${r.events} slices, ${(r.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
