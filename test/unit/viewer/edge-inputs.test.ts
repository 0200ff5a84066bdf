import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importChromeJson } from '../../../src/viewer/import/chrome-json';
import { importSpanJson } from '../../../src/viewer/import/otlp-json';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, nameOf, searchSlices } from '../../../src/viewer/model/query';
import type { TraceModel } from '../../../src/viewer/model/trace-model';

const names = (m: TraceModel): string[] => Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i));
const diag = (m: TraceModel, kind: string): number => m.diagnostics.find((d) => d.kind === kind)?.count ?? 0;

describe('Chrome JSON: non-finite numbers', () => {
  it('an infinite ts ("Infinity", 1e400) skips that event instead of making every time NaN', () => {
    const m = importChromeJson(
      '[{"ph":"X","name":"bad","ts":1e400,"dur":1,"pid":1,"tid":1},{"ph":"X","name":"bad2","ts":"Infinity","dur":1,"pid":1,"tid":1},' +
        '{"ph":"X","name":"a","ts":5,"dur":2,"pid":1,"tid":1},{"ph":"X","name":"b","ts":6,"dur":1,"pid":1,"tid":1}]',
    );
    expect(names(m)).toEqual(['a', 'b']);
    expect(Array.from(m.slices.startNs)).toEqual([0, 1000]);
    expect(Array.from(m.slices.durNs)).toEqual([2000, 1000]);
    expect(diag(m, 'invalid-event')).toBe(2);
    expect(Number.isFinite(m.originMs)).toBe(true);
  });

  it('infinite counter values are skipped (they would flatten the series)', () => {
    const m = importChromeJson(
      '[{"ph":"C","name":"c","ts":0,"pid":1,"args":{"v":1}},{"ph":"C","name":"c","ts":1,"pid":1,"args":{"v":"Infinity"}},' +
        '{"ph":"C","name":"c","ts":2,"pid":1,"args":{"v":-1e999}},{"ph":"C","name":"c","ts":3,"pid":1,"args":{"v":3}}]',
    );
    expect(Array.from(m.counters[0].values)).toEqual([1, 3]);
    expect(m.counters[0].max).toBe(3);
  });
});

describe('Chrome JSON: args the tokenizer passes but JSON.parse rejects', () => {
  // The streaming tokenizer copies args bytes without full validation; merging or repairing them
  // must not abort the import with a bare "Unexpected number in JSON at position 14".
  it('E args with a leading-zero number: B keeps its args, the E args as text, import succeeds with a diagnostic', () => {
    const m = importChromeJson('[{"ph":"B","name":"a","ts":0,"pid":1,"tid":1,"args":{"x":1}},{"ph":"E","ts":5,"pid":1,"tid":1,"args":{"y":01}}]');
    expect(names(m)).toEqual(['a']);
    expect(m.slices.durNs[0]).toBe(5000);
    expect(argsOf(m, 0).args).toEqual({ x: 1, raw: '{"y":01}' });
    expect(diag(m, 'invalid-args')).toBe(1);
  });

  it('a repaired (negative-dur) slice whose args hold a raw tab still imports', () => {
    const m = importChromeJson('[{"ph":"X","name":"a","ts":0,"dur":-5,"pid":1,"tid":1,"args":{"y":"a\tb"}}]');
    expect(names(m)).toEqual(['a']);
    expect(argsOf(m, 0).originalDurNs).toBe(-5000);
  });

  it('nestable async end args that are not valid JSON', () => {
    const m = importChromeJson(
      '[{"ph":"b","name":"a","cat":"c","id":1,"ts":0,"pid":1,"tid":1,"args":{"x":1}},{"ph":"e","name":"a","cat":"c","id":1,"ts":4,"pid":1,"tid":1,"args":{"y":"\\x"}}]',
    );
    expect(m.slices.durNs[0]).toBe(4000);
    expect(argsOf(m, 0).args).toEqual({ x: 1, raw: '{"y":"\\x"}' });
  });
});

describe('search in args', () => {
  const trace = (n: number, value: (i: number) => string): TraceModel =>
    importChromeJson(
      `[${Array.from({ length: n }, (_, i) => `{"ph":"X","name":"n${i}","ts":${i},"dur":1,"pid":1,"tid":1,"args":{"v":${JSON.stringify(value(i))}}}`).join(',')}]`,
    );

  it('stays linear when arg text is not ASCII and most entries match', () => {
    const m = trace(20_000, (i) => `café ${i}`);
    const t0 = performance.now();
    expect(searchSlices(m, 'caf', { args: true })).toHaveLength(20_000);
    expect(searchSlices(m, 'FÉ 1999', { args: true }).map((i) => nameOf(m, i)).sort()).toEqual(['n1999', 'n19990', 'n19991', 'n19992', 'n19993', 'n19994', 'n19995', 'n19996', 'n19997', 'n19998', 'n19999']);
    expect(performance.now() - t0).toBeLessThan(2000); // was ~30 s: each hit re-decoded the slab
  });

  it('the details wrapper ({"args":…) is not searchable text; real keys and values are', () => {
    for (const v of [(i: number) => `x${i}`, (i: number) => `é${i}`]) {
      const m = trace(3, v);
      expect(searchSlices(m, 'args', { args: true })).toEqual([]);
      expect(searchSlices(m, '"v"', { args: true })).toHaveLength(3);
      expect(searchSlices(m, '2"', { args: true }).map((i) => nameOf(m, i))).toEqual(['n2']);
    }
  });
});

describe('OTLP ids', () => {
  const doc = (traceId: string, ids: Array<[string, string?]>): string =>
    JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: ids.map(([spanId, parentSpanId], k) => ({ traceId, spanId, parentSpanId, name: `s${k}`, startTimeUnixNano: `${1000000 + k}`, endTimeUnixNano: '9000000' })) }] }],
    });

  it('non-hex ids that are not base64 of 8/16 bytes are kept as written', () => {
    const m = importSpanJson(doc('t1', [['req-1'], ['req-2', 'req-1']]));
    expect(argsOf(m, 0).traceId).toBe('t1');
    expect(argsOf(m, 1).spanId).toBe('req-2');
    expect(argsOf(m, 1).parentSpanId).toBe('req-1');
    expect(m.slices.parent[1]).toBe(0);
  });

  it('base64 ids (protobuf JSON mapping) still become hex', () => {
    const m = importSpanJson(doc('AAECAwQFBgcICQoLDA0ODw==', [['AAECAwQFBgc=']]));
    expect(argsOf(m, 0).traceId).toBe('000102030405060708090a0b0c0d0e0f');
    expect(argsOf(m, 0).spanId).toBe('0001020304050607');
  });
});

describe('streams with tiny first chunks', () => {
  const streamOf = (text: string, sizes: number[]): ReadableStream<Uint8Array> => {
    const bytes = new TextEncoder().encode(text);
    return new ReadableStream<Uint8Array>({
      start(c) {
        let p = 0;
        for (const n of sizes) {
          c.enqueue(bytes.slice(p, p + n));
          p += n;
        }
        if (p < bytes.length) c.enqueue(bytes.slice(p));
        c.close();
      },
    });
  };
  const otlp = JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab', spanId: '01', name: 'root', startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' }] }] }],
  });

  it('an OTLP document whose first chunk is "{" is still read as OTLP', async () => {
    const m = await runPipeline({ kind: 'stream', stream: streamOf(otlp, [1, 3]) });
    expect(m.format).toBe('otlp-json');
    expect(names(m)).toEqual(['root']);
  });

  it('a first chunk of whitespace is not "not a trace file"', async () => {
    const m = await runPipeline({ kind: 'stream', stream: streamOf(`\n  ${otlp}`, [3]) });
    expect(names(m)).toEqual(['root']);
  });

  it('gzip magic split across chunks', async () => {
    const gz = gzipSync(new TextEncoder().encode('[{"ph":"X","name":"a","ts":0,"dur":1,"pid":1,"tid":1}]'));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(gz.slice(0, 1));
        c.enqueue(gz.slice(1));
        c.close();
      },
    });
    expect(names(await runPipeline({ kind: 'stream', stream }))).toEqual(['a']);
  });
});

describe('OTLP spans without a usable start time', () => {
  it('are reported, not dropped silently', () => {
    const m = importSpanJson(
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [
          { traceId: 'ab', spanId: '01', name: 'ok', startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' },
          { traceId: 'ab', spanId: '02', name: 'bad', startTimeUnixNano: '1.7e18', endTimeUnixNano: '1.8e18' },
          { traceId: 'ab', spanId: '03', name: 'none' },
        ] }] }],
      }),
    );
    expect(names(m)).toEqual(['ok']);
    const d = m.diagnostics.find((x) => x.kind === 'invalid-event');
    expect(d?.count).toBe(2);
    expect(d?.message).toContain('"bad"');
    expect(d?.message).toContain('"1.7e18"');
  });
});

describe('JSON that is no trace', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('an object without "traceEvents" (a package.json, an API response) is an error naming its keys, not an empty trace', async () => {
    const err = await runPipeline({ kind: 'bytes', bytes: enc('{"name":"my-app","version":"1.0.0","dependencies":{}}') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TraceImportError', info: { format: 'unknown', offset: 0 } });
    expect((err as Error).message).toContain('not a trace: a JSON object with "name", "version", "dependencies" but no "traceEvents" array');
    expect((err as Error).message).toContain('expected "traceEvents" (Chrome)');
  });

  it('empty traces, events-only objects and truncated objects still open', async () => {
    for (const text of ['[]', '{}', '{"traceEvents":[]}', '{"displayTimeUnit":"ns","traceEvents":[]}', '{"metadata":{"a":1},"traceEvents":[{"ph":"X","name":"a","ts":0,"dur":1,"pid":1,"tid":1}', '{"metadata":{"a":']) {
      const m = await runPipeline({ kind: 'bytes', bytes: enc(text) });
      expect(m.format).toBe('chrome-json');
    }
  });

  it('empty results of the other formats open as empty traces (a Jaeger search that found nothing)', async () => {
    for (const text of ['{"data":[],"total":0,"limit":0,"offset":0,"errors":null}', '{"resourceSpans":[]}', '{"nodes":[],"samples":[]}', '{"shared":{"frames":[]},"profiles":[]}']) {
      const m = await runPipeline({ kind: 'bytes', bytes: enc(text) });
      expect(m.slices.count).toBe(0);
    }
  });
});
