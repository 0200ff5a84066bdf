#!/usr/bin/env node
/**
 * Writes a synthetic Chrome trace: N complete ("X") events with realistic nesting (depth ≤ 11)
 * over 3 processes × 4 threads, in the object form with metadata names. ~136 bytes per event,
 * so 1M events ≈ 136 MB. Deterministic (seeded PRNG). Streams to disk; never holds the file.
 *
 *   node bench/gen-chrome-trace.mjs <events> <out.json>
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const NAMES = [
  'RunTask', 'ParseHTML', 'EvaluateScript', 'FunctionCall', 'v8.compile', 'Layout', 'UpdateLayoutTree',
  'Paint', 'CompositeLayers', 'HitTest', 'TimerFire', 'XHRReadyStateChange', 'MinorGC', 'MajorGC',
  'ResourceSendRequest', 'v8.callFunction', 'ThreadControllerImpl::RunTask', 'ScheduledAction::Execute',
];
const CATS = ['devtools.timeline', 'v8', 'blink', 'toplevel', 'disabled-by-default-devtools.timeline'];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The traces' shared shape (the JSON and the protobuf generator write the same slices): 3
 * processes × 4 threads, then trees of slices in preorder, each child filling part of its
 * parent's span. `v.end` is called after a slice's children (the protobuf writer's SLICE_END).
 * @param {number} events
 * @param {number} seed
 * @param {{ process(pid: number, name: string): Promise<void>, thread(th: { pid: number, tid: number, time: number }, name: string): Promise<void>, begin(th: object, start: number, dur: number, name: string, cat: string, seq: number): Promise<void>, end?(th: object, t: number): Promise<void> }} v
 * @returns {Promise<number>} slices written
 */
export async function traceShape(events, seed, v) {
  const rand = mulberry32(seed);
  const threads = [];
  for (let p = 0; p < 3; p++) {
    const pid = 1000 + p * 17;
    await v.process(pid, p === 0 ? 'Browser' : `Renderer ${p}`);
    for (let t = 0; t < 4; t++) {
      const th = { pid, tid: pid * 10 + t, time: 1_000_000 + rand() * 1000 };
      threads.push(th);
      await v.thread(th, t === 0 ? 'CrMainThread' : `Worker ${t}`);
    }
  }
  let written = 0;
  // Emit a subtree; returns slices written.
  const emit = async (th, start, dur, depth, budget) => {
    const name = NAMES[(rand() * NAMES.length) | 0];
    const cat = CATS[(rand() * CATS.length) | 0];
    await v.begin(th, start, dur, name, cat, written);
    written++;
    let n = 1;
    if (depth < 10 && budget > 1) {
      let left = budget - 1;
      const kids = Math.min(left, 1 + ((rand() * 4) | 0));
      let cursor = start + dur * 0.02;
      const end = start + dur * 0.98;
      for (let k = 0; k < kids && left > 0 && cursor < end; k++) {
        const room = (end - cursor) / (kids - k);
        const cdur = room * (0.4 + rand() * 0.5);
        const share = k === kids - 1 ? left : Math.max(1, Math.floor(left / (kids - k)));
        const used = await emit(th, cursor, cdur, depth + 1, share);
        n += used;
        left -= used;
        cursor += room;
      }
    }
    await v.end?.(th, start + dur);
    return n;
  };
  let ti = 0;
  while (written < events) {
    const th = threads[ti++ % threads.length];
    const budget = Math.min(events - written, 20 + ((rand() * 200) | 0));
    const dur = 50 + budget * (5 + rand() * 20);
    await emit(th, th.time, dur, 0, budget);
    th.time += dur + rand() * 200;
  }
  return written;
}

/**
 * @param {string} path
 * @param {number} events
 * @param {{ seed?: number }} [opts]
 * @returns {Promise<{ bytes: number, events: number }>}
 */
export async function generateChromeTrace(path, events, opts = {}) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let buf = '';
  const write = async (s) => {
    buf += s;
    if (buf.length > 1 << 20) {
      bytes += Buffer.byteLength(buf);
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  };
  await write('{"displayTimeUnit":"ms","traceEvents":[\n');
  let first = true;
  const written = await traceShape(events, opts.seed ?? 42, {
    process: (pid, name) => write(`{"ph":"M","pid":${pid},"tid":0,"ts":0,"name":"process_name","args":{"name":"${name}"}},\n`),
    thread: (th, name) => write(`{"ph":"M","pid":${th.pid},"tid":${th.tid},"ts":0,"name":"thread_name","args":{"name":"${name}"}},\n`),
    begin: (th, start, dur, name, cat, seq) => {
      const line =
        `${first ? '' : ',\n'}{"pid":${th.pid},"tid":${th.tid},"ts":${start.toFixed(3)},"ph":"X","cat":"${cat}",` +
        `"name":"${name}","dur":${dur.toFixed(3)},"tdur":${(dur * 0.8).toFixed(3)},"args":{"seq":${seq}}}`;
      first = false;
      return write(line);
    },
  });
  await write('\n]}\n');
  bytes += Buffer.byteLength(buf);
  out.write(buf);
  out.end();
  await once(out, 'finish');
  return { bytes, events: written };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 1e6);
  const path = process.argv[3] ?? 'trace.json';
  const t0 = performance.now();
  const r = await generateChromeTrace(path, n);
  console.log(`${path}: ${r.events} events, ${(r.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
