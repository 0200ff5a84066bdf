// <spanbeam-viewer> taken out of the document and put back (a framework unmounting and remounting
// it, a move through a detached fragment), and inputs cleared or given while it is out.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { canvasBackground, openViewer, slicePoint, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const trace = (name: string) => ({ traceEvents: [{ ph: 'X', pid: 1, tid: 1, ts: 0, dur: 10, name, cat: 'c' }] });

type V = HTMLElement & { load(i: unknown): Promise<unknown>; data: unknown; src: string | null; model: { strings: string[]; slices: { count: number; name: Uint32Array } } | null };

const shown = (page: Page) =>
  page.evaluate(() => {
    const m = (document.querySelector('spanbeam-viewer') as unknown as V).model;
    return m ? Array.from(m.slices.name.subarray(0, m.slices.count), (n) => m.strings[n]) : null;
  });

test('clearing src removes the trace it loaded; setting the same src again loads it again', async ({ page }) => {
  server.route('/trace/a.json', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(trace('from src')));
  });
  await openViewer(page, server, '?src=/trace/a.json');
  await waitForEvent(page, 'spanbeam-load');
  expect(await shown(page)).toEqual(['from src']);
  await page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as V).removeAttribute('src'));
  await expect.poll(() => shown(page)).toBeNull();
  await page.evaluate(() => ((document.querySelector('spanbeam-viewer') as unknown as V).src = '/trace/a.json'));
  await waitForEvent(page, 'spanbeam-load', 2);
  expect(await shown(page)).toEqual(['from src']);
});

test('src cleared while it loads: the load stops without an error, and a trace loaded meanwhile stays', async ({ page }) => {
  server.route('/slow/b.json', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    await new Promise((r) => setTimeout(r, 1500));
    if (!res.destroyed) res.end(JSON.stringify(trace('late src')));
  });
  await openViewer(page, server, '?src=/slow/b.json');
  await page.waitForFunction(() => !!document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('.progress'));
  await page.evaluate(() => ((document.querySelector('spanbeam-viewer') as unknown as V).src = ''));
  await expect(page.locator('spanbeam-viewer .progress')).toHaveCount(0);
  await page.waitForTimeout(2000); // past the slow response
  expect(await shown(page)).toBeNull();
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  // Clearing src leaves a trace that did not come from it.
  await page.evaluate(async (t) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V & { updateComplete: Promise<unknown> };
    v.src = '/slow/b.json';
    await v.updateComplete; // its load started
    await v.load(t);
    v.src = null;
  }, JSON.stringify(trace('loaded')));
  await page.waitForTimeout(300);
  expect(await shown(page)).toEqual(['loaded']);
});

test('.data given, then the element removed before it loaded and re-added: it loads, no "cancelled" error', async ({ page }) => {
  await openViewer(page, server);
  await page.evaluate(async (t) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    v.data = t;
    v.remove();
    await new Promise((r) => setTimeout(r, 100)); // removed for good: past the removal's cancel
    document.body.append(v);
  }, trace('bound data'));
  await waitForEvent(page, 'spanbeam-load');
  expect(await shown(page)).toEqual(['bound data']);
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
});

test('load() while out of the document: the trace shows once the element is back', async ({ page }) => {
  await openViewer(page, server);
  await page.evaluate(async (t) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V;
    v.remove();
    await new Promise((r) => setTimeout(r, 100));
    const p = v.load(t);
    document.body.append(v);
    await p;
  }, trace('loaded while out'));
  expect(await shown(page)).toEqual(['loaded while out']);
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  // Painted: the canvas is not blank.
  await expect
    .poll(() => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { stats: { frames: number } }).stats.frames))
    .toBeGreaterThan(0);
});

test('.data = null while it loads clears without a "cancelled" error', async ({ page }) => {
  server.route('/slow/c.json', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    await new Promise((r) => setTimeout(r, 1500));
    if (!res.destroyed) res.end(JSON.stringify(trace('late')));
  });
  await openViewer(page, server);
  await page.evaluate(() => ((document.querySelector('spanbeam-viewer') as unknown as V).data = '/slow/c.json'));
  await page.waitForFunction(() => !!document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('.progress'));
  await page.evaluate(() => ((document.querySelector('spanbeam-viewer') as unknown as V).data = null));
  await page.waitForTimeout(500);
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .progress')).toHaveCount(0);
  expect(await shown(page)).toBeNull();
});

test('re-added after the colour scheme or the theme attribute changed while out: the canvas follows, as the toolbar does', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  expect(await canvasBackground(page)).toEqual([255, 255, 255]);
  const out = () => page.evaluate(() => ((window as unknown as { __v: Element }).__v = document.querySelector('spanbeam-viewer')!).remove());
  const back = () => page.evaluate(() => document.body.append((window as unknown as { __v: Element }).__v));
  await out();
  await page.emulateMedia({ colorScheme: 'dark' });
  await back();
  await expect.poll(() => canvasBackground(page)).toEqual([13, 17, 23]);
  await out();
  await page.evaluate(() => (window as unknown as { __v: Element }).__v.setAttribute('theme', 'light'));
  await page.waitForTimeout(50); // the attribute's update ran while out
  await back();
  await expect.poll(() => canvasBackground(page)).toEqual([255, 255, 255]);
});

test('moved in the same task as a change (same size): the change is painted', async ({ page }) => {
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  const canvas = () => page.evaluate(() => document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('canvas')!.toDataURL());
  const before = await canvas();
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as V & { viewWindow: { startNs: number; endNs: number } };
    const slot = document.createElement('div');
    v.before(slot);
    v.viewWindow = { startNs: 1e6, endNs: 5e6 };
    slot.append(v); // e.g. a layout wrapping or moving its panel
  });
  await expect.poll(canvas).not.toBe(before);
});

test('taken out under the pointer and put back elsewhere: no tooltip or hover is left from before', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 900 });
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as HTMLElement;
    v.style.height = '400px';
    document.body.prepend(Object.assign(document.createElement('div'), { id: 'panel-a', style: 'height:420px' }));
    document.body.append(Object.assign(document.createElement('div'), { id: 'panel-b' }));
  });
  const p = await slicePoint(page, 'RunTask');
  await page.mouse.move(p.x, p.y);
  await expect(page.locator('spanbeam-viewer .tooltip')).toBeVisible();
  const hovered = () => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { timeline: { state: { hovered: number } } }).timeline.state.hovered);
  expect(await hovered()).toBeGreaterThanOrEqual(0);
  // An app closing the panel (its own key) and opening it in another place, away from the pointer.
  await page.evaluate(() => ((window as unknown as { __v: Element }).__v = document.querySelector('spanbeam-viewer')!).remove());
  await page.waitForTimeout(50);
  await page.evaluate(() => {
    document.getElementById('panel-a')!.style.height = '0';
    document.getElementById('panel-b')!.style.cssText = 'position:absolute;top:480px;left:0;width:1000px;height:400px';
    document.getElementById('panel-b')!.append((window as unknown as { __v: Element }).__v);
  });
  await page.waitForTimeout(100);
  await expect(page.locator('spanbeam-viewer .tooltip')).toHaveCount(0);
  expect(await hovered()).toBe(-1);
});
