// Clock skew in the viewer: a browser's fetch span and the backend span under it, the backend's
// clock 2.314 s behind. Imported in the Worker, the backend's spans move into the fetch; the
// details and the input warnings say so; skew="off" shows the recorded times.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { hoverThenSelect, openFile, openViewer, strictViewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
const T0 = 1_700_000_000_000n * 1_000_000n; // epoch ns
const at = (ms: number): string => String(T0 + BigInt(Math.round(ms * 1e6)));
const span = (id: string, parent: string, name: string, kind: number, start: number, end: number) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: id.padStart(16, '0'),
  ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
  name,
  kind,
  startTimeUnixNano: at(start),
  endTimeUnixNano: at(end),
});
const service = (name: string, spans: object[]) => ({
  resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] },
  scopeSpans: [{ scope: { name: 'test' }, spans }],
});
// fetch 100..500 ms; the API's 200 ms span recorded at -2114 ms (its clock is behind): moved by
// +2.314 s to 200..400, the middle of the fetch, with its query.
const TRACE = JSON.stringify({
  resourceSpans: [
    service('shop-web', [span('a1', '', 'click Add to cart', 1, 0, 600), span('a2', 'a1', 'fetch POST /api/cart', 3, 100, 500)]),
    service('shop-api', [span('b1', 'a2', 'POST /api/cart', 2, -2114, -1914), span('b2', 'b1', 'SELECT cart', 3, -2100, -2000)]),
  ],
});

test.beforeAll(async () => {
  server = await strictViewerServer();
  server.page('/traces/skewed.json', TRACE, { 'content-type': 'application/json' });
});
test.afterAll(async () => server?.close());

/** A slice's start and end (ms from the trace's first recorded span) as the loaded model has it. */
const times = (page: Page, name: string) =>
  page.evaluate(
    ([n, t0]) => {
      const m = (document.querySelector('spanbeam-viewer') as unknown as { model: { originMs: number; strings: string[]; slices: { count: number; name: Uint32Array; startNs: Float64Array; durNs: Float64Array } } }).model;
      const id = m.strings.indexOf(n);
      for (let i = 0; i < m.slices.count; i++) {
        if (m.slices.name[i] !== id) continue;
        const s = m.originMs - t0 + m.slices.startNs[i] / 1e6;
        return [Math.round(s * 1000) / 1000, Math.round((s + m.slices.durNs[i] / 1e6) * 1000) / 1000];
      }
      return null;
    },
    [name, Number(T0 / 1_000_000n)] as const,
  );

test('a backend span outside its browser parent moves into it: details, warning and waterfall say so; skew="off" re-imports the recorded times', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server, '?src=/traces/skewed.json', '/strict/viewer.html');
  expect((await waitForEvent(page, 'spanbeam-load')).detail).toMatchObject({ format: 'otlp-json', slices: 4 });
  expect(await times(page, 'POST /api/cart')).toEqual([200, 400]);
  expect(await times(page, 'SELECT cart')).toEqual([214, 314]);
  expect(await times(page, 'fetch POST /api/cart')).toEqual([100, 500]);

  const details = await hoverThenSelect(page, 'POST /api/cart', 5);
  await expect(details).toContainText('clock skew adjusted by +2.314 s');
  await hoverThenSelect(page, 'SELECT cart', 5);
  await expect(details).toContainText('clock skew adjusted by +2.314 s');
  await hoverThenSelect(page, 'fetch POST /api/cart', 5);
  await expect(details).not.toContainText('clock skew');

  const warnings = page.locator('spanbeam-viewer details.diagnostics');
  await expect(warnings.locator('summary')).toHaveText('2 input warnings');
  await expect(warnings.locator('li')).toHaveText(
    'clock-skew × 2: span "POST /api/cart" of shop-api moved by +2.314 s to the middle of its parent "fetch POST /api/cart" of shop-web, as their clocks differ (the spans of shop-api under it move with it; skew="off" keeps the recorded times)',
  );

  // The waterfall draws the backend's bars inside the fetch's.
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
  const bar = async (name: string) => {
    const box = (await page.locator('spanbeam-viewer .wf-row').filter({ has: page.getByText(name, { exact: true }) }).locator('.wf-bar').boundingBox())!;
    return [box.x, box.x + box.width];
  };
  const [fa, fb] = await bar('fetch POST /api/cart');
  for (const name of ['POST /api/cart', 'SELECT cart']) {
    const [a, b] = await bar(name);
    expect(a).toBeGreaterThan(fa);
    expect(b).toBeLessThan(fb);
  }

  // skew="off": the same src is imported again, with the times as recorded and nothing to warn of.
  await page.evaluate(() => document.querySelector('spanbeam-viewer')!.setAttribute('skew', 'off'));
  await waitForEvent(page, 'spanbeam-load', 2);
  expect(await times(page, 'POST /api/cart')).toEqual([-2114, -1914]);
  expect(await times(page, 'SELECT cart')).toEqual([-2100, -2000]);
  await expect(warnings).toHaveCount(0);
});

test('skew="off" applies to a picked file too, and removing it adjusts the next one', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await page.evaluate(() => document.querySelector('spanbeam-viewer')!.setAttribute('skew', 'off'));
  expect(await openFile(page, Buffer.from(TRACE), 'trace.json')).toMatchObject({ format: 'otlp-json', diagnostics: [] });
  expect(await times(page, 'POST /api/cart')).toEqual([-2114, -1914]);
  const details = await hoverThenSelect(page, 'POST /api/cart', 5);
  await expect(details).not.toContainText('clock skew');

  await page.evaluate(() => document.querySelector('spanbeam-viewer')!.removeAttribute('skew'));
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'trace.json', mimeType: 'application/json', buffer: Buffer.from(TRACE) });
  await waitForEvent(page, 'spanbeam-load', 2);
  expect(await times(page, 'POST /api/cart')).toEqual([200, 400]);
  await expect(page.locator('spanbeam-viewer details.diagnostics li')).toContainText('clock-skew × 2');
});
