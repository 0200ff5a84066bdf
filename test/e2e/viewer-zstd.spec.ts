// zstd input in the viewer, opened through the file picker (Worker import): a `.zst` Chrome trace
// (zstd tool output) and the Collector file exporter's `compression: zstd` file, both real zstd
// output from test/fixtures/zstd/make.sh.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { hoverThenSelect, openFile, openViewer, strictViewerServer } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await strictViewerServer();
});
test.afterAll(async () => server?.close());

const fixture = (f: string): Buffer => readFileSync(new URL(`../fixtures/zstd/${f}`, import.meta.url));


test('a zstd-compressed Chrome trace and a Collector file written with compression: zstd open and draw', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  const accept = (await page.locator('spanbeam-viewer input[type=file]').getAttribute('accept'))!.split(',');
  expect(accept).toEqual(expect.arrayContaining(['.zst', 'application/zstd']));
  const chrome = await openFile(page, fixture('chrome-trace.json.zst'), 'trace.json.zst');
  expect(chrome).toMatchObject({ format: 'chrome-json', slices: 5000, diagnostics: [] });
  await openViewer(page, server);
  // Under a neutral name: told from the content.
  const otlp = await openFile(page, fixture('collector-json.zst'), 'export.bin');
  expect(otlp).toMatchObject({ format: 'otlp-json', slices: 6, groups: 3, diagnostics: [] });
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  const details = await hoverThenSelect(page, 'b1', 10);
  await expect(details).toContainText('svc1');
});

test('a damaged zstd file shows a precise error', async ({ page }) => {
  await openViewer(page, server);
  const bad = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, ...new Array(16).fill(0xff)]);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'x.zst', mimeType: 'application/octet-stream', buffer: bad });
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('zstd: ');
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('expected a valid zstd stream');
});
