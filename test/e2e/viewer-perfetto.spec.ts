import { expect, test, type CDPSession, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, strictViewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await strictViewerServer();
});
test.afterAll(async () => server?.close());

const CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'blink.console', 'toplevel', 'v8.execute'];

/**
 * Records a fresh page (fresh JIT state, so both recordings see the same work) while it makes
 * known user timings, through CDP, as a stream in `format`.
 */
async function record(viewer: Page, format: 'proto' | 'json', label: string): Promise<Buffer> {
  const page = await viewer.context().newPage();
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const complete = new Promise<{ stream?: string }>((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', streamFormat: format, traceConfig: { includedCategories: CATEGORIES, excludedCategories: ['*'] } });
  await page.evaluate((name) => {
    performance.mark(`${name}-start`);
    function spanbeamBusyWork(): number {
      let x = 0;
      for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
      return x;
    }
    spanbeamBusyWork();
    performance.measure(name, `${name}-start`);
    console.time(`${name}-console`);
    spanbeamBusyWork();
    console.timeEnd(`${name}-console`);
  }, label);
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  const parts: Buffer[] = [];
  for (;;) {
    const r = await cdp.send('IO.read', { handle: stream!, size: 1 << 20 });
    parts.push(Buffer.from(r.data, r.base64Encoded ? 'base64' : 'utf8'));
    if (r.eof) break;
  }
  await cdp.send('IO.close', { handle: stream! });
  await page.close();
  return Buffer.concat(parts);
}

type Summary = { format: string; slices: number; processes: string[]; threads: string[]; names: string[] };

async function summary(page: Page): Promise<Summary> {
  return page.evaluate(() => {
    const m = (document.querySelector('spanbeam-viewer') as unknown as {
      model: { format: string; strings: string[]; groups: Array<{ name: string; kind: number }>; tracks: Array<{ name: string; kind: number }>; slices: { count: number; name: Uint32Array } };
    }).model;
    const names = new Set<string>();
    for (let i = 0; i < m.slices.count; i++) names.add(m.strings[m.slices.name[i]]);
    return {
      format: m.format,
      slices: m.slices.count,
      processes: m.groups.map((g) => g.name),
      threads: m.tracks.filter((t) => t.kind === 0).map((t) => t.name),
      names: [...names],
    };
  });
}

test('a real Chromium trace recorded as Perfetto protobuf opens with its processes, threads and user timings', async ({ page }) => {
  await openViewer(page, server);
  const proto = await record(page, 'proto', 'spanbeam-proto-measure');
  // A protobuf trace: the first packet's tag, then a varint length.
  expect(proto[0]).toBe(0x0a);
  // No file name hint: detected from its bytes.
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'recording.bin', mimeType: 'application/octet-stream', buffer: proto });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail.format).toBe('perfetto-proto');
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  const p = await summary(page);
  expect(p.format).toBe('perfetto-proto');
  expect(p.slices).toBeGreaterThan(20);
  expect(p.processes).toEqual(expect.arrayContaining(['Browser', 'Renderer']));
  expect(p.threads).toEqual(expect.arrayContaining(['CrBrowserMain', 'CrRendererMain']));
  expect(p.names).toEqual(expect.arrayContaining(['spanbeam-proto-measure', 'spanbeam-proto-measure-console', 'ThreadControllerImpl::RunTask']));
  // Nothing is reported as broken: only the slices cut by the start and end of the recording.
  const kinds = (load.detail.diagnostics as Array<{ kind: string }>).map((d) => d.kind);
  expect(kinds.every((k) => ['unmatched-end', 'unclosed-begin', 'unbound-flow'].includes(k))).toBe(true);

  // The same page recorded as JSON: a comparable trace.
  const json = await record(page, 'json', 'spanbeam-json-measure');
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'recording.json', mimeType: 'application/json', buffer: json });
  await waitForEvent(page, 'spanbeam-load', 2);
  const j = await summary(page);
  expect(j.format).toBe('chrome-json');
  expect(j.names).toContain('spanbeam-json-measure');
  // Two recordings of the same work (not the same session: Chromium writes one format per
  // session): the same processes and main threads, and no fewer slices in protobuf.
  expect(p.processes.filter((n) => n).sort()).toEqual(j.processes.filter((n) => n).sort());
  expect(p.slices).toBeGreaterThan(j.slices / 3);
  expect(p.slices).toBeLessThan(j.slices * 3);
});
