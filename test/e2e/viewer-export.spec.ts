import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, strictViewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await strictViewerServer();
});
test.afterAll(async () => server?.close());

const counts = (d: Record<string, unknown>) => ({ slices: d.slices, instants: d.instants, counters: d.counters, flows: d.flows, tracks: d.tracks, groups: d.groups });

test('Save downloads <name>.trace.json under strict CSP + Trusted Types, and it reopens with the same counts', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await openViewer(page, server, '', '/strict/viewer.html');
  const save = page.getByRole('button', { name: 'Save trace as Chrome JSON' });
  await expect(save).toBeDisabled();
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles('test/fixtures/chrome/all-phases.json');
  const first = await waitForEvent(page, 'spanbeam-load');
  await expect(save).toBeEnabled();
  const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
  expect(download.suggestedFilename()).toBe('all-phases.trace.json');
  const path = await download.path();
  const text = readFileSync(path, 'utf8');
  const doc = JSON.parse(text) as { metadata: Record<string, unknown>; traceEvents: unknown[] };
  expect(doc.metadata).toMatchObject({ source_format: 'chrome-json', source_file: 'all-phases.json' });
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles(path);
  const second = await waitForEvent(page, 'spanbeam-load', 2);
  expect(counts(second.detail)).toEqual(counts(first.detail));
  expect(errors.filter((e) => /Trusted|Content Security/i.test(e))).toEqual([]);
});

test('exportTrace() gives the same file for embedders; it rejects with no trace', async ({ page }) => {
  await openViewer(page, server, '', '/strict/viewer.html');
  const none = await page.evaluate(() => document.querySelector('spanbeam-viewer')!.exportTrace().then(() => 'ok', (e: Error) => e.message));
  expect(none).toBe('no trace to export');
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles('test/fixtures/otlp/two-services.json');
  await waitForEvent(page, 'spanbeam-load');
  const out = await page.evaluate(async () => {
    const blob = await document.querySelector('spanbeam-viewer')!.exportTrace();
    const doc = JSON.parse(await blob.text()) as { metadata: Record<string, unknown>; traceEvents: Array<{ ph: string }> };
    return { type: blob.type, meta: doc.metadata, phases: [...new Set(doc.traceEvents.map((e) => e.ph))].sort().join('') };
  });
  expect(out.type).toBe('application/json');
  expect(out.meta).toMatchObject({ source_format: 'otlp-json', clock: 'epoch', source_file: 'two-services.json' });
  expect(out.phases).toContain('b');
});

test('an OTLP trace saved with exportTrace() and reopened shows the same services, traces and waterfall', async ({ page }) => {
  await openViewer(page, server, '', '/strict/viewer.html');
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles('test/fixtures/otlp/round-trip.json');
  const first = await waitForEvent(page, 'spanbeam-load');
  const labels = () => page.locator('spanbeam-viewer .track-label').evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-level')} ${e.getAttribute('aria-label')}`));
  const waterfall = async () => {
    await page.getByRole('tab', { name: 'Waterfall' }).click();
    const rows = page.getByRole('treegrid', { name: 'Waterfall' }).getByRole('row');
    await expect(rows.first()).toBeVisible();
    const out = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-level')} ${e.textContent?.replace(/\s+/g, ' ')}`));
    await page.getByRole('tab', { name: 'Timeline' }).click();
    return out;
  };
  const before = { labels: await labels(), waterfall: await waterfall() };
  expect(before.labels.join('|')).toMatch(/api.*web.*worker/);
  // The waterfall nests across services: POST /cart (api) under fetch /api/cart (web).
  expect(before.waterfall.length).toBeGreaterThan(5);
  await page.evaluate(async () => {
    const v = document.querySelector('spanbeam-viewer')!;
    await v.load(await v.exportTrace());
  });
  const second = await waitForEvent(page, 'spanbeam-load', 2);
  expect(second.detail).toMatchObject({ ...counts(first.detail as Record<string, unknown>), format: 'chrome-json' });
  expect((second.detail as { diagnostics: Array<{ message: string }> }).diagnostics.map((d) => d.message).join('\n')).not.toMatch(/could not be rebuilt/);
  expect({ labels: await labels(), waterfall: await waterfall() }).toEqual(before);
});
