// Firefox Profiler profiles (hand-written in the real formats, test/fixtures/gecko, see the unit
// test) opened through the viewer's file picker under a neutral name (Worker import): a Gecko
// profile gzipped with a subprocess, a processed one as is, and a malformed one.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { hoverThenSelect, openViewer, pickFile, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/gecko/${name}`, import.meta.url));

test('a Gecko profile (gzipped) opens with a samples track per thread, grouped per process, and a markers track', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await pickFile(page, gzipSync(fixture('gecko-v27.json')));
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'gecko-json', groups: 2, tracks: 3 });
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  const tree = page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' });
  await expect(tree.getByRole('treeitem', { name: /^Parent Process 4100: group of 2 tracks/ })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: /^Isolated Web Content 4200: group of 1 track/ })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'Pin track GeckoMain 4100 markers' })).toBeVisible();
  // A JS frame, drawn and selectable: its script in the details.
  const details = await hoverThenSelect(page, 'spanbeamRender', 5);
  await expect(details).toContainText('https://example.com/app.js');
  await expect(details).toContainText('JavaScript');
  // The subprocess's frame and an interval marker are drawn too.
  await hoverThenSelect(page, 'spanbeamContentWork', 5);
  await hoverThenSelect(page, 'DOMEvent', 5);
});

test('a processed profile (profiler.firefox.com) opens with its functions', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await pickFile(page, fixture('processed-v57.json'));
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'gecko-json', groups: 1, tracks: 2 });
  const details = await hoverThenSelect(page, 'spanbeamCompute', 5);
  await expect(details).toContainText('app.js');
});

test('a malformed Firefox profile shows the precise error', async ({ page }) => {
  await openViewer(page, server);
  await pickFile(page, Buffer.from('{"meta":{"version":27,"interval":1,"stackwalk":1,"startTime":1700000000000},\n"threads":{}}'));
  const err = await waitForEvent(page, 'spanbeam-error');
  expect(err.detail.info).toMatchObject({ format: 'gecko-json', line: 2, column: 11 });
  const box = page.locator('spanbeam-viewer .load-error');
  await expect(box).toContainText('"threads" is not an array');
  await expect(box).toContainText('line 2');
});
