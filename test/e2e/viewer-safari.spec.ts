// Safari Web Inspector timeline recordings (hand-written in the exported layout,
// test/fixtures/safari, see the unit test) opened through the viewer's file picker under a neutral
// name (Worker import): an older export, a newer one gzipped, and a malformed one.
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

const recording = readFileSync(new URL('../fixtures/safari/recording.json', import.meta.url));

test('a Safari timeline recording opens with its JS samples and its records on a track per type', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await pickFile(page, recording, 'recording.bin');
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'safari-timeline', groups: 1, tracks: 6, counters: 1 });
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .status .format')).toHaveText('safari-timeline');
  const tree = page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' });
  await expect(tree.getByRole('treeitem', { name: /^Timeline Recording 1: group of 6 tracks/ })).toBeVisible();
  for (const name of ['JavaScript samples', 'JavaScript & Events', 'Layout & Rendering', 'Rendering Frames']) {
    await expect(tree.getByRole('treeitem', { name: `Pin track ${name}` })).toBeVisible();
  }
  // A sampled JS frame: its script in the details; a record with its event name.
  const details = await hoverThenSelect(page, 'onClick', 5);
  await expect(details).toContainText('https://example.com/app.js');
  await hoverThenSelect(page, 'Event Dispatched: click', 5);
  await hoverThenSelect(page, 'Frame 1', 5);
});

test('a newer export (gzipped): short event types, a samples track per target', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await pickFile(page, gzipSync(readFileSync(new URL('../fixtures/safari/recording-targets.json', import.meta.url))), 'recording.bin');
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'safari-timeline', groups: 1, tracks: 6, counters: 1 });
  const tree = page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' });
  await expect(tree.getByRole('treeitem', { name: 'Pin track JavaScript samples (target 2)' })).toBeVisible();
  const details = await hoverThenSelect(page, 'onmessage', 5);
  await expect(details).toContainText('https://example.com/worker.js');
});

test('a malformed Safari recording shows the precise error', async ({ page }) => {
  await openViewer(page, server);
  await pickFile(page, Buffer.from('{"version":1,\n"recording":{"displayName":"x","records":{}}}'), 'recording.bin');
  const err = await waitForEvent(page, 'spanbeam-error');
  expect(err.detail.info).toMatchObject({ format: 'safari-timeline', line: 2, column: 42 });
  const box = page.locator('spanbeam-viewer .load-error');
  await expect(box).toContainText('"records" is not an array');
  await expect(box).toContainText('line 2');
});
