// Progressive loading: a large trace arriving slowly is painted from an early preview while the
// import goes on; the final model then replaces it.
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const EVENTS = 150_000;

/** A Chrome trace of EVENTS nested `X` events on 4 threads (~15 MB). */
function bigTrace(): Buffer {
  const parts: string[] = [];
  for (let t = 0; t < 4; t++) {
    let ts = 1000;
    for (let i = 0; i < EVENTS / 4; i += 3) {
      parts.push(`{"ph":"X","pid":1,"tid":${t},"ts":${ts},"dur":90,"name":"outer${i % 5}","cat":"c","args":{"i":${i}}}`);
      parts.push(`{"ph":"X","pid":1,"tid":${t},"ts":${ts + 10},"dur":50,"name":"mid${i % 7}","cat":"c","args":{"i":${i + 1}}}`);
      parts.push(`{"ph":"X","pid":1,"tid":${t},"ts":${ts + 20},"dur":20,"name":"leaf${i % 3}","cat":"c","args":{"i":${i + 2}}}`);
      ts += 100;
    }
  }
  return Buffer.from(`{"traceEvents":[\n${parts.join(',\n')}\n]}`);
}

test('a large trace served slowly: slices are painted from a preview before the import finishes', async ({ page }) => {
  const body = bigTrace();
  const total = body.toString().match(/"ph":"X"/g)!.length;
  let finished = false;
  let firstByteAt = 0;
  server.route('/slow/big-trace.json', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    firstByteAt = Date.now();
    const CHUNK = 256 * 1024;
    for (let p = 0; p < body.length; p += CHUNK) {
      if (res.destroyed) return;
      res.write(body.subarray(p, p + CHUNK));
      await new Promise((r) => setTimeout(r, 50));
    }
    res.end();
    finished = true;
  });
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server, '?src=/slow/big-trace.json');
  const preview = (await (
    await page.waitForFunction(
      () => {
        const v = document.querySelector('spanbeam-viewer') as unknown as { partial: boolean; model: { slices: { count: number } } | null; shadowRoot: ShadowRoot; hasAttribute(n: string): boolean };
        if (!v.partial || !v.model) return null;
        // Count painted (non-background) pixels in the timeline area, right of the labels.
        const c = v.shadowRoot.querySelector('canvas')!;
        const d = c.getContext('2d')!.getImageData(c.width * 0.4, 40, c.width * 0.55, c.height * 0.4).data;
        let painted = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) painted++;
        return {
          slices: v.model.slices.count,
          painted,
          attr: v.hasAttribute('partial'),
          progress: !!v.shadowRoot.querySelector('.progress'),
          status: v.shadowRoot.querySelector('.status .partial')?.textContent ?? '',
          at: Date.now(),
        };
      },
      null,
      { polling: 20, timeout: 30_000 },
    )
  ).jsonValue())!;
  expect(finished).toBe(false);
  expect(preview.slices).toBeGreaterThan(0);
  expect(preview.slices).toBeLessThan(total);
  expect(preview.painted).toBeGreaterThan(1000);
  expect(preview.attr).toBe(true);
  expect(preview.progress).toBe(true);
  expect(preview.status).toMatch(/Preview: first [\d,]+ slices, still loading/);
  // How soon the preview paints is a speed figure: bench/viewer-render.mjs reports it.

  // No load event for the preview; the one load event carries the final model.
  await page.waitForFunction(() => (window as unknown as { __events: Array<{ type: string }> }).__events.some((e) => e.type === 'spanbeam-load'), null, { timeout: 30_000 });
  const after = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { partial: boolean; model: { slices: { count: number } }; hasAttribute(n: string): boolean; shadowRoot: ShadowRoot };
    const loads = (window as unknown as { __events: Array<{ type: string; detail: { slices: number } }> }).__events.filter((e) => e.type === 'spanbeam-load');
    return { partial: v.partial, attr: v.hasAttribute('partial'), slices: v.model.slices.count, loads: loads.map((e) => e.detail.slices), progress: !!v.shadowRoot.querySelector('.progress') };
  });
  expect(finished).toBe(true);
  expect(after).toEqual({ partial: false, attr: false, slices: total, loads: [total], progress: false });
});

test('zooming while the preview shows keeps that window when the final model arrives', async ({ page }) => {
  const body = bigTrace();
  server.route('/slow/zoom-trace.json', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let p = 0; p < body.length; p += 512 * 1024) {
      if (res.destroyed) return;
      res.write(body.subarray(p, p + 512 * 1024));
      await new Promise((r) => setTimeout(r, 40));
    }
    res.end();
  });
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server, '?src=/slow/zoom-trace.json');
  await page.waitForFunction(() => (document.querySelector('spanbeam-viewer') as unknown as { partial: boolean }).partial, null, { polling: 20, timeout: 30_000 });
  const win = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { viewWindow: { startNs: number; endNs: number } };
    v.viewWindow = { startNs: 1_000_000, endNs: 2_000_000 };
    return v.viewWindow;
  });
  await page.waitForFunction(() => (window as unknown as { __events: Array<{ type: string }> }).__events.some((e) => e.type === 'spanbeam-load'), null, { timeout: 30_000 });
  const final = await page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { viewWindow: { startNs: number; endNs: number } }).viewWindow);
  expect(final).toEqual(win);
});

test('removed while its src loads, then re-added: the load starts again (no "cancelled" error)', async ({ page }) => {
  const body = JSON.stringify({ traceEvents: [{ ph: 'X', pid: 1, tid: 1, ts: 0, dur: 10, name: 'reattached', cat: 'c' }] });
  let requests = 0;
  server.route('/slow/reattach.json', async (_req, res) => {
    const n = ++requests;
    res.writeHead(200, { 'content-type': 'application/json' });
    // The first response stalls until the element has been removed; the second is prompt.
    if (n === 1) await new Promise((r) => setTimeout(r, 1500));
    if (!res.destroyed) res.end(body);
  });
  await openViewer(page, server, '?src=/slow/reattach.json');
  await page.waitForFunction(() => !!document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('.progress'));
  await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer')!;
    v.remove();
    await new Promise((r) => setTimeout(r, 100)); // past the removal's cancel
    document.body.append(v);
  });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail.slices).toBe(1);
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
});
