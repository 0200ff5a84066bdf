// The insights' "Time by name" table (speedscope's sandwich, Perfetto's slice aggregation): one row
// per function or operation with its self time, total, count and average; rows select their slices.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const table = (page: Page) => page.locator('spanbeam-viewer table.by-name');
const cells = async (page: Page): Promise<string[][]> =>
  (await table(page).locator('tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));

test('a perf profile: time by function, sortable, and a row selects that function\'s slices', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'perf.txt', mimeType: 'text/plain', buffer: readFileSync(new URL('../fixtures/perf/perfdemo-default.txt', import.meta.url)) });
  expect((await waitForEvent(page, 'spanbeam-load')).detail).toMatchObject({ format: 'perf-script', slices: 40 });
  await page.locator('spanbeam-viewer button.tab-insights').click();
  // The leaf function has all the self time; the callers' totals add up to it (two threads' stacks).
  expect(await cells(page)).toEqual([
    ['crunch_numbers', '477.2 ms', '477.2 ms', '10', '47.7 ms'],
    ['__libc_start_call_main', '0', '346.4 ms', '5', '69.3 ms'],
    ['main', '0', '346.4 ms', '5', '69.3 ms'],
    ['parse_input', '0', '346.4 ms', '5', '69.3 ms'],
    ['start_thread', '0', '130.8 ms', '5', '26.2 ms'],
    ['thread_main', '0', '130.8 ms', '5', '26.2 ms'],
    ['worker_loop', '0', '130.8 ms', '5', '26.2 ms'],
  ]);
  const header = (name: string) => table(page).getByRole('columnheader', { name });
  await expect(header('Self')).toHaveAttribute('aria-sort', 'descending');
  await expect(header('Total')).toHaveAttribute('aria-sort', 'none');
  await header('Total').getByRole('button').click();
  await expect(header('Total')).toHaveAttribute('aria-sort', 'descending');
  await expect(header('Self')).toHaveAttribute('aria-sort', 'none');
  expect((await cells(page)).map((r) => r[0])).toEqual(['crunch_numbers', '__libc_start_call_main', 'main', 'parse_input', 'start_thread', 'thread_main', 'worker_loop']);
  await header('Count').getByRole('button').click();
  await expect(header('Count')).toHaveAttribute('aria-sort', 'descending');
  expect((await cells(page))[0][0]).toBe('crunch_numbers');
  // From the keyboard: the row's name is a button; Enter selects the function's slices.
  await table(page).getByRole('button', { name: 'worker_loop' }).focus();
  await page.keyboard.press('Enter');
  expect((await waitForEvent(page, 'spanbeam-select')).detail.name).toBe('worker_loop');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 5');
  await table(page).getByRole('button', { name: 'crunch_numbers' }).click();
  expect((await waitForEvent(page, 'spanbeam-select', 2)).detail.name).toBe('crunch_numbers');
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 10');
  // The others are marked: stepping through them selects each crunch_numbers slice.
  for (let k = 2; k <= 10; k++) {
    await page.getByRole('button', { name: 'Next match' }).click();
    await expect(page.locator('spanbeam-viewer .count')).toHaveText(`${k} / 10`);
    expect((await waitForEvent(page, 'spanbeam-select', k + 1)).detail.name).toBe('crunch_numbers');
  }
});

test('recursion counts once in the total; 20 rows, then more on request', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await openViewer(page, server);
  const x = (name: string, ts: number, dur: number) => ({ ph: 'X', pid: 1, tid: 1, ts, dur, name, cat: 'c' });
  const many = Array.from({ length: 25 }, (_, i) => x(`op ${String(i).padStart(2, '0')}`, 200 + i * 10, 5));
  await page.evaluate(
    (t) => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load(t),
    { traceEvents: [x('fib', 0, 100), x('step', 10, 80), x('fib', 20, 50), x('fib', 30, 10), ...many] },
  );
  await page.locator('spanbeam-viewer button.tab-insights').click();
  const rows = await cells(page);
  expect(rows.slice(0, 3)).toEqual([
    ['fib', '70 µs', '100 µs', '3', '53.3 µs'],
    ['step', '30 µs', '80 µs', '1', '80 µs'],
    ['op 00', '5 µs', '5 µs', '1', '5 µs'],
  ]);
  expect(rows).toHaveLength(20);
  await expect(page.locator('spanbeam-viewer .insights')).toContainText('20 of 27 names');
  await page.getByRole('button', { name: 'Show 7 more' }).click();
  await expect(table(page).locator('tbody tr')).toHaveCount(27);
  // The same button, still focused, now offers fewer.
  await expect(page.getByRole('button', { name: 'Show fewer' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(table(page).locator('tbody tr')).toHaveCount(20);
  await table(page).getByRole('button', { name: 'fib' }).click();
  await expect(page.locator('spanbeam-viewer .count')).toHaveText('1 / 3');
});
