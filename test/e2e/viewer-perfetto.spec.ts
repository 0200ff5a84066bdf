import { deflateSync } from 'node:zlib';
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
  // session): the same processes. Their slice counts are not compared: what else the browser
  // did meanwhile differs from one recording to the next (155 against 1100 on a loaded run).
  expect(p.processes.filter((n) => n).sort()).toEqual(j.processes.filter((n) => n).sort());
});

/** Varint at b[p]: [value, next offset]. */
function varintAt(b: Buffer, p: number): [number, number] {
  let v = 0;
  for (let mul = 1; ; mul *= 128) {
    const c = b[p++];
    v += (c & 0x7f) * mul;
    if (c < 0x80) return [v, p];
  }
}
const varintBytes = (v: number): Buffer => {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
  out.push(v);
  return Buffer.from(out);
};

/**
 * The trace as Perfetto writes it with `compression_type: COMPRESSION_TYPE_DEFLATE`: runs of
 * packets, each run zlib-deflated into one packet's `compressed_packets` (field 50).
 */
function compressPackets(trace: Buffer, perBatch: number): Buffer {
  const framed: Buffer[] = [];
  for (let p = 0; p < trace.length; ) {
    const [, afterTag] = varintAt(trace, p);
    const [len, body] = varintAt(trace, afterTag);
    framed.push(trace.subarray(p, body + len));
    p = body + len;
  }
  const out: Buffer[] = [];
  for (let i = 0; i < framed.length; i += perBatch) {
    const z = deflateSync(Buffer.concat(framed.slice(i, i + perBatch)));
    const inner = Buffer.concat([varintBytes(50 * 8 + 2), varintBytes(z.length), z]);
    out.push(Buffer.from([0x0a]), varintBytes(inner.length), inner);
  }
  return Buffer.concat(out);
}

test('a compressed Perfetto trace (compressed_packets) opens with the same slices as the uncompressed one', async ({ page }) => {
  await openViewer(page, server);
  const proto = await record(page, 'proto', 'spanbeam-compressed');
  const input = page.locator('spanbeam-viewer input[type=file]');
  await input.setInputFiles({ name: 'plain.pftrace', mimeType: 'application/octet-stream', buffer: proto });
  await waitForEvent(page, 'spanbeam-load');
  const plain = await summary(page);
  const zipped = compressPackets(proto, 64);
  expect(zipped.length).toBeLessThan(proto.length / 2);
  await input.setInputFiles({ name: 'zipped.pftrace', mimeType: 'application/octet-stream', buffer: zipped });
  const load = await waitForEvent(page, 'spanbeam-load', 2);
  expect(load.detail.format).toBe('perfetto-proto');
  const z = await summary(page);
  expect(z.slices).toBe(plain.slices);
  expect(z.names.sort()).toEqual(plain.names.sort());
  expect(z.processes).toEqual(plain.processes);
  expect((load.detail.diagnostics as Array<{ kind: string }>).map((d) => d.kind).filter((k) => k === 'skipped-section' || k === 'invalid-event')).toEqual([]);
});
