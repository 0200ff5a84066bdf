// The flame graph view (speedscope's "Left Heavy"): a profile's stacks merged across time, one
// flame graph per thread, drawn by the timeline's canvas; hover, selection, keys and search on it.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

// Samples every 10 µs: work, parse, work, (gc), work, parse, work → main › work 4 × 10 µs,
// main › parse 2 × 10 µs, (garbage collector) 10 µs (the last sample ends the profile).
const frame = (functionName: string, lineNumber = -1) => ({ functionName, scriptId: '1', url: 'https://app.test/app.js', lineNumber, columnNumber: 0 });
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5] },
    { id: 2, callFrame: frame('main', 9), children: [3, 4] },
    { id: 3, callFrame: frame('work', 19) },
    { id: 4, callFrame: frame('parse', 29) },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  startTime: 0,
  endTime: 80,
  samples: [3, 4, 3, 5, 3, 4, 3, 3],
  timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10],
};

async function openProfile(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'app.cpuprofile', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(PROFILE)) });
  await waitForEvent(page, 'spanbeam-load');
}

type Viewer = {
  _flame: { model: { strings: string[]; groups: Array<{ name: string }>; tracks: Array<{ name: string }>; slices: { count: number; name: Uint32Array; startNs: Float64Array; durNs: Float64Array; depth: Uint16Array } } } | null;
  flameTl: { renderer: { labelWidthCssPx: number; sliceCenterY(state: unknown, s: number): number }; state: { marks: unknown; selected: number }; scale: { timeToPx(t: number): number } };
  shadowRoot: ShadowRoot;
};

/** The merged nodes as `name@x+width` (µs), by depth then x, and the track names. */
async function flameShape(page: Page): Promise<{ nodes: string[]; tracks: string[] }> {
  await page.waitForFunction(() => (document.querySelector('spanbeam-viewer') as unknown as Viewer)._flame !== null);
  return page.evaluate(() => {
    const m = (document.querySelector('spanbeam-viewer') as unknown as Viewer)._flame!.model;
    const s = m.slices;
    const all = [...Array(s.count).keys()].sort((a, b) => s.depth[a] - s.depth[b] || s.startNs[a] - s.startNs[b]);
    return { nodes: all.map((i) => `${'  '.repeat(s.depth[i])}${m.strings[s.name[i]]}@${s.startNs[i] / 1e3}+${s.durNs[i] / 1e3}`), tracks: m.tracks.map((t) => t.name) };
  });
}

/** Page point at the middle of the flame node named `name`. */
async function nodePoint(page: Page, name: string): Promise<{ x: number; y: number }> {
  return page.evaluate((n) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as Viewer;
    const m = v._flame!.model;
    const i = [...Array(m.slices.count).keys()].find((k) => m.strings[m.slices.name[k]] === n)!;
    const t = v.flameTl;
    const r = (v.shadowRoot.querySelector('.flame') as HTMLElement).getBoundingClientRect();
    return { x: r.left + t.renderer.labelWidthCssPx + t.scale.timeToPx(m.slices.startNs[i] + m.slices.durNs[i] / 2), y: r.top + t.renderer.sliceCenterY(t.state, i) };
  }, name);
}

test('a .cpuprofile merged: one node per call path, heaviest first, widths = total time; hover and selection show total, self and share', async ({ page }) => {
  await openProfile(page);
  await page.getByRole('tab', { name: 'Flame graph' }).click();
  await expect(page.getByRole('tabpanel', { name: 'Flame graph' })).toBeVisible();
  expect(await flameShape(page)).toEqual({
    nodes: ['main@0+60', '(garbage collector)@60+10', '  work@0+40', '  parse@40+20'],
    tracks: ['CPU profile'],
  });
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveText('x axis: total time per stack, not a timeline');
  const p = await nodePoint(page, 'parse');
  await page.mouse.move(p.x, p.y);
  const tip = page.locator('spanbeam-viewer .tooltip');
  await expect(tip.locator('.tname')).toHaveText('parse');
  await expect(tip).toContainText('total 20 µs · self 20 µs');
  // Its share of the thread's total (70 µs: main 60 + GC 10), the thread named.
  await expect(tip).toContainText('28.6% of V8 CPU profile › CPU profile');
  await page.mouse.click(p.x, p.y);
  const details = page.locator('spanbeam-viewer .details');
  await expect(details.locator('h2')).toHaveText('parse');
  const dl = await details.locator('dl').first().innerText();
  expect(dl).toMatch(/Total time\s+20 µs/);
  expect(dl).toMatch(/Self time\s+20 µs/);
  expect(dl).toMatch(/Share of track\s+28\.6%/);
  expect(dl).toMatch(/Calls merged\s+2/);
  expect(dl).toMatch(/Stack\s+main › parse/);
  await expect(details).toContainText('https://app.test/app.js');
  // Keys as on the timeline: ↑ goes to the parent; Escape clears the selection.
  await expect(page.locator('spanbeam-viewer .flame')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(details.locator('h2')).toHaveText('main');
  expect(await details.locator('dl').first().innerText()).toMatch(/Self time\s+0/);
  await expect(page.locator('#summary, spanbeam-viewer #summary').first()).toContainText('Selected main, total 60 µs · self 0');
  await page.keyboard.press('Escape');
  await expect(details).toHaveCount(0);
  // "Show in timeline": the calls merged into a node, highlighted on the timeline.
  const w = await nodePoint(page, 'work');
  await page.mouse.click(w.x, w.y);
  await expect(details.locator('h2')).toHaveText('work');
  await details.getByRole('button', { name: 'Show in timeline' }).click();
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 4');
  expect((await waitForEvent(page, 'spanbeam-select')).detail).toMatchObject({ name: 'work', durNs: 10_000 });
  await expect(page.locator('spanbeam-viewer .timeline')).toBeFocused();
});

test('search marks and steps through the merged nodes; a measured range merges only its time', async ({ page }) => {
  await openProfile(page);
  // Measure 0–30 µs on the timeline (shift-drag), then open the flame graph: only that time counts.
  const box = (await page.locator('spanbeam-viewer .timeline').boundingBox())!;
  const x0 = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as { timeline: { renderer: { labelWidthCssPx: number }; scale: { timeToPx(t: number): number } } };
    return [v.timeline.renderer.labelWidthCssPx + v.timeline.scale.timeToPx(0), v.timeline.renderer.labelWidthCssPx + v.timeline.scale.timeToPx(30_000)];
  });
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + x0[0] + 0.5, box.y + 120);
  await page.mouse.down();
  await page.mouse.move(box.x + x0[1], box.y + 120, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await page.getByRole('tab', { name: 'Flame graph' }).click();
  const shape = await flameShape(page);
  // About 0–30 µs (a pixel's worth either way): work then parse then work → work 20, parse 10.
  expect(shape.nodes.map((l) => l.replace(/@.*/, ''))).toEqual(['main', '  work', '  parse']);
  const widths = shape.nodes.map((l) => Number(l.split('+')[1]));
  expect(widths[0]).toBeGreaterThan(28);
  expect(widths[0]).toBeLessThan(32);
  await expect(page.locator('spanbeam-viewer .status .axis')).toContainText('(measured range)');
  // Escape on the timeline clears the measure: the whole profile again.
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: 'Flame graph' }).click();
  await expect.poll(async () => (await flameShape(page)).nodes[0]).toBe('main@0+60');

  // Search: the samples matching are marked in the flame graph as the nodes that merge them.
  await page.locator('spanbeam-viewer .flame').focus();
  await page.keyboard.press('/');
  await page.keyboard.type('work');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('0 / 4');
  await expect.poll(() => page.evaluate(() => (document.querySelector('spanbeam-viewer') as unknown as Viewer).flameTl.state.marks !== null)).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText('work');
  expect(await page.locator('spanbeam-viewer .details dl').first().innerText()).toMatch(/Calls merged\s+4/);
  await page.locator('spanbeam-viewer .flame').focus();
  await page.keyboard.press('n');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('2 / 4');
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText('work');
});

test('keyboard and a11y as on the timeline: a labelled application, W/S zoom, ? help gives focus back, Escape leaves the page its key', async ({ page }) => {
  await openProfile(page);
  // The default view stays the timeline.
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Timeline' }).focus();
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: 'Flame graph' })).toBeFocused();
  const flame = page.getByRole('application', { name: /^Flame graph, stacks merged: 4 nodes on 1 tracks\. Press \? for keys\.$/ });
  await expect(flame).toBeVisible();
  await flame.focus();
  const span = () => page.evaluate(() => {
    const s = (document.querySelector('spanbeam-viewer') as unknown as { flameTl: { scale: { startNs: number; endNs: number } } }).flameTl.scale;
    return s.endNs - s.startNs;
  });
  const before = await span();
  await page.keyboard.down('w');
  await page.waitForTimeout(150);
  await page.keyboard.up('w');
  expect(await span()).toBeLessThan(before);
  await page.keyboard.press('0');
  expect(await span()).toBe(before);
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toContainText('flame graph');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(flame).toBeFocused();
  // Nothing selected: Escape is the page's (not prevented).
  const prevented = await page.evaluate(() => {
    const el = document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('.flame')!;
    const e = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true });
    el.dispatchEvent(e);
    return e.defaultPrevented;
  });
  expect(prevented).toBe(false);
});

test('a search matching a thread or process name reveals that track in the flame graph too', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 400 });
  await openViewer(page, server);
  // 40 processes "Proc p", each with a thread "worker p": far taller than the view.
  await page.evaluate(() => {
    const traceEvents: unknown[] = [];
    for (let p = 1; p <= 40; p++) {
      traceEvents.push({ ph: 'M', name: 'process_name', pid: p, args: { name: `Proc ${p}` } });
      traceEvents.push({ ph: 'M', name: 'thread_name', pid: p, tid: 1, args: { name: `worker ${p}` } });
      traceEvents.push({ ph: 'X', name: `task${p}`, pid: p, tid: 1, ts: p * 10, dur: 100 });
    }
    return (document.querySelector('spanbeam-viewer') as unknown as { load(x: unknown): Promise<unknown> }).load({ traceEvents });
  });
  await page.getByRole('tab', { name: 'Flame graph' }).click();
  await page.waitForFunction(() => (document.querySelector('spanbeam-viewer') as unknown as Viewer)._flame !== null);
  type F = { flameTl: { state: { found: { group: number; track: number } | null; scrollY: number } } };
  const found = () =>
    page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as Viewer & F;
      const f = v.flameTl.state.found;
      const m = v._flame!.model;
      return f && { group: m.groups[f.group].name, track: f.track < 0 ? null : m.tracks[f.track].name, scrolled: v.flameTl.state.scrollY > 0 };
    });
  const search = page.locator('spanbeam-viewer input[type=search]');
  await search.fill('worker 37');
  await search.press('Enter');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 1');
  await expect.poll(found).toEqual({ group: 'Proc 37', track: 'worker 37', scrolled: true });
  await search.fill('Proc 2');
  await search.press('Enter');
  await expect.poll(found).toMatchObject({ group: 'Proc 2', track: null });
  // A slice match clears it.
  await search.fill('task5');
  await search.press('Enter');
  await expect.poll(found).toBe(null);
});
