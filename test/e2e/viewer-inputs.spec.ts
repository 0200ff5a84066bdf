import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, strictViewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await strictViewerServer();
});
test.afterAll(async () => server?.close());

const BASIC = readFileSync(resolve(import.meta.dirname, '../fixtures/viewer-ui/basic.json'), 'utf8');

type V = HTMLElement & { load(i: unknown): Promise<unknown>; data: unknown; source: unknown; model: { format: string; slices: { count: number } } | null; cancel(): void };

test('malformed input shows the precise error; a new input then loads', async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/malformed.json');
  const err = await waitForEvent(page, 'spanbeam-error');
  expect(err.detail.message).toMatch(/line 2/);
  expect(err.detail.info).toMatchObject({ format: 'chrome-json', line: 2 });
  const box = page.locator('spanbeam-viewer .load-error');
  await expect(box).toBeVisible();
  await expect(box).toContainText('Could not open the trace');
  await expect(box).toContainText('line 2');
  // Load a good trace through the file picker.
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'whatever.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(BASIC) });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'chrome-json', slices: 9 });
  await expect(box).toHaveCount(0);
});

test('strict CSP with Trusted Types required: loads and renders without violations', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Trusted Type/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __violations: string[] }).__violations ??= [];
      (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json', '/strict/viewer.html');
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail.slices).toBe(9);
  // The import ran in the Worker (its script URL went through the Trusted Types policy).
  expect(await page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('/viewer-worker.js')))).toBe(true);
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('ArrowRight');
  await waitForEvent(page, 'spanbeam-select');
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText('RunTask');
  // Tooltip (styleMap) and waterfall (styleMap) under CSP.
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  await expect(page.locator('spanbeam-viewer .wf-row').first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? [])).toEqual([]);
  expect(violations).toEqual([]);
});

test('accepts objects, strings, ArrayBuffers, Blobs and ReadableStreams; drag and drop', async ({ page }) => {
  await openViewer(page, server);
  const formats = await page.evaluate(async (text) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    const out: Array<[string, number]> = [];
    const count = async (input: unknown) => {
      const m = (await v.load(input)) as { format: string; slices: { count: number } };
      out.push([m.format, m.slices.count]);
    };
    await count(JSON.parse(text));
    await count(text);
    await count(new TextEncoder().encode(text).buffer);
    await count(new Blob([text]));
    await count(new Blob([text]).stream());
    v.data = JSON.parse(text);
    await new Promise((r) => setTimeout(r, 300));
    out.push([v.model!.format, v.model!.slices.count]);
    return out;
  }, BASIC);
  expect(formats).toEqual(Array(6).fill(['chrome-json', 9]));
  // Drop a file.
  const n = (await page.evaluate(() => (window as unknown as { __events: unknown[] }).__events.filter((e) => (e as { type: string }).type === 'spanbeam-load').length));
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.json'));
    const v = document.querySelector('spanbeam-viewer')!;
    v.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    v.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, BASIC);
  expect((await waitForEvent(page, 'spanbeam-load', n + 1)).detail.slices).toBe(9);
});

test('progress bar with cancel while a stream is still arriving', async ({ page }) => {
  await openViewer(page, server);
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    const enc = new TextEncoder();
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        return new Promise((r) => setTimeout(() => {
          let chunk = n === 0 ? '[' : '';
          for (let k = 0; k < 3000; k++, n++) chunk += `{"ph":"X","name":"s${n % 50}","pid":1,"tid":1,"ts":${n * 10},"dur":5},`;
          c.enqueue(enc.encode(chunk));
          r();
        }, 20));
      },
    });
    (window as unknown as { __p: Promise<unknown> }).__p = v.load(stream).catch((e: Error) => e.name);
  });
  await expect(page.locator('spanbeam-viewer .progress')).toBeVisible();
  expect((await waitForEvent(page, 'spanbeam-progress')).detail).toHaveProperty('bytes');
  await page.locator('spanbeam-viewer .progress button.cancel').click();
  expect(await page.evaluate(() => (window as unknown as { __p: Promise<unknown> }).__p)).toBe('AbortError');
  await expect(page.locator('spanbeam-viewer .progress')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('cancelled');
  // Still usable afterwards.
  await page.evaluate((t) => (document.querySelector('spanbeam-viewer') as unknown as V).load(t), BASIC);
  expect((await waitForEvent(page, 'spanbeam-load')).detail.slices).toBe(9);
});

test('live source: spans appear as they end', async ({ page }) => {
  await openViewer(page, server);
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    let push: ((s: unknown[]) => void) | null = null;
    const mk = (name: string, id: string, parent: string | undefined, start: number, end: number) => ({
      name, kind: 0, parentSpanId: parent, startMs: start, endMs: end, attributes: { k: 1 }, droppedAttributesCount: 0,
      events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0, status: { code: 0 },
      resource: { attributes: { 'service.name': 'web' } }, scope: { name: 't' },
      spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: id, traceFlags: 1 }),
    });
    v.source = { subscribe(cb: (s: unknown[]) => void) { push = cb; return () => { push = null; }; } };
    const t = 1.7e12;
    push!([mk('child', '00f067aa0ba902b7', '10f067aa0ba902b7', t + 1, t + 5)]);
    // The root ends only after the first import shows: live updates that come while an import
    // runs are merged into one (a fixed 400 ms was shorter than a loaded CI run's first import).
    (window as unknown as { __root: () => void }).__root = () =>
      push?.([mk('root', '10f067aa0ba902b7', undefined, t, t + 10)]);
  });
  const first = await waitForEvent(page, 'spanbeam-load');
  expect(first.detail).toMatchObject({ format: 'spanbeam-spans', slices: 1 });
  await page.evaluate(() => (window as unknown as { __root: () => void }).__root());
  const second = await waitForEvent(page, 'spanbeam-load', 2);
  expect(second.detail.slices).toBe(2);
});

test('a real Chromium trace recorded by the test opens without error', async ({ page, browser }) => {
  await openViewer(page, server);
  await browser.startTracing(page, { screenshots: false });
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    return v.load(JSON.stringify({ traceEvents: [{ ph: 'X', name: 'warm', pid: 1, tid: 1, ts: 0, dur: 1 }] }));
  });
  const trace = await browser.stopTracing();
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'trace.json', mimeType: 'application/json', buffer: trace });
  const load = await waitForEvent(page, 'spanbeam-load', 2);
  expect(load.detail.format).toBe('chrome-json');
  expect(load.detail.slices as number).toBeGreaterThan(100);
  expect(load.detail.tracks as number).toBeGreaterThan(2);
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  const box = (await page.locator('spanbeam-viewer').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 200);
  await page.mouse.wheel(0, -500);
  expect(await page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { stats: { frames: number } }).stats.frames)).toBeGreaterThan(1);
});

test('a trace given as an object gets the warnings the same trace gets as text, each naming its event', async ({ page }) => {
  await openViewer(page, server);
  const chrome = {
    traceEvents: [
      { ph: 'X', name: 'ok', pid: 1, tid: 1, ts: 0, dur: 5, args: { a: 1 } },
      null,
      { ph: 'X', name: 'no ts', pid: 1, tid: 1, dur: 5 },
      { ph: 'Q', name: 'odd', pid: 1, tid: 1, ts: 1 },
      { ph: 'X', name: 'text args', pid: 1, tid: 1, ts: 2, dur: 1, args: 'hello' },
      { ph: 'C', name: 'mem', pid: 1, ts: 3, args: { used: 'lots' } },
    ],
  };
  const span = (name: string, more: Record<string, unknown> = {}) => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000', ...more });
  const otlp = { resourceSpans: [{ scopeSpans: [{ spans: [span('ok'), null, span('no start', { spanId: '00f067aa0ba902b7', startTimeUnixNano: '' }), span('no id', { spanId: '' })] }] }] };
  type D = Array<{ kind: string; count: number; message: string }>;
  const r = await page.evaluate(async ([c, o]) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<{ diagnostics: D }> };
    return {
      chromeObject: (await v.load(c)).diagnostics,
      chromeText: (await v.load(JSON.stringify(c, null, 2))).diagnostics,
      otlpObject: (await v.load(o)).diagnostics,
      otlpText: (await v.load(JSON.stringify(o, null, 2))).diagnostics,
    };
  }, [chrome, otlp] as const);
  expect(r.chromeObject).toEqual(r.chromeText);
  expect(r.otlpObject).toEqual(r.otlpText);
  expect(r.chromeObject.map((d) => [d.kind, d.count])).toEqual([['invalid-event', 2], ['unknown-phase', 1], ['invalid-args', 2]]);
  expect(r.chromeObject[0].message).toBe('event traceEvents[1] is not an object; skipped');
  expect(r.otlpObject.map((d) => [d.kind, d.count])).toEqual([['invalid-event', 2], ['missing-id', 1]]);
  // Listed as the other warnings are: one line per kind, with its count.
  await page.locator('spanbeam-viewer details.diagnostics summary').click();
  await expect(page.locator('spanbeam-viewer details.diagnostics li')).toHaveText([/^invalid-event × 2: a span that is not an object \(null\) skipped$/, /^missing-id × 1: span "no id" has no spanId/]);
});
