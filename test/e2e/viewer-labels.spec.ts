// Keyboard access to the label column: group headers and track names are reachable with Tab;
// Enter / Space collapse a group or pin a track, and focus stays on the label.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

interface Focused {
  label: string | null;
  expanded: string | null;
  pressed: string | null;
  inPinned: boolean;
  buttons: number;
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
    const a = root.activeElement as HTMLElement | null;
    return {
      label: a?.classList.contains('track-label') ? a.getAttribute('aria-label') : null,
      expanded: a?.getAttribute('aria-expanded') ?? null,
      pressed: a?.getAttribute('aria-pressed') ?? null,
      inPinned: !!a?.closest('.labels-pinned'),
      buttons: root.querySelectorAll('.track-label').length,
    };
  });

/** Canvas row layout as the painter sees it: [kind, label] of each row in the scroll area. */
const rows = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { timeline: { layout: { rows: Array<{ kind: number; label: string }>; pinnedRows: unknown[] } } };
    const l = v.timeline.layout;
    return { rows: l.rows.length, pinned: l.pinnedRows.length };
  });

test('Tab reaches group and track names; Enter/Space collapse groups and pin tracks', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('Tab');
  let f = await focused(page);
  expect(f.label).toBe('Browser 1: group of 3 tracks');
  expect(f.expanded).toBe('true');
  const before = await rows(page);

  // Enter collapses the group (its track rows leave the layout); focus stays on the header.
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).expanded).toBe('false');
  expect((await focused(page)).label).toBe('Browser 1: group of 3 tracks');
  expect((await rows(page)).rows).toBeLessThan(before.rows);
  // No zoom-to-selection or other timeline key handling on the way.
  await page.keyboard.press(' ');
  await expect.poll(async () => (await focused(page)).expanded).toBe('true');
  expect((await rows(page)).rows).toBe(before.rows);

  // Next Tabs: the group's tracks; Enter pins one (it moves to the pinned area, focus follows).
  await page.keyboard.press('Tab');
  expect((await focused(page)).label).toBe('Pin track Process instants');
  await page.keyboard.press('Tab');
  f = await focused(page);
  expect(f.label).toBe('Pin track CrBrowserMain');
  expect(f.pressed).toBe('false');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).pressed).toBe('true');
  f = await focused(page);
  expect(f.label).toBe('Pin track CrBrowserMain');
  expect(f.inPinned).toBe(true);
  expect((await rows(page)).pinned).toBeGreaterThan(0);
  await page.keyboard.press('Space');
  await expect.poll(async () => (await focused(page)).pressed).toBe('false');
  expect((await rows(page)).pinned).toBe(0);

  // Tabbing on walks through every label in visual order, then leaves the timeline.
  const labels: string[] = [];
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    const l = (await focused(page)).label;
    if (!l) break;
    labels.push(l);
  }
  expect(labels.slice(0, 2)).toEqual(['Pin track IOThread', 'Renderer 2: group of 2 tracks']);
  expect(labels.length).toBeLessThan(10);
});

test('labels far down a long track list scroll into view as Tab reaches them', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 360 });
  await openViewer(page, server);
  // 40 processes with one thread each: far taller than the viewport.
  await page.evaluate(() => {
    const traceEvents: unknown[] = [];
    for (let p = 1; p <= 40; p++) {
      traceEvents.push({ ph: 'M', name: 'process_name', pid: p, args: { name: `P${p}` } });
      traceEvents.push({ ph: 'X', name: `work${p}`, pid: p, tid: 1, ts: p * 10, dur: 100 });
    }
    return (document.querySelector('spanbeam-viewer') as unknown as { load(x: unknown): Promise<unknown> }).load({ traceEvents });
  });
  await page.locator('spanbeam-viewer .timeline').focus();
  let last = '';
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    last = (await focused(page)).label ?? last;
  }
  expect(last).toBe('Pin track 1');
  const state = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { stats: { scrollY: number }; shadowRoot: ShadowRoot };
    const a = v.shadowRoot.activeElement as HTMLElement;
    const r = a.getBoundingClientRect();
    const t = (v.shadowRoot.querySelector('.timeline') as HTMLElement).getBoundingClientRect();
    return { scrollY: v.stats.scrollY, visible: r.top >= t.top && r.bottom <= t.bottom + 1, group: a.previousElementSibling?.getAttribute('aria-label') };
  });
  expect(state.scrollY).toBeGreaterThan(0);
  expect(state.visible).toBe(true);
  expect(state.group).toBe('P40 40: group of 1 track');
});
