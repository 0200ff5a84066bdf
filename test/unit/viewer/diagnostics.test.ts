// Input the importers skip or repair is reported (kind, count, first example), never dropped silently;
// valid input stays quiet.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { isValidJson } from '../../../src/viewer/import/json-tokenizer';
import { importReadableSpans, importSpanJson } from '../../../src/viewer/import/otlp-json';
import { argsOf, nameOf } from '../../../src/viewer/model/query';
import type { Diagnostic, TraceModel } from '../../../src/viewer/model/trace-model';
import type { ReadableSpan } from '../../../src/sdk/types';

const names = (m: TraceModel): string[] => Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i));
const diagOf = (m: TraceModel, kind: string): Diagnostic | undefined => m.diagnostics.find((d) => d.kind === kind);
const kinds = (m: TraceModel): Record<string, number> => Object.fromEntries(m.diagnostics.map((d) => [d.kind, d.count]));
const x = (name: string, more: Record<string, unknown> = {}) => ({ ph: 'X', name, ts: 0, dur: 1, pid: 1, tid: 1, ...more });
const chrome = (events: string[]): TraceModel => importChromeJson(`{"traceEvents":[${events.join(',')}]}`);

describe('Chrome JSON: args that are not a JSON object', () => {
  it('non-object args are kept as args.value and reported with the event', () => {
    const m = chrome(['{"ph":"X","name":"n","ts":0,"dur":1,"pid":1,"tid":1,"args":5}', '{"ph":"X","name":"s","ts":1,"dur":1,"pid":1,"tid":1,"args":"text"}',
      '{"ph":"X","name":"a","ts":2,"dur":1,"pid":1,"tid":1,"args":[1,2]}', '{"ph":"X","name":"none","ts":3,"dur":1,"pid":1,"tid":1,"args":null}']);
    expect(names(m)).toEqual(['n', 's', 'a', 'none']);
    expect([0, 1, 2, 3].map((i) => argsOf(m, i).args)).toEqual([{ value: 5 }, { value: 'text' }, { value: [1, 2] }, undefined]);
    const d = diagOf(m, 'invalid-args');
    expect(d?.count).toBe(3); // null carries nothing: no loss, no warning
    expect(d?.message).toContain('traceEvents[0]');
    expect(d?.message).toContain('"n"');
    expect(d?.message).toContain('args.value');
  });

  it('args that are not valid JSON keep their text (args.raw) and the rest of the details', () => {
    const bad = ['{"x":01}', '{"x" 1}', '{"x":1,}', '{"x":NaN}', '{"x":"a\tb"}', '{"x":tru}', '{"x":"\\q"}'];
    const m = chrome(bad.map((a, i) => `{"ph":"X","name":"e${i}","ts":${i},"dur":1,"tdur":0.5,"pid":1,"tid":1,"args":${a}}`));
    expect(m.slices.count).toBe(bad.length);
    for (let i = 0; i < bad.length; i++) {
      expect(argsOf(m, i).args, bad[i]).toEqual({ raw: bad[i] });
      expect(argsOf(m, i).threadDurNs, bad[i]).toBe(500);
    }
    const d = diagOf(m, 'invalid-args');
    expect(d?.count).toBe(bad.length);
    expect(d?.message).toMatch(/traceEvents\[0\].*"e0".*not valid JSON.*args\.raw/);
  });

  it('an end event with string args merges them as args.value (not one key per character)', () => {
    const m = chrome(['{"ph":"B","name":"a","ts":0,"pid":1,"tid":1,"args":{"x":1}}', '{"ph":"E","ts":5,"pid":1,"tid":1,"args":"str"}']);
    expect(argsOf(m, 0).args).toEqual({ x: 1, value: 'str' });
    expect(diagOf(m, 'invalid-args')?.count).toBe(1);
  });

  it('valid args of every shape stay as they are, without warnings', () => {
    const good = ['{"a":{"b":[1,-2.5e+3,0,0.1,1E2,true,false,null,{}]},"c":[],"d":"\\u00e9\\n\\"\\\\/"}', '{ "s" : "é ✓" , "n" : -0 }', '{"deep":[[[[{"x":[]}]]]]}'];
    const m = chrome(good.map((a, i) => `{"ph":"X","name":"g${i}","ts":${i},"dur":1,"pid":1,"tid":1,"args":${a}}`));
    for (let i = 0; i < good.length; i++) expect(argsOf(m, i).args).toEqual(JSON.parse(good[i]));
    expect(m.diagnostics).toEqual([]);
  });
});

describe('isValidJson (the fast check of kept args) agrees with JSON.parse', () => {
  const enc = new TextEncoder();
  const check = (text: string): void => {
    let want = true;
    try {
      JSON.parse(text);
    } catch {
      want = false;
    }
    const b = enc.encode(`  ${text}  `);
    expect(isValidJson(b, 2, b.length - 2), text).toBe(want);
  };

  it('on hand-picked containers', () => {
    for (const t of ['{}', '[]', '{"a":1}', '[1,2]', '{"a":[{"b":{}}]}', '[-0.5e-3]', '["\\ud83d\\ude00"]', '[0]', '[1e5]', '[ 1 , 2 ]', '{"a":"\\u12"}', '[01]', '[1.]',
      '[.5]', '[-]', '[1e]', '[+1]', '{"a":1}}', '[1]]', '{"a":1]', '[1,]', '{,}', '{"a"}', '{1:2}', '["a"b]', '[truee]', '[nul]', '[1 2]', '{"a":1 "b":2}', '["\\x"]', '[Infinity]', '[]]'])
      check(t);
  });

  it('on random mutations of a valid document', () => {
    const base = '{"a":[1,-2.5e+3,true,false,null,"s\\n\\u00e9"],"b":{"c":{}},"d":[]}';
    const alphabet = '{}[],:"\\ 0123456789-+.eEtrufalsn\tx';
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let k = 0; k < 3000; k++) {
      const chars = base.split('');
      for (let j = 0, n = 1 + rand(3); j < n; j++) {
        const at = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]);
        else chars[at] = alphabet[rand(alphabet.length)];
      }
      const t = chars.join('');
      if (t[0] === '{' || t[0] === '[') check(t);
    }
  });
});

describe('Chrome JSON: skipped events name their place', () => {
  it('non-object events and events without ts give their index in traceEvents (also in the array form)', () => {
    const m = chrome([JSON.stringify(x('ok')), '7', JSON.stringify(x('no ts', { ts: 'soon' }))]);
    expect(diagOf(m, 'invalid-event')).toEqual({ kind: 'invalid-event', count: 2, message: 'event traceEvents[1] is not an object; skipped' });
    const a = importChromeJson(`[${JSON.stringify(x('ok'))},${JSON.stringify(x('no ts', { ts: null }))}]`);
    expect(diagOf(a, 'invalid-event')?.message).toBe('event [1] ("no ts", ph "X") has no numeric "ts"; skipped');
  });

  it('an event without "ph" is reported as such; a "ph" written with an escape is read', () => {
    const m = chrome(['{"name":"a","ts":0,"dur":1,"pid":1,"tid":1}', '{"ph":"\\u0058","name":"b","ts":0,"dur":1,"pid":1,"tid":1}']);
    expect(names(m)).toEqual(['b']);
    expect(kinds(m)).toEqual({ 'invalid-event': 1 });
    expect(diagOf(m, 'invalid-event')?.message).toBe('event traceEvents[0] ("a") has no "ph"; skipped');
  });

  it('an X with a "dur" that is no number says so', () => {
    const m = chrome([JSON.stringify(x('a', { dur: 'long' }))]);
    expect(diagOf(m, 'unfinished-complete')?.message).toBe('complete event "a" (traceEvents[0]) has a "dur" that is not a number; kept open to the end of the trace');
  });

  it('top-level samples without ts are reported', () => {
    const m = importChromeJson('{"traceEvents":[],"samples":[{"tid":1,"sf":1},{"tid":1,"ts":5,"sf":1}],"stackFrames":{"1":{"name":"f"}}}');
    expect(names(m)).toEqual(['f']);
    expect(diagOf(m, 'invalid-event')?.message).toBe('event samples[0] has no numeric "ts"; skipped');
  });
});

describe('Chrome JSON: args checked as they are skipped', () => {
  it('a syntax error after multi-line args still names its line', () => {
    const text = '[{"ph":"X","ts":1,"dur":1,"args":{\n"a":\n[1,\n2]\n}},\n{"ph" "X"}]';
    expect(() => importChromeJson(text)).toThrowError(/line 6, column 7/);
  });
});

describe('Chrome JSON: counters, metadata and samples', () => {
  it('counter values that are not finite numbers, and counters without values, are reported', () => {
    const m = chrome([
      '{"ph":"C","name":"c","ts":0,"pid":1,"args":{"v":1,"w":"abc"}}',
      '{"ph":"C","name":"c","ts":1,"pid":1,"args":{"v":"Infinity"}}',
      '{"ph":"C","name":"c","ts":2,"pid":1}',
      '{"ph":"C","name":"c","ts":3,"pid":1,"args":{"v":"2"}}',
    ]);
    expect(m.counters.map((c) => [c.name, Array.from(c.values)])).toEqual([['v', [1, 2]]]);
    const d = diagOf(m, 'invalid-args');
    expect(d?.count).toBe(3);
    expect(d?.message).toBe('counter "c" (traceEvents[0]): "w" is "abc", not a finite number; skipped');
  });

  it('known metadata with unusable args is reported; kinds not drawn stay quiet', () => {
    const m = chrome([
      '{"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":5}}',
      '{"ph":"M","name":"num_cpus","pid":1,"args":{"number":8}}',
      '{"ph":"M","name":"trace_buffer_overruns","pid":1,"args":{"overruns":0}}',
      JSON.stringify(x('a')),
    ]);
    expect(kinds(m)).toEqual({ 'invalid-args': 1 });
    expect(diagOf(m, 'invalid-args')?.message).toBe('"thread_name" metadata (traceEvents[0]): args.name is not a string; ignored');
  });

  it('samples naming stack frames that are not in stackFrames are reported', () => {
    const m = importChromeJson(
      '{"traceEvents":[{"ph":"P","name":"s","ts":0,"pid":1,"tid":1,"sf":"7"},{"ph":"P","name":"s","ts":1,"pid":1,"tid":1,"sf":"1"},' +
        '{"ph":"P","name":"s","ts":2,"pid":1,"tid":1,"sf":"2"},{"ph":"P","name":"s","ts":3,"pid":1,"tid":1}],"stackFrames":{"1":{"name":"f"},"2":{"name":"g","parent":"9"}}}',
    );
    expect(names(m)).toEqual(['f', 'g']);
    // "7" is unknown; "2" is known but its parent "9" is not; the sample without sf is idle.
    expect(diagOf(m, 'unknown-frame')).toEqual({ kind: 'unknown-frame', count: 2, message: 'samples name stack frame "7", which is not in the trace: their stacks are lost or cut there' });
  });

  it('V8 profile chunks: unknown node ids are reported, malformed data does not abort the import', () => {
    const m = chrome([
      '{"ph":"P","name":"Profile","id":"0x1","pid":1,"tid":1,"ts":0,"args":{"data":{"startTime":0}}}',
      '{"ph":"P","name":"ProfileChunk","id":"0x1","pid":1,"tid":1,"ts":10,"args":{"data":{"cpuProfile":{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}},{"id":2,"parent":1,"callFrame":{"functionName":"f"}},null],"samples":[2,5,2]},"timeDeltas":[1,1,1]}}}',
      '{"ph":"P","name":"ProfileChunk","id":"0x1","pid":1,"tid":1,"ts":20,"args":{"data":{"cpuProfile":{"nodes":5,"samples":"x"},"timeDeltas":[1]}}}',
      JSON.stringify(x('a')),
    ]);
    expect(names(m)).toContain('f');
    expect(diagOf(m, 'unknown-frame')?.count).toBe(1);
  });
});

describe('Chrome JSON: a valid real-world trace stays quiet', () => {
  it('all-phases fixture gains no new warnings', () => {
    const m = importChromeJson(readFileSync(new URL('../../fixtures/chrome/all-phases.json', import.meta.url)));
    for (const k of ['invalid-args', 'missing-id', 'unknown-frame']) expect(diagOf(m, k), k).toBeUndefined();
  });
});

describe('span formats', () => {
  const otlp = (spans: unknown[]) => ({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeSpans: [{ scope: { name: 'x' }, spans }] }],
  });
  const span = (name: string, more: Record<string, unknown> = {}) => ({ traceId: 'ab', spanId: name, name, startTimeUnixNano: '1000000', endTimeUnixNano: '2000000', ...more });
  const doc = otlp([
    span('01', { events: [{ name: 'ok', timeUnixNano: '1500000' }, { name: 'bad time', timeUnixNano: 'x' }, 5] }),
    null,
    'text',
    span('02', { startTimeUnixNano: undefined }),
    { traceId: 'ab', name: 'no id 1', startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' },
    { traceId: 'ab', name: 'no id 2', startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' },
    { spanId: '05', name: 'no trace', startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' },
  ]);

  it('OTLP: non-object spans, spans without start, events without time are reported; spans without ids are kept', () => {
    const m = importSpanJson(JSON.stringify(doc));
    expect(names(m)).toEqual(['01', 'no id 1', 'no id 2', 'no trace']);
    expect(m.instants.count).toBe(1);
    expect(kinds(m)).toEqual({ 'invalid-event': 5, 'missing-id': 3 });
    expect(diagOf(m, 'missing-id')?.message).toBe('span "no id 1" has no spanId: kept, but no span can name it as its parent');
  });

  it('OTLP given as an object reports exactly what the same document as text does', () => {
    expect(importSpanJson(doc).diagnostics).toEqual(importSpanJson(JSON.stringify(doc)).diagnostics);
    expect(importSpanJson([doc, 5, doc]).diagnostics).toEqual(importSpanJson(JSON.stringify([doc, 5, doc])).diagnostics);
  });

  it('Jaeger: spans without a numeric start and logs without a time are reported (no span at epoch 0)', () => {
    const jaeger = {
      data: [{
        traceID: 't',
        processes: { p1: { serviceName: 's' } },
        spans: [
          { traceID: 't', spanID: '1', operationName: 'j', processID: 'p1', startTime: 1000, duration: 5, logs: [{ timestamp: 1002, fields: [] }, { timestamp: 'no', fields: [] }] },
          { traceID: 't', spanID: '2', operationName: 'null start', processID: 'p1', startTime: null, duration: 5 },
          7,
        ],
      }],
    };
    expect(importSpanJson(jaeger, 'jaeger-json').diagnostics).toEqual(importSpanJson(JSON.stringify(jaeger), 'jaeger-json').diagnostics);
    for (const m of [importSpanJson(JSON.stringify(jaeger), 'jaeger-json'), importSpanJson(jaeger, 'jaeger-json')]) {
      expect(names(m)).toEqual(['j']);
      expect(m.instants.count).toBe(1);
      expect(kinds(m)).toEqual({ 'invalid-event': 3 });
      expect(diagOf(m, 'invalid-event')?.message).toContain('"no"');
    }
  });

  it('Zipkin: spans without a timestamp and annotations without a time are reported', () => {
    const zipkin = [
      { traceId: 'a', id: '1', name: 'z', timestamp: 1000, duration: 5, annotations: [{ value: 'ok', timestamp: 1001 }, { value: 'x', timestamp: 'no' }] },
      { traceId: 'a', id: '2', name: 'no ts' },
      null,
    ];
    expect(importSpanJson(zipkin, 'zipkin-json').diagnostics).toEqual(importSpanJson(JSON.stringify(zipkin), 'zipkin-json').diagnostics);
    for (const m of [importSpanJson(JSON.stringify(zipkin), 'zipkin-json'), importSpanJson(zipkin, 'zipkin-json')]) {
      expect(names(m)).toEqual(['z']);
      expect(m.instants.count).toBe(1);
      expect(kinds(m)).toEqual({ 'invalid-event': 3 });
    }
  });

  it('live SDK spans: entries that are not spans are reported instead of failing the whole import', () => {
    const ok = {
      name: 'ok', kind: 0, startMs: 1.7e12, endMs: 1.7e12 + 5, attributes: {}, events: [], links: [], status: { code: 0 },
      resource: { attributes: { 'service.name': 'web' } }, scope: { name: 't' },
      spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 }),
    };
    const m = importReadableSpans([ok, null, { ...ok, name: 'no start', startMs: NaN }, { name: 'no context' }] as unknown as ReadableSpan[]);
    expect(names(m)).toEqual(['ok']);
    expect(kinds(m)).toEqual({ 'invalid-event': 3 });
  });
});
