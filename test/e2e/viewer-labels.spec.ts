// Keyboard access to the label column: the group headers and track names are one tree, one Tab
// stop (the label last focused); arrows, Home and End move between them (scrolling far ones into
// view), ← / → or Enter / Space collapse and expand a group, Enter / Space pin a track, and focus
// stays on the label.
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
  role: string | null;
  expanded: string | null;
  checked: string | null;
  inPinned: boolean;
  /** The focused label is inside the timeline's box, and the label column is not scrolled off the canvas rows. */
  visible: boolean;
  /** Labels that are Tab stops. */
  stops: number;
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
    const a = root.activeElement as HTMLElement | null;
    const r = a?.getBoundingClientRect();
    const t = (root.querySelector('.timeline') as HTMLElement).getBoundingClientRect();
    const scrolled = [...root.querySelectorAll('.labels, .labels-pinned, .labels-scroll, .timeline')].some((e) => e.scrollTop !== 0);
    return {
      label: a?.classList.contains('track-label') ? a.getAttribute('aria-label') : null,
      role: a?.getAttribute('role') ?? null,
      expanded: a?.getAttribute('aria-expanded') ?? null,
      checked: a?.getAttribute('aria-checked') ?? null,
      inPinned: !!a?.closest('.labels-pinned'),
      visible: !!r && r.top >= t.top && r.bottom <= t.bottom + 1 && !scrolled,
      stops: root.querySelectorAll('.track-label[tabindex="0"]').length,
    };
  });

const label = async (page: Page) => (await focused(page)).label;

/** Canvas row layout as the painter sees it. */
const rows = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { timeline: { layout: { rows: unknown[]; pinnedRows: unknown[] } } };
    const l = v.timeline.layout;
    return { rows: l.rows.length, pinned: l.pinnedRows.length };
  });

const scrollY = (page: Page) => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as { stats: { scrollY: number } }).stats.scrollY);

/** Loads `n` processes with one thread each (2n labels). */
const loadProcesses = (page: Page, n: number) =>
  page.evaluate((count) => {
    const traceEvents: unknown[] = [];
    for (let p = 1; p <= count; p++) {
      traceEvents.push({ ph: 'M', name: 'process_name', pid: p, args: { name: `P${p}` } });
      traceEvents.push({ ph: 'X', name: `work${p}`, pid: p, tid: 1, ts: p * 10, dur: 100 });
    }
    return (document.querySelector('spanbeam-viewer') as unknown as { load(x: unknown): Promise<unknown> }).load({ traceEvents });
  }, n);

/** 40 processes of one thread each (far taller than the 360 px view), Tab on the first label. */
async function tabIntoFortyProcesses(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1000, height: 360 });
  await openViewer(page, server);
  await loadProcesses(page, 40);
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('Tab');
  expect(await label(page)).toBe('P1 1: group of 1 track');
}

test('the track names are one tree and one Tab stop: arrows move, ←/→ and Enter/Space collapse groups, Enter/Space pin tracks', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server, '?src=/test/fixtures/viewer-ui/basic.json');
  await waitForEvent(page, 'spanbeam-load');
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('Tab');
  let f = await focused(page);
  expect(f).toMatchObject({ label: 'Browser 1: group of 3 tracks', role: 'treeitem', expanded: 'true', stops: 1 });
  await expect(page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' })).toMatchAriaSnapshot(`
    - tree "Tracks":
      - 'treeitem "Browser 1: group of 3 tracks" [expanded] [level=1]'
      - treeitem "Pin track Process instants" [level=2]
      - treeitem "Pin track CrBrowserMain" [level=2]
      - treeitem "Pin track IOThread" [level=2]
      - 'treeitem "Renderer 2: group of 2 tracks" [expanded] [level=1]'
      - treeitem "Pin track JSHeap used" [level=2]
      - treeitem "Pin track CrRendererMain" [level=2]
  `);
  const before = await rows(page);

  // Enter collapses the group (its track rows leave the layout); focus stays on the header.
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).expanded).toBe('false');
  expect(await label(page)).toBe('Browser 1: group of 3 tracks');
  expect((await rows(page)).rows).toBeLessThan(before.rows);
  // No zoom-to-selection or other timeline key handling on the way.
  await page.keyboard.press(' ');
  await expect.poll(async () => (await focused(page)).expanded).toBe('true');
  expect((await rows(page)).rows).toBe(before.rows);
  // ← collapses, → expands, → again goes to the first track, ← back to its group.
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await focused(page)).expanded).toBe('false');
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await focused(page)).expanded).toBe('true');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => label(page)).toBe('Pin track Process instants');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => label(page)).toBe('Browser 1: group of 3 tracks');

  // ↓ moves to the group's tracks; Enter pins one (it moves to the pinned area, focus follows).
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => label(page)).toBe('Pin track CrBrowserMain');
  expect((await focused(page)).checked).toBe('false');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await focused(page)).checked).toBe('true');
  f = await focused(page);
  expect(f).toMatchObject({ label: 'Pin track CrBrowserMain', inPinned: true, stops: 1 });
  expect((await rows(page)).pinned).toBeGreaterThan(0);
  await expect(page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' })).toMatchAriaSnapshot(`
    - tree "Tracks":
      - treeitem "Pin track CrBrowserMain" [checked] [level=1]
      - 'treeitem "Browser 1: group of 3 tracks" [expanded] [level=1]'
      - treeitem "Pin track Process instants" [level=2]
  `);
  // Pinned, it is first in the tree (as on screen): ↓ goes on to the first group.
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => label(page)).toBe('Browser 1: group of 3 tracks');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => label(page)).toBe('Pin track CrBrowserMain');
  await page.keyboard.press('Space');
  await expect.poll(async () => (await focused(page)).checked).toBe('false');
  expect((await rows(page)).pinned).toBe(0);
  expect((await focused(page)).inPinned).toBe(false);

  // ↓ walks through every label in visual order; End and Home go to the last and first.
  const labels: string[] = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('ArrowDown');
    labels.push((await label(page))!);
  }
  expect(labels).toEqual(['Pin track IOThread', 'Renderer 2: group of 2 tracks', 'Pin track JSHeap used', 'Pin track CrRendererMain']);
  await page.keyboard.press('ArrowDown');
  expect(await label(page)).toBe(labels[3]); // the last: stays
  await page.keyboard.press('Home');
  await expect.poll(() => label(page)).toBe('Browser 1: group of 3 tracks');
  await page.keyboard.press('End');
  await expect.poll(() => label(page)).toBe(labels[3]);

  // One Tab stop: Tab leaves the labels; Shift+Tab comes back to the label focused last.
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => label(page)).toBe('Pin track JSHeap used');
  await page.keyboard.press('Tab');
  expect(await label(page)).toBeNull();
  await page.keyboard.press('Shift+Tab');
  f = await focused(page);
  expect(f).toMatchObject({ label: 'Pin track JSHeap used', stops: 1 });

  // The focused track's group collapsed (C collapses the selection's group): focus goes to the
  // group's header, not out of the viewer.
  await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { model: { slices: { count: number; track: Uint32Array } }; selection: number };
    const track = v.model.slices.track;
    let s = 0;
    while (s < v.model.slices.count && track[s] !== track[v.model.slices.count - 1]) s++;
    v.selection = s; // a slice of the last track (CrRendererMain)
  });
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => label(page)).toBe('Pin track CrRendererMain');
  await page.keyboard.press('c');
  await expect.poll(() => label(page)).toBe('Renderer 2: group of 2 tracks');
  expect(await focused(page)).toMatchObject({ expanded: 'false', stops: 1 });
});

test('labels far down a long track list are reached with arrows, End and Home, and scroll into view', async ({ page }) => {
  await tabIntoFortyProcesses(page);
  // Every label, in order, each in view when focused.
  const seen = [(await label(page))!];
  for (let i = 0; i < 85; i++) {
    await page.keyboard.press('ArrowDown');
    const f = await focused(page);
    expect(f.visible, f.label!).toBe(true);
    expect(f.stops).toBe(1);
    if (f.label !== seen[seen.length - 1]) seen.push(f.label!);
  }
  expect(seen.length).toBe(80);
  expect(seen.slice(-2)).toEqual(['P40 40: group of 1 track', 'Pin track 1']);
  expect(await scrollY(page)).toBeGreaterThan(0);

  await page.keyboard.press('Home');
  await expect.poll(() => label(page)).toBe('P1 1: group of 1 track');
  expect((await focused(page)).visible).toBe(true);
  expect(await scrollY(page)).toBe(0);
  await page.keyboard.press('End');
  await expect.poll(() => label(page)).toBe('Pin track 1');
  const state = await page.evaluate(() => {
    const a = document.querySelector('spanbeam-viewer')!.shadowRoot!.activeElement as HTMLElement;
    return a.previousElementSibling?.getAttribute('aria-label');
  });
  expect(state).toBe('P40 40: group of 1 track');
  expect((await focused(page)).visible).toBe(true);

  // Scrolled back to the top (the last label far out of view) and Tab out: coming back, focus is
  // on the same label, scrolled into view again.
  await page.keyboard.press('Shift+Tab');
  await expect(page.locator('spanbeam-viewer .timeline')).toBeFocused();
  await page.keyboard.press('Home'); // the timeline's: scrolls the tracks to the top
  await expect.poll(() => scrollY(page)).toBe(0);
  await page.keyboard.press('Tab');
  await expect.poll(() => label(page)).toBe('Pin track 1');
  await expect.poll(async () => (await focused(page)).visible).toBe(true);
  expect(await scrollY(page)).toBeGreaterThan(0);
});

test('on a trace of 200+ tracks, Tab goes from the timeline past the track names to the details in two stops', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await loadProcesses(page, 240);
  await page.evaluate(() => ((document.querySelector('spanbeam-viewer') as unknown as { selection: number }).selection = 0));
  await expect(page.locator('spanbeam-viewer .details')).toBeVisible();
  await page.locator('spanbeam-viewer .timeline').focus();
  const inDetails = () => page.evaluate(() => !!document.querySelector('spanbeam-viewer')!.shadowRoot!.activeElement?.closest('.side'));
  let tabs = 0;
  while (tabs < 20 && !(await inDetails())) {
    await page.keyboard.press('Tab');
    tabs++;
  }
  expect(tabs).toBe(2);
  // The same from a label far down the list.
  await page.keyboard.press('Shift+Tab');
  expect(await label(page)).toBe('P1 1: group of 1 track');
  await page.keyboard.press('End');
  await expect.poll(() => label(page)).toBe('Pin track 1');
  await page.keyboard.press('Tab');
  expect(await inDetails()).toBe(true);
});

test('a track with several counter series is one tree item: ↑ moves past it, and the set sizes count tracks', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await page.evaluate(() =>
    (document.querySelector('spanbeam-viewer') as unknown as { load(x: unknown): Promise<unknown> }).load({
      traceEvents: [
        { ph: 'X', name: 'a', pid: 1, tid: 1, ts: 0, dur: 100 },
        { ph: 'C', name: 'mem', pid: 1, tid: 1, ts: 0, args: { heap: 1, rss: 2 } },
        { ph: 'C', name: 'mem', pid: 1, tid: 1, ts: 50, args: { heap: 3, rss: 4 } },
        { ph: 'X', name: 'b', pid: 1, tid: 2, ts: 0, dur: 100 },
      ],
    }),
  );
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('End');
  const seen: Array<string | null> = [];
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('ArrowUp');
    seen.push(await label(page));
  }
  expect(seen[2]).toBe('1: group of 3 tracks');
  const sizes = await page.evaluate(() =>
    [...document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelectorAll('.track-label[aria-level="2"]')].map((e) => `${e.getAttribute('aria-posinset')}/${e.getAttribute('aria-setsize')}`),
  );
  expect(sizes).toEqual(['1/3', '2/3', '3/3']);
  // Pinned, it is one label in the pinned area; the other tracks stay in the scrolling one.
  await page.keyboard.press('ArrowDown');
  expect(await label(page)).toBe('Pin track mem heap');
  await page.keyboard.press('Enter');
  await expect.poll(() => rows(page)).toMatchObject({ pinned: 2 });
  // Polled: the labels are rendered in the update after the layout's (a loaded run read them between).
  const areas = () =>
    page.evaluate(() => {
      const root = document.querySelector('spanbeam-viewer')!.shadowRoot!;
      const of = (sel: string) => [...root.querySelectorAll(`${sel} .track-label`)].map((e) => e.getAttribute('aria-label'));
      return { pinned: of('.labels-pinned'), scroll: of('.labels-scroll') };
    });
  await expect.poll(areas).toEqual({ pinned: ['Pin track mem heap'], scroll: ['1: group of 3 tracks', 'Pin track 1', 'Pin track 2'] });
});

test('PageDown / PageUp on a focused label move focus a page of labels, keeping it in view', async ({ page }) => {
  await tabIntoFortyProcesses(page);
  // The focused label's place in the tree: process p's group is 2p, its thread 2p + 1.
  const place = () =>
    page.evaluate(() => {
      const k = (document.querySelector('spanbeam-viewer')!.shadowRoot!.activeElement as HTMLElement).dataset.key!;
      return 2 * +k.slice(1) + (k[0] === 't' ? 1 : 0);
    });
  expect(await place()).toBe(0);
  let at = 0;
  for (let i = 0; i < 30 && at < 79; i++) {
    await page.keyboard.press('PageDown');
    await expect.poll(place).toBeGreaterThan(Math.min(at + 1, 78)); // a page on, not one label (but the last)
    await expect.poll(async () => (await focused(page)).visible).toBe(true);
    expect((await focused(page)).stops).toBe(1);
    at = await place();
  }
  expect(await label(page)).toBe('Pin track 1');
  expect(await scrollY(page)).toBeGreaterThan(0);
  for (let i = 0; i < 30 && at > 0; i++) {
    await page.keyboard.press('PageUp');
    await expect.poll(place).toBeLessThan(Math.max(at - 1, 1));
    await expect.poll(async () => (await focused(page)).visible).toBe(true);
    at = await place();
  }
  expect(await label(page)).toBe('P1 1: group of 1 track');
  expect(await scrollY(page)).toBe(0);
});
