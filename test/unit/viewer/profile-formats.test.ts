import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CpuProfileImporter } from '../../../src/viewer/import/cpuprofile';
import { SpeedscopeImporter } from '../../../src/viewer/import/speedscope';
import { CollapsedImporter } from '../../../src/viewer/import/collapsed';
import { detectFormat } from '../../../src/viewer/import/detect';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, nameOf, parentOf } from '../../../src/viewer/model/query';
import { SliceFlag, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';

const enc = new TextEncoder();

interface Importer {
  push(chunk: Uint8Array): void;
  finish(): TraceModel;
}

/** Feeds `text` in pieces of `size` bytes (1 cuts every number, string and UTF-8 sequence). */
function imp(make: () => Importer, text: string, size = 1 << 20): TraceModel {
  const bytes = enc.encode(text);
  const i = make();
  for (let p = 0; p < bytes.length; p += size) i.push(bytes.slice(p, p + size));
  return i.finish();
}
const cpu = (text: string, size?: number): TraceModel => imp(() => new CpuProfileImporter(), text, size);
const ss = (text: string, size?: number): TraceModel => imp(() => new SpeedscopeImporter(), text, size);
const folded = (text: string, size?: number): TraceModel => imp(() => new CollapsedImporter(), text, size);

/** Slices as `name@start+dur` (ns, after the builder's shift), with their parent's name, in start order. */
function rows(m: TraceModel): Array<{ name: string; start: number; dur: number; depth: number; parent: string; flags: number }> {
  const out = [];
  for (let i = 0; i < m.slices.count; i++) {
    const p = parentOf(m, i);
    out.push({ name: nameOf(m, i), start: m.slices.startNs[i], dur: m.slices.durNs[i], depth: m.slices.depth[i], parent: p >= 0 ? nameOf(m, p) : '', flags: m.slices.flags[i] });
  }
  return out.sort((a, b) => a.start - b.start || a.depth - b.depth);
}
const brief = (m: TraceModel): string[] => rows(m).map((r) => `${'  '.repeat(r.depth)}${r.name}@${r.start}+${r.dur}`);
const sliceNamed = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};
const diag = (m: TraceModel, kind: string) => m.diagnostics.find((d) => d.kind === kind);

// A DevTools-style profile: children lists, (root)/(program)/(idle), 0-based line numbers.
const frame = (functionName: string, url = '', lineNumber = -1, columnNumber = -1) => ({ functionName, scriptId: '1', url, lineNumber, columnNumber });
const CPU = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), hitCount: 0, children: [2, 3, 6] },
    { id: 2, callFrame: frame('main', 'https://app.test/app.js', 9, 4), hitCount: 0, children: [4, 5] },
    { id: 3, callFrame: frame('(program)'), hitCount: 1 },
    { id: 4, callFrame: frame('work', 'https://app.test/app.js', 19, 0), hitCount: 2 },
    { id: 5, callFrame: frame(''), hitCount: 1 },
    { id: 6, callFrame: frame('(idle)'), hitCount: 1 },
  ],
  startTime: 1000,
  endTime: 1100,
  samples: [4, 4, 5, 3, 6, 2],
  timeDeltas: [10, 10, 10, 10, 10, 10],
};

describe('V8 .cpuprofile', () => {
  it('lays samples out as nested runs until the next sample, the last until endTime', () => {
    const m = cpu(JSON.stringify(CPU));
    expect(m.format).toBe('v8-cpuprofile');
    // Samples at 10, 20, 30, 40 (program: hidden), 50 (idle: hidden), 60; end at 100 µs.
    expect(brief(m)).toEqual(['main@0+30000', '  work@0+20000', '  (anonymous)@20000+10000', 'main@50000+40000']);
    expect(m.originMs).toBeCloseTo(1.01, 9); // startTime 1000 µs + first sample at 10 µs
    expect(m.endNs).toBe(90_000);
    expect(argsOf(m, sliceNamed(m, 'work')).args).toEqual({ url: 'https://app.test/app.js', line: 20, column: 1 });
    expect(argsOf(m, sliceNamed(m, 'main')).args).toEqual({ url: 'https://app.test/app.js', line: 10, column: 5 });
    expect(m.tracks.map((t) => [t.name, t.kind])).toEqual([['CPU profile', TrackKind.SAMPLES]]);
    expect(m.groups.map((g) => g.name)).toEqual(['V8 CPU profile']);
    expect(m.diagnostics).toEqual([]);
    expect(m.eventCounts).toEqual({ sample: 6 });
  });

  it('reads parent links as well as children lists, in any key order', () => {
    const doc = `{"samples":[3,3,2],"timeDeltas":[0,5,5],"nodes":[{"id":3,"parent":2,"callFrame":{"functionName":"leaf"}},{"id":2,"parent":1,"callFrame":{"functionName":"mid"}},{"id":1,"callFrame":{"functionName":"(root)"}}],"startTime":0,"endTime":20}`;
    expect(brief(cpu(doc))).toEqual(['mid@0+20000', '  leaf@0+10000']);
  });

  it('gives the same model however the bytes are cut', () => {
    const text = JSON.stringify(CPU, null, 1);
    expect(brief(cpu(text, 1))).toEqual(brief(cpu(text)));
    expect(brief(cpu(text, 7))).toEqual(brief(cpu(text)));
  });

  it('puts samples with negative deltas in time order and counts them', () => {
    const doc = { ...CPU, samples: [4, 5, 4], timeDeltas: [10, 20, -15], endTime: 1040 };
    const m = cpu(JSON.stringify(doc));
    // Times 10, 30, 15 → order 10 (work), 15 (work), 30 (anonymous) until 40.
    expect(brief(m)).toEqual(['main@0+30000', '  work@0+20000', '  (anonymous)@20000+10000']);
    expect(diag(m, 'negative-delta')).toMatchObject({ count: 1 });
  });

  it('reports samples naming unknown nodes, non-numeric samples and missing deltas', () => {
    const doc = { ...CPU, samples: [4, 99, 'x', 4], timeDeltas: [10, 10, 10] };
    const m = cpu(JSON.stringify(doc));
    expect(diag(m, 'unknown-frame')).toMatchObject({ count: 1 });
    expect(diag(m, 'unknown-frame')?.message).toContain('node 99');
    expect(diag(m, 'invalid-event')?.count).toBe(2); // samples[2], 3 deltas for 4 samples
    // 99 and 'x' have no stack: two separate runs of work.
    expect(brief(m).filter((r) => r.trim().startsWith('work'))).toHaveLength(2);
  });

  it('fails precisely on malformed input', () => {
    const e = errorOf(() => cpu('{"nodes":[],\n "samples": 5}'));
    expect(e.info).toMatchObject({ format: 'v8-cpuprofile', line: 2, column: 13, offset: 25, expected: 'an array' });
    const cut = errorOf(() => cpu('{"nodes":[{"id":1,"callFrame":{}}],"samples":[1,'));
    expect(cut.info).toMatchObject({ format: 'v8-cpuprofile', expected: "']'" });
    const bad = errorOf(() => cpu('{"nodes":[{"id":1,}]}'));
    expect(bad.info).toMatchObject({ format: 'v8-cpuprofile', offset: 18 });
  });
});

const FRAMES = [
  { name: 'main', file: 'app.py', line: 1 },
  { name: 'work', file: 'app.py', line: 10, col: 3 },
  { name: 'io' },
];
const file = (profiles: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ $schema: 'https://www.speedscope.app/file-format-schema.json', shared: { frames: FRAMES }, profiles, ...extra });

describe('speedscope JSON', () => {
  it('evented profiles: open/close events at absolute values in the unit', () => {
    const events = [
      { type: 'O', frame: 0, at: 100 },
      { type: 'O', frame: 1, at: 101 },
      { type: 'C', frame: 1, at: 103 },
      { type: 'O', frame: 2, at: 104 },
      { type: 'C', frame: 2, at: 105 },
      { type: 'C', frame: 0, at: 110 },
    ];
    const m = ss(file([{ type: 'evented', name: 'thread 1', unit: 'milliseconds', startValue: 100, endValue: 110, events }], { name: 'my app' }));
    expect(m.format).toBe('speedscope-json');
    expect(brief(m)).toEqual(['main@0+10000000', '  work@1000000+2000000', '  io@4000000+1000000']);
    expect(argsOf(m, sliceNamed(m, 'work')).args).toEqual({ file: 'app.py', line: 10, column: 3 });
    expect(argsOf(m, sliceNamed(m, 'io')).args).toBeUndefined();
    expect(m.groups.map((g) => g.name)).toEqual(['my app']);
    expect(m.tracks.map((t) => [t.name, t.kind])).toEqual([['thread 1', TrackKind.THREAD]]);
    expect(m.valueUnit).toBeUndefined();
    expect(m.diagnostics).toEqual([]);
  });

  it('keeps µs precision for epoch values, and tells odd units from real ones', () => {
    const t0 = 1_700_000_000_123_456; // µs since 1970
    const events = [
      { type: 'O', frame: 0, at: t0 + 1 },
      { type: 'C', frame: 0, at: t0 + 3 },
    ];
    const m = ss(file([{ type: 'evented', name: 'e', unit: 'microseconds', startValue: t0, endValue: t0 + 3, events }]));
    expect(brief(m)).toEqual(['main@0+2000']);
    expect(m.originMs).toBe(1_700_000_000_123.457);
    const odd = ss(file([{ type: 'evented', name: 'o', unit: 'constructor', startValue: 0, endValue: 1, events: [events[0], events[1]].map((e) => ({ ...e, at: e.at - t0 })) }]));
    expect(brief(odd)).toEqual(['main@0+2']);
    expect(odd.valueUnit).toBe('units');
    expect(diag(odd, 'invalid-event')?.message).toContain('unit "constructor"');
  });

  it('sampled profiles: stacks one after another by weight, shared frames merged', () => {
    const m = ss(
      file([{ type: 'sampled', name: 'py', unit: 'seconds', startValue: 0, endValue: 6, samples: [[0, 1], [0, 1], [0, 2], [], [0]], weights: [1, 2, 1, 1, 1] }]),
    );
    expect(brief(m)).toEqual(['main@0+4000000000', '  work@0+3000000000', '  io@3000000000+1000000000', 'main@5000000000+1000000000']);
    expect(m.tracks[0].kind).toBe(TrackKind.SAMPLES);
  });

  it('reads frames after the profiles, and several profiles as tracks of one group', () => {
    const text = JSON.stringify({
      profiles: [
        { type: 'sampled', name: 'a', unit: 'microseconds', startValue: 0, endValue: 2, samples: [[0]], weights: [2] },
        { type: 'evented', name: 'b', unit: 'nanoseconds', startValue: 0, endValue: 5, events: [{ type: 'O', frame: 1, at: 0 }, { type: 'C', frame: 1, at: 5 }] },
      ],
      shared: { frames: FRAMES },
      $schema: 'https://www.speedscope.app/file-format-schema.json',
    });
    const m = ss(text, 3);
    expect(m.tracks.map((t) => t.name)).toEqual(['a', 'b']);
    expect(brief(m)).toEqual(['main@0+2000', 'work@0+5']);
  });

  it('repairs unbalanced events: unmatched closes skipped, crossed and unclosed frames closed, counted', () => {
    const events = [
      { type: 'C', frame: 2, at: 0 }, // nothing open
      { type: 'O', frame: 0, at: 1 },
      { type: 'O', frame: 1, at: 2 },
      { type: 'C', frame: 0, at: 4 }, // closes work too
      { type: 'O', frame: 2, at: 5 }, // never closed
      { type: 'O', frame: 7, at: 6 }, // no such frame
      { type: 'C', frame: 7, at: 3 }, // back in time
    ];
    const m = ss(file([{ type: 'evented', name: 't', unit: 'nanoseconds', startValue: 0, endValue: 10, events }]));
    expect(brief(m)).toEqual(['main@0+3', '  work@1+2', 'io@4+5', '  (unknown frame 7)@5+0']);
    expect(m.slices.flags[sliceNamed(m, 'io')] & SliceFlag.UNFINISHED).toBeTruthy();
    expect(m.slices.flags[sliceNamed(m, 'main')] & SliceFlag.UNFINISHED).toBe(0);
    expect(diag(m, 'unmatched-end')).toMatchObject({ count: 1 });
    expect(diag(m, 'unclosed-begin')).toMatchObject({ count: 2 });
    expect(diag(m, 'unknown-frame')).toMatchObject({ count: 1 });
    expect(diag(m, 'negative-delta')).toMatchObject({ count: 1 });
  });

  it('cuts sampled stacks at unknown frame indices and reads missing weights as 1', () => {
    const m = ss(file([{ type: 'sampled', name: 's', unit: 'nanoseconds', startValue: 0, endValue: 3, samples: [[0, 9, 1], [0, 1]], weights: [1] }]));
    expect(brief(m)).toEqual(['main@0+2', '  work@1+1']);
    expect(diag(m, 'unknown-frame')?.message).toContain('frame index 9');
    expect(diag(m, 'invalid-event')?.message).toContain('1 weights for 2 samples');
  });

  it('bytes and none are laid out as abstract units and say so', () => {
    const m = ss(file([{ type: 'sampled', name: 'heap', unit: 'bytes', startValue: 0, endValue: 4096, samples: [[0, 1], [0]], weights: [1024, 3072] }]));
    expect(m.valueUnit).toBe('bytes');
    expect(m.tracks[0].name).toBe('heap (x = bytes, not time)');
    expect(diag(m, 'abstract-units')?.message).toMatch(/1 ns per byte.*not time/);
    expect(brief(m)).toEqual(['main@0+4096', '  work@0+1024']);
    const none = ss(file([{ type: 'evented', name: 'x', unit: 'none', startValue: 0, endValue: 1, events: [] }]));
    expect(none.valueUnit).toBe('units');
  });

  it('skips profiles of unknown type, fails precisely on a wrong shape', () => {
    const m = ss(file([{ type: 'instant', name: 'q' }]));
    expect(diag(m, 'skipped-section')?.message).toContain('"instant"');
    const e = errorOf(() => ss('{"$schema":"https://www.speedscope.app/file-format-schema.json",\n"profiles":{}}'));
    expect(e.info).toMatchObject({ format: 'speedscope-json', line: 2, column: 12, expected: 'an array' });
    const s = errorOf(() => ss('{"profiles":[{"type":"sampled","samples":[[0,1}]}]}'));
    expect(s.info).toMatchObject({ format: 'speedscope-json', offset: 46, expected: "',' or ']'" });
  });
});

describe('collapsed stacks', () => {
  const TEXT = 'a;c 2\nz 4\na;b 3\na;b;d 1\n';

  it('draws a flame graph: merged, siblings sorted by name, width = count', () => {
    const m = folded(TEXT);
    expect(m.format).toBe('collapsed-stacks');
    expect(brief(m)).toEqual(['a@0+6', '  b@0+4', '    d@0+1', '  c@4+2', 'z@6+4']);
    expect(rows(m).find((r) => r.name === 'd')?.parent).toBe('b');
    expect(m.valueUnit).toBe('samples');
    expect(m.tracks.map((t) => t.name)).toEqual(['Flame graph (x = samples, not time)']);
    expect(diag(m, 'abstract-units')?.message).toMatch(/counts samples.*not time/);
    expect(m.eventCounts).toEqual({ stack: 4 });
  });

  it('reads lines cut anywhere (CRLF, UTF-8 across chunks), names with spaces, py-spy places', () => {
    const text = 'main (app.py:3);größe (lib/x.py:40) 5\r\nmain (app.py:3);operator new(unsigned long) 2\r\n';
    const m = folded(text, 1);
    expect(brief(m)).toEqual(['main@0+7', '  größe@0+5', '  operator new(unsigned long)@5+2']);
    expect(argsOf(m, sliceNamed(m, 'größe')).args).toEqual({ file: 'lib/x.py', line: 40 });
    expect(brief(folded(text, 5))).toEqual(brief(m));
  });

  it('skips malformed lines with their line number, fails when none is readable', () => {
    const m = folded('a;b 1\n\nnot a stack\na 2\nb;c\nq 0\n');
    expect(diag(m, 'invalid-event')).toMatchObject({ count: 2 });
    expect(diag(m, 'invalid-event')?.message).toContain('line 3');
    expect(brief(m)).toEqual(['a@0+3', '  b@0+1']);
    const e = errorOf(() => folded('no counts here\n'));
    expect(e.info).toMatchObject({ format: 'collapsed-stacks', line: 1 });
    expect(e.message).toContain('line 1');
  });
});

describe('collapsed stacks: long lines', () => {
  it('a line with a long run of spaces is read or rejected in linear time (quadratic before: 8.5 s for 100 000)', () => {
    const t = performance.now();
    const m = folded(`a;b${' '.repeat(100_000)}3\nx${' '.repeat(100_000)}y\n`);
    expect(performance.now() - t).toBeLessThan(1500);
    expect(brief(m)).toEqual(['a@0+3', '  b@0+3']);
    expect(diag(m, 'invalid-event')).toMatchObject({ count: 1 });
  });
});

describe('detection and the pipeline', () => {
  it.each([
    ['a DevTools .cpuprofile', 'v8-cpuprofile', JSON.stringify(CPU)],
    ['a .cpuprofile with a function named "ph"', 'v8-cpuprofile', '{"startTime":0,"endTime":1,"nodes":[{"id":1,"callFrame":{"functionName":"ph"}}]}'],
    ['speedscope with $schema', 'speedscope-json', file([])],
    ['speedscope without $schema', 'speedscope-json', '{"profiles":[{"type":"sampled","unit":"none","samples":[],"weights":[]}]}'],
    ['speedscope with a frame named "ph"', 'speedscope-json', file([{ type: 'evented', events: [] }]).replace('"main"', '"ph"')],
    ['collapsed stacks', 'collapsed-stacks', 'main;work 12\nmain 3\n'],
    ['one collapsed line after a BOM', 'collapsed-stacks', '\ufeffmain;work 1'],
    ['a collapsed line longer than the head', 'collapsed-stacks', 'main;' + 'frame;'.repeat(2000)],
    // Chrome traces carrying V8 samples stay Chrome traces.
    ['a Chrome object trace with ProfileChunk', 'chrome-json', '{"traceEvents":[{"ph":"P","name":"ProfileChunk","args":{"data":{"cpuProfile":{"nodes":[{"id":1,"callFrame":{}}]}}}}]}'],
    ['a Chrome array trace with ProfileChunk', 'chrome-json', '[{"ph":"P","name":"ProfileChunk","args":{"data":{"cpuProfile":{"nodes":[{"id":1,"callFrame":{}}]}}}}]'],
    ['Chrome events', 'chrome-json', '[{"ph":"X","ts":1,"name":"profiles"}]'],
    ['OTLP', 'otlp-json', '{"resourceSpans":[]}'],
    ['Jaeger', 'jaeger-json', '{"data":[{"traceID":"a","spans":[]}]}'],
    ['Zipkin', 'zipkin-json', '[{"traceId":"a","id":"b","timestamp":1}]'],
    ['a word', 'unknown', 'hello'],
    ['an HTML page', 'unknown', '<html><body>Not found</body></html>\n'],
    ['numbers without stacks', 'unknown', '12 34\nabc\n'],
  ])('%s → %s', (_label, format, text) => {
    expect(detectFormat(enc.encode(text))).toBe(format);
  });

  it('imports each format through runPipeline, gzipped too, with progress', async () => {
    for (const [text, format] of [
      [JSON.stringify(CPU), 'v8-cpuprofile'],
      [file([{ type: 'sampled', name: 'p', unit: 'milliseconds', startValue: 0, endValue: 1, samples: [[0]], weights: [1] }]), 'speedscope-json'],
      ['a;b 1\na 1\n', 'collapsed-stacks'],
    ] as const) {
      const seen: number[] = [];
      const m = await runPipeline({ kind: 'bytes', bytes: enc.encode(text) }, { onProgress: (p) => seen.push(p.events) });
      expect(m.format).toBe(format);
      expect(m.slices.count).toBeGreaterThan(0);
      expect(seen[seen.length - 1]).toBeGreaterThan(0);
      const gz = await runPipeline({ kind: 'blob', blob: new Blob([gzipSync(enc.encode(text))]) }, { yieldEveryMs: 1 });
      expect(brief(gz)).toEqual(brief(m));
    }
  });

  it('cancels a long collapsed-stacks import', async () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `main;f${i % 500};g${i % 37} ${1 + (i % 5)}`).join('\n');
    const ctl = new AbortController();
    const p = runPipeline({ kind: 'bytes', bytes: enc.encode(text) }, { signal: ctl.signal, yieldEveryMs: 1, maxPieceBytes: 1 << 14 });
    setTimeout(() => ctl.abort(), 5);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
