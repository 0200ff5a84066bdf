// Hostile and malformed input, as an embedder would meet it: keys named like Object.prototype
// members, numbers beyond what the time axis can hold, input that is no trace (UTF-16, an HTML
// page), profile nodes whose parents loop.
import { describe, expect, it } from 'vitest';
import { importSpanJson } from '../../../src/viewer/import/otlp-json';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, instantArgsOf, nameOf } from '../../../src/viewer/model/query';
import type { TraceModel } from '../../../src/viewer/model/trace-model';

const own = (o: object | undefined, k: string): unknown => (o ? Object.getOwnPropertyDescriptor(o, k)?.value : undefined);

describe('keys named like Object.prototype members are kept as keys', () => {
  const kv = (key: string, value: object) => ({ key, value });
  const attrs = [
    kv('__proto__', { stringValue: 'str' }),
    kv('constructor', { stringValue: 'c' }),
    kv('toString', { stringValue: 't' }),
    kv('nested', { kvlistValue: { values: [kv('__proto__', { kvlistValue: { values: [kv('polluted', { boolValue: true })] } })] } }),
  ];
  const otlp = {
    resourceSpans: [{
      resource: { attributes: [kv('service.name', { stringValue: 'svc' }), kv('__proto__', { stringValue: 'res' })] },
      scopeSpans: [{ spans: [{
        traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 's',
        startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000',
        attributes: attrs, events: [{ timeUnixNano: '1700000000050000000', name: 'e', attributes: attrs }],
      }] }],
    }],
  };

  it('OTLP span, resource and event attributes (streamed text and parsed object alike)', () => {
    for (const m of [importSpanJson(JSON.stringify(otlp)), importSpanJson(otlp)]) {
      const d = argsOf(m, 0);
      expect(Object.keys(d.args ?? {})).toEqual(['__proto__', 'constructor', 'toString', 'nested']);
      expect(own(d.args, '__proto__')).toBe('str');
      expect(own(own(d.args, 'nested') as object, '__proto__')).toEqual({ polluted: true });
      expect(own(d.resource, '__proto__')).toBe('res');
      expect(own(instantArgsOf(m, 0).args, '__proto__')).toBe('str');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('Jaeger tags and log fields', () => {
    const jaeger = JSON.stringify({
      data: [{
        traceID: 'abc', processes: { p1: { serviceName: 'svc' } },
        spans: [{
          traceID: 'abc', spanID: '1', operationName: 'op', startTime: 1700000000000000, duration: 5, processID: 'p1',
          tags: [{ key: '__proto__', value: 'tag' }, { key: 'constructor', value: 'c' }],
          logs: [{ timestamp: 1700000000000001, fields: [{ key: 'event', value: 'e' }, { key: '__proto__', value: 'field' }] }],
        }],
      }],
    });
    const m = importSpanJson(jaeger, 'jaeger-json');
    expect(Object.keys(argsOf(m, 0).args ?? {})).toEqual(['__proto__', 'constructor']);
    expect(own(argsOf(m, 0).args, '__proto__')).toBe('tag');
    expect(own(instantArgsOf(m, 0).args, '__proto__')).toBe('field');
  });
});

describe('numbers finite in the file but not once scaled to ns', () => {
  // 1e308 µs is a finite JSON number, and Infinity in ns: one such value made the model's end
  // Infinity and left the whole timeline blank, without a warning.
  const H = '1e308';
  const cp = (endTime: string, deltas: string) =>
    `{"nodes":[{"id":1,"callFrame":{"functionName":"main"},"children":[2]},{"id":2,"callFrame":{"functionName":"work"}}],"startTime":0,"endTime":${endTime},"samples":[1,2,2],"timeDeltas":[${deltas}]}`;
  const ss = (profile: string) => `{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"main"},{"name":"work"}]},"profiles":[${profile}]}`;
  const cases: Array<[string, string, string]> = [
    ['Chrome ts', `[{"ph":"X","name":"ok","ts":0,"dur":5,"pid":1,"tid":1},{"ph":"X","name":"bad","ts":${H},"dur":1,"pid":1,"tid":1}]`, 'invalid-event'],
    ['Chrome dur', `[{"ph":"X","name":"ok","ts":0,"dur":${H},"pid":1,"tid":1},{"ph":"X","name":"b","ts":1,"dur":1,"pid":1,"tid":1}]`, 'unfinished-complete'],
    ['Chrome -ts first', `[{"ph":"X","name":"bad","ts":-${H},"dur":1,"pid":1,"tid":1},{"ph":"X","name":"ok","ts":0,"dur":5,"pid":1,"tid":1}]`, 'invalid-event'],
    ['Jaeger startTime', `{"data":[{"traceID":"a","processes":{},"spans":[{"traceID":"a","spanID":"1","operationName":"ok","startTime":1700000000000000,"duration":5},{"traceID":"a","spanID":"2","operationName":"bad","startTime":-${H},"duration":5}]}]}`, 'invalid-event'],
    ['Zipkin timestamp', `[{"traceId":"a","id":"1","name":"ok","timestamp":1700000000000000,"duration":5},{"traceId":"a","id":"2","name":"bad","timestamp":${H},"duration":5}]`, 'invalid-event'],
    ['OTLP ns number', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"1","name":"ok","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000000005"},{"traceId":"a","spanId":"2","name":"bad","startTimeUnixNano":${H}}]}]}]}`, 'invalid-event'],
    ['OTLP ns digits', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"1","name":"ok","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"${'9'.repeat(400)}"},{"traceId":"a","spanId":"2","name":"b","startTimeUnixNano":"1700000000000000001","endTimeUnixNano":"1700000000000000005"}]}]}]}`, 'unclosed-begin'],
    ['.cpuprofile endTime', cp(H, '0,1000,1000'), 'invalid-event'],
    ['.cpuprofile timeDeltas', cp('3000', `0,${H},1000`), 'invalid-event'],
    ['speedscope at', ss(`{"type":"evented","name":"p","unit":"seconds","startValue":0,"endValue":10,"events":[{"type":"O","frame":0,"at":0},{"type":"O","frame":1,"at":${H}},{"type":"C","frame":0,"at":5}]}`), 'invalid-event'],
    ['speedscope weights', ss(`{"type":"sampled","name":"p","unit":"seconds","startValue":0,"endValue":10,"samples":[[0],[0,1]],"weights":[${H},1]}`), 'invalid-event'],
    ['collapsed count', `main;ok 3\nmain;bad ${'9'.repeat(400)}\n`, 'invalid-event'],
  ];
  const finite = (m: TraceModel): boolean =>
    Number.isFinite(m.endNs) && Number.isFinite(m.originMs) && [...m.slices.startNs, ...m.slices.durNs, ...m.instants.timeNs].every(Number.isFinite);

  it.each(cases)('%s: the value is reported and every other time stays finite', async (_, text, kind) => {
    const m = await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(text) });
    expect(finite(m)).toBe(true);
    expect(m.endNs).toBeGreaterThan(0);
    expect(Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i))).not.toContain('bad');
    expect(m.diagnostics.map((d) => d.kind)).toContain(kind);
  });
});

describe('input that is no trace: the error says what it is', () => {
  const errorOf = (bytes: Uint8Array): Promise<Error> => runPipeline({ kind: 'bytes', bytes }).then(() => new Error('loaded'), (e: Error) => e);
  const utf16 = (s: string, le: boolean): Uint8Array => {
    const b = new Uint8Array(2 + 2 * s.length);
    b.set(le ? [0xff, 0xfe] : [0xfe, 0xff]);
    for (let i = 0; i < s.length; i++) b[2 + 2 * i + (le ? 0 : 1)] = s.charCodeAt(i);
    return b;
  };

  it('a UTF-16 file (it has a JSON array, but every other byte is 0) is named as such', async () => {
    for (const le of [true, false]) {
      const e = await errorOf(utf16('[{"ph":"X","name":"a","ts":0,"dur":1,"pid":1,"tid":1}]', le));
      expect(e.name).toBe('TraceImportError');
      expect(e.message).toContain('it is UTF-16 text (byte order mark); save it as UTF-8');
    }
  });

  it('an HTML error page, a bare number, blank text: quoted or named', async () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect((await errorOf(enc('\n<!DOCTYPE html><html><head><title>502 Bad Gateway</title>'))).message).toContain('(it starts with "<!DOCTYPE html><html><head><title>502 Ba")');
    expect((await errorOf(enc('42'))).message).toContain('(it starts with "42")');
    expect((await errorOf(enc(' \n\t '))).message).toContain('(it is blank)');
  });

  it('"traceEvents" that is no array: an empty trace that says why', async () => {
    for (const [v, shown] of [['42', '42'], ['null', 'null'], ['{"ph":"X"}', '{"ph":"X"}']]) {
      const m = await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(`{"traceEvents":${v},"samples":"none"}`) });
      expect(m.diagnostics).toEqual([{ kind: 'invalid-event', count: 2, message: `"traceEvents" is not an array (${shown}): no events read from it` }]);
    }
  });

  it('an empty file: "at byte 0", not "at (byte 0)"', async () => {
    expect((await errorOf(new Uint8Array(0))).message).toBe('unknown: empty input at byte 0; expected a trace (JSON)');
  });
});

describe('profile nodes that contradict each other', () => {
  const profile = (nodes: object[]) => JSON.stringify({ nodes, startTime: 0, endTime: 10, samples: [1, 2], timeDeltas: [0, 5] });
  const load = (text: string) => runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(text) });
  const kinds = (m: TraceModel) => Object.fromEntries(m.diagnostics.map((d) => [d.kind, d.message]));

  it('.cpuprofile: a node id given twice is reported (one of the two frames is not shown)', async () => {
    const m = await load(profile([{ id: 1, callFrame: { functionName: 'a' }, children: [2] }, { id: 2, callFrame: { functionName: 'b' } }, { id: 2, callFrame: { functionName: 'c' } }]));
    expect(kinds(m)['duplicate-span']).toBe('node id 2 appears more than once: the last one is used');
  });

  it('.cpuprofile: a parent cycle (a child of b child of a, or a node its own child) is reported', async () => {
    for (const nodes of [
      [{ id: 1, callFrame: { functionName: 'a' }, children: [2] }, { id: 2, callFrame: { functionName: 'b' }, children: [1] }],
      [{ id: 1, callFrame: { functionName: 'a' }, parent: 2 }, { id: 2, callFrame: { functionName: 'b' }, parent: 1 }],
      [{ id: 1, callFrame: { functionName: 'a' }, children: [1] }, { id: 2, callFrame: { functionName: 'b' }, parent: 1 }],
    ]) {
      const m = await load(profile(nodes));
      expect(kinds(m)['parent-cycle']).toMatch(/^the parent chain of node \d loops back to node \d: its stack is cut there$/);
    }
  });

  it('Chrome stackFrames whose parents loop are reported', async () => {
    const text = JSON.stringify({
      stackFrames: { 1: { name: 'a', parent: '2' }, 2: { name: 'b', parent: '1' } },
      traceEvents: [{ ph: 'P', name: 's', ts: 0, pid: 1, tid: 1, sf: '1' }, { ph: 'P', name: 's', ts: 5, pid: 1, tid: 1, sf: '2' }],
    });
    const m = await load(text);
    expect(m.diagnostics.find((d) => d.kind === 'parent-cycle')).toEqual({ kind: 'parent-cycle', count: 2, message: 'the parent chain of stack frame "1" loops back to "1": its stack is cut there' });
  });
});

describe('span documents whose lists are something else', () => {
  const load = (text: string) => runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(text) });
  it.each([
    ['OTLP resourceSpans', '{"resourceSpans":{"scopeSpans":[]}}', 'resourceSpans'],
    ['OTLP scopeSpans', '{"resourceSpans":[{"resource":{},"scopeSpans":"none"}]}', 'scopeSpans'],
    ['OTLP spans', '{"resourceSpans":[{"scopeSpans":[{"scope":{},"spans":7}]}]}', 'spans'],
    ['Jaeger data', '{"data":{"traceID":"a"}}', 'data'],
  ])('%s: opens empty with a warning naming the member', async (_, text, key) => {
    const m = await load(text);
    expect(m.slices.count).toBe(0);
    expect(m.diagnostics.map((d) => d.message)).toContain(`"${key}" is not an array: nothing read from it`);
  });
  it("null is Go's empty list (Jaeger writes it): no warning", async () => {
    const m = await load('{"data":null,"total":0,"errors":null}');
    expect(m.diagnostics).toEqual([]);
  });
});
