// Format rules of the span importers (OTLP/JSON, Jaeger UI JSON, Zipkin v2), each checked through
// both entry points: a document as text (the streaming walk) and as a parsed object.
import { afterEach, describe, expect, it } from 'vitest';
import { SpanJsonImporter, importReadableSpans, importSpanJson } from '../../../src/viewer/import/otlp-json';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, flowsIn, instantArgsOf, nameOf } from '../../../src/viewer/model/query';
import { FlowKind, SliceFlag, type SourceFormat, type TraceModel } from '../../../src/viewer/model/trace-model';
import type { ReadableSpan } from '../../../src/sdk/types';

const names = (m: TraceModel): string[] => Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i));
const one = (m: TraceModel, name: string): number => names(m).indexOf(name);
const diag = (m: TraceModel, kind: string): { count: number; message: string } | undefined => m.diagnostics.find((d) => d.kind === kind);
/** The same document imported as text and as an object; both must agree with every assertion. */
const both = (doc: object, format?: SourceFormat): TraceModel[] => [importSpanJson(JSON.stringify(doc), format), importSpanJson(doc, format)];

const T = '0af7651916cd43dd8448eb211c80319c';
const otlpSpan = (name: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
  traceId: T,
  spanId: `${'0'.repeat(14)}${(name.length % 256).toString(16).padStart(2, '0')}`,
  name,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000001000000',
  ...more,
});
const otlp = (spans: unknown[], rs: Record<string, unknown> = {}, ss: Record<string, unknown> = {}): object => ({
  resourceSpans: [{ ...rs, scopeSpans: [{ ...ss, spans }] }],
});

describe('OTLP span fields', () => {
  it('SpanKind: enum integers and SPAN_KIND_* names read as the kind name; no kind is UNSPECIFIED (trace.proto)', () => {
    const kinds = [0, 1, 2, 3, 4, 5, 'SPAN_KIND_PRODUCER', undefined];
    const doc = otlp(kinds.map((kind, i) => ({ ...otlpSpan(`k${i}`, kind === undefined ? {} : { kind }), spanId: `000000000000000${i}` })));
    for (const m of both(doc)) {
      expect(kinds.map((_, i) => argsOf(m, one(m, `k${i}`)).kind)).toEqual(['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'PRODUCER', 'UNSPECIFIED']);
    }
  });

  it('Status.code: 0 UNSET, 1 OK, 2 ERROR (flagged), STATUS_CODE_ERROR too; no status, no code', () => {
    const codes = [0, 1, 2, 'STATUS_CODE_ERROR', undefined];
    const doc = otlp(codes.map((code, i) => ({ ...otlpSpan(`s${i}`, code === undefined ? {} : { status: { code } }), spanId: `000000000000000${i}` })));
    for (const m of both(doc)) {
      expect(codes.map((_, i) => argsOf(m, one(m, `s${i}`)).statusCode)).toEqual(['UNSET', 'OK', 'ERROR', 'ERROR', undefined]);
      expect(codes.map((_, i) => Boolean(m.slices.flags[one(m, `s${i}`)] & SliceFlag.ERROR))).toEqual([false, false, true, true, false]);
    }
  });

  it('AnyValue: every variant, a value left out (empty AnyValue), KeyValues that are no objects or have no key skipped', () => {
    const kv = (key: string, value?: unknown): object => (value === undefined ? { key } : { key, value });
    const attributes = [
      null,
      5,
      { value: { stringValue: 'no key' } },
      kv('s', { stringValue: 'x' }),
      kv('b', { boolValue: false }),
      kv('i', { intValue: '42' }),
      // int64 beyond 2^53 stays exact, as text
      kv('big', { intValue: '9007199254740993' }),
      kv('bigNum', { intValue: 1e20 }),
      kv('d', { doubleValue: 0.25 }),
      kv('arr', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } }),
      kv('kv', { kvlistValue: { values: [kv('inner', { boolValue: true })] } }),
      kv('bytes', { bytesValue: 'AAE=' }),
      kv('empty', {}),
      kv('none'),
    ];
    for (const m of both(otlp([otlpSpan('a', { attributes })]))) {
      const args = argsOf(m, 0).args!;
      expect(args).toEqual({
        s: 'x', b: false, i: 42, big: '9007199254740993', bigNum: '100000000000000000000', d: 0.25, arr: ['a', 1], kv: { inner: true }, bytes: 'AAE=', empty: null, none: undefined,
      });
      expect(Object.keys(args)).not.toContain('undefined');
    }
  });

  it('scope "name@version" and resource of each entry; nothing carries over to the next entry (unknown_service without service.name)', () => {
    const attr = (key: string, v: string): object => ({ key, value: { stringValue: v } });
    const doc = {
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', 'svc1'), attr('host', 'h')] },
          scopeSpans: [{ scope: { name: 'lib', version: '1.2' }, spans: [otlpSpan('a')] }, { spans: [otlpSpan('cc')] }],
          instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old' }, spans: [otlpSpan('ddd')] }, { spans: [otlpSpan('eeee')] }],
        },
        { scopeSpans: [{ scope: { name: 'bare' }, spans: [otlpSpan('bb', { traceId: 'b'.repeat(32) })] }] },
      ],
    };
    for (const m of both(doc)) {
      expect(m.groups.map((g) => g.name)).toEqual(['svc1', 'unknown_service']);
      expect(argsOf(m, one(m, 'a'))).toMatchObject({ scope: 'lib@1.2', resource: { 'service.name': 'svc1', host: 'h' } });
      expect(['cc', 'ddd', 'eeee', 'bb'].map((n) => argsOf(m, one(m, n)).scope)).toEqual([undefined, 'old', undefined, 'bare']);
      expect(argsOf(m, one(m, 'bb')).resource).toBeUndefined();
    }
  });

  it('a scope object wins over a legacy instrumentationLibrary in the same entry, in either order; a null scope does not', () => {
    const entry = (spans: unknown[], a: [string, unknown], b: [string, unknown]): object => Object.fromEntries([a, ['spans', spans], b]);
    const doc = otlp([]);
    (doc as { resourceSpans: Array<{ scopeSpans: object[] }> }).resourceSpans[0].scopeSpans = [
      entry([otlpSpan('a')], ['scope', { name: 'new' }], ['instrumentationLibrary', { name: 'old' }]),
      entry([otlpSpan('bb')], ['instrumentationLibrary', { name: 'old' }], ['scope', { name: 'new' }]),
      entry([otlpSpan('ccc')], ['scope', null], ['instrumentationLibrary', { name: 'old' }]),
    ];
    for (const m of both(doc)) expect(['a', 'bb', 'ccc'].map((n) => argsOf(m, one(m, n)).scope)).toEqual(['new', 'new', 'old']);
  });

  it('an array of requests whose first request does not start with "resourceSpans" (JSON members are unordered)', () => {
    const text = `[{"x":0,"resourceSpans":${JSON.stringify((otlp([otlpSpan('a')]) as { resourceSpans: unknown }).resourceSpans)}},${JSON.stringify(otlp([otlpSpan('bb')]))}]`;
    const m = importSpanJson(text);
    expect(m.format).toBe('otlp-json');
    expect(names(m)).toEqual(['a', 'bb']);
    expect(m).toEqual(importSpanJson(JSON.parse(text) as object));
  });

  it('hex ids are case-insensitive (a parent written in upper case still nests); other ids are kept as written', () => {
    const doc = otlp([
      otlpSpan('root', { traceId: T.toUpperCase(), spanId: 'B7AD6B7169203331' }),
      otlpSpan('child', { spanId: '00f067aa0ba902b7', parentSpanId: 'b7ad6b7169203331' }),
      otlpSpan('named', { spanId: 'Req-A1' }),
    ]);
    for (const m of both(doc)) {
      expect(argsOf(m, one(m, 'root'))).toMatchObject({ traceId: T, spanId: 'b7ad6b7169203331' });
      expect(m.slices.parent[one(m, 'child')]).toBe(one(m, 'root'));
      expect(argsOf(m, one(m, 'named')).spanId).toBe('Req-A1');
    }
  });

  it('null resourceSpans / scopeSpans entries and a null request in an array are skipped, the rest read', () => {
    const req = { resourceSpans: [null, { scopeSpans: [null, { spans: [otlpSpan('a')] }] }] };
    for (const m of both([req, null, req])) {
      expect(names(m)).toEqual(['a']);
      expect(diag(m, 'duplicate-span')?.count).toBe(1);
      expect(diag(m, 'invalid-event')?.message).toBe('an entry of the top-level array that is not an object (null) skipped');
    }
  });

  it('diagnostics name what was skipped and why, quoting at most 60 characters of a value', () => {
    const long = 'n'.repeat(100);
    const cases: Array<[unknown, string]> = [
      [5, 'a span that is not an object (5) skipped'],
      [{ name: 'x' }, 'span "x" skipped: startTimeUnixNano missing is not a positive integer (ns)'],
      [{ name: long }, `span ${JSON.stringify(long).slice(0, 60)} skipped: startTimeUnixNano missing is not a positive integer (ns)`],
      [otlpSpan('e', { events: [7] }), 'an event of span "e" that is not an object (7) skipped'],
      [otlpSpan('e', { events: [{ name: 'ev' }] }), 'event "ev" of span "e" skipped: timeUnixNano missing is not a positive integer (ns)'],
    ];
    for (const [sp, message] of cases) for (const m of both(otlp([sp]))) expect(diag(m, 'invalid-event')?.message).toBe(message);
  });
});

describe('Jaeger UI JSON', () => {
  const trace = (spans: unknown[], more: Record<string, unknown> = {}): object => ({
    data: [{ traceID: 'abc', processes: { p1: { serviceName: 'svc' } }, spans, ...more }],
  });
  const jspan = (spanID: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
    traceID: 'abc', spanID, operationName: spanID, processID: 'p1', startTime: 1700000000000000, duration: 10, ...more,
  });

  it('the CHILD_OF reference is the parent even when a FOLLOWS_FROM comes first (which becomes a link); a lone FOLLOWS_FROM is the parent', () => {
    const doc = trace([
      jspan('a'),
      jspan('b'),
      jspan('c', { references: [{ refType: 'FOLLOWS_FROM', traceID: 'abc', spanID: 'a' }, { refType: 'CHILD_OF', traceID: 'abc', spanID: 'b' }] }),
      jspan('d', { references: [{ refType: 'FOLLOWS_FROM', traceID: 'abc', spanID: 'a' }] }),
    ]);
    for (const m of both(doc)) {
      const c = one(m, 'c');
      expect(m.slices.parent[c]).toBe(one(m, 'b'));
      expect(argsOf(m, c).links).toEqual([{ traceId: 'abc', spanId: 'a' }]);
      expect(flowsIn(m, c).map((f) => [m.flows.fromSlice[f], m.flows.kind[f]])).toEqual([[one(m, 'a'), FlowKind.LINK]]);
      expect(m.slices.parent[one(m, 'd')]).toBe(one(m, 'a'));
      expect(argsOf(m, one(m, 'd')).links).toBeUndefined();
    }
  });

  it('span fields: trace id from the trace, unknown_service without a process, span.kind upper-cased, µs strings read', () => {
    const doc = trace([
      jspan('a', { traceID: undefined, tags: [{ key: 'span.kind', type: 'string', value: 'client' }] }),
      jspan('b', { processID: 'nope', startTime: '1700000000000100', duration: '5' }),
    ]);
    for (const m of both(doc)) {
      const a = one(m, 'a');
      const b = one(m, 'b');
      expect(argsOf(m, a)).toMatchObject({ traceId: 'abc', kind: 'CLIENT' });
      expect(argsOf(m, b).kind).toBeUndefined();
      expect(m.groups[m.tracks[m.slices.track[b]].group].name).toBe('unknown_service');
      expect(m.groups[m.tracks[m.slices.track[a]].group].name).toBe('svc');
      expect(m.slices.startNs[b]).toBe(100_000);
      expect(m.slices.durNs[b]).toBe(5_000);
    }
  });

  it('error: tag error true or "true", or otel.status_code ERROR; error false is no error', () => {
    const tagged = (id: string, key: string, value: unknown): Record<string, unknown> => jspan(id, { tags: [{ key, value }] });
    const doc = trace([tagged('t', 'error', true), tagged('ts', 'error', 'true'), tagged('otel', 'otel.status_code', 'ERROR'), tagged('f', 'error', false), tagged('ok', 'otel.status_code', 'OK')]);
    for (const m of both(doc)) {
      expect(['t', 'ts', 'otel', 'f', 'ok'].map((n) => Boolean(m.slices.flags[one(m, n)] & SliceFlag.ERROR))).toEqual([true, true, true, false, false]);
    }
  });

  it('log names: the "event" field, else "message", else "log"; fields become the instant args', () => {
    const log = (us: number, fields: Array<[string, unknown]>): object => ({ timestamp: 1700000000000000 + us, fields: fields.map(([key, value]) => ({ key, value })) });
    const doc = trace([jspan('a', { logs: [log(1, [['event', 'e1']]), log(2, [['message', 'm1'], ['k', 3]]), log(3, [['k', 4]])] })]);
    for (const m of both(doc)) {
      expect(Array.from(m.instants.name, (n) => m.strings[n])).toEqual(['e1', 'm1', 'log']);
      expect(instantArgsOf(m, 1).args).toEqual({ message: 'm1', k: 3 });
    }
  });

  it('each trace of a download has its own trace id and processes, whatever the member order; "warnings" are no spans', () => {
    const doc = {
      data: [
        { traceID: 'abc', processes: { p1: { serviceName: 'svc' } }, spans: [jspan('a')], warnings: null },
        { traceID: 'def', spans: [jspan('b')], processes: { p1: { serviceName: 'other' } }, warnings: ['clock skew adjustment disabled'] },
        { processes: { p1: { serviceName: 'third' } }, spans: [jspan('c', { traceID: undefined })], traceID: 'ghi' },
        { traceID: 'jkl', spans: [jspan('d')] },
      ],
    };
    for (const m of both(doc)) {
      const service = (n: string): string => m.groups[m.tracks[m.slices.track[one(m, n)]].group].name;
      expect(['a', 'b', 'c', 'd'].map(service)).toEqual(['svc', 'other', 'third', 'unknown_service']);
      expect(argsOf(m, one(m, 'c')).traceId).toBe('ghi');
      expect(m.diagnostics).toEqual([]);
    }
  });

  it('diagnostics name the span and the bad value', () => {
    const doc = trace([jspan('a', { startTime: 'soon' }), jspan('b', { logs: [5] })]);
    for (const m of both(doc)) {
      expect(diag(m, 'invalid-event')).toEqual({ kind: 'invalid-event', count: 2, message: 'span "a" skipped: startTime "soon" is not a number (µs)' });
    }
    for (const m of both(trace([jspan('b', { logs: [5] })]))) expect(diag(m, 'invalid-event')?.message).toBe('a log of span "b" that is not an object (5) skipped');
    for (const m of both(trace([7]))) expect(diag(m, 'invalid-event')?.message).toBe('a span that is not an object (7) skipped');
  });
});

describe('Zipkin v2 JSON', () => {
  const zspan = (id: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
    traceId: '5af7183fb1d4cf5f', id, name: id, timestamp: 1700000000000000, duration: 10, localEndpoint: { serviceName: 'backend' }, ...more,
  });

  it('a 64-bit trace id reads as its 128-bit form (zero-padded); localEndpoint.serviceName is the service, else unknown_service', () => {
    for (const m of both([zspan('a'), zspan('b', { localEndpoint: undefined })])) {
      expect(argsOf(m, one(m, 'a')).traceId).toBe('00000000000000005af7183fb1d4cf5f');
      expect(m.groups.map((g) => g.name)).toEqual(['backend', 'unknown_service']);
    }
  });

  it('a first span without timestamp (optional in Zipkin v2) is reported and the file still reads as Zipkin', () => {
    const doc = [{ traceId: 'a', id: '1', name: 'no ts' }, zspan('ok'), { traceId: 'a', timestamp: 1700000000000000, name: 'no id' }];
    for (const m of both(doc)) {
      expect(m.format).toBe('zipkin-json');
      expect(names(m)).toEqual(['ok', 'no id']);
      expect(diag(m, 'invalid-event')?.message).toBe('span "no ts" skipped: timestamp missing is not a number (µs)');
    }
  });

  it('annotation diagnostics name the annotation and its span', () => {
    for (const m of both([zspan('a', { annotations: [{ value: 'x', timestamp: 'no' }] })])) {
      expect(diag(m, 'invalid-event')?.message).toBe('annotation "x" of span "a" skipped: timestamp "no" is not a number (µs)');
    }
    for (const m of both([zspan('a', { annotations: [3] })])) {
      expect(diag(m, 'invalid-event')?.message).toBe('an annotation of span "a" that is not an object (3) skipped');
    }
  });
});

describe('a parsed object is detected as the same text would be', () => {
  it.each([
    ['an empty array (Zipkin)', []],
    ['an empty object', {}],
    ['an object of another kind', { foo: 1 }],
    ['a Jaeger-like object without spans', { data: [5, { traceID: 'x' }] }],
  ])('%s', (_, doc) => {
    const text = importSpanJson(JSON.stringify(doc));
    expect(importSpanJson(doc)).toEqual(text);
    expect(text.slices.count).toBe(0);
  });
});

describe('live SDK spans', () => {
  const live = (name: string, more: Partial<Record<keyof ReadableSpan, unknown>> = {}): ReadableSpan =>
    ({
      name, kind: 0, startMs: 1.7e12, endMs: 1.7e12 + 5, attributes: {}, droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [],
      droppedLinksCount: 0, status: { code: 0 }, resource: { attributes: { 'service.name': 'web' } }, scope: { name: 't' },
      spanContext: () => ({ traceId: T, spanId: `00000000000000${name.length.toString(16).padStart(2, '0')}`, traceFlags: 1 }),
      ...more,
    }) as unknown as ReadableSpan;

  it('SpanKind and SpanStatusCode (API enums) read as names; no status is UNSET; scope "name@version"; unknown_service', () => {
    const spans = [0, 1, 2, 3, 4].map((kind, i) => live('k'.repeat(i + 1), { kind, status: { code: i % 3 } }));
    spans.push(live('nostatus', { status: undefined, resource: { attributes: {} }, scope: { name: 'lib', version: '2' } }));
    const m = importReadableSpans(spans);
    expect(names(m).map((n) => argsOf(m, one(m, n)).kind)).toEqual(['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'INTERNAL']);
    expect(names(m).map((n) => argsOf(m, one(m, n)).statusCode)).toEqual(['UNSET', 'OK', 'ERROR', 'UNSET', 'OK', 'UNSET']);
    const ns = one(m, 'nostatus');
    expect(argsOf(m, ns).scope).toBe('lib@2');
    expect(m.groups[m.tracks[m.slices.track[ns]].group].name).toBe('unknown_service');
    expect(argsOf(m, one(m, 'k')).scope).toBe('t');
  });

  it('copies without a usable spanContext are reported, whatever their start time', () => {
    const m = importReadableSpans([live('ok'), live('nocontext', { spanContext: undefined }), live('nullcontext', { spanContext: null }), live('nostart', { startMs: NaN })]);
    expect(names(m)).toEqual(['ok']);
    expect(diag(m, 'invalid-event')).toEqual({ kind: 'invalid-event', count: 3, message: 'live span "nocontext" skipped: no spanContext' });
    expect(diag(importReadableSpans([live('nostart', { startMs: NaN })]), 'invalid-event')?.message).toBe('live span "nostart" skipped: startMs null is not a number');
  });
});

describe('an array of OTLP requests streams request by request', () => {
  let restore = (): void => {};
  afterEach(() => restore());

  it('requests, pretty-printed or compact, are never parsed whole (the peek at "resourceSpans" skips whitespace, waits for input)', () => {
    const spans = Array.from({ length: 40 }, (_, i) => ({ ...otlpSpan(`s${i}`), spanId: (i + 1).toString(16).padStart(16, '0') }));
    let maxParsed = 0;
    const parse = JSON.parse;
    JSON.parse = ((s: string, rev?: (this: unknown, k: string, v: unknown) => unknown): unknown => {
      maxParsed = Math.max(maxParsed, s.length);
      return parse(s, rev) as unknown;
    }) as typeof JSON.parse;
    restore = (): void => {
      JSON.parse = parse;
    };
    for (const text of [JSON.stringify([otlp(spans), otlp([])], null, 2), JSON.stringify([otlp(spans), otlp([])])]) {
      const bytes = new TextEncoder().encode(text);
      for (const size of [bytes.length, 5]) {
        // In 5-byte pieces the peek at "resourceSpans" waits for more input rather than guessing.
        const imp = new SpanJsonImporter('otlp-json');
        for (let p = 0; p < bytes.length; p += size) imp.push(bytes.slice(p, p + size));
        const m = imp.finish();
        expect(m.slices.count).toBe(40);
        expect(m.format).toBe('otlp-json');
        // One span at a time (~300 characters pretty-printed), not the request (~12 kB).
        expect(maxParsed).toBeLessThan(1000);
      }
    }
  });

  it('the import pipeline reports the spans read', async () => {
    const spans = Array.from({ length: 30 }, (_, i) => ({ ...otlpSpan(`s${i}`), spanId: (i + 1).toString(16).padStart(16, '0') }));
    const seen: number[] = [];
    const m = await runPipeline({ kind: 'bytes', bytes: new TextEncoder().encode(JSON.stringify(otlp(spans))) }, { maxPieceBytes: 64, onProgress: (p) => seen.push(p.events) });
    expect(m.slices.count).toBe(30);
    expect(seen.at(-1)).toBe(30);
  });
});

describe('a child span that sticks out of its parent in time stays drawn under it', () => {
  // The demo's shape: INP starts at the pointerdown (before its parent, the click span) and ends
  // after it; POST starts inside the parent and ends after it.
  const ns = (ms: number): string => String(1700000000000000000 + ms * 1e6);
  const span = (name: string, id: string, start: number, end: number, parent?: string): Record<string, unknown> => ({
    traceId: T,
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    startTimeUnixNano: ns(start),
    endTimeUnixNano: ns(end),
  });
  const doc = otlp([
    span('click add to cart', '00000000000000a1', 0.2, 6),
    span('INP', '00000000000000a2', 0, 24, '00000000000000a1'),
    span('POST', '00000000000000a3', 5, 31, '00000000000000a1'),
  ]);
  /** A lit template as its text (strings and values, nested), with the link targets' slices. */
  const text = (v: unknown): string =>
    v && typeof v === 'object' && 'strings' in v && 'values' in v
      ? (v as { strings: readonly string[]; values: unknown[] }).strings.map((s, i) => s + (i < (v as { values: unknown[] }).values.length ? text((v as { values: unknown[] }).values[i]) : '')).join('')
      : Array.isArray(v)
        ? v.map(text).join('')
        : typeof v === 'string' || typeof v === 'number'
          ? String(v)
          : '';

  it('parent at a smaller depth than each child (parent depth + 1), parent links by parentSpanId, times kept', async () => {
    const { renderDetails } = await import('../../../src/viewer/ui/details-panel');
    for (const m of both(doc)) {
      const click = one(m, 'click add to cart');
      const inp = one(m, 'INP');
      const post = one(m, 'POST');
      const depth = m.slices.depth;
      expect(depth[click]).toBe(0);
      expect(depth[inp]).toBe(depth[click] + 1);
      expect(depth[post]).toBeGreaterThan(depth[click]);
      expect(m.slices.parent[inp]).toBe(click);
      expect(m.slices.parent[post]).toBe(click);
      expect(m.slices.parent[click]).toBe(-1);
      // Nothing cut: the child keeps its own start and end.
      expect(m.slices.startNs[inp]).toBeLessThan(m.slices.startNs[click]);
      expect(m.slices.durNs[inp]).toBe(24e6);
      expect(m.slices.flags[inp] & SliceFlag.TRUNCATED).toBe(0);
      // Details panel: the INP's parent is the click span; the click span's children are INP and POST.
      const noop = (): void => {};
      const inpText = text(renderDetails(m, inp, noop, noop));
      expect(inpText).toMatch(/<dt>Parent<\/dt><dd>\s*<button[^>]*>click add to cart</);
      const clickText = text(renderDetails(m, click, noop, noop));
      expect(clickText).not.toMatch(/<dt>Parent<\/dt>/);
      expect(clickText).toContain('INP');
      expect(clickText).toContain('POST');
    }
  });
});
