// The package as apps consume it: `npm pack`ed and unpacked into an app's node_modules (its
// dependencies linked from ours: no registry at test time), then imported by plain Node (as
// server-side rendering does), bundled by esbuild and Vite, and type-checked by a strict app.
// Needs dist/ (built here when missing or older than the sources).
import { expect, test } from '@playwright/test';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type TestServer } from '../support/server';
import { ROOT, TSC, packedProject } from './package-support';

const DEPS = ['idb', 'web-vitals', 'lit', 'lit-html', 'lit-element', '@lit'];
let app: string;

// One worker for the file: the build below must not run twice at once.
test.describe.configure({ mode: 'default' });

test.beforeAll(() => {
  test.setTimeout(300_000);
  app = packedProject('spanbeam-app-', { name: 'app', private: true, type: 'module' }, DEPS);
});
test.afterAll(() => rmSync(app, { recursive: true, force: true }));

const node = (file: string, conditions: string[] = []) =>
  execFileSync(process.execPath, [...conditions.map((c) => `--conditions=${c}`), file], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });

test('server-side rendering: every entry imports in Node; start() leaves the server alone', () => {
  // An SSR render of a page that starts tracing, with an (unreachable) collector.
  writeFileSync(
    join(app, 'ssr.mjs'),
    `import { start, getTracer } from 'spanbeam';
import { useZoneContext } from 'spanbeam/zone';
import 'spanbeam/viewer';
import 'spanbeam/propagation';
const fetch0 = globalThis.fetch;
const handle = start({ serviceName: 'shop-web', endpoint: 'http://127.0.0.1:9/v1/traces' });
const span = getTracer('ssr').startSpan('render');
span.end();
await handle.flush();
console.log(JSON.stringify({ fetchPatched: globalThis.fetch !== fetch0, traceId: span.spanContext().traceId.length, zone: typeof useZoneContext }));
`,
  );
  for (const conditions of [[], ['development']]) {
    // Returning at all says no timer or retry keeps the server's process alive.
    const out = node('ssr.mjs', conditions).trim().split('\n').pop()!;
    expect(JSON.parse(out), conditions.join()).toEqual({ fetchPatched: false, traceId: 32, zone: 'function' });
  }
});

const APPS: Record<string, string> = {
  tracerOnly: `import { getTracer } from 'spanbeam'; getTracer('a').startSpan('x').end();`,
  chromeTraceOnly: `import { toChromeTrace } from 'spanbeam'; console.log(toChromeTrace([]));`,
  propagationOnly: `import { extractContext, injectContext } from 'spanbeam/propagation'; injectContext(extractContext({}), {});`,
  exporter: `import { getTracer, createOtlpExporter } from 'spanbeam'; const e = createOtlpExporter({ endpoint: '/v1/traces' }); const s = getTracer('a').startSpan('x'); s.end(); e.onEnd(s);`,
};
const DEP_MARKERS: Record<string, RegExp> = { idb: /objectStoreNames|IDBDatabase/, 'web-vitals': /largest-contentful-paint/, lit: /litHtmlVersions|litElementVersions/ };

test('tree-shaking: apps get idb, web-vitals and lit only when they use them', async () => {
  test.setTimeout(120_000);
  const found: Record<string, Record<string, string[]>> = {};
  for (const [name, code] of Object.entries(APPS)) {
    writeFileSync(join(app, `${name}.js`), code);
    const e = await esbuild({ entryPoints: [join(app, `${name}.js`)], bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent' });
    const v = await viteBuild({
      configFile: false,
      logLevel: 'silent',
      root: app,
      build: { write: false, minify: true, target: 'es2022', rolldownOptions: { input: join(app, `${name}.js`) } },
    });
    type Output = { output: Array<{ type: string; code?: string }> };
    const vite = ([v].flat() as Output[]).flatMap((o) => o.output).map((c) => c.code ?? '').join('\n');
    found[name] = {};
    for (const [bundler, out] of [['esbuild', e.outputFiles[0]!.text], ['vite', vite]] as const) {
      found[name][bundler] = Object.keys(DEP_MARKERS).filter((d) => DEP_MARKERS[d]!.test(out));
    }
  }
  expect(found).toEqual({
    tracerOnly: { esbuild: [], vite: [] },
    chromeTraceOnly: { esbuild: [], vite: [] },
    propagationOnly: { esbuild: [], vite: [] },
    exporter: { esbuild: ['idb'], vite: ['idb'] },
  });
});

test.describe('in the browser', () => {
  let server: TestServer;
  const OUT = join(ROOT, `test/.build/package-apps-${process.pid}`);
  test.beforeAll(async () => {
    server = await startServer();
  });
  test.afterAll(async () => {
    await server?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  // webpack (mode development) and esbuild dev builds resolve dist/dev/viewer.js: not listed in
  // `sideEffects`, the bare import was dropped and the element never defined.
  test('spanbeam/viewer bundled under the development condition defines <spanbeam-viewer>', async ({ page }) => {
    writeFileSync(join(app, 'viewer-app.js'), `import 'spanbeam/viewer';
const v = document.createElement('spanbeam-viewer');
v.style.height = '400px';
document.body.append(v);
v.addEventListener('spanbeam-load', (e) => (window.loaded = e.detail.slices));
try {
  v.load({ traceEvents: [{ name: 'outer', ph: 'X', ts: 0, dur: 10, pid: 1, tid: 1 }] }).catch((e) => (window.loaded = String(e)));
} catch (e) {
  window.loaded = String(e);
}
`);
    await esbuild({ entryPoints: [join(app, 'viewer-app.js')], bundle: true, format: 'esm', conditions: ['development'], outdir: OUT, logLevel: 'silent' });
    // The worker file, served next to the bundle as a dev server would.
    copyFileSync(join(app, 'node_modules/spanbeam/dist/dev/viewer-worker.js'), join(OUT, 'viewer-worker.js'));
    server.page('/viewer-app.html', `<!doctype html><body><script type="module" src="/test/.build/package-apps-${process.pid}/viewer-app.js"></script></body>`);
    await page.goto(`${server.origin}/viewer-app.html`);
    await page.waitForFunction(() => (window as { loaded?: unknown }).loaded !== undefined);
    expect(await page.evaluate(() => (window as { loaded?: unknown }).loaded)).toBe(1);
  });

  test("the README's import map runs the viewer without a bundler", async ({ page }) => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippet = /```html\n(<script type="importmap">[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'README: an import map for the viewer').toBeTruthy();
    // Served from our node_modules and dist/ (the app's would be node_modules/spanbeam/dist/).
    const html = snippet!.replaceAll('/node_modules/spanbeam/dist/', '/dist/');
    server.page('/import-map.html', `<!doctype html><body>${html}<script type="module">
const v = document.createElement('spanbeam-viewer');
document.body.append(v);
v.addEventListener('spanbeam-load', (e) => (window.loaded = e.detail.slices));
customElements.whenDefined('spanbeam-viewer').then(() => v.load({ traceEvents: [{ name: 'a', ph: 'X', ts: 0, dur: 1, pid: 1, tid: 1 }] })).catch((e) => (window.loaded = String(e)));
</script></body>`);
    await page.goto(`${server.origin}/import-map.html`);
    await page.waitForFunction(() => (window as { loaded?: unknown }).loaded !== undefined);
    expect(await page.evaluate(() => (window as { loaded?: unknown }).loaded)).toBe(1);
  });
});

// The README's examples, as a strict app writes them (every flag that reaches into .d.ts files).
const EXAMPLES = `import { start, getTracer, configureTracing, getActiveSpan, context, tailSampler, onSpanStart, SpanKind } from 'spanbeam';
import type { Instrumentations, StartOptions, PageLoadOptions, InteractionOptions, ErrorsOptions, LongTasksOptions, WebVitalsOptions, ReadableSpan } from 'spanbeam';
import { extractContext, createPropagationPolicy } from 'spanbeam/propagation';
import type { SpanbeamViewer } from 'spanbeam/viewer';
import { useZoneContext } from 'spanbeam/zone';

declare function placeOrder(): Promise<void>;
declare const userId: string | undefined;
declare const req: { headers: Record<string, string | string[] | undefined> };

const instrumentations: Instrumentations = { fetch: true, xhr: false, longTasks: { maxScripts: 5 } satisfies LongTasksOptions };
const more: [PageLoadOptions, InteractionOptions, ErrorsOptions, WebVitalsOptions] = [{ maxResources: 50 }, { activityWindowMs: 500 }, { max: 100 }, { reportAllChanges: false }];
const options: StartOptions = {
  serviceName: 'shop-web',
  serviceVersion: '1.4.0',
  environment: 'production',
  endpoint: 'https://otel.example.com/v1/traces',
  propagateTo: ['https://api.example.com'],
  sampleRate: 0.25,
  instrumentations,
  processors: [onSpanStart((span) => userId && span.setAttribute('user.id', userId))],
  exporter: { tailSampling: tailSampler({ keepErrors: true, slowMs: 2000, ratio: 0.1 }) },
};
start(options);
useZoneContext();

configureTracing({ serviceName: 'shop-web', serviceVersion: '1.4.0', environment: 'production' });
const tracer = getTracer('checkout');
tracer.startActiveSpan('submit order', async (span) => {
  span.setAttribute('cart.items', 3);
  try {
    await placeOrder();
  } catch (err) {
    span.recordException(err);
    span.setStatus({ code: 2, message: 'order failed' });
  } finally {
    span.end();
  }
});
const parent = getActiveSpan();
context.with(parent, () => tracer.startSpan('after await').end());
tracer.startSpan('after await', { parent });
const remote = extractContext(req.headers);
tracer.startSpan('GET /items', { kind: SpanKind.SERVER, parent: remote ?? null }).end();
createPropagationPolicy({ pageOrigin: self.origin, propagateTo: ['https://api.example.com'] }).shouldPropagate('https://cdn.other.com/x.js');
const viewer: SpanbeamViewer = document.createElement('spanbeam-viewer');
void viewer.load({ traceEvents: [] });
export const used: unknown[] = [more, (s: ReadableSpan) => s.parentSpanId];
`;

for (const [resolution, module, file] of [
  ['bundler', 'esnext', 'app.ts'],
  ['node16', 'node16', 'app.mts'],
  ['nodenext', 'nodenext', 'app.mts'],
] as const) {
  test(`a strict TypeScript app compiles the README's examples (moduleResolution ${resolution})`, () => {
    const dir = join(app, `ts-${resolution}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), EXAMPLES);
    const args = ['--noEmit', '--strict', '--exactOptionalPropertyTypes', '--verbatimModuleSyntax', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022,dom,dom.iterable'];
    args.push('--module', module, '--moduleResolution', resolution, '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'));
    let output = '';
    try {
      execFileSync(process.execPath, [TSC, ...args, file], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });
}
