// pprof profiles in the viewer: real ones written by @datadog/pprof (test/fixtures/pprof, see its
// README), and a V8 CPU profile recorded from a page through CDP, written as
// profile.proto by a test-side encoder. Opened through the file picker (Worker import, gzipped).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import type { TestServer } from '../support/server';
import { hoverThenSelect, openFile, openViewer, serveWorkPage, slicePoint, viewerServer } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
  serveWorkPage(server, 'sbPprofInner', 'sbPprofOuter');
});
test.afterAll(async () => server?.close());

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/pprof/${name}`, import.meta.url));


/** Names of the slices from `name` up to the root. */
const chainOf = (page: Page, name: string): Promise<string[]> =>
  page.evaluate((n) => {
    const m = (document.querySelector('spanbeam-viewer') as unknown as { model: { strings: string[]; slices: { count: number; name: Uint32Array; parent: Int32Array } } }).model;
    const at = [...Array(m.slices.count).keys()].find((i) => m.strings[m.slices.name[i]] === n);
    const out: string[] = [];
    for (let i = at ?? -1; i >= 0; i = m.slices.parent[i]) out.push(m.strings[m.slices.name[i]]);
    return out;
  }, name);

test('a real pprof wall-time profile (@datadog/pprof, gzipped) opens as a flame graph with the named function', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  await openViewer(page, server);
  const load = await openFile(page, fixture('datadog-wall.pb.gz'));
  expect(load).toMatchObject({ format: 'pprof', groups: 1, tracks: 1 });
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .status .format')).toHaveText('pprof');
  // wall nanoseconds: the x axis is (total) time, so no "not time" label.
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveCount(0);
  expect((await chainOf(page, 'spanbeamPprofBusyWork')).slice(0, 2)).toEqual(['spanbeamPprofBusyWork', 'spanbeamPprofOuter']);
  // Drawn: hovering it names it; selecting it shows its file and line.
  const details = await hoverThenSelect(page, 'spanbeamPprofBusyWork', 20);
  await expect(details).toContainText('gen.js');
});

test('a real pprof heap profile says its x axis is bytes, not time', async ({ page }) => {
  await openViewer(page, server);
  const load = await openFile(page, fixture('datadog-heap.pb.gz'));
  expect(load.format).toBe('pprof');
  await expect(page.locator('spanbeam-viewer .status .axis')).toHaveText('x axis: bytes, not time (1 ns = 1 byte)');
  expect(await chainOf(page, 'spanbeamPprofAllocate')).toContain('spanbeamPprofAllocate');
});

// ---- profile.proto writer (test side; field numbers from google/pprof proto/profile.proto) ----
const varint = (x: number): number[] => {
  const out: number[] = [];
  do {
    const b = x % 128;
    x = Math.floor(x / 128);
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
};
const vf = (f: number, x: number): number[] => [...varint(f * 8), ...varint(x)];
const lf = (f: number, bytes: number[]): number[] => [...varint(f * 8 + 2), ...varint(bytes.length), ...bytes];

interface CpuNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** A V8 CPU profile as pprof: one location and function per node, samples aggregated by leaf node, cpu in ns. */
function toPprof(profile: { nodes: CpuNode[]; samples?: number[]; timeDeltas?: number[] }): Buffer {
  const strings = [''];
  const sid = (s: string): number => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of (n as { children?: number[] }).children ?? []) parent.set(c, n.id);
  const ns = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample lasts until the next one.
  for (let i = 0; i < samples.length; i++) ns.set(samples[i], (ns.get(samples[i]) ?? 0) + Math.max(0, deltas[i + 1] ?? 0) * 1000);
  const out: number[] = [...lf(1, [...vf(1, sid('samples')), ...vf(2, sid('count'))]), ...lf(1, [...vf(1, sid('cpu')), ...vf(2, sid('nanoseconds'))])];
  for (const [leaf, t] of ns) {
    const stack: number[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) stack.push(...varint(id));
    out.push(...lf(2, [...lf(1, stack), ...lf(2, [...varint(1), ...varint(Math.round(t))])]));
  }
  for (const n of profile.nodes) {
    out.push(...lf(4, [...vf(1, n.id), ...lf(4, [...vf(1, n.id), ...vf(2, n.callFrame.lineNumber + 1)])]));
    out.push(...lf(5, [...vf(1, n.id), ...vf(2, sid(n.callFrame.functionName || '(anonymous)')), ...vf(4, sid(n.callFrame.url))]));
  }
  for (const s of strings) out.push(...lf(6, [...new TextEncoder().encode(s)]));
  return gzipSync(Uint8Array.from(out));
}

test("a page's V8 CPU profile written as pprof shows the page's functions, caller over callee", async ({ page }) => {
  await page.goto(`${server.origin}/work.html`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.evaluate(() => (window as unknown as { sbPprofOuter(ms: number): number }).sbPprofOuter(300));
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  await openViewer(page, server);
  const load = await openFile(page, toPprof(profile as unknown as Parameters<typeof toPprof>[0]));
  expect(load.format).toBe('pprof');
  expect((await chainOf(page, 'sbPprofInner')).slice(0, 2)).toEqual(['sbPprofInner', 'sbPprofOuter']);
  const p = await slicePoint(page, 'sbPprofOuter');
  await page.mouse.click(p.x + 5, p.y);
  await expect(page.locator('spanbeam-viewer .details h2')).toHaveText('sbPprofOuter');
  await expect(page.locator('spanbeam-viewer .details')).toContainText('work.html');
});
