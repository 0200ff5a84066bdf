// Hostile and damaged input for the Firefox Profiler, systrace and zstd importers (seeded, deterministic):
// a precise TraceImportError or a model with diagnostics, never another throw, a hang or unbounded memory.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GeckoImporter } from '../../../src/viewer/import/gecko';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { SystraceImporter } from '../../../src/viewer/import/systrace';
import { unzstd } from '../../../src/viewer/import/zstd';
import { nameOf } from '../../../src/viewer/model/query';
import { TraceImportError, type TraceModel } from '../../../src/viewer/model/trace-model';
import { importChunked } from './line-support';
import { zstdStored } from './zstd-stored';

const enc = new TextEncoder();
const fixture = (dir: string, f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/${dir}/${f}`, import.meta.url)));
const prng = (seed: number) => (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;

/** A model (its slices with finite starts and non-negative durations), or a TraceImportError; anything else fails. */
function sound(what: string, f: () => TraceModel): void {
  let m: TraceModel;
  try {
    m = f();
  } catch (e) {
    if (!(e instanceof TraceImportError)) throw new Error(`${what}: ${String(e)}`);
    expect(e.info.format, what).not.toBe('');
    return;
  }
  for (let i = 0; i < m.slices.count; i++) {
    if (!Number.isFinite(m.slices.startNs[i]) || !(m.slices.durNs[i] >= 0)) throw new Error(`${what}: slice ${i} at ${m.slices.startNs[i]} lasts ${m.slices.durNs[i]}`);
  }
}
async function soundAsync(what: string, p: Promise<TraceModel>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TraceImportError)) throw new Error(`${what}: ${String(e)}`);
  }
}

const HOSTILE: unknown[] = [null, 'x', '12', -1, -0.5, 1e300, 2 ** 31, 2 ** 32 + 1, true, {}, [], [null], 0, 1.5, -1e300, [[1, 2]], { schema: {}, data: 5 }];

describe('Firefox Profiler: hostile profiles', () => {
  const gecko = (doc: unknown): TraceModel => {
    const i = new GeckoImporter();
    i.push(enc.encode(JSON.stringify(doc)));
    return i.finish();
  };

  it('a table "length" past its columns, negative or not a number, is bounded by the columns', () => {
    const doc = JSON.parse(new TextDecoder().decode(fixture('gecko', 'processed-v57.json')));
    const ok = gecko(doc);
    const th = doc.threads[0];
    th.stackTable.length = -1;
    th.frameTable.length = '3';
    th.markers.length = 1e300;
    const m = gecko(doc);
    expect(m.slices.count).toBe(ok.slices.count);
    expect(m.diagnostics).toEqual(ok.diagnostics);
  });

  it('survives a hostile value in every field of both formats: a model or a TraceImportError', () => {
    for (const f of ['gecko-v27.json', 'processed-v57.json']) {
      const base = JSON.parse(new TextDecoder().decode(fixture('gecko', f)));
      const paths: Array<Array<string | number>> = [];
      const walk = (v: unknown, p: Array<string | number>): void => {
        if (p.length) paths.push(p);
        if (Array.isArray(v)) v.slice(0, 4).forEach((x, i) => walk(x, [...p, i]));
        else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...p, k]);
      };
      walk(base, []);
      const rand = prng(paths.length);
      for (const p of paths) {
        // Each path gets a few of the hostile values (all of them would take too long on a loaded machine).
        for (let k = 0; k < 3; k++) {
          const e = HOSTILE[Math.floor(rand() * HOSTILE.length)];
          const doc = structuredClone(base);
          let o = doc;
          for (const key of p.slice(0, -1)) o = o[key];
          o[p[p.length - 1]] = e;
          sound(`${f} ${p.join('.')} = ${JSON.stringify(e)}`, () => gecko(doc));
        }
      }
    }
  });

  it('survives cyclic and huge stack tables, and truncated or bit-flipped files', () => {
    const n = 500_000;
    const prefix = Array.from({ length: n }, (_, i) => (i === 0 ? n - 1 : i - 1)); // one long cycle
    const doc = {
      meta: { interval: 1, startTime: 0, preprocessedProfileVersion: 57, categories: [{ name: 'Other' }] },
      threads: [{ name: 'T', pid: 1, tid: 1, stringArray: ['f'], samples: { stack: [n - 1, 5, 2 ** 40, -3, null], time: [0, 1, 2, 3, 4], length: 5 }, stackTable: { prefix, frame: new Array(n).fill(0), length: n }, frameTable: { func: [0], length: 1 }, funcTable: { name: [0], length: 1 } }],
    };
    const m = gecko(doc);
    expect(m.diagnostics.map((d) => d.kind)).toEqual(expect.arrayContaining(['parent-cycle', 'unknown-frame']));
    const text = enc.encode(JSON.stringify(JSON.parse(new TextDecoder().decode(fixture('gecko', 'gecko-v27.json')))));
    const rand = prng(99);
    for (let i = 0; i < 150; i++) {
      const b = text.slice(0, i % 2 ? Math.floor(rand() * text.length) : undefined);
      if (i % 2 === 0) for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      sound(`case ${i}`, () => importChunked(new GeckoImporter(), b, 1 + (i % 97)));
    }
  });
});

const SYSTRACE = `# tracer: nop
  surfaceflinger-600   (  600) [000] ...1  1000.000100: tracing_mark_write: B|600|onMessageReceived
    RenderThread-1234  ( 1200) [001] ...1  1000.000200: tracing_mark_write: B|1200|DrawFrame
    RenderThread-1234  ( 1200) [001] ...1  1000.000300: tracing_mark_write: E|1200
  Binder:1200_2 x-1250 ( 1200) [002] d..2  1000.000310: tracing_mark_write: S|1200|launching: com.example|42
    RenderThread-1234  ( 1200) [001] ...1  1000.000400: tracing_mark_write: E|1200
  surfaceflinger-600   (  600) [000] ...1  1000.000500: tracing_mark_write: C|600|VSYNC-app|1
  com.example-1200  ( 1200) [003] ...1  1000.000800: tracing_mark_write: I|1200|activityStart
  Binder:1200_2 x-1250 ( 1200) [002] d..2  1000.000900: tracing_mark_write: F|1200|launching: com.example|42
  <idle>-0     (-----) [000] d..2  1000.001000: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=RenderThread next_pid=1234 next_prio=110
  <idle>-0     (-----) [000] d..2  1000.001100: cpu_frequency: state=1800000 cpu_id=0
  surfaceflinger-600   (  600) [000] ...1  1000.001200: tracing_mark_write: E|600
`;

describe('systrace: hostile text', () => {
  const systrace = (b: Uint8Array, size = 1 << 20): TraceModel => importChunked(new SystraceImporter(), b, size);

  it('survives line-level mutations, truncation, bit flips and random bytes', () => {
    const lines = SYSTRACE.split('\n');
    const rand = prng(4242);
    const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
    const mutate = (l: string): string => {
      switch (Math.floor(rand() * 8)) {
        case 0: return l.replace(/\d+\.\d+/, pick(['-1.5', '99999999999999999999.1', '1.', '0.0000000001', '1e9.5']));
        case 1: return l.replace(/\|[^|]*$/, pick(['|', '||||', '|NaN', '|-1', '|1e999', '|\u0000']));
        case 2: return l.replace(/\[\d+\]/, pick(['[-1]', '[99999999999999999999]', '[]']));
        case 3: return l.replace(/: [BESFCING]\|/, `: ${pick(['B', 'E', 'S', 'C', 'X', 'G', 'H', 'N', 'I'])}|`);
        case 4: return l.slice(0, Math.floor(rand() * l.length));
        case 5: return `${l}\r`;
        case 6: return l.replace(/-\d+ /, pick(['-0 ', '--1 ', '-99999999999999999999 ']));
        default: return l;
      }
    };
    for (let i = 0; i < 300; i++) {
      const text = lines.map((l) => (rand() < 0.4 ? mutate(l) : l)).join(pick(['\n', '\r\n']));
      const b = enc.encode((i % 5 === 0 ? '\ufeff' : '') + text);
      if (i % 3 === 1) for (let k = 0; k < 4; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      sound(`case ${i}: ${text.slice(0, 0)}`, () => systrace(b.subarray(0, i % 4 === 3 ? Math.floor(rand() * b.length) : undefined), 1 + (i % 61)));
    }
  });

  it('B without E ×100k, timestamps going backwards, a 10 MB line, UTF-16: bounded, and said', () => {
    const begins: string[] = [];
    for (let i = 0; i < 100_000; i++) begins.push(`  app-7 (7) [000] ...1  ${(1000 + (i % 2 ? -i : i) / 1e6).toFixed(6)}: tracing_mark_write: B|7|s${i % 10}`);
    const m = systrace(enc.encode(begins.join('\n')));
    expect(m.slices.count).toBe(100_000);
    expect(m.diagnostics.find((d) => d.kind === 'unclosed-begin')?.count).toBe(100_000);
    sound('long line', () => systrace(enc.encode(`${SYSTRACE}  app-7 (7) [000] ...1  1000.5: tracing_mark_write: B|7|${'x'.repeat(10 << 20)}\n`), 1 << 16));
    const u16 = new Uint8Array(2 + SYSTRACE.length * 2);
    u16.set([0xff, 0xfe]);
    for (let i = 0; i < SYSTRACE.length; i++) u16[2 + i * 2] = SYSTRACE.charCodeAt(i);
    sound('utf-16', () => systrace(u16));
  });
});

describe('zstd: hostile streams', () => {
  const chrome = enc.encode(JSON.stringify({ traceEvents: [{ name: 'pz', ph: 'X', pid: 1, tid: 1, ts: 0, dur: 1 }] }));
  const names = (m: TraceModel): string[] => Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i));

  it('reads pzstd output (a skippable frame first), skippable frames between frames, and compression twice', async () => {
    for (const f of ['pzstd.json.zst', 'gzip-in-zstd.zst', 'zstd-in-gzip.gz']) {
      const m = await runPipeline({ kind: 'bytes', bytes: fixture('zstd', f) });
      expect(names(m), f).toEqual(['pz']);
      expect(m.diagnostics, f).toEqual([]);
    }
    // Skippable frames of each magic 0x184D2A50..5F between two frames of a stream.
    const skip = (k: number): number[] => [0x50 + k, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
    const half = chrome.length >> 1;
    const z = Uint8Array.from([...zstdStored(chrome.subarray(0, half)), ...Array.from({ length: 16 }, (_, k) => skip(k)).flat(), ...zstdStored(chrome.subarray(half))]);
    expect(names(await runPipeline({ kind: 'bytes', bytes: z }))).toEqual(['pz']);
    const gz = new Uint8Array(gzipSync(zstdStored(new Uint8Array(gzipSync(chrome)))));
    expect(names(await runPipeline({ kind: 'bytes', bytes: gz }))).toEqual(['pz']);
  });

  it('a zip bomb streams: a few KB of RLE blocks come out in bounded pieces, not all at once', async () => {
    // A 128 KiB window, then 4000 RLE blocks of 128 KiB ' ' (4 bytes each): 16 KB that stand for 500 MB.
    const blocks: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3];
    for (let i = 0; i < 4000; i++) {
      const h = (1 << 1) | ((1 << 17) << 3);
      blocks.push(h & 255, (h >> 8) & 255, (h >> 16) & 255, 0x20);
    }
    const before = process.memoryUsage().arrayBuffers;
    let seen = 0;
    for await (const c of unzstd(Uint8Array.from(blocks), (async function* () {})(), {})) {
      seen += c.length;
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
      if (seen > 8 << 20) break;
    }
    expect(seen).toBeGreaterThan(8 << 20);
  });

  it('survives truncation, bit flips and random bytes in zstd streams and Collector files', async () => {
    const inputs = [fixture('zstd', 'chrome-trace.json.zst'), fixture('zstd', 'collector-json.zst'), fixture('zstd', 'pzstd.json.zst')];
    const rand = prng(777);
    for (let i = 0; i < 60; i++) {
      const src = inputs[i % 3];
      const b = src.slice(0, i % 3 === 0 ? Math.floor(rand() * src.length) : undefined);
      if (i % 2) for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      await soundAsync(`case ${i}`, runPipeline({ kind: 'bytes', bytes: b }));
    }
    // Huge declared window and content sizes in a tiny frame: refused or read, never a RangeError.
    for (const hdr of [[0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0xff, 0xff, 0xff, 0xff], [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8]]) {
      const z = Uint8Array.from([...hdr, 1, 0, 0]);
      await soundAsync(`header ${hdr}`, runPipeline({ kind: 'bytes', bytes: z }));
      const framed = Uint8Array.from([0, 0, 0, z.length, ...z]);
      await soundAsync(`framed ${hdr}`, runPipeline({ kind: 'bytes', bytes: framed }));
    }
  });
});

describe('line importers: a long line', () => {
  it('a 64 MB line fed in 64 KB chunks is read in linear time', () => {
    const chunk = enc.encode('x'.repeat(1 << 16));
    const i = new SystraceImporter();
    const t0 = performance.now();
    for (let k = 0; k < 1024; k++) i.push(chunk);
    i.push(enc.encode(`\n${SYSTRACE}`));
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(i.finish().diagnostics.find((d) => d.kind === 'invalid-event')?.message).toMatch(/^line 1: "x{79}/);
  });
});
