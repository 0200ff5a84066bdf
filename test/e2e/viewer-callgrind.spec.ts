// Callgrind profiles (hand-written in valgrind's and Xdebug's layouts, test/fixtures/callgrind,
// see the unit test) opened through the viewer's file picker under a neutral name (Worker
// import): valgrind's, Xdebug's gzipped (Xdebug 3.1+ compresses by default), and a malformed one.
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

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/callgrind/${name}`, import.meta.url));

test('a valgrind callgrind profile opens as a flame graph whose x axis says Ir is no time', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await pickFile(page, fixture('callgrind.out.4242'));
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'callgrind', groups: 1, tracks: 1, slices: 5 });
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .status .format')).toHaveText('callgrind');
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveText('x axis: units, not time (1 ns = 1 unit)');
  // Drawn: hovering names it; selecting it shows its file and object.
  const details = await hoverThenSelect(page, 'render', 20);
  await expect(details).toContainText('app.c');
  await expect(details).toContainText('/home/u/app');
});

test('an Xdebug profile (gzipped) keeps time on the x axis', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  await pickFile(page, gzipSync(fixture('cachegrind.out.1700000000_123456')));
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'callgrind', tracks: 1, slices: 4 });
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveCount(0);
  const details = await hoverThenSelect(page, 'helper', 20);
  await expect(details).toContainText('/var/www/lib.php');
});

test('a malformed callgrind profile shows the precise line', async ({ page }) => {
  await openViewer(page, server);
  await pickFile(page, Buffer.from('version: 1\npositions: line\nevents: Ir\nfl=(1) a.c\nfn=(2)\n1 5\n'));
  const err = await waitForEvent(page, 'spanbeam-error');
  expect(err.detail.info).toMatchObject({ format: 'callgrind', line: 5, column: 1 });
  const box = page.locator('spanbeam-viewer .load-error');
  await expect(box).toContainText('function name (2) is used before it is defined');
  await expect(box).toContainText('line 5');
});
