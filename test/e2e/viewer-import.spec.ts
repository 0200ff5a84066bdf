// Viewer import in real Chromium: a trace recorded by this test through the Worker, progress,
// cancel, gzip, precise errors across the worker boundary, strict CSP + Trusted Types.
import { test, expect, type Page } from '@playwright/test';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer, type TestServer } from '../support/server';
import { buildImportBundles, pageHtml, STRICT_CSP } from './viewer-import-support';

const ROOT = resolve(import.meta.dirname, '../..');

interface Summary {
  format: string;
  slices: number;
  instants: number;
  counters: number;
  flows: number;
  tracks: number;
  groups: string[];
  eventCounts: Record<string, number>;
  diagnostics: Array<{ kind: string; count: number }>;
  typed: boolean;
}

let server: TestServer;
let dir: string;

test.beforeAll(async () => {
  dir = await buildImportBundles();
});
test.beforeEach(async () => {
  server = await startServer();
  server.page('/import.html', pageHtml(dir));
  server.page('/import-csp.html', pageHtml(dir), { 'content-security-policy': STRICT_CSP });
  // Trusted Types required, but the page does not allow our policy name: must fall back, still work.
  server.page('/import-tt-denied.html', pageHtml(dir), {
    'content-security-policy': "default-src 'self'; require-trusted-types-for 'script'; trusted-types other-policy",
  });
});
test.afterEach(async () => {
  await server.close();
});

async function open(page: Page, path: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.origin}${path}`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return errors;
}

/** Imports a URL in the page; returns the summary and whether a worker was used. */
function importUrl(page: Page, url: string) {
  return page.evaluate(async (u) => {
    const api = (window as any).spanbeamImport;
    const progress: Array<{ bytes: number; events: number; phase: string }> = [];
    const m = await api.importTrace(u, { onProgress: (p: any) => progress.push(p) });
    return { summary: api.summarize(m) as Summary, fallback: api.fallbackReason() as string, progress };
  }, url);
}

test('a real Chromium trace recorded here imports in the worker; per-phase counts match JSON.parse', async ({ page, browser }) => {
  await open(page, '/import.html');
  await browser.startTracing(page, { screenshots: false });
  await page.evaluate(async () => {
    performance.mark('a');
    for (let i = 0; i < 20; i++) {
      const d = document.createElement('div');
      d.textContent = `row ${i}`;
      document.body.appendChild(d);
      d.getBoundingClientRect();
      await new Promise((r) => setTimeout(r, 5));
    }
    performance.measure('work', 'a');
    await fetch(location.href);
  });
  const buf = await browser.stopTracing();
  const name = `real-trace-${test.info().workerIndex}.json`;
  await writeFile(resolve(ROOT, dir.slice(1), name), buf);
  await writeFile(resolve(ROOT, dir.slice(1), `${name}.gz`), gzipSync(buf));

  // Independent count: plain JSON.parse.
  const parsed = JSON.parse(buf.toString('utf8'));
  const events: Array<{ ph?: string }> = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const expected: Record<string, number> = {};
  for (const e of events) expected[e.ph ?? '(none)'] = (expected[e.ph ?? '(none)'] ?? 0) + 1;
  expect(events.length).toBeGreaterThan(100);

  const { summary, fallback, progress } = await importUrl(page, `${dir}/${name}`);
  expect(fallback).toBe('');
  expect(summary.format).toBe('chrome-json');
  expect(summary.typed).toBe(true);
  const got = Object.fromEntries(Object.entries(summary.eventCounts).filter(([k]) => k !== 'sample'));
  expect(got).toEqual(expected);
  expect(summary.slices).toBeGreaterThanOrEqual(expected.X ?? 0);
  expect(summary.groups.length).toBeGreaterThan(0);
  // Nothing lost from a valid file, and no noise about what it legitimately holds.
  const bad = summary.diagnostics.filter((d) => ['invalid-event', 'unknown-phase', 'truncated-input', 'invalid-args', 'missing-id', 'unknown-frame'].includes(d.kind));
  expect(bad).toEqual([]);
  expect(progress.at(-1)).toMatchObject({ bytes: buf.length, phase: 'building' });

  // The same file gzipped goes through DecompressionStream and gives the same model.
  const gz = await importUrl(page, `${dir}/${name}.gz`);
  expect(gz.summary.eventCounts).toEqual(summary.eventCounts);
  expect(gz.summary.slices).toBe(summary.slices);
});

test('a gzip file cut short keeps the events before the cut and says so; a cut inside the gzip header is an error', async ({ page }) => {
  await open(page, '/import.html');
  const events = Array.from({ length: 20_000 }, (_, i) => `{"ph":"X","pid":1,"tid":${i % 4},"ts":${i * 10},"dur":5,"name":"n${i % 97}","args":{"i":${i}}}`);
  const gz = gzipSync(Buffer.from(`{"traceEvents":[${events.join(',')}]}`));
  const r = await page.evaluate(async (bytes) => {
    const api = (window as any).spanbeamImport;
    const cut = await api.importTrace(new Blob([new Uint8Array(bytes).slice(0, Math.floor(bytes.length / 2))]));
    let headerError = '';
    try {
      await api.importTrace(new Blob([new Uint8Array(bytes).slice(0, 6)]));
    } catch (e) {
      headerError = `${(e as Error).name}: ${(e as Error).message}`;
    }
    return { slices: api.summarize(cut).slices, diagnostics: cut.diagnostics.map((d: any) => `${d.kind}: ${d.message}`), headerError };
  }, [...gz]);
  // About half the events survive (the compressed bytes are spread evenly), none are invented.
  expect(r.slices).toBeGreaterThan(5_000);
  expect(r.slices).toBeLessThan(20_000);
  expect(r.diagnostics[0]).toMatch(/^truncated-input: gzip: .* after \d+ decompressed bytes: the compressed file is cut short or damaged; events read so far are kept$/);
  expect(r.headerError).toMatch(/^TraceImportError: .*gzip/);
});

/** Makes an n-event Chrome trace Blob inside the page (window.bigBlob). */
async function makeBlob(page: Page, n: number): Promise<number> {
  return page.evaluate((count) => {
    const parts: string[] = ['{"traceEvents":['];
    for (let i = 0; i < count; i++) {
      parts.push(`${i ? ',' : ''}{"ph":"X","pid":${i % 3},"tid":${i % 4},"ts":${i * 10},"dur":${(i % 11) + 1},"name":"n${i % 97}","args":{"i":${i}}}\n`);
    }
    parts.push(']}');
    const blob = new Blob(parts);
    (window as any).bigBlob = blob;
    return blob.size;
  }, n);
}

test('worker path: progress in bytes and events, columns transferred', async ({ page }) => {
  await open(page, '/import.html');
  const size = await makeBlob(page, 300_000);
  const r = await page.evaluate(async () => {
    const api = (window as any).spanbeamImport;
    const progress: any[] = [];
    const m = await api.importTrace((window as any).bigBlob, { onProgress: (p: any) => progress.push(p) });
    await new Promise((res) => setTimeout(res, 50));
    return { summary: api.summarize(m), fallback: api.fallbackReason(), progress };
  });
  expect(r.fallback).toBe('');
  expect(r.summary.slices).toBe(300_000);
  expect(r.summary.typed).toBe(true);
  expect(r.progress.length).toBeGreaterThan(2);
  expect(r.progress[0].totalBytes).toBe(size);
  const last = r.progress.at(-1);
  expect(last).toMatchObject({ bytes: size, events: 300_000, phase: 'building' });
  const mid = r.progress.find((p: any) => p.phase === 'reading' && p.bytes < size);
  expect(mid?.events).toBeGreaterThan(0);
  // The longest main-thread task is a speed figure: bench/viewer-import.mjs measures it.
});

test('cancel stops the import with an AbortError, and the next import works', async ({ page }) => {
  await open(page, '/import.html');
  await makeBlob(page, 400_000);
  const r = await page.evaluate(async () => {
    const api = (window as any).spanbeamImport;
    const ac = new AbortController();
    let progressed = 0;
    const p = api.importTrace((window as any).bigBlob, {
      signal: ac.signal,
      onProgress: () => {
        if (++progressed === 1) ac.abort();
      },
    });
    let error = '';
    try {
      await p;
    } catch (e) {
      error = (e as Error).name;
    }
    const again = await api.importTrace('[{"ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"name":"ok"}]');
    return { error, progressed, after: api.summarize(again).slices };
  });
  expect(r.error).toBe('AbortError');
  expect(r.progressed).toBeGreaterThanOrEqual(1);
  expect(r.after).toBe(1);
});

test('cancel while the worker is still starting rejects with an AbortError instead of hanging', async ({ page }) => {
  await open(page, '/import.html');
  const error = await page.evaluate(async () => {
    const api = (window as any).spanbeamImport;
    const ac = new AbortController();
    const p = api.importTrace('[{"ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"name":"x"}]', { signal: ac.signal });
    ac.abort(); // before the worker has said 'ready'
    const outcome = await Promise.race([
      p.then(() => 'resolved', (e: Error) => e.name),
      new Promise((r) => setTimeout(() => r('hung'), 5000)),
    ]);
    return outcome;
  });
  expect(error).toBe('AbortError');
});

test('unreadable input: the precise error crosses the worker boundary', async ({ page }) => {
  await open(page, '/import.html');
  const r = await page.evaluate(async () => {
    const api = (window as any).spanbeamImport;
    try {
      await api.importTrace(new Blob(['[\n{"ph":"X","ts":1}\n{"ph":"X"}]']));
      return null;
    } catch (e) {
      return { name: (e as Error).name, message: (e as Error).message, info: (e as any).info };
    }
  });
  expect(r).not.toBeNull();
  expect(r!.name).toBe('TraceImportError');
  expect(r!.info).toMatchObject({ format: 'chrome-json', line: 3, column: 1, offset: 20, expected: "',' or ']'" });
  expect(r!.message).toContain('line 3, column 1');
});

test('strict CSP with Trusted Types required: the worker starts through the spanbeam-viewer policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
  const errors = await open(page, '/import-csp.html');
  const r = await importUrl(page, '/test/fixtures/chrome/all-phases.json');
  expect(r.fallback).toBe('');
  expect(r.summary.slices).toBeGreaterThan(10);
  expect(errors).toEqual([]);
  expect(violations.filter((v) => /Content Security Policy|Trusted Type/i.test(v))).toEqual([]);
});

test('Trusted Types policy not allowed by the page: falls back to the main thread and still imports', async ({ page }) => {
  await open(page, '/import-tt-denied.html');
  const r = await importUrl(page, '/test/fixtures/chrome/all-phases.json');
  expect(r.fallback).toMatch(/Trusted Types/);
  expect(r.summary.slices).toBeGreaterThan(10);
});
