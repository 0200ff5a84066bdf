// Firefox Profiler profiles. The fixtures in test/fixtures/gecko are small hand-written profiles
// with the field names, schemas and versions of the real formats (firefox-devtools/profiler
// src/types/gecko-profile.ts and profile.ts, docs-developer/CHANGELOG-formats.md): a Gecko profile
// (version 27, a subprocess with its own meta.startTime) and a processed one (version 57,
// `shared.stringArray`, `timeDeltas`).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/viewer/import/detect';
import { GeckoImporter } from '../../../src/viewer/import/gecko';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, nameOf, parentOf } from '../../../src/viewer/model/query';
import { TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';

const enc = new TextEncoder();
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/gecko/${name}`, import.meta.url), 'utf8');

function gecko(text: string, size = 1 << 20): TraceModel {
  const bytes = enc.encode(text);
  const i = new GeckoImporter();
  for (let p = 0; p < bytes.length; p += size) i.push(bytes.slice(p, p + size));
  return i.finish();
}
/** `track: name@startMs+durMs` per slice (ms from the profile's meta.startTime), nested by depth, in order. */
function brief(m: TraceModel, startMs: number): string[] {
  const out: Array<[string, number, number, string]> = [];
  for (let i = 0; i < m.slices.count; i++) {
    const t = m.tracks[m.slices.track[i]];
    const at = +(m.originMs + m.slices.startNs[i] / 1e6 - startMs).toFixed(3);
    const dur = +(m.slices.durNs[i] / 1e6).toFixed(3);
    out.push([t.name, at, m.slices.depth[i], `${t.name}: ${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)}@${at}+${dur}`]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]).map((r) => r[3]);
}
const tracks = (m: TraceModel): string[] => m.tracks.map((t) => `${m.groups[t.group].name} ${m.groups[t.group].key} / ${t.name}`).sort();
const sliceNamed = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};
const catOf = (m: TraceModel, i: number): string => m.strings[m.slices.category[i]];
const GECKO_START = 1700000000000.5;

describe('Firefox Profiler: Gecko profile format', () => {
  it('samples become stacks over time per thread, grouped by process; subprocess times from their own start', () => {
    const m = gecko(fixture('gecko-v27.json'));
    expect(m.format).toBe('gecko-json');
    expect(tracks(m)).toEqual(['Isolated Web Content 4200 / GeckoMain 4200', 'Parent Process 4100 / GeckoMain 4100', 'Parent Process 4100 / GeckoMain 4100 markers']);
    expect(m.tracks.find((t) => t.name === 'GeckoMain 4100')?.kind).toBe(TrackKind.SAMPLES);
    expect(brief(m, GECKO_START)).toEqual([
      // Samples at 1..5 ms, 1 ms apart; the last one (no stack) ends the runs.
      'GeckoMain 4100: Startup::XRE_Main@1+4',
      'GeckoMain 4100:   nsRefreshDriver::Tick@1+4',
      'GeckoMain 4100:     spanbeamRender@1+1',
      'GeckoMain 4100:     PresShell::DoReflow@2+2',
      // An interval marker (phase 1) and one from a start and an end (phases 2 and 3), overlapping.
      'GeckoMain 4100 markers: DOMEvent@1.5+2',
      'GeckoMain 4100 markers:   Reflow@2.5+2',
      // The subprocess started 10 ms after the parent: its samples at 0..2 ms are at 10..12.
      'GeckoMain 4200: nsThread::ProcessNextEvent@10+3',
      'GeckoMain 4200:   spanbeamContentWork@10+2',
    ]);
    const r = sliceNamed(m, 'spanbeamRender');
    expect(nameOf(m, parentOf(m, r))).toBe('nsRefreshDriver::Tick');
    // JS frame: its script, the frame's line and column, its JIT tier; category from meta.categories.
    expect(argsOf(m, r).args).toEqual({ url: 'https://example.com/app.js', line: 12, column: 3, implementation: 'Baseline' });
    expect(catOf(m, r)).toBe('JavaScript');
    // A frame without a category is in its caller's.
    expect(catOf(m, sliceNamed(m, 'nsRefreshDriver::Tick'))).toBe('Other');
    expect(catOf(m, sliceNamed(m, 'PresShell::DoReflow'))).toBe('Layout');
    expect(argsOf(m, sliceNamed(m, 'DOMEvent')).args).toEqual({ type: 'DOMEvent', eventType: 'click' });
    // The instant marker.
    expect(m.instants.count).toBe(1);
    expect(m.strings[m.instants.name[0]]).toBe('Paint');
    expect(m.originMs + m.instants.timeNs[0] / 1e6 - GECKO_START).toBeCloseTo(2, 6);
    expect(m.eventCounts).toEqual({ sample: 8, marker: 4 });
    expect(m.diagnostics).toEqual([]);
  });

  it('reads the same when cut into small chunks, and through the pipeline gzipped', async () => {
    const whole = gecko(fixture('gecko-v27.json'));
    expect(brief(gecko(fixture('gecko-v27.json'), 7), GECKO_START)).toEqual(brief(whole, GECKO_START));
    const m = await runPipeline({ kind: 'bytes', bytes: gzipSync(fixture('gecko-v27.json')) });
    expect(m.format).toBe('gecko-json');
    expect(brief(m, GECKO_START)).toEqual(brief(whole, GECKO_START));
  });

  it('older Geckos: subprocess profiles as JSON strings, markers with one time', () => {
    const doc = JSON.parse(fixture('gecko-v27.json')) as { processes: unknown[]; threads: Array<{ markers: unknown }> };
    doc.processes = doc.processes.map((p) => JSON.stringify(p));
    doc.threads[0].markers = { schema: { name: 0, time: 1, data: 2 }, data: [[7, 2, null], [6, 1.5, { type: 'tracing', startTime: 1.5, endTime: 3.5 }]] };
    const m = gecko(JSON.stringify(doc));
    expect(brief(m, GECKO_START)).toContain('GeckoMain 4200:   spanbeamContentWork@10+2');
    expect(brief(m, GECKO_START)).toContain('GeckoMain 4100 markers: DOMEvent@1.5+2');
    expect(m.instants.count).toBe(1);
  });

  it('unsymbolicated and symbolicated native frames keep their names; stacks repeated in the table merge', () => {
    const doc = JSON.parse(fixture('gecko-v27.json')) as { threads: Array<Record<string, { data: unknown[][] } | unknown[]>> };
    const t = doc.threads[0];
    (t.stringTable as string[]).push('0x7f3a1c2d4e10', 'mozilla::dom::Foo::Bar() (in libxul.so)');
    // Two table entries for the same frame under the same caller (a table that does not dedupe).
    (t.frameTable as { data: unknown[][] }).data.push([9, false, 0, null, null, null, null, null], [10, false, 0, null, null, null, null, null]);
    (t.stackTable as { data: unknown[][] }).data.push([1, 4], [1, 4], [4, 5]);
    (t.samples as { data: unknown[][] }).data = [[4, 1, 0], [5, 2, 0], [6, 3, 0], [null, 4, 0]];
    const m = gecko(JSON.stringify(doc));
    const b = brief(m, GECKO_START).filter((l) => l.startsWith('GeckoMain 4100:'));
    expect(b).toEqual([
      'GeckoMain 4100: Startup::XRE_Main@1+3',
      'GeckoMain 4100:   nsRefreshDriver::Tick@1+3',
      'GeckoMain 4100:     0x7f3a1c2d4e10@1+3',
      'GeckoMain 4100:       mozilla::dom::Foo::Bar()@3+1',
    ]);
    expect(argsOf(m, sliceNamed(m, 'mozilla::dom::Foo::Bar()')).args).toEqual({ lib: 'libxul.so' });
  });

  it('a gap in the samples (a paused range) ends the stack after one interval', () => {
    const doc = JSON.parse(fixture('gecko-v27.json')) as { threads: Array<{ samples: { data: unknown[][] } }> };
    doc.threads[0].samples.data = [[2, 1, 0], [2, 2, 0], [2, 20, 0]];
    const b = brief(gecko(JSON.stringify(doc)), GECKO_START).filter((l) => l.startsWith('GeckoMain 4100:'));
    expect(b).toEqual([
      'GeckoMain 4100: Startup::XRE_Main@1+2',
      'GeckoMain 4100:   nsRefreshDriver::Tick@1+2',
      'GeckoMain 4100:     spanbeamRender@1+2',
      'GeckoMain 4100: Startup::XRE_Main@20+1',
      'GeckoMain 4100:   nsRefreshDriver::Tick@20+1',
      'GeckoMain 4100:     spanbeamRender@20+1',
    ]);
  });
});

describe('Firefox Profiler: processed format', () => {
  it('columnar tables, shared strings, time deltas: functions over time with their categories', () => {
    const m = gecko(fixture('processed-v57.json'));
    expect(m.format).toBe('gecko-json');
    expect(tracks(m)).toEqual(['Parent Process 4100 / GeckoMain 4100', 'Parent Process 4100 / GeckoMain 4100 markers']);
    expect(brief(m, 1700000000000)).toEqual([
      'GeckoMain 4100: Startup::XRE_Main@1+3',
      'GeckoMain 4100:   spanbeamOnClick@1+3',
      'GeckoMain 4100:     spanbeamCompute@2+2',
      'GeckoMain 4100 markers: DOMEvent@1.5+1',
    ]);
    const c = sliceNamed(m, 'spanbeamCompute');
    expect(argsOf(m, c).args).toEqual({ url: 'https://example.com/app.js', line: 31, column: 9 });
    // Its frame has no category: its caller's (JavaScript).
    expect(catOf(m, c)).toBe('JavaScript');
    expect(catOf(m, sliceNamed(m, 'Startup::XRE_Main'))).toBe('Other');
    expect(m.eventCounts).toEqual({ sample: 4, marker: 1 });
    expect(m.diagnostics).toEqual([]);
  });

  it('older processed profiles: per-thread stringArray, absolute sample times', () => {
    const doc = JSON.parse(fixture('processed-v57.json')) as { meta: Record<string, unknown>; shared?: { stringArray: string[] }; threads: Array<Record<string, unknown>> };
    doc.meta.preprocessedProfileVersion = 55;
    doc.threads[0].stringArray = doc.shared?.stringArray;
    delete doc.shared;
    doc.threads[0].samples = { length: 4, stack: [1, 2, 2, null], time: [1, 2, 3, 4], weight: null, weightType: 'samples' };
    expect(brief(gecko(JSON.stringify(doc)), 1700000000000)).toEqual(brief(gecko(fixture('processed-v57.json')), 1700000000000));
  });
});

describe('Firefox Profiler: size profiles', () => {
  it('sampleUnits.time "bytes": samples at byte offsets, 1 ns per byte, said so', () => {
    const doc = JSON.parse(fixture('processed-v57.json')) as { meta: Record<string, unknown>; threads: Array<Record<string, unknown>> };
    doc.meta.sampleUnits = { time: 'bytes', eventDelay: 'ms', threadCPUDelta: 'ns' };
    doc.threads[0].samples = { length: 3, stack: [1, 2, null], time: [0, 4096, 10000], weight: null, weightType: 'samples' };
    doc.threads[0].markers = { length: 0, name: [], startTime: [], endTime: [], phase: [], category: [], data: [] };
    const m = gecko(JSON.stringify(doc));
    expect(m.valueUnit).toBe('bytes');
    expect(brief(m, 0)).toEqual(['GeckoMain 4100: Startup::XRE_Main@0+0.01', 'GeckoMain 4100:   spanbeamOnClick@0+0.01', 'GeckoMain 4100:     spanbeamCompute@0.004+0.006']);
    expect(m.diagnostics.map((d) => d.kind)).toEqual(['abstract-units']);
  });
});

describe('Firefox Profiler: detection', () => {
  it('is told from the content, gzipped or not, before other JSON formats', async () => {
    expect(detectFormat(enc.encode(fixture('gecko-v27.json')))).toBe('gecko-json');
    expect(detectFormat(enc.encode(fixture('processed-v57.json')))).toBe('gecko-json');
    // Only the first KB of a profile whose meta has a long marker schema.
    const long = fixture('gecko-v27.json').replace('"markerSchema":[', `"markerSchema":[${'{"name":"X","display":[],"data":[]},'.repeat(200)}`);
    expect(detectFormat(enc.encode(long).subarray(0, 4096))).toBe('gecko-json');
    const m = await runPipeline({ kind: 'bytes', bytes: gzipSync(fixture('processed-v57.json')) });
    expect(m.format).toBe('gecko-json');
    // Keys sorted (`jq -S`): Gecko's libs first.
    expect(detectFormat(enc.encode('{"counters":[],"libs":[{"arch":"x86_64","breakpadId":"0A1B","debugName":"libxul.so","debugPath":"/usr/lib/firefox/libxul.so"}],"meta":{'))).toBe('gecko-json');
    // Other formats' JSON is not taken for it.
    expect(detectFormat(enc.encode('{"meta":{"x":1},"traceEvents":[]}'))).toBe('chrome-json');
    expect(detectFormat(enc.encode('{"metadata":{"interval":1,"startTime":2},"traceEvents":[]}'))).toBe('chrome-json');
    expect(detectFormat(enc.encode('{"nodes":[{"id":1,"callFrame":{}}],"samples":[],"timeDeltas":[]}'))).toBe('v8-cpuprofile');
  });
});

describe('Firefox Profiler: malformed input', () => {
  const META = '{"meta":{"version":27,"interval":1,"stackwalk":1,"startTime":1700000000000},\n';
  it('threads that are not an array: an error at that byte', () => {
    const e = errorOf(() => gecko(`${META}"threads":{}}`));
    expect(e.info).toMatchObject({ format: 'gecko-json', line: 2, column: 11, expected: 'an array' });
    expect(e.message).toContain('"threads" is not an array');
  });

  it('no readable thread: an error naming the first problem', () => {
    const e = errorOf(() => gecko(`${META}"threads":[1]}`));
    expect(e.message).toBe('gecko-json: no thread could be read: threads[0] is not an object (1); expected threads with "samples", "stackTable", "frameTable" and a string table');
    const s = errorOf(() => gecko(`${META}"threads":[{"name":"GeckoMain","samples":{"schema":{"stack":0,"time":1},"data":[[0,1]]}}]}`));
    expect(s.message).toContain('threads[0] has no string table ("stringTable")');
    const p = errorOf(() => gecko('{"meta":{"preprocessedProfileVersion":57,"startTime":0},"threads":[{"samples":{"length":1,"stack":[0],"time":[1]}}]}'));
    expect(p.message).toContain('threads[0] has no string table ("shared.stringArray" or "stringArray")');
  });

  it('cut short: an error at the end', () => {
    const text = fixture('gecko-v27.json');
    const e = errorOf(() => gecko(text.slice(0, 900)));
    expect(e.info).toMatchObject({ format: 'gecko-json' });
    expect(e.message).toContain('unexpected end of input');
  });

  it('samples naming stacks or frames not in the tables: stacks cut there, reported', () => {
    const doc = JSON.parse(fixture('gecko-v27.json')) as { threads: Array<{ samples: { data: unknown[][] }; stackTable: { data: unknown[][] } }> };
    doc.threads[0].samples.data = [[2, 1, 0], [99, 2, 0], [4, 3, 0], [null, 4, 0]];
    doc.threads[0].stackTable.data.push([1, 42]);
    const m = gecko(JSON.stringify(doc));
    expect(m.diagnostics.find((d) => d.kind === 'unknown-frame')).toMatchObject({ count: 2, message: expect.stringContaining('stack 99') as string });
    // The broken stack keeps its callers.
    expect(brief(m, GECKO_START).filter((l) => l.startsWith('GeckoMain 4100:'))[0]).toBe('GeckoMain 4100: Startup::XRE_Main@1+1');
  });
});
