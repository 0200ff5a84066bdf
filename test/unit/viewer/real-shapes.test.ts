// Files shaped like the ones people open in Perfetto, chrome://tracing and speedscope: what
// Chromium's DevTools categories record (a V8 CPU profile per thread, its chunks written by V8's
// sampler thread), metadata events at either end of the file, and the Firefox Profiler's format.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { nameOf } from '../../../src/viewer/model/query';
import { TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';

type Ev = Record<string, unknown>;
const meta = (name: string, pid: number, tid: number, value: string): Ev => ({ ph: 'M', cat: '__metadata', name, pid, tid, ts: 0, args: { name: value } });
const node = (id: number, functionName: string, parent?: number): Ev => ({
  id,
  callFrame: { codeType: parent ? 'JS' : 'other', functionName, scriptId: parent ? 12 : 0, url: parent ? 'https://example.com/app.js' : '', lineNumber: 3, columnNumber: 1 },
  ...(parent ? { parent } : {}),
});
const cpu = 'disabled-by-default-v8.cpu_profiler';

/** As Chromium writes them: Profile on the profiled thread, ProfileChunks on the sampler thread (tid 205). */
function profile(id: string, tid: number, startUs: number): Ev {
  return { ph: 'P', cat: cpu, name: 'Profile', id, pid: 200, tid, ts: startUs, tts: 5, args: { data: { startTime: startUs } } };
}
function chunk(id: string, tsUs: number, data: Ev): Ev {
  return { ph: 'P', cat: cpu, name: 'ProfileChunk', id, pid: 200, tid: 205, ts: tsUs, args: { data } };
}
const MAIN_CHUNKS = [
  chunk('0x1', 1_000_600, {
    cpuProfile: { nodes: [node(1, '(root)'), node(2, '(program)', 1), node(3, 'onClick', 1), node(4, 'work', 3)], samples: [2, 3, 4, 4] },
    lines: [0, 4, 4, 4],
    timeDeltas: [150, 100, 50, 50],
  }),
  chunk('0x1', 1_000_900, { cpuProfile: { samples: [1] }, timeDeltas: [100], endTime: 1_000_800 }),
];
const WORKER_CHUNK = chunk('0x2', 1_000_600, { cpuProfile: { nodes: [node(1, '(root)'), node(2, 'workerMain', 1)], samples: [2, 2] }, timeDeltas: [200, 100] });
const TASK: Ev = { ph: 'X', cat: 'disabled-by-default-devtools.timeline', name: 'RunTask', pid: 200, tid: 201, ts: 1_000_000, dur: 900, tts: 1000, tdur: 650, args: {} };
const NAMES = [meta('process_name', 200, 0, 'Renderer'), meta('thread_name', 200, 201, 'CrRendererMain'), meta('thread_name', 200, 202, 'DedicatedWorker thread'), meta('thread_name', 200, 205, 'v8:ProfEvntProc')];

const chrome = (events: Ev[]): TraceModel => importChromeJson(JSON.stringify({ traceEvents: events, metadata: { source: 'DevTools' } }));
/** Slices of the track named `track`, as `name@startµs+durµs` in time order (depth by indent). */
function slicesOn(m: TraceModel, track: string | number): string[] {
  const t = typeof track === 'number' ? m.tracks.findIndex((x) => x.kind === track) : m.tracks.findIndex((x) => x.name === track);
  if (t < 0) throw new Error(`no track "${track}" in ${JSON.stringify(m.tracks.map((x) => x.name))}`);
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < m.slices.count; i++) {
    if (m.slices.track[i] !== t) continue;
    out.push([m.slices.startNs[i], m.slices.depth[i], `${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)}@${m.slices.startNs[i] / 1000}+${m.slices.durNs[i] / 1000}`]);
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
}
const trackNames = (m: TraceModel, kind: number): string[] => m.tracks.filter((t) => t.kind === kind).map((t) => t.name);

describe('Chrome traces with V8 CPU profiles (DevTools Performance panel)', () => {
  // Samples at 150 (program: hidden), 250, 300, 350 and 450 ((root): empty) µs; endTime 800.
  const MAIN = ['onClick@250+200', '  work@300+150'];

  it('each profile is named after the thread it profiles, not the sampler thread that wrote its chunks', () => {
    const m = chrome([...NAMES, profile('0x1', 201, 1_000_000), profile('0x2', 202, 1_000_000), TASK, ...MAIN_CHUNKS, WORKER_CHUNK]);
    expect(trackNames(m, TrackKind.SAMPLES).sort()).toEqual(['CrRendererMain CPU profile', 'DedicatedWorker thread CPU profile']);
    expect(slicesOn(m, 'CrRendererMain CPU profile')).toEqual(MAIN);
    expect(slicesOn(m, 'DedicatedWorker thread CPU profile')).toEqual(['workerMain@200+100']);
    expect(m.diagnostics).toEqual([]);
  });

  it('thread names written after the events (legacy Chrome JSON puts metadata last) still name sample tracks', () => {
    const sampled = [
      { ph: 'P', name: 'sample', pid: 200, tid: 201, ts: 1_000_000, sf: 2 },
      { ph: 'P', name: 'sample', pid: 200, tid: 201, ts: 1_000_010, sf: 1 },
    ];
    const m = importChromeJson(
      JSON.stringify({ traceEvents: [profile('0x1', 201, 1_000_000), ...MAIN_CHUNKS, ...sampled, ...NAMES], stackFrames: { 1: { name: 'main' }, 2: { name: 'child', parent: 1 } } }),
    );
    expect(trackNames(m, TrackKind.SAMPLES).sort()).toEqual(['CrRendererMain CPU profile', 'CrRendererMain samples']);
    expect(slicesOn(m, 'CrRendererMain samples')).toEqual(['main@0+10', '  child@0+10']);
  });

  it('sample times do not depend on where the Profile event is in the file (events need not be in time order)', () => {
    const start = profile('0x1', 201, 1_000_000);
    const inOrder = chrome([TASK, start, ...MAIN_CHUNKS]);
    expect(slicesOn(inOrder, TrackKind.SAMPLES)).toEqual(MAIN);
    for (const events of [
      [TASK, ...MAIN_CHUNKS, start],
      [TASK, MAIN_CHUNKS[0], start, MAIN_CHUNKS[1]],
    ]) {
      const m = chrome(events);
      expect(slicesOn(m, TrackKind.SAMPLES)).toEqual(MAIN);
      expect(m.endNs).toBe(inOrder.endNs);
    }
  });

  it('without its Profile event (lost from a ring buffer), a profile starts at its first chunk and keeps the generic name', () => {
    const m = chrome([TASK, ...MAIN_CHUNKS]);
    expect(trackNames(m, TrackKind.SAMPLES)).toEqual(['CPU profile']);
    // The first chunk's ts (600 µs) is the best start there is.
    expect(slicesOn(m, 'CPU profile')[0]).toBe('onClick@850+200');
  });
});

describe('DevTools "Save trace" files', () => {
  it('with source maps in the metadata written first (their names hold any identifier), it still opens as a Chrome trace', async () => {
    const names = ['data', 'spans', 'events', 'unit', 'profiles', 'shared', 'nodes', 'callFrame', ...Array.from({ length: 3000 }, (_, i) => `ident${i}`)];
    const metadata = {
      source: 'DevTools',
      startTime: '2026-11-22T10:00:00.000Z',
      dataOrigin: 'TraceEvents',
      enhancedTraceVersion: 1,
      sourceMaps: [{ url: 'https://example.com/app.js', sourceMapUrl: 'https://example.com/app.js.map', sourceMap: { version: 3, sources: ['src/app.tsx'], names, mappings: 'AAAA,SAASA;'.repeat(2000) } }],
    };
    // As DevTools' traceJsonGenerator writes it: metadata pretty-printed first, one event per line.
    const text = `{"metadata": ${JSON.stringify(metadata, null, 2)},\n"traceEvents": [\n  ${[...NAMES, TASK].map((e) => JSON.stringify(e)).join(',\n  ')}\n]}\n`;
    const bytes = new TextEncoder().encode(text);
    // In the pieces a network response arrives in.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let p = 0; p < bytes.length; p += 16384) c.enqueue(bytes.slice(p, p + 16384));
        c.close();
      },
    });
    const m = await runPipeline({ kind: 'stream', stream });
    expect(m.format).toBe('chrome-json');
    expect(slicesOn(m, 'CrRendererMain')).toEqual(['RunTask@0+900']);
    expect(m.metadata).toMatchObject({ source: 'DevTools', enhancedTraceVersion: 1 });
  });
});

describe("the Firefox Profiler's format", () => {
  const firefox = {
    meta: { interval: 1, startTime: 1714557600000, product: 'Firefox', version: 30, preprocessedProfileVersion: 50, categories: [] },
    libs: [],
    pages: [],
    counters: [],
    threads: [
      {
        name: 'GeckoMain',
        processType: 'default',
        pid: '1',
        tid: 1,
        samples: { length: 1, stack: [0], time: [5] },
        stackTable: { length: 1, frame: [0], prefix: [null] },
        frameTable: { length: 1, func: [0], category: [null] },
        funcTable: { length: 1, name: [0] },
        stringArray: ['main'],
      },
    ],
  };

  it('a Firefox Profiler profile opens as one, also when it has "shared" (newer files) and gzipped', async () => {
    const { stringArray, ...thread } = firefox.threads[0];
    for (const doc of [{ ...firefox, threads: [thread], shared: { stringArray } }, firefox]) {
      const m = await runPipeline({ kind: 'bytes', bytes: gzipSync(JSON.stringify(doc)) });
      expect(m.format).toBe('gecko-json');
      expect(nameOf(m, 0)).toBe('main');
    }
    // One with no samples says so.
    const empty = { ...firefox, threads: [{ ...firefox.threads[0], samples: { length: 0, stack: [], time: [] } }] };
    await expect(runPipeline({ kind: 'bytes', bytes: gzipSync(JSON.stringify(empty)) })).rejects.toThrow("gecko-json: no samples nor markers in the profile's 1 threads");
  });
});
