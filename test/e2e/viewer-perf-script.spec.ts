// A real `perf script --header -F +pid` recording (test/fixtures/perf, see the unit test) opened
// through the viewer's file picker, gzipped, under a neutral name: one track per thread, grouped
// per process, the program's functions as slices.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, slicePoint, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

test('perf script output opens with a track per thread, grouped per process, and the program functions', async ({ page }) => {
  const text = readFileSync(new URL('../fixtures/perf/perfdemo-header.txt', import.meta.url));
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'recording.bin', mimeType: 'application/octet-stream', buffer: gzipSync(text) });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'perf-script', groups: 2, tracks: 3 });
  const tree = page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' });
  await expect(tree.getByRole('treeitem', { name: /^perfdemo 4070: group of 2 tracks/ })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: /^child proc 4072: group of 1 track/ })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'Pin track Worker Thread 4073' })).toBeVisible();
  // A known function of the program, drawn and selectable.
  const p = await slicePoint(page, 'worker_loop');
  await page.mouse.click(p.x + 2, p.y + 2);
  const sel = await waitForEvent(page, 'spanbeam-select');
  expect(JSON.stringify(sel.detail)).toContain('worker_loop');
});
