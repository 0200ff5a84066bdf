import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/viewer/import/detect';
import { PprofImporter } from '../../../src/viewer/import/pprof';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, nameOf, parentOf } from '../../../src/viewer/model/query';
import { TraceImportError, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';
import { cat, len, m, v, varint, type Bytes } from './proto-encode';

// ---- profile.proto written by the test-side encoder (field numbers from google/pprof) ----

const packed = (f: number, xs: Array<number | bigint>): Bytes => len(f, cat(...xs.map(varint)));

interface Spec {
  /** [type, unit] */
  types: Array<[string, string]>;
  defaultType?: string;
  /** Functions: [name, file, startLine] (ids 1…). */
  functions: Array<[string, string, number]>;
  /** Locations: lines as [function id, line], innermost first (ids 1…); an address when no lines. */
  locations: Array<Array<[number, number]> | { address: number }>;
  /** Samples: location ids leaf first, and one value per type. */
  samples: Array<[number[], number[]]>;
  /** Go writes time_nanos and period_type before sample_type. */
  goOrder?: boolean;
  /** Profile.drop_frames / keep_frames regexps. */
  dropFrames?: string;
  keepFrames?: string;
}

function encode(spec: Spec): Bytes {
  const strings = [''];
  const sid = (x: string): number => {
    let i = strings.indexOf(x);
    if (i < 0) i = strings.push(x) - 1;
    return i;
  };
  const parts: Bytes[] = [];
  if (spec.goOrder) parts.push(v(9, 1_700_000_000_000_000_000n), m(11, v(1, sid('cpu')), v(2, sid('nanoseconds'))), v(12, 10_000_000));
  for (const [t, u] of spec.types) parts.push(m(1, v(1, sid(t)), v(2, sid(u))));
  for (const [locs, vals] of spec.samples) parts.push(m(2, packed(1, locs), packed(2, vals.map((x) => BigInt(x)))));
  parts.push(m(3, v(1, 1), v(2, 0x400000), v(3, 0x800000), v(5, sid('/usr/bin/app'))));
  spec.locations.forEach((l, i) => {
    if (Array.isArray(l)) parts.push(m(4, v(1, i + 1), v(2, 1), ...l.map(([fn, line]) => m(4, v(1, fn), v(2, line)))));
    else parts.push(m(4, v(1, i + 1), v(2, 1), v(3, l.address)));
  });
  spec.functions.forEach(([name, file, line], i) => parts.push(m(5, v(1, i + 1), v(2, sid(name)), v(3, sid(name)), v(4, sid(file)), v(5, line))));
  if (spec.defaultType) parts.push(v(14, sid(spec.defaultType)));
  if (spec.dropFrames) parts.push(v(7, sid(spec.dropFrames)));
  if (spec.keepFrames) parts.push(v(8, sid(spec.keepFrames)));
  // The string table last, as Go writes it.
  for (const x of strings) parts.push(len(6, new TextEncoder().encode(x)));
  return cat(...parts);
}

const GO_CPU: Spec = {
  types: [
    ['samples', 'count'],
    ['cpu', 'nanoseconds'],
  ],
  functions: [
    ['main.main', 'main.go', 10],
    ['main.work', 'work.go', 20],
    ['strings.Index', 'strings.go', 30],
    ['runtime.memmove', 'memmove.s', 1],
  ],
  // 1: main.main; 2: main.work with strings.Index inlined into it; 3: memmove.
  locations: [[[1, 12]], [[3, 33], [2, 25]], [[4, 5]]],
  samples: [
    [[2, 1], [3, 30_000_000]],
    [[3, 2, 1], [1, 10_000_000]],
    [[1], [2, 20_000_000]],
  ],
  goOrder: true,
};

/** Each slice as "parent > name" with its start and width. */
function frames(model: TraceModel): Array<{ path: string; x: number; w: number; args: Record<string, unknown> | undefined }> {
  const out = [];
  for (let i = 0; i < model.slices.count; i++) {
    const names = [];
    for (let p = i; p >= 0; p = parentOf(model, p)) names.unshift(nameOf(model, p));
    out.push({ path: names.join(' > '), x: model.slices.startNs[i], w: model.slices.durNs[i], args: argsOf(model, i).args });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const importOf = (bytes: Bytes): TraceModel => {
  const imp = new PprofImporter();
  // In pieces, as the pipeline hands them over.
  for (let p = 0; p < bytes.length; p += 7) imp.push(bytes.subarray(p, p + 7));
  return imp.finish();
};

describe('pprof importer', () => {
  it('draws the last sample type (cpu nanoseconds) as a flame graph, root first, inlined frames under their caller', () => {
    const model = importOf(encode(GO_CPU));
    expect(model.format).toBe('pprof');
    // Time units: the x axis stays time (total cpu time).
    expect(model.valueUnit).toBeUndefined();
    expect(frames(model)).toEqual([
      { path: 'main.main', x: 0, w: 60_000_000, args: { file: 'main.go', line: 10 } },
      { path: 'main.main > main.work', x: 0, w: 40_000_000, args: { file: 'work.go', line: 20 } },
      { path: 'main.main > main.work > strings.Index', x: 0, w: 40_000_000, args: { file: 'strings.go', line: 30 } },
      { path: 'main.main > main.work > strings.Index > runtime.memmove', x: 0, w: 10_000_000, args: { file: 'memmove.s', line: 1 } },
    ]);
    const diags = model.diagnostics.map((d) => `${d.kind}: ${d.message}`).join('\n');
    expect(diags).toMatch(/abstract-units: .*no timestamps.*total cpu time, not a timeline/);
    expect(diags).toContain('samples/count, cpu/nanoseconds (shown)');
    expect(model.tracks[0].name).toBe('Flame graph: cpu (nanoseconds)');
  });

  it('honours default_sample_type, and counts or bytes are not time', () => {
    const heap: Spec = {
      types: [
        ['alloc_objects', 'count'],
        ['alloc_space', 'bytes'],
        ['inuse_objects', 'count'],
        ['inuse_space', 'bytes'],
      ],
      defaultType: 'alloc_objects',
      functions: [['main.alloc', 'a.go', 3]],
      locations: [[[1, 4]]],
      samples: [[[1], [5, 500, 0, 0]]],
    };
    let model = importOf(encode(heap));
    expect(model.valueUnit).toBe('samples');
    expect(frames(model)).toMatchObject([{ path: 'main.alloc', w: 5 }]);
    model = importOf(encode({ ...heap, defaultType: undefined, samples: [[[1], [5, 500, 2, 256]]] }));
    expect(model.valueUnit).toBe('bytes');
    expect(frames(model)).toMatchObject([{ path: 'main.alloc', w: 256 }]);
    expect(model.diagnostics.find((d) => d.kind === 'abstract-units')?.message).toContain('inuse_space in bytes');
  });

  it('names unsymbolized locations by address, and reports unknown locations and negative (diff) values', () => {
    const model = importOf(
      encode({
        types: [['samples', 'count']],
        functions: [['f', '', 0]],
        locations: [{ address: 0x401234 }, [[1, 0]]],
        samples: [
          [[1, 2], [3]],
          [[9], [1]],
          [[2], [-4]],
        ],
      }),
    );
    expect(frames(model)).toEqual([
      { path: '(location 9)', x: 0, w: 1, args: undefined },
      { path: 'f', x: 1, w: 3, args: undefined },
      { path: 'f > 0x401234', x: 1, w: 3, args: { file: '/usr/bin/app' } },
    ]);
    const kinds = model.diagnostics.map((d) => d.kind);
    expect(kinds).toContain('unknown-frame');
    expect(model.diagnostics.find((d) => d.kind === 'invalid-event')?.message).toMatch(/negative/);
  });

  it('applies drop_frames / keep_frames as pprof does: a dropped frame goes with what it calls', () => {
    const spec: Spec = {
      types: [['samples', 'count']],
      functions: [
        ['main.main', 'm.go', 1],
        ['main.work', 'w.go', 1],
        ['runtime.mallocgc', 'malloc.go', 1],
        ['runtime.memclr', 'memclr.s', 1],
        ['runtime.keepme(int)', 'k.go', 1],
      ],
      // 5: mallocgc inlined into main.work; 6: keepme (kept by keep_frames, its parameters ignored).
      locations: [[[1, 1]], [[2, 1]], [[3, 1]], [[4, 1]], [[3, 1], [2, 2]], [[5, 1]]],
      samples: [
        [[4, 3, 2, 1], [10]],
        [[2, 1], [5]],
        [[5, 1], [7]],
        [[6, 3, 1], [2]],
        [[6, 1], [3]],
        // Dropped frames before the first kept one stay (pprof never empties a stack that way).
        [[4, 3], [1]],
      ],
      dropFrames: 'runtime\\..*',
      keepFrames: 'runtime\\.keepme',
    };
    expect(frames(importOf(encode(spec))).map((f) => `${f.path} ${f.w}`)).toEqual([
      'main.main 27',
      'main.main > main.work 22',
      'main.main > runtime.keepme(int) 3',
      'runtime.mallocgc 1',
      'runtime.mallocgc > runtime.memclr 1',
    ]);
    // Without drop_frames every frame is drawn.
    expect(frames(importOf(encode({ ...spec, dropFrames: undefined }))).map((f) => f.path)).toContain('main.main > main.work > runtime.mallocgc > runtime.memclr');
  });

  it('leaves a drop_frames regexp with nested repetitions unapplied, with a diagnostic: it could backtrack for minutes', () => {
    const long = 'a'.repeat(20) + '!';
    const model = importOf(
      encode({
        types: [['samples', 'count']],
        functions: [
          ['main', 'm.go', 1],
          [long, 'x.go', 1],
        ],
        locations: [[[1, 1]], [[2, 1]]],
        samples: [[[2, 1], [4]]],
        dropFrames: '(a+)+',
      }),
    );
    expect(frames(model).map((f) => f.path)).toEqual(['main', `main > ${long}`]);
    expect(model.diagnostics.find((d) => d.kind === 'invalid-event')?.message).toMatch(/nests repetitions/);
  });

  it('skips samples whose value count differs from the sample types, with a diagnostic (go tool pprof rejects them)', () => {
    const model = importOf(
      encode({
        types: [
          ['samples', 'count'],
          ['cpu', 'nanoseconds'],
        ],
        functions: [['f', '', 0]],
        locations: [[[1, 0]]],
        samples: [
          [[1], [1, 10]],
          [[1], [2]],
        ],
      }),
    );
    expect(frames(model)).toMatchObject([{ path: 'f', w: 10 }]);
    const d = model.diagnostics.find((x) => x.kind === 'invalid-event');
    expect(d).toMatchObject({ count: 1 });
    expect(d?.message).toMatch(/value count other than the profile's 2 sample types/);
  });

  it('keeps what precedes a cut, with the byte offset, and throws a precise error when nothing is left', () => {
    const whole = encode(GO_CPU);
    // Cut inside the string table: samples and locations are read, names are lost from there on.
    const model = importOf(whole.subarray(0, whole.length - 5));
    const d = model.diagnostics.find((x) => x.kind === 'truncated-input');
    expect(d?.message).toMatch(new RegExp(`runs past the end .*byte \\d+ of ${whole.length - 5}`));
    expect(model.slices.count).toBeGreaterThan(0);
    // Cut before the first sample.
    const err = errorOf(() => importOf(whole.subarray(0, 20)));
    expect(err.info.format).toBe('pprof');
    expect(err.message).toMatch(/no sample could be read/);
    // A wrong wire type for a known field.
    const bad = cat(m(1, v(1, 1), v(2, 2)), v(2, 5));
    expect(errorOf(() => importOf(bad)).message).toMatch(/field 2 has wire type 0, not 2/);
    // Garbage never throws anything but a TraceImportError.
    for (let seed = 1; seed < 200; seed++) {
      const junk = whole.slice();
      for (let k = 0; k < 4; k++) junk[(seed * 7919 * (k + 1)) % junk.length] = (seed * 31 + k) & 0xff;
      try {
        importOf(junk);
      } catch (e) {
        expect(e).toBeInstanceOf(TraceImportError);
      }
    }
  });
});

describe('pprof detection', () => {
  const text = (x: string): Bytes => new TextEncoder().encode(x);
  it('a profile without sample_type is an error, as in `go tool pprof` (its values have no type to draw)', async () => {
    // Go field order: period_type (a ValueType) comes first, so the bytes still read as pprof.
    const untyped = encode({ ...GO_CPU, types: [] });
    const err = errorOf(() => importOf(untyped));
    expect(err.info.format).toBe('pprof');
    expect(err.message).toMatch(/no sample_type.*3 samples.*missing sample type information/);
    // Through the pipeline too: the viewer shows this error, not an empty flame graph.
    await expect(runPipeline({ kind: 'bytes', bytes: gzipSync(untyped) })).rejects.toThrow(/no sample_type/);
  });

  it('tells pprof from Perfetto protobuf, text and Go field order', () => {
    expect(detectFormat(encode(GO_CPU))).toBe('pprof');
    expect(detectFormat(encode({ ...GO_CPU, goOrder: false }))).toBe('pprof');
    // Only the head is seen: a profile cut anywhere after its first ValueType is still one.
    const whole = encode(GO_CPU);
    for (let n = 24; n < whole.length; n += 3) expect(detectFormat(whole.subarray(0, n))).toBe('pprof');
    // Perfetto: packets (field 1) holding TracePacket fields (timestamp 8, sequence 10, track_event 11).
    const perfetto = cat(m(1, v(8, 1000), v(10, 1), m(11, v(9, 1))), m(1, v(8, 2000), v(10, 1)));
    expect(detectFormat(perfetto)).toBe('perfetto-proto');
    // A packet holding only a varint 1 and a length-delimited 2 is no ValueType.
    expect(detectFormat(cat(m(1, v(1, 1), len(2, text('x')))))).toBe('perfetto-proto');
    // Text that happens to start with 0x0a stays text.
    expect(detectFormat(text('\nmain;work 3\n'))).toBe('collapsed-stacks');
    expect(detectFormat(text('\n{"traceEvents":[]}'))).toBe('chrome-json');
  });

  it('reaches the importer gunzipped through the pipeline', async () => {
    const model = await runPipeline({ kind: 'bytes', bytes: gzipSync(encode(GO_CPU)) });
    expect(model.format).toBe('pprof');
    expect(frames(model)[0]).toMatchObject({ path: 'main.main', w: 60_000_000 });
    // Main-thread mode (stepped, yielding) gives the same flame graph.
    const stepped = await runPipeline({ kind: 'bytes', bytes: gzipSync(encode(GO_CPU)) }, { yieldEveryMs: 8, maxPieceBytes: 16 });
    expect(frames(stepped)).toEqual(frames(model));
  });

  it('opens real profiles written by @datadog/pprof (wall time and heap)', async () => {
    const wall = readFileSync(new URL('../../fixtures/pprof/datadog-wall.pb.gz', import.meta.url));
    expect(detectFormat(gunzipSync(wall))).toBe('pprof');
    let model = await runPipeline({ kind: 'bytes', bytes: wall });
    expect(model.format).toBe('pprof');
    expect(model.tracks[0].name).toBe('Flame graph: wall (nanoseconds)');
    const names = new Set(frames(model).map((f) => f.path.split(' > ').pop()));
    expect(names).toContain('spanbeamPprofBusyWork');
    expect(frames(model).find((f) => f.path.endsWith('spanbeamPprofOuter > spanbeamPprofBusyWork'))?.args).toMatchObject({ file: expect.stringMatching(/gen\.js$/), line: 3 });
    model = await runPipeline({ kind: 'bytes', bytes: readFileSync(new URL('../../fixtures/pprof/datadog-heap.pb.gz', import.meta.url)) });
    expect(model.valueUnit).toBe('bytes');
    expect(frames(model).some((f) => f.path.endsWith('spanbeamPprofAllocate'))).toBe(true);
  });
});
