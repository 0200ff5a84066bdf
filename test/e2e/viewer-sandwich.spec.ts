// Callers and callees of a function (speedscope's Sandwich view): from the insights' time-by-name
// table or a selected slice, the flame view shows its callers (inverted) and callees, all threads
// merged; hover, selection and details as in the flame graph; Escape goes back to the table.
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

// Samples every 10 µs: main › work (0–30, parse 10–20), main › render (30–70) › work (30–60, parse 40–60).
const frame = (functionName: string, lineNumber = -1) => ({ functionName, scriptId: '1', url: 'https://app.test/app.js', lineNumber, columnNumber: 0 });
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2] },
    { id: 2, callFrame: frame('main', 9), children: [3, 5] },
    { id: 3, callFrame: frame('work', 19), children: [4] },
    { id: 4, callFrame: frame('parse', 29) },
    { id: 5, callFrame: frame('render', 39), children: [6] },
    { id: 6, callFrame: frame('work', 19), children: [8] },
    { id: 8, callFrame: frame('parse', 29) },
  ],
  startTime: 0,
  endTime: 80,
  samples: [3, 4, 3, 6, 8, 8, 5, 3],
  timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10],
};

type Viewer = {
  _flame: { focus?: number; model: { strings: string[]; tracks: Array<{ name: string }>; slices: { count: number; name: Uint32Array; track: Uint32Array; startNs: Float64Array; durNs: Float64Array; depth: Uint16Array } } } | null;
  flameTl: { renderer: { labelWidthCssPx: number; sliceCenterY(state: unknown, s: number): number }; state: unknown; scale: { timeToPx(t: number): number } };
  shadowRoot: ShadowRoot;
};

async function openProfile(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'app.cpuprofile', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(PROFILE)) });
  await waitForEvent(page, 'spanbeam-load');
}

/** The sandwich of `name` once merged: its nodes per track as `track:  name@x+width` (µs), by track, depth, x. */
async function sandwichShape(page: Page, name: string): Promise<string[]> {
  await page.waitForFunction((n) => {
    const f = (document.querySelector('spanbeam-viewer') as unknown as Viewer)._flame;
    return f !== null && f.focus !== undefined && f.model.strings[f.focus] === n;
  }, name);
  return page.evaluate(() => {
    const m = (document.querySelector('spanbeam-viewer') as unknown as Viewer)._flame!.model;
    const s = m.slices;
    const all = [...Array(s.count).keys()].sort((a, b) => s.track[a] - s.track[b] || s.depth[a] - s.depth[b] || s.startNs[a] - s.startNs[b]);
    return all.map((i) => `${m.tracks[s.track[i]].name.split(' ')[0]}:${'  '.repeat(s.depth[i])}${m.strings[s.name[i]]}@${s.startNs[i] / 1e3}+${s.durNs[i] / 1e3}`);
  });
}

/** Page point at the middle of the node named `name` at `depth` on track `track` (0 callers, 1 callees). */
async function nodePoint(page: Page, track: number, name: string, depth: number): Promise<{ x: number; y: number }> {
  return page.evaluate(([t0, n, d]) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as Viewer;
    const m = v._flame!.model;
    const i = [...Array(m.slices.count).keys()].find((k) => m.slices.track[k] === t0 && m.slices.depth[k] === d && m.strings[m.slices.name[k]] === n)!;
    const t = v.flameTl;
    const r = (v.shadowRoot.querySelector('.flame') as HTMLElement).getBoundingClientRect();
    return { x: r.left + t.renderer.labelWidthCssPx + t.scale.timeToPx(m.slices.startNs[i] + m.slices.durNs[i] / 2), y: r.top + t.renderer.sliceCenterY(t.state, i) };
  }, [track, name, depth] as const);
}

test('from the time-by-name table: callers (inverted) and callees of a function, hover and details; Escape goes back to the table', async ({ page }) => {
  await openProfile(page);
  await page.locator('spanbeam-viewer button.tab-insights').click();
  const row = page.locator('spanbeam-viewer table.by-name tbody tr').filter({ has: page.getByRole('button', { name: 'work', exact: true }) });
  await expect(page.locator('spanbeam-viewer .insights')).toContainText('⇅ shows its callers and callees (all threads merged)');
  await row.getByRole('button', { name: 'Callers and callees' }).click();
  await expect(page.getByRole('tab', { name: 'Flame graph' })).toHaveAttribute('aria-selected', 'true');
  // work's 60 µs: 30 called by main, 30 by render (called by main); what it calls: parse, 30 µs.
  expect(await sandwichShape(page, 'work')).toEqual([
    'Callers:work@0+60',
    'Callers:  main@0+30',
    'Callers:  render@30+30',
    'Callers:    main@30+30',
    'Callees:work@0+60',
    'Callees:  parse@0+30',
  ]);
  const app = page.getByRole('application', { name: /^Callers and callees of work, all threads merged: 6 nodes\. Press \? for keys, Escape to go back\.$/ });
  await expect(app).toBeFocused();
  await expect(page.locator('spanbeam-viewer .sandwich-bar')).toContainText('Callers and callees of work, all threads merged');

  const tip = page.locator('spanbeam-viewer .tooltip');
  const r = await nodePoint(page, 0, 'render', 1);
  await page.mouse.move(r.x, r.y);
  await expect(tip.locator('.tname')).toHaveText('render');
  await expect(tip).toContainText('total 30 µs · self 0');
  await expect(tip).toContainText('50.0% of work · all threads merged › Callers');
  const p = await nodePoint(page, 1, 'parse', 1);
  await page.mouse.move(p.x, p.y);
  await expect(tip.locator('.tname')).toHaveText('parse');
  await expect(tip).toContainText('total 30 µs · self 30 µs');

  // Selecting a caller: its stack reads from the root; the calls of work through it.
  await page.mouse.click(r.x, r.y);
  const details = page.locator('spanbeam-viewer .details');
  await expect(details.locator('h2')).toHaveText('render');
  const dl = await details.locator('dl').first().innerText();
  expect(dl).toMatch(/Total time\s+30 µs/);
  expect(dl).toMatch(/Self time\s+0/);
  expect(dl).toMatch(/Share of work\s+50\.0%/);
  expect(dl).toMatch(/Calls of work through here\s+1/);
  expect(dl).toMatch(/Stack\s+render › work/);
  await expect(page.locator('spanbeam-viewer #summary')).toContainText('Selected render, total 30 µs · self 0');
  // Keys as in the flame graph: ↑ to the parent (work, the name itself, in the callers tree).
  await page.keyboard.press('ArrowUp');
  await expect(details.locator('h2')).toHaveText('work');
  expect(await details.locator('dl').first().innerText()).toMatch(/Calls of work through here\s+2/);
  // Escape clears the selection, then goes back to the table, focus on the row's button.
  await page.keyboard.press('Escape');
  await expect(details).toHaveCount(0);
  await expect(app).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tab', { name: 'Insights' })).toHaveAttribute('aria-selected', 'true');
  await expect(row.getByRole('button', { name: 'Callers and callees' })).toBeFocused();
  // The Flame graph tab shows the flame graph again (the sandwich was a state of it).
  await page.getByRole('tab', { name: 'Flame graph' }).click();
  await expect(page.getByRole('application', { name: /^Flame graph, stacks merged/ })).toBeVisible();
  await expect(page.locator('spanbeam-viewer .sandwich-bar')).toHaveCount(0);
});

test('from a selected slice (B, or the details button): the callers and callees of its name; Show in timeline highlights the calls through a caller', async ({ page }) => {
  await openProfile(page);
  // Select the second parse on the timeline via search, then B.
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('/');
  await page.keyboard.type('parse');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('0 / 2');
  await page.keyboard.press('Enter');
  expect((await waitForEvent(page, 'spanbeam-select')).detail.name).toBe('parse');
  await page.locator('spanbeam-viewer .details').getByRole('button', { name: 'Callers & callees' }).click();
  expect(await sandwichShape(page, 'parse')).toEqual([
    'Callers:parse@0+30',
    'Callers:  work@0+30',
    'Callers:    render@0+20',
    'Callers:    main@20+10',
    'Callers:      main@0+20',
    'Callees:parse@0+30',
  ]);
  const w = await nodePoint(page, 0, 'main', 3);
  await page.mouse.click(w.x, w.y);
  const details = page.locator('spanbeam-viewer .details');
  const dl = await details.locator('dl').first().innerText();
  expect(dl).toMatch(/Stack\s+main › render › work › parse/);
  expect(dl).toMatch(/Total time\s+20 µs/);
  expect(dl).toMatch(/Share of parse\s+66\.7%/);
  await details.getByRole('button', { name: 'Show in timeline' }).click();
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 1');
  expect((await waitForEvent(page, 'spanbeam-select', 2)).detail).toMatchObject({ name: 'parse', startNs: 40_000, durNs: 20_000 });
  // B on the timeline's selection: the same for its name, from the keyboard.
  await page.mouse.move(0, 0); // no hover tooltip (Escape would hide it first)
  await page.locator('spanbeam-viewer .timeline').focus();
  await page.keyboard.press('b');
  await expect(page.getByRole('application', { name: /^Callers and callees of parse/ })).toBeFocused();
  // The same sandwich again: its selection kept (as the flame graph's across views). Escape clears
  // it, then goes back where it came from (the timeline).
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText('main');
  await page.keyboard.press('Escape');
  await expect(page.locator('spanbeam-viewer .details')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('tab', { name: 'Timeline' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('spanbeam-viewer .timeline')).toBeFocused();
});
