// A real V8 CPU profile, recorded through CDP (Profiler.start/stop, what DevTools "Save profile"
// writes) on a page doing work, opened in the viewer through its file picker (Worker import).
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, serveWorkPage, slicePoint, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
  serveWorkPage(server, 'sbInnerHash', 'sbOuterWork');
});
test.afterAll(async () => server?.close());

test('a .cpuprofile recorded with CDP opens with the page functions as nested slices', async ({ page }) => {
  await page.goto(`${server.origin}/work.html`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.evaluate(() => (window as unknown as { sbOuterWork(ms: number): number }).sbOuterWork(400));
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  expect(profile.samples?.length ?? 0).toBeGreaterThan(50);

  await openViewer(page, server);
  // A neutral file name: the format is told from the content.
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'recording.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(JSON.stringify(profile)) });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'v8-cpuprofile', groups: 1, tracks: 1 });
  expect(load.detail.slices as number).toBeGreaterThan(0);

  const seen = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as {
      model: {
        strings: string[];
        slices: { count: number; name: Uint32Array; parent: Int32Array; durNs: Float64Array; args: Int32Array };
        args: { bytes: Uint8Array; offsets: Uint32Array };
        endNs: number;
      };
    };
    const m = v.model;
    const name = (i: number) => m.strings[m.slices.name[i]];
    const inner = [...Array(m.slices.count).keys()].filter((i) => name(i) === 'sbInnerHash');
    const chain = (i: number): string[] => (i < 0 ? [] : [name(i), ...chain(m.slices.parent[i])]);
    const details = (i: number) => {
      const a = m.slices.args[i];
      return a < 0 ? null : JSON.parse(new TextDecoder().decode(m.args.bytes.subarray(m.args.offsets[a], m.args.offsets[a + 1])));
    };
    const outer = [...Array(m.slices.count).keys()].filter((i) => name(i) === 'sbOuterWork');
    const outerNs = outer.reduce((s, i) => s + m.slices.durNs[i], 0);
    return {
      inner: inner.length,
      innerChain: inner.length ? chain(inner[0]) : [],
      outerMs: outerNs / 1e6,
      outerArgs: outer.length ? details(outer[0]) : null,
      endMs: m.endNs / 1e6,
    };
  });
  expect(seen.inner).toBeGreaterThan(0);
  // Nested under the function that called it (anonymous frames of evaluate() above it).
  expect(seen.innerChain.slice(0, 2)).toEqual(['sbInnerHash', 'sbOuterWork']);
  expect(seen.outerArgs).toMatchObject({ args: { url: `${server.origin}/work.html`, line: expect.any(Number) } });
  // Most of the recording was spent in the page's work (400 ms of it).
  expect(seen.outerMs).toBeGreaterThan(200);
  expect(seen.outerMs).toBeLessThanOrEqual(seen.endMs);
  await expect(page.locator('spanbeam-viewer .status .format')).toHaveText('v8-cpuprofile');
});

test('collapsed stacks (as a string) and speedscope files (as an object) load; the status says when x is not time', async ({ page }) => {
  await openViewer(page, server);
  const formats = await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<{ format: string; slices: { count: number } }> };
    const a = await v.load('main;parse;lex 3\nmain;render 2\n');
    const b = await v.load({
      $schema: 'https://www.speedscope.app/file-format-schema.json',
      shared: { frames: [{ name: 'main', file: 'app.rb', line: 3 }] },
      profiles: [{ type: 'sampled', name: 'rb', unit: 'bytes', startValue: 0, endValue: 10, samples: [[0]], weights: [10] }],
    });
    return [a.format, a.slices.count, b.format, b.slices.count];
  });
  expect(formats).toEqual(['collapsed-stacks', 4, 'speedscope-json', 1]);
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveText('x axis: bytes, not time (1 ns = 1 byte)');
  await page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load('a;b 1\n'));
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveText('x axis: samples, not time (1 ns = 1 sample)');
});

test('a collapsed-stacks flame graph counts samples everywhere: ruler, tooltip, details, measure, insights', async ({ page }) => {
  // Record what the canvas draws (the ruler is canvas text).
  await page.addInitScript(() => {
    const texts = new Set<string>();
    (window as unknown as { __drawn: Set<string> }).__drawn = texts;
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, t: string, x: number, y: number, w?: number) {
      texts.add(t);
      return w === undefined ? fill.call(this, t, x, y) : fill.call(this, t, x, y, w);
    };
  });
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load('main;parse;lex 3\nmain;render 1500\n'));
  const drawn = () => page.evaluate(() => [...(window as unknown as { __drawn: Set<string> }).__drawn]);
  const timeUnit = /\d (ns|µs|ms|s|min)$/;
  await expect.poll(async () => (await drawn()).some((t) => / samples shown$/.test(t))).toBe(true);
  const ruler = (await drawn()).filter((t) => /^[\d.]+ (k )?samples?$/.test(t));
  // Whole-trace view of 1,503 samples: ticks every 100 or 200 samples (no fractions), in samples.
  expect(ruler.length).toBeGreaterThan(3);
  for (const t of ruler) expect(t).toMatch(/^(\d+ samples|\d\.\d k samples)$/);
  expect((await drawn()).filter((t) => timeUnit.test(t))).toEqual([]);

  const tip = page.locator('spanbeam-viewer .tooltip');
  const p = await slicePoint(page, 'render');
  await page.mouse.move(p.x + 20, p.y);
  await expect(tip).toContainText('1.5 k samples · starts 3 samples');

  // Keyboard: the first arrow selects the first visible slice (main), down goes to its first child.
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const details = page.locator('spanbeam-viewer .details');
  await expect(details.locator('h2')).toHaveText('parse');
  const dl = await details.locator('dl').innerText();
  expect(dl).toMatch(/Start\s+0 samples/);
  expect(dl).toMatch(/Duration\s+3 samples/);
  expect(dl).toMatch(/Self\s+0 samples/);
  expect(dl).not.toMatch(/Self time/);
  await expect(details).toContainText('lex 3 samples'); // the children list
  expect(await details.innerText()).not.toMatch(/\bns\b/);
  await expect(page.locator('spanbeam-viewer #summary')).toHaveText(/^Selected parse, start 0 samples, duration 3 samples,/);

  const box = (await page.locator('spanbeam-viewer .timeline').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + 400, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + 700, box.y + 200, { steps: 3 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('spanbeam-viewer .status')).toContainText(/measured [\d.]+ samples/);
  await page.locator('spanbeam-viewer button.tab-insights').click();
  const insights = page.locator('spanbeam-viewer .insights');
  await expect(insights).toContainText('Top self');
  await expect(insights).toContainText(/Measured range [\d.]+ samples – [\d.]+ (k )?samples/);
  expect(await insights.innerText()).not.toMatch(/\bns\b|self time/i);
  expect((await drawn()).filter((t) => timeUnit.test(t))).toEqual([]);
});
