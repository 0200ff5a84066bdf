import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SpanJsonImporter, importSpanJson } from '../../../src/viewer/import/otlp-json';
import { SliceFlag, type SourceFormat, type TraceModel } from '../../../src/viewer/model/trace-model';
import { nameOf } from '../../../src/viewer/model/query';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { errorOf } from './import-errors';

const enc = new TextEncoder();
const text = (name: string): string => readFileSync(new URL(`../../fixtures/otlp/${name}`, import.meta.url), 'utf8');

/** Streams `input` to a fresh importer in pieces of `size` bytes. */
function streamed(input: string | Uint8Array, size: number, format: SourceFormat = 'otlp-json'): TraceModel {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  const imp = new SpanJsonImporter(format);
  for (let p = 0; p < bytes.length; p += size) imp.push(bytes.slice(p, p + size));
  return imp.finish();
}

/** The reference: the same document parsed whole by JSON.parse, through the object path. */
const reference = (doc: string, format?: SourceFormat): TraceModel => importSpanJson(JSON.parse(doc) as object, format);


/** Rewrites a JSON value with the members of every object in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).reverse()) out[k] = reverseKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

describe('span formats stream through the incremental tokenizer', () => {
  const docs: Array<[string, string, SourceFormat]> = [
    ['OTLP request', text('two-services.json'), 'otlp-json'],
    ['Jaeger UI JSON', text('jaeger.json'), 'jaeger-json'],
    ['Zipkin v2 JSON', text('zipkin.json'), 'zipkin-json'],
    ['array of OTLP requests', `[${text('collector.ndjson').trim().split('\n').join(',\n')}]`, 'otlp-json'],
  ];

  it.each(docs)('%s: 7-byte and 1-byte chunks give the model of a whole-document JSON.parse', (_, doc, format) => {
    const ref = reference(doc, format);
    expect(ref.slices.count).toBeGreaterThan(0);
    expect(ref.format).toBe(format);
    expect(streamed(doc, 1 << 20, format)).toEqual(ref);
    expect(streamed(doc, 7, format)).toEqual(ref);
    expect(streamed(doc, 1, format)).toEqual(ref);
  });

  it('NDJSON in 7-byte chunks equals the whole-input import', () => {
    const nd = text('collector.ndjson');
    const whole = importSpanJson(nd);
    expect(whole.slices.count).toBe(2);
    expect(streamed(nd, 7)).toEqual(whole);
    // CRLF line ends, blank lines and a BOM change nothing
    expect(streamed(`\ufeff${nd.replace(/\n/g, '\r\n\r\n')}`, 5)).toEqual(whole);
  });

  it('OTLP: spans before resource and scope (every object reversed) give the same model', () => {
    const doc = text('two-services.json');
    const reversed = JSON.stringify(reverseKeys(JSON.parse(doc)));
    expect(reversed.indexOf('"spans"')).toBeLessThan(reversed.indexOf('"resource"'));
    const ref = reference(doc);
    expect(streamed(reversed, 7)).toEqual(ref);
    expect(ref.groups.map((g) => g.name).sort()).toEqual(['api', 'frontend']);
  });

  it('OTLP: legacy instrumentationLibrarySpans before scopeSpans keep whole-parse order and scope', () => {
    const sp = (name: string, id: string): object => ({ traceId: 'a'.repeat(32), spanId: id, name, startTimeUnixNano: '1000000', endTimeUnixNano: '2000000' });
    const doc = JSON.stringify({
      resourceSpans: [
        {
          instrumentationLibrarySpans: [{ spans: [sp('legacy', '02')], instrumentationLibrary: { name: 'old', version: '1' } }],
          scopeSpans: [{ spans: [sp('modern', '01')], scope: { name: 'new' } }],
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        },
      ],
    });
    const m = streamed(doc, 3);
    expect(m).toEqual(reference(doc));
    expect(nameOf(m, 0)).toBe('modern');
    expect(m.groups.map((g) => g.name)).toEqual(['svc']);
  });

  it('Jaeger: processes and traceID after spans give the same model', () => {
    const doc = text('jaeger.json');
    const parsed = JSON.parse(doc) as { data: Array<Record<string, unknown>> };
    const moved = JSON.stringify({
      data: parsed.data.map((t) => {
        const { processes, traceID, ...rest } = t;
        return { ...rest, processes, traceID };
      }),
    });
    expect(moved.indexOf('"spans"')).toBeLessThan(moved.indexOf('"processes"'));
    const ref = reference(doc);
    expect(streamed(moved, 7)).toEqual(ref);
    expect(ref.groups.map((g) => g.name).sort()).toEqual(['db', 'gateway']);
  });
});

describe('span formats through the import pipeline', () => {
  it('a ReadableStream of an OTLP request, parsed in 7-byte pieces, gives the whole-parse model', async () => {
    const doc = text('two-services.json');
    const bytes = enc.encode(doc);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let p = 0; p < bytes.length; p += 100) c.enqueue(bytes.slice(p, p + 100));
        c.close();
      },
    });
    const m = await runPipeline({ kind: 'stream', stream }, { maxPieceBytes: 7 });
    expect(m).toEqual(reference(doc));
  });

  it('a Jaeger download with processes last, as bytes, detected and imported', async () => {
    const parsed = JSON.parse(text('jaeger.json')) as { data: Array<Record<string, unknown>> };
    const moved = JSON.stringify({ data: parsed.data.map(({ processes, ...rest }) => ({ ...rest, processes })) });
    const m = await runPipeline({ kind: 'bytes', bytes: enc.encode(moved) }, { maxPieceBytes: 7 });
    expect(m.format).toBe('jaeger-json');
    expect(m).toEqual(reference(text('jaeger.json')));
  });
});

describe('span format errors are precise', () => {
  it('a missing comma between spans: offset, line and column of the bad byte, in any chunking', () => {
    const doc = '{"resourceSpans":[{"scopeSpans":[{"spans":[\n  {"name":"a"}\n  {"name":"b"}]}]}]}';
    const at = doc.indexOf('{"name":"b"}');
    for (const size of [1 << 20, 7, 1]) {
      const e = errorOf(() => streamed(doc, size));
      expect(e.info).toMatchObject({ format: 'otlp-json', offset: at, line: 3, column: 3, expected: "',' or ']'" });
      expect(e.message).toMatch(/line 3, column 3/);
    }
  });

  it('a syntax error inside a span points at the byte inside it', () => {
    const doc = '{"resourceSpans":[{"scopeSpans":[{"spans":[\n{"name":"a",\n "kind": tru}]}]}]}';
    const e = errorOf(() => streamed(doc, 7));
    expect(e.info.offset).toBe(doc.indexOf('tru}'));
    expect(e.info.line).toBe(3);
    expect(e.info.column).toBe(10);
    expect(e.info.expected).toBe('true, false or null');
  });

  it('a truncated document fails with "unexpected end of input"', () => {
    const doc = text('two-services.json');
    const e = errorOf(() => streamed(doc.slice(0, 1500), 64));
    expect(e.info.message).toBe('unexpected end of input');
    expect(e.info.offset).toBeLessThanOrEqual(1500);
    expect(e.info.offset).toBeGreaterThan(1000);
  });

  it('a broken NDJSON line reports its line', () => {
    const e = errorOf(() => streamed('{"resourceSpans":[]}\n{"resourceSpans":[}\n', 4));
    expect(e.info).toMatchObject({ line: 2, column: 19, offset: 39 });
  });
});

describe('a large OTLP document', () => {
  let restore = (): void => {};
  afterEach(() => restore());

  it('300k spans in 1 MB chunks: never decodes or parses more than one small value at a time', () => {
    const N = 300_000;
    const CHUNK = 1 << 20;
    const hex = (i: number, w: number): string => i.toString(16).padStart(w, '0');
    const spanText = (i: number): string => {
      const trace = Math.floor(i / 100);
      const parent = i % 100 === 0 ? '' : `"parentSpanId":"${hex(i, 16)}",`;
      const t = `1700000000${String(i * 1000).padStart(9, '0')}`;
      return `{"traceId":"${hex(trace + 1, 32)}","spanId":"${hex(i + 1, 16)}",${parent}"name":"op${i % 7}","kind":2,"startTimeUnixNano":"${t}","endTimeUnixNano":"${t.slice(0, -3)}500","status":{"code":${i % 1000 === 1 ? 2 : 0}}}`;
    };
    // Plain wrappers (not vi.spyOn, which would keep every argument) record the largest input.
    let maxDecoded = 0;
    let decodes = 0;
    let maxParsed = 0;
    const decode = TextDecoder.prototype.decode;
    const parse = JSON.parse;
    TextDecoder.prototype.decode = function (this: TextDecoder, input?: AllowSharedBufferSource, opts?: TextDecodeOptions): string {
      decodes++;
      if (input && input.byteLength > maxDecoded) maxDecoded = input.byteLength;
      return decode.call(this, input, opts);
    };
    JSON.parse = ((s: string, rev?: (this: unknown, k: string, v: unknown) => unknown): unknown => {
      if (s.length > maxParsed) maxParsed = s.length;
      return parse(s, rev) as unknown;
    }) as typeof JSON.parse;
    restore = (): void => {
      TextDecoder.prototype.decode = decode;
      JSON.parse = parse;
    };

    const imp = new SpanJsonImporter('otlp-json');
    let total = 0;
    let parts: string[] = ['{"resourceSpans":[{"scopeSpans":[{"scope":{"name":"gen"},"spans":['];
    let partLen = parts[0].length;
    const flush = (): void => {
      const bytes = enc.encode(parts.join(''));
      total += bytes.length;
      for (let p = 0; p < bytes.length; p += CHUNK) imp.push(bytes.subarray(p, p + CHUNK));
      parts = [];
      partLen = 0;
    };
    for (let i = 0; i < N; i++) {
      const s = (i ? ',' : '') + spanText(i);
      parts.push(s);
      partLen += s.length;
      if (partLen >= CHUNK) flush();
    }
    // The resource comes last: every span waits for its service name.
    parts.push(']}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"big"}}]}}]}');
    flush();
    const m = imp.finish();

    expect(total).toBeGreaterThan(50e6);
    expect(m.slices.count).toBe(N);
    expect(m.groups.map((g) => g.name)).toEqual(['big']);
    expect(m.tracks).toHaveLength(N / 100);
    const errors = Array.from(m.slices.flags).filter((f) => f & SliceFlag.ERROR).length;
    expect(errors).toBe(N / 1000);
    expect(m.slices.depth[99]).toBe(99);
    expect(m.diagnostics.filter((d) => d.kind === 'orphan-span')).toEqual([]);
    // No string of the input: the largest decode / JSON.parse is one span.
    expect(decodes).toBeGreaterThan(N);
    expect(maxDecoded).toBeLessThan(1024);
    expect(maxParsed).toBeLessThan(1024);
  }, 60_000);
});
