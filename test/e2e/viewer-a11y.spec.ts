// Accessibility as a keyboard-only and a screen-reader user meet the viewer: focus visible and
// kept, the tab pattern, the modal help, quiet live regions, and text contrast (WCAG AA).
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

async function open(page: Page, theme = 'light', src = 'basic.json'): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server, `?theme=${theme}&src=/test/fixtures/viewer-ui/${src}`);
  await waitForEvent(page, 'spanbeam-load');
}

/** Colour of one CSS pixel of the page as painted (from a screenshot). */
async function pixelAt(page: Page, x: number, y: number): Promise<number[]> {
  const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 } });
  return page.evaluate(async (b64) => {
    const bmp = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const c = new OffscreenCanvas(1, 1).getContext('2d')!;
    c.drawImage(bmp, 0, 0);
    return Array.from(c.getImageData(0, 0, 1, 1).data.slice(0, 3));
  }, png.toString('base64'));
}

/** WCAG 2 contrast ratio of two sRGB colours, in the page's context as a string for evaluate(). */
const CONTRAST = `(a, b) => {
  const lin = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const L = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const [x, y] = [L(a), L(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}`;

const focusedInViewer = (page: Page) =>
  page.evaluate(() => {
    const a = document.querySelector('spanbeam-viewer')!.shadowRoot!.activeElement as HTMLElement | null;
    return a ? a.getAttribute('aria-label') ?? a.className : null;
  });

test('the timeline reached with Tab shows a focus ring (the canvas does not cover it)', async ({ page }) => {
  await open(page);
  const box = (await page.locator('spanbeam-viewer .timeline').boundingBox())!;
  const y = Math.round(box.y + box.height / 2);
  const before = await pixelAt(page, Math.round(box.x), y);
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.locator('spanbeam-viewer .timeline')).toBeFocused();
  const after = await pixelAt(page, Math.round(box.x), y);
  expect(before).not.toEqual([9, 105, 218]);
  // --sb-selection (#0969da), as on every other focused control.
  expect(after).toEqual([9, 105, 218]);
});

test('view tabs follow the tab pattern: one Tab stop, arrows/Home/End switch, a labelled tab panel', async ({ page }) => {
  await open(page);
  const tab = (name: string) => page.getByRole('tab', { name });
  await page.getByRole('button', { name: 'Open…' }).focus();
  await page.keyboard.press('Tab');
  await expect(tab('Timeline')).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: 'Timeline' })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Waterfall')).toBeFocused();
  await expect(tab('Waterfall')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('treegrid', { name: 'Waterfall' })).toBeVisible();
  await expect(page.getByRole('tabpanel', { name: 'Waterfall' })).toBeVisible();
  await page.keyboard.press('End');
  await expect(tab('Insights')).toBeFocused();
  await expect(page.locator('spanbeam-viewer .insights')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(tab('Timeline')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(tab('Insights')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(tab('Timeline')).toHaveAttribute('aria-selected', 'true');
  // The other tabs are not Tab stops: the next one is the search box, and back.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('searchbox', { name: 'Search slices' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(tab('Timeline')).toBeFocused();
});

test('Tab stays in the modal help dialog (it does not reach the controls hidden behind it)', async ({ page }) => {
  await open(page);
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('?');
  const close = page.locator('spanbeam-viewer [role=dialog]').getByRole('button', { name: 'Close' });
  await expect(close).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(close).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(close).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.locator('spanbeam-viewer [role=dialog]')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .timeline')).toBeFocused();
});

/** Starts loading a slow stream (so the progress bar shows); returns when progress was reported. */
async function loadSlowly(page: Page): Promise<void> {
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> };
    const enc = new TextEncoder();
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        return new Promise((r) =>
          setTimeout(() => {
            let chunk = n === 0 ? '[' : '';
            for (let k = 0; k < 2000; k++, n++) chunk += `{"ph":"X","name":"s${n % 50}","pid":1,"tid":1,"ts":${n * 10},"dur":5},`;
            c.enqueue(enc.encode(chunk));
            r();
          }, 20),
        );
      },
    });
    v.load(stream).catch(() => undefined);
  });
  await expect(page.locator('spanbeam-viewer .progress')).toBeVisible();
}

test('loading progress is not read out on every update; the load is announced once', async ({ page }) => {
  await openViewer(page, server);
  // What screen readers would announce: each new text of a live region.
  await page.evaluate(() => {
    const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
    const said: string[] = [];
    (window as unknown as { __said: string[] }).__said = said;
    let last = '';
    new MutationObserver(() => {
      const text = Array.from(root.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]'), (e) => e.textContent!.trim()).join(' | ');
      if (text !== last) said.push((last = text));
    }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await loadSlowly(page);
  await waitForEvent(page, 'spanbeam-progress', 15);
  const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
  expect(said.length).toBeLessThanOrEqual(3);
  expect(said.join(' ')).toContain('Loading');
  await page.locator('spanbeam-viewer .progress button.cancel').click();
});

test('Cancel and Dismiss leave focus in the viewer, not on the page', async ({ page }) => {
  await openViewer(page, server);
  await loadSlowly(page);
  await page.locator('spanbeam-viewer .progress button.cancel').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('cancelled');
  await expect.poll(() => focusedInViewer(page)).toMatch(/^Trace timeline/);
  await page.getByRole('button', { name: 'Dismiss' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  await expect.poll(() => focusedInViewer(page)).toMatch(/^Trace timeline/);
});

for (const theme of ['light', 'dark']) {
  test(`${theme} theme: the selected tab, the search placeholder and the waterfall's in-bar durations reach 4.5:1`, async ({ page }) => {
    await open(page, theme, 'nplus1.otlp.json');
    await page.getByRole('tab', { name: 'Waterfall' }).click();
    await expect(page.locator('spanbeam-viewer .wf-dur.inside').first()).toBeVisible();
    const ratios = await page.evaluate(async (contrastSrc) => {
      const contrast = (0, eval)(contrastSrc) as (a: number[], b: number[]) => number;
      const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
      const rgba = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
      const host = rgba(getComputedStyle(root.host).backgroundColor);
      const onHost = (c: number[], alpha: number) => c.slice(0, 3).map((v, i) => v * alpha + host[i] * (1 - alpha));
      const tab = getComputedStyle(root.querySelector('[role=tab][aria-selected=true]')!);
      const out: Record<string, number> = { tab: contrast(rgba(tab.color), rgba(tab.backgroundColor)) };
      const search = root.querySelector('input[type=search]')!;
      out['search placeholder'] = contrast(rgba(getComputedStyle(search, '::placeholder').color), rgba(getComputedStyle(search).backgroundColor));
      for (const dur of root.querySelectorAll('.wf-dur.inside')) {
        const bar = getComputedStyle(dur.parentElement!.querySelector('.wf-bar')!);
        const bg = rgba(bar.backgroundColor);
        out[`dur ${dur.textContent}`] = contrast(rgba(getComputedStyle(dur).color), onHost(bg, (bg[3] ?? 1) * Number(bar.opacity)));
      }
      // An error span's name, on a plain row and on the selected row's tint.
      const nm = root.querySelector('.wf-row.error .nm')!;
      out['error name'] = contrast(rgba(getComputedStyle(nm).color), host);
      const row = nm.closest('.wf-row')!;
      (row as HTMLElement).click();
      await (root.host as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
      const sel = root.querySelector('.wf-row.selected.error .nm');
      if (sel !== nm) throw new Error('the error row is not selected');
      const tint = rgba(getComputedStyle(row).backgroundColor);
      out['error name, selected'] = contrast(rgba(getComputedStyle(nm).color), onHost(tint, tint[3] ?? 1));
      return out;
    }, CONTRAST);
    expect(Object.keys(ratios)).toContain('error name, selected');
    for (const [what, r] of Object.entries(ratios)) expect(r, what).toBeGreaterThanOrEqual(4.5);
  });

  test(`${theme} theme: slice names drawn on the timeline reach 4.5:1 against their slice`, async ({ browser }) => {
    // At 2x the glyph stems cover whole device pixels, so the text's own colour can be read.
    const context = await browser.newContext({ deviceScaleFactor: 2 });
    const page = await context.newPage();
    await open(page, theme);
    await page.waitForTimeout(100);
    const ratios = await page.evaluate((contrastSrc) => {
      const contrast = (0, eval)(contrastSrc) as (a: number[], b: number[]) => number;
      type V = HTMLElement & {
        model: { strings: string[]; slices: { count: number; name: Uint32Array; startNs: Float64Array; durNs: Float64Array } };
        viewWindow: { startNs: number; endNs: number };
        slicePosition(i: number): { x: number; y: number } | null;
      };
      const v = document.querySelector('spanbeam-viewer') as unknown as V;
      const canvas = v.shadowRoot!.querySelector('canvas')!;
      const ctx = canvas.getContext('2d')!;
      const D = canvas.width / canvas.clientWidth;
      const W = canvas.clientWidth;
      const { startNs, endNs } = v.viewWindow;
      const sl = v.model.slices;
      const out: Record<string, number> = {};
      for (let i = 0; i < sl.count; i++) {
        const p = v.slicePosition(i);
        if (!p) continue;
        // The label column's width, from where this slice's centre is drawn.
        const f = (sl.startNs[i] + sl.durNs[i] / 2 - startNs) / (endNs - startNs);
        const lw = (p.x - f * W) / (1 - f);
        const k = (W - lw) / (endNs - startNs);
        const x0 = lw + (sl.startNs[i] - startNs) * k;
        const x1 = x0 + sl.durNs[i] * k;
        if (x0 < lw || x1 > W || x1 - x0 < 60) continue;
        const img = ctx.getImageData(Math.ceil((x0 + 2) * D), Math.round((p.y - 4) * D), Math.floor((x1 - x0 - 4) * D), Math.round(8 * D)).data;
        const counts = new Map<number, number>();
        for (let j = 0; j < img.length; j += 4) {
          const key = (img[j] << 16) | (img[j + 1] << 8) | img[j + 2];
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        const fillKey = [...counts].sort((a, b) => b[1] - a[1])[0][0];
        const fill = [fillKey >> 16, (fillKey >> 8) & 255, fillKey & 255];
        let best = 1;
        for (const key of counts.keys()) best = Math.max(best, contrast(fill, [key >> 16, (key >> 8) & 255, key & 255]));
        out[v.model.strings[sl.name[i]]] = best;
      }
      return out;
    }, CONTRAST);
    await context.close();
    expect(Object.keys(ratios).length).toBeGreaterThanOrEqual(4);
    for (const [name, r] of Object.entries(ratios)) expect(r, name).toBeGreaterThanOrEqual(4.5);
  });
}
