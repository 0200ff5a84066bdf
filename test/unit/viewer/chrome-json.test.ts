import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importChromeJson, ChromeJsonImporter } from '../../../src/viewer/import/chrome-json';
import { SliceFlag, TrackKind, GroupKind, InstantScope, FlowKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { argsOf, childrenOf, flowsIn, flowsOut, nameOf } from '../../../src/viewer/model/query';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`../../fixtures/chrome/${name}`, import.meta.url));

function byName(m: TraceModel, name: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) out.push(i);
  return out;
}
const one = (m: TraceModel, name: string): number => {
  const all = byName(m, name);
  expect(all, name).toHaveLength(1);
  return all[0];
};
const diag = (m: TraceModel, kind: string): number => m.diagnostics.find((d) => d.kind === kind)?.count ?? 0;

describe('Chrome JSON: every phase (object form, keys in any order)', () => {
  const m = importChromeJson(fixture('all-phases.json'));

  it('reads metadata, displayTimeUnit, skips systemTraceEvents with a notice', () => {
    expect(m.format).toBe('chrome-json');
    expect(m.displayTimeUnit).toBe('ns');
    expect(m.metadata).toEqual({ 'trace-config': 'test', nested: { a: [1, 2, { b: ']' }] } });
    expect(diag(m, 'skipped-section')).toBe(1);
    expect(m.originMs).toBeCloseTo(0.1, 9); // earliest ts = 100 µs
  });

  it('M: process/thread names, labels and sort indexes; string pids merge with numbers', () => {
    expect(m.groups.map((g) => g.name)).toEqual(['Renderer', 'Global', 'Browser']);
    const browser = m.groups[2];
    expect(browser.labels).toEqual(['a', 'b']);
    expect(browser.sortIndex).toBe(5);
    expect(m.groups[0].key).toBe('2');
    const threadNames = browser.tracks.map((t) => m.tracks[t]).filter((t) => t.kind === TrackKind.THREAD).map((t) => t.name);
    expect(threadNames).toEqual(['IO', 'CrBrowserMain']); // thread_sort_index -5 first
  });

  it('B/E nest with X; E args merge into B; tts/tdur/cname kept', () => {
    const outer = one(m, 'outer');
    const inner = one(m, 'inner');
    expect(m.slices.durNs[outer]).toBe(100_000);
    expect(m.slices.depth[inner]).toBe(1);
    expect(m.slices.parent[inner]).toBe(outer);
    expect(childrenOf(m, outer)).toEqual([inner]);
    expect(argsOf(m, outer).args).toEqual({ x: 1, y: 2 });
    const d = argsOf(m, inner);
    expect(d.threadDurNs).toBe(15_000);
    expect(d.threadStartNs).toBe(5_000);
    expect(m.strings[m.slices.color[inner]]).toBe('good');
    // ts as a numeric string
    const io = one(m, 'io-task');
    expect(m.slices.startNs[io]).toBe(50_500);
  });

  it('i/I/R instants with thread, process and global scope', () => {
    const names = Array.from(m.instants.name, (n) => m.strings[n]);
    const at = (n: string): number => names.indexOf(n);
    expect(m.instants.scope[at('thread-instant')]).toBe(InstantScope.THREAD);
    expect(m.tracks[m.instants.track[at('thread-instant')]].kind).toBe(TrackKind.THREAD);
    expect(m.instants.scope[at('process-instant')]).toBe(InstantScope.PROCESS);
    expect(m.tracks[m.instants.track[at('process-instant')]].kind).toBe(TrackKind.INSTANTS);
    expect(m.instants.scope[at('global-instant')]).toBe(InstantScope.GLOBAL);
    expect(m.groups[m.tracks[m.instants.track[at('global-instant')]].group].kind).toBe(GroupKind.GLOBAL);
  });

  it('C: one series per args key, separate tracks per id, numeric strings accepted', () => {
    const heap = m.tracks.find((t) => t.kind === TrackKind.COUNTER && t.name === 'heap')!;
    const series = heap.counterSeries.map((s) => m.counters[s]);
    expect(series.map((s) => s.name)).toEqual(['used', 'total']);
    expect(Array.from(series[0].values)).toEqual([10, 12]);
    expect(Array.from(series[1].values)).toEqual([20, 20]);
    expect(Array.from(series[0].timesNs)).toEqual([0, 50_000]);
    const heap7 = m.tracks.find((t) => t.kind === TrackKind.COUNTER && t.name === 'heap 7')!;
    expect(Array.from(m.counters[heap7.counterSeries[0]].values)).toEqual([99]);
  });

  it('b/e/n nestable async: keyed by cat+id (and id2), nested, matched by name, packed', () => {
    const reqs = byName(m, 'request');
    expect(reqs).toHaveLength(2);
    const dns = one(m, 'dns');
    const first = reqs.find((r) => m.slices.durNs[r] === 100_000)!;
    expect(m.slices.parent[dns]).toBe(first);
    expect(m.slices.flags[dns] & SliceFlag.ASYNC).toBeTruthy();
    expect(m.tracks[m.slices.track[dns]].kind).toBe(TrackKind.ASYNC);
    expect(argsOf(m, first).args).toEqual({ status: 200 });
    const second = reqs.find((r) => r !== first)!;
    expect(m.slices.durNs[second]).toBe(10_000);
    expect(m.slices.depth[second]).toBeGreaterThan(0); // overlaps the first: packed below it
    const mark = Array.from(m.instants.name, (n) => m.strings[n]).indexOf('mark');
    expect(m.instants.slice[mark]).toBe(dns);
  });

  it('S/T/p/F legacy async: one slice with step instants', () => {
    const legacy = one(m, 'legacy');
    expect(m.slices.durNs[legacy]).toBe(30_000);
    const steps = [];
    for (let i = 0; i < m.instants.count; i++) if (m.instants.slice[i] === legacy) steps.push(m.strings[m.instants.name[i]]);
    expect(steps).toEqual(['step1', 'step2']);
  });

  it('flows v1 (s → f, next-slice binding) and v2 (bind_id, flow_out → flow_in)', () => {
    const src = one(m, 'flow-src');
    const dst = one(m, 'flow-dst');
    expect(flowsOut(m, src).map((f) => m.flows.toSlice[f])).toEqual([dst]);
    expect(flowsIn(m, dst).map((f) => m.flows.fromSlice[f])).toEqual([src]);
    const v2s = one(m, 'v2-src');
    const v2d = one(m, 'v2-dst');
    const f = flowsOut(m, v2s);
    expect(f.map((i) => m.flows.toSlice[i])).toEqual([v2d]);
    expect(m.flows.kind[f[0]]).toBe(FlowKind.FLOW);
    expect(m.slices.flags[v2d] & SliceFlag.HAS_FLOWS).toBeTruthy();
  });

  it('N/O/D, V/v, c, (/) are counted and ignored', () => {
    expect(diag(m, 'ignored-phase')).toBe(8);
    expect(m.eventCounts.N).toBe(1);
    expect(m.eventCounts.c).toBe(1);
  });

  it('P samples with stackFrames become a sampled-stack track', () => {
    const main = one(m, 'main');
    const work = one(m, 'work');
    const leaf = one(m, 'leaf');
    expect(m.tracks[m.slices.track[main]].kind).toBe(TrackKind.SAMPLES);
    expect([m.slices.depth[main], m.slices.depth[work], m.slices.depth[leaf]]).toEqual([0, 1, 2]);
    expect(m.slices.durNs[leaf]).toBe(20_000);
    expect(m.slices.durNs[main]).toBe(30_000);
  });

  it('counts events per phase as read', () => {
    expect(m.eventCounts.X).toBe(6);
    expect(m.eventCounts.M).toBe(8);
    expect(m.eventCounts.P).toBe(4);
  });
});

describe('Chrome JSON: nesting and repair rules', () => {
  const m = importChromeJson(fixture('edge-nesting.json'));

  it('ties broken longer-dur first; partial overlap cut to the parent with a diagnostic', () => {
    const longest = one(m, 'longest');
    const parent = one(m, 'parent');
    const same = one(m, 'same-start-shorter-later');
    const overlap = one(m, 'overlap');
    expect([m.slices.depth[longest], m.slices.depth[parent], m.slices.depth[same]]).toEqual([0, 1, 2]);
    expect(m.slices.durNs[overlap]).toBe(50_000);
    expect(m.slices.flags[overlap] & SliceFlag.TRUNCATED).toBeTruthy();
    expect(argsOf(m, overlap).originalDurNs).toBe(100_000);
    expect(diag(m, 'overlapping-slice')).toBe(1);
  });

  it('negative dur → 0, X without dur → unfinished, unmatched E and unclosed B diagnosed', () => {
    const neg = one(m, 'negative');
    expect(m.slices.durNs[neg]).toBe(0);
    expect(diag(m, 'negative-duration')).toBe(1);
    expect(m.slices.flags[one(m, 'no-dur')] & SliceFlag.UNFINISHED).toBeTruthy();
    expect(diag(m, 'unfinished-complete')).toBe(1);
    expect(diag(m, 'unmatched-end')).toBe(1);
    const open = one(m, 'never-closed');
    expect(m.slices.flags[open] & SliceFlag.UNFINISHED).toBeTruthy();
    expect(m.slices.startNs[open] + m.slices.durNs[open]).toBe(m.endNs);
    expect(diag(m, 'unclosed-begin')).toBe(1);
  });

  it('B/E matched in ts order, not file order, as a stack; file order breaks ties', () => {
    // The E at 40 comes first in the file, but the one at 30 ends the inner slice.
    expect(m.slices.durNs[one(m, 'inner')]).toBe(10_000);
    expect(m.slices.durNs[one(m, 'outer')]).toBe(30_000);
    expect(m.slices.parent[one(m, 'inner')]).toBe(one(m, 'outer'));
    // At ts 20 the E (earlier in the file) ends tie-a before tie-b begins.
    expect([m.slices.durNs[one(m, 'tie-a')], m.slices.durNs[one(m, 'tie-b')], m.slices.durNs[one(m, 'tie-first')]]).toEqual([10_000, 10_000, 5_000]);
  });

  it('unknown phases, events without ts and non-object events are skipped with diagnostics', () => {
    expect(diag(m, 'unknown-phase')).toBe(1);
    expect(diag(m, 'invalid-event')).toBe(2);
  });
});

describe('Chrome JSON: salvage and errors', () => {
  it('a truncated array keeps every complete event and closes open B', () => {
    const m = importChromeJson(fixture('truncated.json'));
    expect(m.slices.count).toBe(3);
    expect(diag(m, 'truncated-input')).toBe(1);
    expect(m.slices.flags[one(m, 'open')] & SliceFlag.UNFINISHED).toBeTruthy();
  });

  it('a trailing comma without ] is salvaged', () => {
    const m = importChromeJson(fixture('trailing-comma.json'));
    expect(m.slices.count).toBe(2);
    expect(diag(m, 'truncated-input')).toBe(1);
  });

  it('a trailing comma before ] is tolerated with a notice', () => {
    const m = importChromeJson('[{"ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"name":"a"},]');
    expect(m.slices.count).toBe(1);
    expect(diag(m, 'trailing-comma')).toBe(1);
  });

  it('reports syntax errors with byte offset, line, column and what was expected', () => {
    const text = '[\n{"ph":"X","ts":1,"dur":1},\n{"ph":"X" "ts":2}\n]';
    expect(() => importChromeJson(text)).toThrowError(/line 3, column 11 \(byte 39\); expected ',' or '}'/);
    try {
      importChromeJson(text);
    } catch (e) {
      const info = (e as { info: { offset: number; line: number; column: number; expected: string } }).info;
      expect(info).toMatchObject({ offset: 39, line: 3, column: 11, expected: "',' or '}'" });
      expect(text[info.offset]).toBe('"');
    }
  });

  it('rejects non-JSON at the start and garbage after the end', () => {
    expect(() => importChromeJson('hello')).toThrowError(/expected '\[' or '\{'/);
    expect(() => importChromeJson('[] x')).toThrowError(/expected end of input/);
    expect(() => importChromeJson('')).toThrowError(/empty input/);
  });

  it('is independent of chunk boundaries (byte-by-byte push gives the same model)', () => {
    const bytes = fixture('all-phases.json');
    const whole = importChromeJson(bytes);
    const imp = new ChromeJsonImporter();
    for (let i = 0; i < bytes.length; i += 7) imp.push(bytes.subarray(i, Math.min(i + 7, bytes.length)));
    const split = imp.finish();
    expect(Array.from(split.slices.startNs)).toEqual(Array.from(whole.slices.startNs));
    expect(Array.from(split.slices.name, (n) => split.strings[n])).toEqual(Array.from(whole.slices.name, (n) => whole.strings[n]));
    expect(split.diagnostics).toEqual(whole.diagnostics);
    expect(split.flows.count).toBe(whole.flows.count);
  });

  it('gives the same model for every split into two pieces and for batched pushes (reused buffer)', () => {
    // Pretty-printed (whitespace between all tokens) and compact events, so both the direct and
    // the skipWs paths meet a cut.
    const text =
      '{"traceEvents": [\n  { "ph" : "X", "ts" : 10, "dur" : 5, "pid" : 1, "tid" : 2, "name" : "a", "args" : { "k" : [1, "}"] } },\n' +
      '{"ph":"X","ts":11.5,"dur":2,"tdur":1.25,"tts":3,"pid":1,"tid":2,"name":"b","cat":"c"},' +
      '{"ph":"B","ts":12,"pid":1,"tid":2,"name":"c"},{"ph":"E","ts":13,"pid":1,"tid":2}\n]}';
    const bytes = new TextEncoder().encode(text);
    const whole = importChromeJson(bytes);
    const shape = (m: TraceModel) => ({
      names: Array.from(m.slices.name, (n) => m.strings[n]),
      starts: Array.from(m.slices.startNs),
      durs: Array.from(m.slices.durNs),
      args: Array.from({ length: m.slices.count }, (_, i) => argsOf(m, i)),
      diagnostics: m.diagnostics,
    });
    const want = shape(whole);
    expect(want.names).toEqual(['a', 'b', 'c']);
    for (let cut = 1; cut < bytes.length; cut++) {
      const imp = new ChromeJsonImporter();
      imp.push(bytes.slice(0, cut));
      imp.push(bytes.slice(cut));
      expect(shape(imp.finish()), `cut at ${cut}`).toEqual(want);
    }
    // Small pieces parsed in batches: the reader's reused buffer holds stale bytes past its end.
    for (const batch of [0, 16, 64, 1 << 20]) {
      const imp = new ChromeJsonImporter();
      for (let i = 0; i < bytes.length; i += 5) imp.push(bytes.slice(i, Math.min(i + 5, bytes.length)), batch);
      expect(shape(imp.finish()), `batch ${batch}`).toEqual(want);
    }
  });

  it('thread time: tdur and tts in µs become exact ns in the details, whatever the spelling', () => {
    const ev = (tdur: string, tts: string) => `{"ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"name":"x","tdur":${tdur},"tts":${tts}}`;
    const cases: Array<[string, number]> = [
      ['15', 15_000],
      ['0', 0],
      ['0.012', 12],
      ['0.0005', 0.5],
      ['1.25', 1250],
      ['98.7654321', 98765.4321],
      ['007.5', 7500],
      ['1.5e1', 15_000],
      ['-0.5', -500],
      ['"2.5"', 2500],
    ];
    const m = importChromeJson(`[${cases.map(([t], i) => ev(t, String(i))).join(',')}]`);
    const got = Array.from({ length: m.slices.count }, (_, i) => argsOf(m, i));
    expect(got.map((d) => d.threadDurNs)).toEqual(cases.map(([, ns]) => ns));
    expect(got.map((d) => d.threadStartNs)).toEqual(cases.map((_, i) => i * 1000));
    // null / non-numbers: no thread time at all.
    const none = importChromeJson('[{"ph":"X","ts":1,"dur":1,"pid":1,"tid":1,"name":"x","tdur":null,"args":{"a":1}}]');
    expect(argsOf(none, 0)).toEqual({ args: { a: 1 } });
  });

  it('member names with escapes are not mistaken for known keys', () => {
    const m = importChromeJson('[{"ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"name":"x","na\\u006de":"y","\\"ts":5}]');
    expect(nameOf(m, 0)).toBe('x');
    expect(m.slices.startNs[0]).toBe(0);
    expect(m.slices.durNs[0]).toBe(2000);
  });

  it('handles escapes, unicode and big numbers', () => {
    const m = importChromeJson(
      '[{"ph":"X","ts":1e3,"dur":1.5E1,"pid":"p\\u00e9","tid":12345678901234567890,"name":"a\\"b\\n","args":{"s":"ü"}},' +
        '{"ph":"X","ts":1000.25,"dur":1,"pid":"pé","tid":1,"name":"日本"}]',
    );
    expect(nameOf(m, 0)).toBe('a"b\n');
    expect(m.slices.durNs[0]).toBe(15_000);
    expect(m.groups).toHaveLength(1); // "p\u00e9" and "pé" are the same pid
    expect(argsOf(m, 0).args).toEqual({ s: 'ü' });
    expect(byName(m, '日本')).toHaveLength(1);
  });
});
