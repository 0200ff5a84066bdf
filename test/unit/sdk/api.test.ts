// The manual tracing API as an app developer coming from OpenTelemetry uses it: its documented
// promises (methods never throw, a failing processor never reaches the page) and its types (the
// README's examples and OpenTelemetry-style code compile under strict settings).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InMemorySpanExporter,
  TracerProvider,
  getTracer,
  onSpanStart,
  type ReadableSpan,
  type SpanProcessor,
} from '../../../src/sdk/index';
import { start } from '../../../src/start';
import { freshProvider } from './fresh-provider';

let exporter: InMemorySpanExporter;
let provider: TracerProvider;

beforeEach(() => ({ provider, exporter } = freshProvider()));

describe('recordException never throws into the catch block that calls it', () => {
  it('records what it can read of a value whose getters or proxy traps throw', () => {
    const span = getTracer().startSpan('op');
    const throwingMessage = new (class AppError extends Error {
      override get message(): string {
        throw new Error('getter');
      }
    })();
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => span.recordException(throwingMessage)).not.toThrow();
    expect(() => span.recordException(revoked.proxy)).not.toThrow();
    span.end();
    const [ended] = exporter.getFinishedSpans();
    expect(ended.events.map((e) => e.attributes)).toEqual([
      { 'exception.type': 'Error', 'exception.message': '[unprintable]' },
      { 'exception.message': '[unprintable]' },
    ]);
  });
});

describe('links and attribute keys as OpenTelemetry code writes them', () => {
  it("addLink({ context, attributes }) (OpenTelemetry's form) links like addLink(context, attributes)", () => {
    const other = getTracer().startSpan('other');
    const span = getTracer().startSpan('op');
    span.addLink({ context: other.spanContext(), attributes: { why: 'batch' } });
    span.addLink(other.spanContext(), { why: 'retry' });
    span.end();
    other.end();
    const ended = exporter.getFinishedSpans().find((s) => s.name === 'op')!;
    expect(ended.links.map((l) => [l.context.spanId, l.attributes])).toEqual([
      [other.spanContext().spanId, { why: 'batch' }],
      [other.spanContext().spanId, { why: 'retry' }],
    ]);
  });

  it('an attribute named __proto__ is dropped and counted, never setting the exported object\'s prototype', () => {
    const span = getTracer().startSpan('op');
    span.setAttribute('__proto__', ['x']);
    span.setAttribute('ok', 1);
    span.end();
    const [ended] = exporter.getFinishedSpans();
    expect(Object.getPrototypeOf(ended.attributes)).toBe(Object.prototype);
    expect(Object.keys(ended.attributes)).toEqual(['ok']);
    expect(ended.droppedAttributesCount).toBe(1);
  });
});

describe('onSpanStart', () => {
  it('sees each span open, so it can add attributes (who the user is) that the exported span carries', () => {
    let userId: string | undefined;
    provider.addSpanProcessor(onSpanStart((span) => userId && span.setAttribute('user.id', userId)));
    getTracer().startSpan('anonymous').end();
    userId = 'u-42';
    getTracer().startSpan('signed in').end();
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes['user.id']])).toEqual([
      ['anonymous', undefined],
      ['signed in', 'u-42'],
    ]);
  });
});

describe('a processor whose forceFlush or shutdown throws or returns no promise', () => {
  // Plain JavaScript processors with no-op methods, as the README's `{ onStart, onEnd, forceFlush, shutdown }` invites.
  const plain = { onStart() {}, onEnd() {}, forceFlush() {}, shutdown() {} } as unknown as SpanProcessor;
  const throwing: SpanProcessor = {
    onStart() {},
    onEnd() {},
    forceFlush() {
      throw new Error('flush');
    },
    shutdown() {
      throw new Error('shutdown');
    },
  };

  it('neither rejects the provider’s forceFlush and shutdown nor keeps the others from them', async () => {
    const seen: string[] = [];
    const other: SpanProcessor = {
      onStart() {},
      onEnd() {},
      forceFlush: async () => void seen.push('flush'),
      shutdown: async () => void seen.push('shutdown'),
    };
    provider.addSpanProcessor(plain);
    provider.addSpanProcessor(throwing);
    provider.addSpanProcessor(other);
    await expect(provider.forceFlush()).resolves.toBeUndefined();
    await expect(provider.shutdown()).resolves.toBeUndefined();
    expect(seen).toEqual(['flush', 'shutdown']);
  });

  afterEach(() => void vi.unstubAllGlobals());
  const off = { fetch: false, xhr: false, documentLoad: false, webVitals: false, interactions: false, navigation: false, errors: false, longTasks: false };

  it('lets start()’s flush and shutdown complete, so start() can run again', async () => {
    // start() traces a page: it needs a document.
    vi.stubGlobal('document', { visibilityState: 'visible' });
    const ended: ReadableSpan[] = [];
    const collect: SpanProcessor = { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
    const handle = start({ instrumentations: off, processors: [plain, throwing, collect] });
    getTracer().startSpan('before').end();
    await expect(handle.flush()).resolves.toBeUndefined();
    await expect(handle.shutdown()).resolves.toBeUndefined();
    // Shut down for real: its processors are gone and a new start() makes a new handle.
    getTracer().startSpan('after').end();
    expect(ended.map((s) => s.name)).toEqual(['before']);
    const again = start({ instrumentations: off });
    expect(again).not.toBe(handle);
    await again.shutdown();
  });

  it('does nothing without a document (server-side rendering), yet returns a working handle', async () => {
    const ended: ReadableSpan[] = [];
    const collect: SpanProcessor = { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} };
    const fetch0 = globalThis.fetch;
    const handle = start({ endpoint: 'http://127.0.0.1:9/v1/traces', processors: [collect] });
    expect(globalThis.fetch).toBe(fetch0);
    expect(handle.exporter).toBeUndefined();
    handle.tracer.startSpan('render').end();
    expect(ended).toEqual([]);
    await expect(handle.flush()).resolves.toBeUndefined();
    await expect(handle.shutdown()).resolves.toBeUndefined();
    // Nothing was registered: a page's start() (here, a document appears) is the first.
    vi.stubGlobal('document', { visibilityState: 'visible' });
    const page = start({ instrumentations: off });
    expect(start({ instrumentations: off })).toBe(page);
    await page.shutdown();
  });
});

describe('types', () => {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const entries: Record<string, string> = {
    'spanbeam/propagation': 'src/propagation/index',
    'spanbeam/zone': 'src/zone',
    spanbeam: 'src/index',
  };
  const toSource = (code: string) =>
    code.replace(/from '(spanbeam(?:\/\w+)?)'/g, (m, id: string) => (entries[id] ? `from '${resolve(root, entries[id])}'` : m));

  /** Type errors of each snippet compiled as a module of an app with strict settings. */
  function typeErrors(snippets: string[]): string[] {
    const options: ts.CompilerOptions = {
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      skipLibCheck: true,
    };
    const files = new Map(snippets.map((code, i) => [resolve(root, `test/unit/sdk/__snippet${i}.ts`), toSource(code)]));
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
    host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
    host.getSourceFile = (f, lang, ...rest) =>
      files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSourceFile.call(host, f, lang, ...rest);
    const program = ts.createProgram([...files.keys()], options, host);
    // Only the snippets' own errors: the app compiles against the SDK's types, not its sources.
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.has(d.file.fileName))
      .map((d) => `${d.file!.fileName.slice(root.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }

  it('the README’s and docs/’ TypeScript and JavaScript examples, and OpenTelemetry-style optional values, compile', () => {
    const docs = ['README.md', ...readdirSync(resolve(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const blocks = docs.flatMap((f) => [...readFileSync(resolve(root, f), 'utf8').matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((m) => m[1]));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    // Names the examples take as given.
    const given =
      'declare function placeOrder(): Promise<void>;\ndeclare function something(): Promise<void>;\n' +
      'declare const req: { headers: Record<string, string | string[] | undefined> };\n';
    const snippets = blocks.map((b) =>
      b.includes("from 'spanbeam'") ? given + b : `import { context, getActiveSpan, getTracer } from 'spanbeam';\nconst tracer = getTracer();\n${given}${b}`,
    );
    // Values that may be undefined, where the runtime takes undefined as "not set" (OpenTelemetry's types allow them).
    snippets.push(`
      import { getTracer, type SpanContext } from 'spanbeam';
      declare const userId: string | undefined;
      declare const startTime: number | undefined;
      declare const link: SpanContext;
      const span = getTracer().startSpan('load', { attributes: { 'user.id': userId }, startTime, links: [{ context: link, attributes: { 'user.id': userId } }] });
      span.setAttributes({ 'user.id': userId });
      span.addEvent('shown', { 'user.id': userId });
      span.addLink(link, { 'user.id': userId });
      span.end();
    `);
    expect(typeErrors(snippets)).toEqual([]);
  }, 60_000);

  it('undefined attribute values are not set and not counted as dropped', () => {
    const userId: string | undefined = undefined;
    const span = getTracer().startSpan('load', { attributes: { 'user.id': userId, ok: true } });
    span.setAttributes({ 'user.id': userId });
    span.addEvent('shown', { 'user.id': userId });
    span.end();
    const [ended] = exporter.getFinishedSpans();
    expect(ended.attributes).toEqual({ ok: true });
    expect(ended.droppedAttributesCount).toBe(0);
    expect(ended.events[0].attributes).toEqual({});
    expect(ended.events[0].droppedAttributesCount).toBe(0);
  });
});
