// Trace text at its extremes: a name of kilobytes in the details, names cut to fit a slice (never
// inside a grapheme), and the hover tooltip kept in view and off the pointer near the edges.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const load = (page: Page, trace: unknown) =>
  page.evaluate((t) => (document.querySelector('spanbeam-viewer') as unknown as { load(x: unknown): Promise<unknown> }).load(t), trace);

const select = (page: Page, slice: number) =>
  page.evaluate((s) => ((document.querySelector('spanbeam-viewer') as unknown as { selection: number }).selection = s), slice);

test('a name of 10 KB takes a few lines of the details: the full name is there, and the duration and args are in view', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  const long = 'x'.repeat(10_000);
  const words = 'lorem ipsum '.repeat(850).trim();
  await load(page, {
    traceEvents: [
      { ph: 'X', name: long, pid: 1, tid: 1, ts: 0, dur: 100, args: { route: '/checkout' } },
      { ph: 'X', name: words, pid: 1, tid: 1, ts: 200, dur: 100, args: { route: '/cart' } },
    ],
  });
  for (const [slice, name, arg] of [[0, long, '/checkout'], [1, words, '/cart']] as const) {
    await select(page, slice);
    const details = page.locator('spanbeam-viewer .details');
    await expect(details.locator('h2')).toHaveText(name); // all of it: to read, select, copy
    const box = await page.evaluate(() => {
      const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
      const side = root.querySelector('.side') as HTMLElement;
      const s = side.getBoundingClientRect();
      const h2 = root.querySelector('.details h2')!.getBoundingClientRect();
      const dd = [...root.querySelectorAll('.details dt')].find((e) => e.textContent === 'Duration')!.nextElementSibling!.getBoundingClientRect();
      const arg = root.querySelector('.details table.args td')!.getBoundingClientRect();
      return { sideBottom: s.bottom, scrolled: side.scrollTop, h2: h2.height, dd: dd.bottom, arg: arg.bottom };
    });
    expect(box.h2, name.slice(0, 12)).toBeLessThanOrEqual(100);
    expect(box.scrolled).toBe(0);
    expect(box.dd).toBeLessThanOrEqual(box.sideBottom);
    expect(box.arg).toBeLessThanOrEqual(box.sideBottom);
    await expect(details.locator('table.args td').first()).toHaveText(arg);
  }
});

/** Grapheme clusters of several code units each: ZWJ family, flag, skin tone, e + combining acute, Hangul jamo. */
const CLUSTERS = ['👨‍👩‍👧', '🇩🇪', '👍🏽', 'e\u0301', '\u1100\u1161\u11a8', '👩🏿‍💻'];

test('names cut to fit a slice end at a grapheme boundary, never inside a family emoji, flag or accented letter', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  // Every text the canvas draws.
  await page.evaluate(() => {
    const texts: string[] = [];
    (window as unknown as { __texts: string[] }).__texts = texts;
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, t: string, x: number, y: number, w?: number) {
      texts.push(t);
      return w === undefined ? fill.call(this, t, x, y) : fill.call(this, t, x, y, w);
    };
  });
  const names = CLUSTERS.map((c, i) => `a${c.repeat(30)}`.slice(0, 200 + i));
  names.push(CLUSTERS.join('').repeat(10));
  // Slices of many widths (~10 to ~150 px) on one thread each: the cut lands at many places in each name.
  const traceEvents: unknown[] = [];
  names.forEach((name, p) => {
    for (let k = 1, ts = 0; k <= 15; ts += 10 * k++) traceEvents.push({ ph: 'X', name, pid: 1, tid: p + 1, ts, dur: 10 * k, args: { v: `${'a'.repeat(599)}${CLUSTERS[p % CLUSTERS.length]}z` } });
  });
  await load(page, { traceEvents });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const bad = await page.evaluate((all) => {
    const seg = new Intl.Segmenter();
    const starts = all.map((n) => new Set([...seg.segment(n)].map((g) => g.index)));
    const texts = (window as unknown as { __texts: string[] }).__texts;
    let cut = 0;
    const out: string[] = [];
    for (const t of texts) {
      if (!t.endsWith('…')) continue;
      const body = t.slice(0, -1);
      const i = all.findIndex((n) => n.startsWith(body));
      if (i < 0) continue;
      cut++;
      if (!starts[i].has(body.length)) out.push(t);
    }
    return { cut, out };
  }, names);
  expect(bad.cut).toBeGreaterThan(40);
  expect(bad.out).toEqual([]);

  // An arg value cut for the details (600 code units) ends at a grapheme boundary too.
  await select(page, 0);
  const value = await page.locator('spanbeam-viewer .details table.args td').first().textContent();
  expect(value).toBe(`${'a'.repeat(599)}…`);
});

/** A name long enough for three lines of tooltip, and a category: a tooltip ~110 px tall. */
const tallName = (p: number) => `request ${p} ${'handler middleware dispatch '.repeat(12)}`;

const processes = (n: number) => {
  const traceEvents: unknown[] = [];
  for (let p = 1; p <= n; p++) traceEvents.push({ ph: 'X', name: tallName(p), cat: 'network,loading', pid: p, tid: 1, ts: 0, dur: 1000 });
  return { traceEvents };
};

/** Page point of slice `s`'s centre. */
const pointOf = (page: Page, s: number) =>
  page.evaluate((i) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { slicePosition(s: number): { x: number; y: number } | null; shadowRoot: ShadowRoot };
    const p = v.slicePosition(i);
    const r = (v.shadowRoot.querySelector('.timeline') as HTMLElement).getBoundingClientRect();
    return p ? { x: r.left + p.x, y: r.top + p.y } : null;
  }, s);

/** Hovers (x, y); the tooltip's box (viewport px), the timeline's and the window's. */
async function hoverTip(page: Page, x: number, y: number) {
  await page.mouse.move(x, y);
  const tip = page.locator('spanbeam-viewer .tooltip');
  await expect(tip).toBeVisible();
  return page.evaluate(() => {
    const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
    const t = root.querySelector('.tooltip')!.getBoundingClientRect();
    const b = root.querySelector('.timeline')!.getBoundingClientRect();
    return { tip: { left: t.left, top: t.top, right: t.right, bottom: t.bottom }, box: { top: b.top, bottom: b.bottom, right: b.right }, win: { w: document.documentElement.clientWidth, h: document.documentElement.clientHeight } };
  });
}

function expectClear(r: Awaited<ReturnType<typeof hoverTip>>, x: number, y: number): void {
  const { tip, box, win } = r;
  // Wholly shown: inside the timeline (which clips it) and the window.
  expect(tip.top).toBeGreaterThanOrEqual(Math.max(box.top, 0) - 0.5);
  expect(tip.bottom).toBeLessThanOrEqual(Math.min(box.bottom, win.h) + 0.5);
  expect(tip.right).toBeLessThanOrEqual(Math.min(box.right, win.w) + 0.5);
  // Not over the pointer.
  const over = x >= tip.left && x <= tip.right && y >= tip.top && y <= tip.bottom;
  expect(over, JSON.stringify({ x, y, tip })).toBe(false);
}

test('near the bottom and right edges of the timeline the tooltip flips above / left of the pointer, whole and off it', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 500 });
  await openViewer(page, server);
  await load(page, processes(40));
  // The slice nearest the timeline's bottom edge (rows are ~43 px apart: within 50 px of it).
  const bottom = await page.evaluate(() => (document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('.timeline') as HTMLElement).getBoundingClientRect().bottom);
  let best: { x: number; y: number } | null = null;
  for (let s = 0; s < 40; s++) {
    const p = await pointOf(page, s);
    if (p && p.y < bottom - 4 && (!best || p.y > best.y)) best = p;
  }
  expect(bottom - best!.y).toBeLessThan(60);
  for (const x of [best!.x, 990]) {
    const r = await hoverTip(page, x, best!.y);
    expectClear(r, x, best!.y);
    expect(r.tip.bottom).toBeLessThan(best!.y); // above it
  }
});

test('in a page taller than the window, near the bottom of the window the tooltip flips above the pointer', async ({ page }) => {
  server.page(
    '/tall-viewer.html',
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tall</title>
      <style>html, body { margin: 0; } spanbeam-viewer { height: 1600px; }</style></head>
      <body><h1>Report</h1><spanbeam-viewer></spanbeam-viewer><p>after</p>
      <script type="module" src="/test/pages/viewer-page.js"></script></body></html>`,
  );
  await page.setViewportSize({ width: 1000, height: 600 });
  await openViewer(page, server, '', '/tall-viewer.html');
  await load(page, processes(30));
  // Scroll the page so slice 15 is 20 px above the window's bottom edge.
  const at = (await pointOf(page, 15))!;
  await page.evaluate((dy) => window.scrollBy(0, dy), at.y - (600 - 20));
  const p = (await pointOf(page, 15))!;
  expect(p.y).toBeGreaterThan(570);
  expect(p.y).toBeLessThan(590);
  const r = await hoverTip(page, p.x, p.y);
  expectClear(r, p.x, p.y);
  expect(r.tip.bottom).toBeLessThan(p.y);
  // Higher up in the window there is room below: it stays below-right of the pointer.
  const q = (await pointOf(page, 10))!;
  const r2 = await hoverTip(page, q.x, q.y);
  expectClear(r2, q.x, q.y);
  expect(r2.tip.top).toBeGreaterThan(q.y);
});
