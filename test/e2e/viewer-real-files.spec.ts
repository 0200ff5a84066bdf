// Files as people get them, opened as people open them: a trace recorded here with the categories
// of DevTools' Performance panel (V8 CPU profiles of the page and of a worker, screenshots), and
// files dropped onto the viewer, gzipped too.
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
  server.page('/work.html', '<!doctype html><title>work</title><h1>work</h1>');
});
test.afterAll(async () => server?.close());

/** Drops a file onto the viewer as a drag from the desktop does. */
async function drop(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    ([n, b64]) => {
      const bin = atob(b64);
      const data = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], n));
      document.querySelector('spanbeam-viewer')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [name, bytes.toString('base64')] as const,
  );
}

/** The first spanbeam-load or spanbeam-error event. */
async function settled(page: Page): Promise<{ type: string; detail: Record<string, unknown> }> {
  const h = await page.waitForFunction(() => (window as unknown as { __events: Array<{ type: string }> }).__events.find((e) => e.type === 'spanbeam-load' || e.type === 'spanbeam-error'), undefined, { timeout: 20_000 });
  return (await h.jsonValue()) as { type: string; detail: Record<string, unknown> };
}

const CATEGORIES = [
  '-*',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
  'disabled-by-default-devtools.screenshot',
  'blink.user_timing',
  'toplevel',
  '__metadata',
];

test('a trace with the Performance panel categories: each CPU profile is named after the thread it profiled', async ({ page, browser }) => {
  await page.goto(`${server.origin}/work.html`);
  await browser.startTracing(page, { screenshots: true, categories: CATEGORIES });
  await page.evaluate(async () => {
    const src = 'function sbWorkerSpin(){const e=performance.now()+150;let a=0;while(performance.now()<e)a++;return a}postMessage(sbWorkerSpin())';
    const w = new Worker(URL.createObjectURL(new Blob([src])));
    await new Promise((r) => (w.onmessage = r));
    const end = performance.now() + 150;
    while (performance.now() < end);
  });
  const trace = await browser.stopTracing();
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: Array<{ name: string; pid: number; tid: number; ph: string; args: { name?: string } }> }).traceEvents;
  const threadName = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const profiled = events.filter((e) => e.name === 'Profile').map((e) => `${e.pid}:${e.tid}`);
  expect(profiled.map((t) => threadName.get(t))).toEqual(expect.arrayContaining(['CrRendererMain', 'DedicatedWorker thread']));
  // What makes this file realistic: its chunks come from V8's sampler threads, not the profiled ones.
  const samplers = events.filter((e) => e.name === 'ProfileChunk').map((e) => `${e.pid}:${e.tid}`);
  expect(samplers.some((t) => !profiled.includes(t))).toBe(true);

  await openViewer(page, server);
  await drop(page, 'Trace-20261122T101500.json.gz', gzipSync(trace));
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail.format).toBe('chrome-json');
  const seen = await page.evaluate(() => {
    const v = document.querySelector('spanbeam-viewer') as unknown as {
      model: { strings: string[]; tracks: Array<{ name: string; kind: number }>; slices: { count: number; name: Uint32Array; track: Uint32Array } };
    };
    const m = v.model;
    const profiles = m.tracks.map((t, i) => [t.name, i] as const).filter(([name]) => name.endsWith('CPU profile'));
    const names = (t: number) => {
      const s = new Set<string>();
      for (let i = 0; i < m.slices.count; i++) if (m.slices.track[i] === t) s.add(m.strings[m.slices.name[i]]);
      return [...s];
    };
    return Object.fromEntries(profiles.map(([name, t]) => [name, names(t)]));
  });
  // One track per profile, named after the thread its Profile event names.
  expect(Object.keys(seen).sort()).toEqual(profiled.map((t) => `${threadName.get(t)} CPU profile`).sort());
  expect(seen['DedicatedWorker thread CPU profile']).toContain('sbWorkerSpin');
  expect(seen['CrRendererMain CPU profile']).not.toContain('sbWorkerSpin');
});

test('a Firefox Profiler profile with no samples dropped onto the viewer says so instead of opening empty', async ({ page }) => {
  await openViewer(page, server);
  const profile = {
    meta: { interval: 1, startTime: 1763800000000, product: 'Firefox', version: 31, preprocessedProfileVersion: 53, categories: [] },
    libs: [],
    pages: [],
    counters: [],
    shared: { stringArray: ['GeckoMain'] },
    threads: [{ name: 'GeckoMain', processType: 'default', pid: '1', tid: 1, samples: { length: 0, stack: [], time: [] } }],
  };
  await drop(page, 'profile.json.gz', gzipSync(JSON.stringify(profile)));
  const r = await settled(page);
  expect(r.type).toBe('spanbeam-error');
  // (Profiles with samples open: viewer-gecko.spec.ts.)
  expect(r.detail.message).toMatch(/^gecko-json: no samples nor markers in the profile's 1 threads/);
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('no samples nor markers');
});

test('a DevTools trace saved with source maps (metadata first) opens from a URL as a Chrome trace', async ({ page }) => {
  // DevTools writes the metadata first; the names of a source map are the app's identifiers.
  const names = ['data', 'spans', 'events', 'unit', 'profiles', 'shared', ...Array.from({ length: 3000 }, (_, i) => `ident${i}`)];
  const metadata = { source: 'DevTools', dataOrigin: 'TraceEvents', enhancedTraceVersion: 1, sourceMaps: [{ url: `${server.origin}/app.js`, sourceMap: { version: 3, sources: ['app.ts'], names, mappings: 'AAAA;'.repeat(4000) } }] };
  const events = [
    { args: { name: 'CrRendererMain' }, cat: '__metadata', name: 'thread_name', ph: 'M', pid: 7, tid: 1, ts: 0 },
    { args: {}, cat: 'devtools.timeline', name: 'RunTask', ph: 'X', dur: 40, pid: 7, tid: 1, ts: 1000 },
    { args: { data: { functionName: 'onClick' } }, cat: 'devtools.timeline', name: 'FunctionCall', ph: 'X', dur: 30, pid: 7, tid: 1, ts: 1005 },
  ];
  const body = Buffer.from(`{"metadata": ${JSON.stringify(metadata, null, 2)},\n"traceEvents": [\n  ${events.map((e) => JSON.stringify(e)).join(',\n  ')}\n]}\n`);
  server.route('/Trace-20261122T101500.json', async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    // In small pieces, as a network delivers them.
    for (let p = 0; p < body.length; p += 8192) {
      res.write(body.subarray(p, p + 8192));
      await new Promise((r) => setTimeout(r, 1));
    }
    res.end();
  });
  await openViewer(page, server, '?src=/Trace-20261122T101500.json');
  const r = await settled(page);
  expect(r.detail).toMatchObject({ format: 'chrome-json', slices: 2 });
});
