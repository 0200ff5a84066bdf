import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { importSpanJson } from '../../../src/viewer/import/otlp-json';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { exportChromeJson } from '../../../src/viewer/model/chrome-export';
import { argsOf, instantArgsOf } from '../../../src/viewer/model/query';
import { TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { TINY_CPUPROFILE } from './tiny-profile';

const fixture = (path: string): Uint8Array => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url));

async function roundTrip(m: TraceModel, fileName?: string): Promise<{ text: string; back: TraceModel }> {
  const text = await exportChromeJson(m, fileName ? { fileName } : {}).text();
  return { text, back: importChromeJson(text) };
}

/** What should survive: per track (group and track names, kind as re-imported), its slices, instants, counters, flows. */
function shape(m: TraceModel, origin = m.clock === 'epoch' ? 0 : m.originMs * 1e6) {
  const S = m.slices;
  const kindBack = (k: number): number => (k === TrackKind.TRACE ? TrackKind.ASYNC : k === TrackKind.SAMPLES ? TrackKind.THREAD : k);
  const t = (ns: number): number => Math.round((origin + ns) * 100) / 100;
  const path = (s: number): string => (s < 0 ? '' : `${path(S.parent[s] >= 0 && S.track[S.parent[s]] === S.track[s] ? S.parent[s] : -1)}/${m.strings[S.name[s]]}`);
  const trackOf = (tr: number): string => `${m.groups[m.tracks[tr].group].name}|${m.tracks[tr].name}|${kindBack(m.tracks[tr].kind)}`;
  const slices: string[] = [];
  for (let s = 0; s < S.count; s++) {
    const d = argsOf(m, s);
    slices.push(`${trackOf(S.track[s])} ${path(s)} d${S.depth[s]} ${t(S.startNs[s])}+${Math.round(S.durNs[s] * 100) / 100} f${S.flags[s] & 1} ${JSON.stringify(d.args ?? {})}`);
  }
  const instants: string[] = [];
  for (let i = 0; i < m.instants.count; i++) {
    instants.push(`${trackOf(m.instants.track[i])} ${m.strings[m.instants.name[i]]} ${t(m.instants.timeNs[i])} s${m.instants.scope[i]} ${m.instants.slice[i] >= 0 ? m.strings[S.name[m.instants.slice[i]]] : '-'} ${JSON.stringify(instantArgsOf(m, m.instants.track[i] >= 0 ? i : i).args ?? {})}`);
  }
  const counters = m.counters.map((c) => `${trackOf(c.track)} ${c.name} ${[...c.timesNs].map((x, i) => `${t(x)}=${c.values[i]}`).join(',')}`);
  const flows: string[] = [];
  for (let f = 0; f < m.flows.count; f++) flows.push(`${m.strings[S.name[m.flows.fromSlice[f]]]}->${m.strings[S.name[m.flows.toSlice[f]]]}`);
  return {
    groups: m.groups.map((g) => `${g.name}: ${g.tracks.map((tr) => `${m.tracks[tr].name}(${kindBack(m.tracks[tr].kind)})`).join(', ')}`),
    slices: slices.sort(),
    instants: instants.sort(),
    counters: counters.sort(),
    flows: flows.sort(),
  };
}

function strictChromeJson(text: string): void {
  // Strict JSON (JSON.parse refuses NaN / Infinity), with the phases of the Trace Event Format.
  const doc = JSON.parse(text) as { traceEvents: Array<Record<string, unknown>>; displayTimeUnit: string };
  expect(['ms', 'ns']).toContain(doc.displayTimeUnit);
  for (const e of doc.traceEvents) {
    expect('XBEbenisftCM').toContain(e.ph as string);
    expect(typeof e.pid).toBe('number');
    if (e.ph !== 'M') expect(Number.isFinite(e.ts), JSON.stringify(e)).toBe(true);
    if (e.ph === 'X') expect(e.dur as number).toBeGreaterThanOrEqual(0);
    if (e.ph === 'i') expect(['t', 'p', 'g']).toContain(e.s);
    if (e.ph === 'b' || e.ph === 'e' || e.ph === 'n' || e.ph === 's' || e.ph === 'f') expect(e.id).toBeDefined();
  }
}

describe('Save as Chrome trace JSON: model → Chrome JSON → import', () => {
  it('a Chrome trace with all phases comes back with the same tracks, nesting, times, args, flows, counters and instants', async () => {
    const m = importChromeJson(fixture('chrome/all-phases.json'));
    const { text, back } = await roundTrip(m, 'all-phases.json');
    strictChromeJson(text);
    expect(back.clock).toBe('trace');
    expect(shape(back)).toEqual(shape(m));
    expect(back.flows.count).toBe(m.flows.count);
    expect(back.metadata).toMatchObject({ source_format: 'chrome-json', source_file: 'all-phases.json' });
  });

  it('an OTLP trace of two services, read without its span data (an older export, as other tools read it): spans as async slices nested as before, attributes and ids in args, epoch clock kept', async () => {
    const m = importSpanJson(fixture('otlp/two-services.json'));
    const { text } = await roundTrip(m);
    expect(text).toContain('"spanbeam_spans":');
    const back = importChromeJson(text.replace(/,"spanbeam_spans":\d+/, ''));
    strictChromeJson(text);
    expect(back.clock).toBe('epoch');
    expect(back.originMs).toBeCloseTo(m.originMs, 6);
    const a = shape(m);
    const b = shape(back);
    // Same service, names, nesting, times and unfinished flags; a service's spans whose roots have other
    // names than its track (remote or orphan roots) come back on a track per root name.
    const strip = (l: string[]): string[] => l.map((s) => s.replace(/\{.*$/, '').replace(/^([^|]*)\|[^|]*\|/, '$1|').replace(/ d\d+ (?=[\d.]+\+)/, ' ')).sort();
    expect(strip(b.slices)).toEqual(strip(a.slices));
    expect(b.groups.map((g) => g.split(':')[0])).toEqual(a.groups.map((g) => g.split(':')[0]));
    expect(b.instants.length).toBe(a.instants.length);
    // Arrows to async slices are flow v2 (one bind_id per event): a slice with two arrows out keeps one.
    expect(back.flows.count).toBeGreaterThanOrEqual(1);
    expect(back.flows.count).toBeLessThanOrEqual(m.flows.count);
    // Span ids, status and attributes are args now.
    for (let s = 0; s < m.slices.count; s++) {
      const d = argsOf(m, s);
      const k = [...Array(back.slices.count).keys()].find((x) => argsOf(back, x).args?.spanId === d.spanId);
      expect(k, d.spanId).toBeDefined();
      expect(argsOf(back, k!).args).toMatchObject({ ...(d.args ?? {}), spanId: d.spanId, traceId: d.traceId });
    }
  });

  it('a .cpuprofile: sampled stacks as plain slices on a thread, nested the same', async () => {
    const m = await runPipeline({ kind: 'bytes', bytes: TINY_CPUPROFILE });
    expect(m.format).toBe('v8-cpuprofile');
    const { text, back } = await roundTrip(m);
    strictChromeJson(text);
    const a = shape(m);
    expect(shape(back).slices.map((s) => s.replace(/ \{.*$/, ''))).toEqual(a.slices.map((s) => s.replace(/ \{.*$/, '')));
  });

  it('a slice starting where its sibling ends stays its sibling (times in seconds: ns with float noise)', async () => {
    // Safari's Layout 10.520 s + 5 ms, then Paint at 10.525 s: a dur not rounded as the ts is ended
    // Layout 1e-9 µs after Paint's start, and Paint came back inside it, 0 long.
    const m = await runPipeline({ kind: 'bytes', bytes: fixture('safari/recording.json') });
    const { text, back } = await roundTrip(m);
    strictChromeJson(text);
    const paint = shape(back).slices.filter((s) => s.includes('/Paint '));
    expect(paint).toEqual(shape(m).slices.filter((s) => s.includes('/Paint ')));
    expect(paint[0]).toMatch(/\|Layout & Rendering\|0 \/Paint d0 10525000000\+1000000 /);
  });

  it('counters (several series on one track) and a profile in bytes: values and the x axis kept', async () => {
    const ev = [
      { ph: 'C', name: 'memory', pid: 1, tid: 1, ts: 10, args: { heap: 5, rss: 7.25 } },
      { ph: 'C', name: 'memory', pid: 1, tid: 1, ts: 20.5, args: { heap: 6, rss: 7 } },
      { ph: 'C', name: 'cpu freq', pid: 1, tid: 1, ts: 15, args: { value: 1800000 } },
      { ph: 'X', name: 'work', pid: 1, tid: 1, ts: 10.0015, dur: 3.0005 },
    ];
    const m = importChromeJson(JSON.stringify({ traceEvents: ev }));
    const { back } = await roundTrip(m);
    expect(shape(back)).toEqual(shape(m));
    expect(back.slices.startNs[0]).toBeCloseTo(m.slices.startNs[0], 6);
    expect(back.slices.durNs[0]).toBeCloseTo(3000.5, 6);

    const speedscope = JSON.stringify({
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: [{ name: 'alloc' }, { name: 'grow' }] },
      profiles: [{ type: 'sampled', name: 'heap', unit: 'bytes', startValue: 0, endValue: 300, samples: [[0], [0, 1]], weights: [100, 200] }],
    });
    const p = await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(speedscope) });
    expect(p.valueUnit).toBe('bytes');
    const r = await roundTrip(p);
    expect(JSON.parse(r.text).metadata).toMatchObject({ value_unit: 'bytes' });
    expect(r.back.valueUnit).toBe('bytes');
    expect(shape(r.back).slices.map((s) => s.replace(/ \{.*$/, ''))).toEqual(shape(p).slices.map((s) => s.replace(/ \{.*$/, '')));
  });

  it('unfinished slices stay unfinished; an empty trace is valid JSON', async () => {
    const m = importChromeJson('[{"ph":"B","name":"open","pid":1,"tid":1,"ts":5},{"ph":"X","name":"done","pid":1,"tid":1,"ts":6,"dur":1},{"ph":"b","name":"req","cat":"n","id":1,"pid":1,"ts":7}]');
    const { text, back } = await roundTrip(m);
    strictChromeJson(text);
    expect(shape(back)).toEqual(shape(m));
    const e = await exportChromeJson(importChromeJson('[]')).text();
    strictChromeJson(e);
    expect(importChromeJson(e).slices.count).toBe(0);
  });

  it('writes in parts: a large trace is several Blob parts, not one string', async () => {
    const ev = Array.from({ length: 20000 }, (_, i) => ({ ph: 'X', name: `s${i % 7}`, pid: 1, tid: 1 + (i % 3), ts: i * 2, dur: 1 }));
    const m = importChromeJson(JSON.stringify(ev));
    const { back } = await roundTrip(m);
    expect(back.slices.count).toBe(20000);
  });
});
