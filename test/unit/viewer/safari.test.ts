// Safari Web Inspector timeline recordings (Timelines → Export; test/fixtures/safari), hand-written
// with the fields WebKit's TimelineRecording.exportData and its records write (and speedscope's
// safari.ts reads):
// `{version, recording: {displayName, startTime, endTime, discontinuities, instrumentTypes,
// records, markers, memoryPressureEvents, sampleStackTraces, sampleDurations}, overview}`, times
// in seconds on the page's monotonic clock, stack frames leaf first.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/viewer/import/detect';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { SafariImporter } from '../../../src/viewer/import/safari';
import { argsOf, instantArgsOf, nameOf } from '../../../src/viewer/model/query';
import { TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';

const enc = new TextEncoder();

function safari(text: string, size = 1 << 20): TraceModel {
  const bytes = enc.encode(text);
  const i = new SafariImporter();
  for (let p = 0; p < bytes.length; p += size) i.push(bytes.slice(p, p + size));
  return i.finish();
}
/** `track: name@startMs+durMs` per slice (ms from the recording's `startTime`), indented by depth. */
function brief(m: TraceModel, startMs = 10500): string[] {
  const out: Array<[string, number, number, string]> = [];
  for (let i = 0; i < m.slices.count; i++) {
    const t = m.tracks[m.slices.track[i]].name;
    const at = +(m.originMs - startMs + m.slices.startNs[i] / 1e6).toFixed(3);
    out.push([t, at, m.slices.depth[i], `${t}: ${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)}@${at}+${+(m.slices.durNs[i] / 1e6).toFixed(3)}`]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2] - b[2]).map((r) => r[3]);
}
const instants = (m: TraceModel): string[] =>
  [...Array(m.instants.count).keys()].map((i) => `${m.tracks[m.instants.track[i]].name}: ${m.strings[m.instants.name[i]]}@${+(m.originMs - 10500 + m.instants.timeNs[i] / 1e6).toFixed(3)}`);
const sliceNamed = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};

const frame = (name: string, url: string, line: number, column: number, sourceID = '7'): object => ({ sourceID, name, line, column, url });
const APP = 'https://example.com/app.js';
/** A click handler, a timer, layout and paint, a frame, CPU usage, a network request, the load marker. */
const TEXT = readFileSync(new URL('../../fixtures/safari/recording.json', import.meta.url), 'utf8');
const RECORDING = JSON.parse(TEXT) as { recording: { records: object[]; sampleStackTraces: unknown[]; sampleDurations: number[] } };

describe('Safari timeline recording', () => {
  it('JS samples as stacks over time, each lasting its duration; records as slices on a track per type', () => {
    const m = safari(TEXT);
    expect(m.format).toBe('safari-timeline');
    expect(m.groups.map((g) => g.name || g.key)).toEqual(['Timeline Recording 1']);
    // Times from the first event (10 ms after the recording's startTime), on the page's clock.
    expect(m.originMs).toBeCloseTo(10510, 6);
    expect(m.tracks.map((t) => [t.name, t.kind]).sort()).toEqual(
      [
        ['Rendering Frames', TrackKind.THREAD],
        ['JavaScript & Events', TrackKind.THREAD],
        ['Layout & Rendering', TrackKind.THREAD],
        ['Markers', TrackKind.INSTANTS],
        ['CPU usage (%)', TrackKind.COUNTER],
        ['JavaScript samples', TrackKind.SAMPLES],
      ].sort(),
    );
    expect(brief(m)).toEqual([
      'JavaScript & Events: Event Dispatched: click@10+10',
      'JavaScript & Events:   Timer Fired: 3@15+3',
      // Root first: dispatch over two samples, onClick in the first; idle from 13 to 16 ms.
      'JavaScript samples: dispatch@11+2',
      'JavaScript samples:   onClick@11+1',
      'JavaScript samples: (anonymous function)@16+1',
      'Layout & Rendering: Layout@20+5',
      'Layout & Rendering: Paint@25+1',
      'Rendering Frames: Frame 1@10+20',
    ]);
    // A record without duration is an instant; markers too.
    expect(instants(m).sort()).toEqual(['Layout & Rendering: Invalidate Layout@19', 'Markers: Load Event@80']);
    expect(m.counters.map((c) => [m.tracks[c.track].name, [...c.values]])).toEqual([['CPU usage (%)', [42.5]]]);
    expect(argsOf(m, sliceNamed(m, 'onClick')).args).toEqual({ url: APP, line: 12, column: 5 });
    expect(argsOf(m, sliceNamed(m, 'Event Dispatched: click')).args).toEqual({ eventType: 'script-timeline-record-event-dispatched', details: 'click' });
    expect(argsOf(m, sliceNamed(m, 'Layout')).args).toMatchObject({ quad: [0, 0, 100, 0, 100, 50, 0, 50] });
    expect(instantArgsOf(m, [...Array(m.instants.count).keys()].find((i) => m.strings[m.instants.name[i]] === 'Invalidate Layout') as number).args).toEqual({
      eventType: 'layout-timeline-record-invalidate-layout',
    });
    // The network record (HAR times on the wall clock) is skipped and counted.
    expect(m.diagnostics.find((d) => d.kind === 'skipped-section')?.message).toBe('1 network record skipped (HAR entries timed on the wall clock, not the recording clock)');
    // The recording's extent: its endTime.
    expect(m.originMs + m.endNs / 1e6).toBeCloseTo(10600, 6);
    // Read in small chunks: the same.
    expect(brief(safari(TEXT, 13))).toEqual(brief(m));
  });

  it('a newer export: short event and marker types, samples per target on a samples track each', () => {
    const m = safari(readFileSync(new URL('../../fixtures/safari/recording-targets.json', import.meta.url), 'utf8'));
    expect(brief(m, 100000)).toEqual([
      'JavaScript & Events: Animation Frame Fired: 7@4+5',
      'JavaScript & Events: Garbage Collected@10+2',
      'JavaScript samples (target 1): tick@4+2',
      'JavaScript samples (target 1):   draw@4+1',
      'JavaScript samples (target 2): onmessage@6+2',
      'Layout & Rendering: Recalculate Styles@9+0.5',
      'Layout & Rendering: Composite@13+1',
    ]);
    expect(instants(m).map((l) => l.replace(/@.*/, '')).sort()).toEqual(['JavaScript & Events: Animation Frame Requested: 7', 'Markers: Timestamp: render:start']);
    expect(argsOf(m, sliceNamed(m, 'Garbage Collected')).args).toMatchObject({ eventType: 'garbage-collected', details: { type: 'full' } });
    expect(m.counters.map((c) => [m.tracks[c.track].name, [...c.values]])).toEqual([['Memory (bytes)', [37000000]]]);
  });

  it('is detected from the content, gzipped or not, even when the records fill the head', async () => {
    expect(detectFormat(enc.encode(TEXT))).toBe('safari-timeline');
    const pretty = JSON.stringify({ ...RECORDING, recording: { ...RECORDING.recording, records: Array(200).fill(RECORDING.recording.records[1]) } }, null, 2);
    expect(detectFormat(enc.encode(pretty).subarray(0, 4096))).toBe('safari-timeline');
    // Keys in another order (a tool that re-saved it).
    expect(detectFormat(enc.encode('{"overview":{},"recording":{"records":[],"sampleStackTraces":[],"sampleDurations":[]},"version":1}'))).toBe('safari-timeline');
    const gz = await runPipeline({ kind: 'bytes', bytes: gzipSync(TEXT) });
    expect(gz.format).toBe('safari-timeline');
    expect(gz.slices.count).toBe(brief(safari(TEXT)).length);
    // Other JSON with a "recording" is not taken for it.
    expect(detectFormat(enc.encode('{"traceEvents":[{"name":"recording","ph":"X","ts":1,"dur":2}]}'))).toBe('chrome-json');
  });
});

describe('Safari timeline recording: malformed input', () => {
  it('records that are not an array: an error at that byte', () => {
    const e = errorOf(() => safari('{"version":1,\n"recording":{"displayName":"x","records":{}}}'));
    expect(e.info).toMatchObject({ format: 'safari-timeline', line: 2, column: 42, expected: 'an array' });
    expect(e.message).toContain('"records" is not an array');
  });

  it('no recording, or nothing in it: an error saying so', () => {
    expect(errorOf(() => safari('{"version":1,"recording":[]}')).message).toContain('"recording" is not an object');
    expect(errorOf(() => safari('{"version":1,"overview":{}}')).message).toBe(
      'safari-timeline: no "recording" object: not a Safari timeline recording; expected {"version": 1, "recording": {"records": […], "sampleStackTraces": […], …}}',
    );
    const empty = errorOf(() => safari('{"version":1,"recording":{"records":[{"startTime":"soon"}],"sampleStackTraces":[],"sampleDurations":[]}}'));
    expect(empty.message).toContain('the recording has no samples nor timed records (a record without a "type"');
  });

  it('bad samples and records are skipped and counted; a cut file is an error at its end', () => {
    const rec = JSON.parse(TEXT) as typeof RECORDING;
    rec.recording.sampleStackTraces.splice(1, 0, { timestamp: 'x' });
    rec.recording.sampleDurations.splice(1, 0, 0.001);
    const m = safari(JSON.stringify(rec));
    expect(brief(m).filter((l) => l.startsWith('JavaScript samples'))).toEqual(brief(safari(TEXT)).filter((l) => l.startsWith('JavaScript samples')));
    expect(m.diagnostics.find((d) => d.kind === 'invalid-event')?.message).toContain('a sample without a numeric "timestamp" and a "stackFrames" array');
    const cut = errorOf(() => safari(TEXT.slice(0, 700)));
    expect(cut.info).toMatchObject({ format: 'safari-timeline' });
    expect(cut.message).toContain('unexpected end of input');
  });
});
