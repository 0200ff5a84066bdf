// Android systrace: its HTML report (catapult's head, a JSON block and an ftrace text block) and
// gzipped ftrace text, opened through the viewer's file picker under neutral names; and ftrace
// text with no readable line, which fails with the line it stopped at.
import { gzipSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { openViewer, slicePoint, viewerServer, waitForEvent } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

const FTRACE = `# tracer: nop
#
#           TASK-PID    TGID   CPU#  ||||    TIMESTAMP  FUNCTION
#              | |        |      |   ||||       |         |
          <idle>-0     (-----) [001] d..2  500.000000: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=RenderThread next_pid=1234 next_prio=110
    RenderThread-1234  ( 1200) [001] ...1  500.000100: tracing_mark_write: B|1200|DrawFrame
    RenderThread-1234  ( 1200) [001] ...1  500.002000: tracing_mark_write: B|1200|syncFrameState
    RenderThread-1234  ( 1200) [001] ...1  500.004000: tracing_mark_write: E|1200
 com.example-1200  ( 1200) [000] ...1  500.005000: tracing_mark_write: C|1200|frames|1
    RenderThread-1234  ( 1200) [001] ...1  500.008000: tracing_mark_write: E|1200
    RenderThread-1234  ( 1200) [001] d..2  500.009000: sched_switch: prev_comm=RenderThread prev_pid=1234 prev_prio=110 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
 com.example-1200  ( 1200) [000] ...1  500.010000: tracing_mark_write: C|1200|frames|0
`;

const HTML = `<!DOCTYPE HTML>
<html>
<head i18n-values="dir:textdirection;">
<meta charset="utf-8"/>
<title>Android System Trace</title>
</head>
<body>
  <script class="trace-data" type="application/text">
{"traceEvents": []}
  </script>
  <script class="trace-data" type="application/text">
${FTRACE}  </script>
</body>
</html>
`;

test('a systrace HTML report opens: CPU tracks, the app process with its thread slices nested and its counter', async ({ page }) => {
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'recording.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(HTML) });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'systrace', groups: 2, tracks: 3, slices: 3, counters: 1 });
  expect(JSON.stringify(load.detail.diagnostics)).toContain('a JSON trace-data block');
  const tree = page.locator('spanbeam-viewer').getByRole('tree', { name: 'Tracks' });
  await expect(tree.getByRole('treeitem', { name: /^CPUs: group of 1 track/ })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: /^com\.example 1200: group of 2 tracks/ })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'Pin track RenderThread 1234' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'Pin track CPU 1' })).toBeVisible();
  // The nested slice, drawn and selectable, with its duration.
  const p = await slicePoint(page, 'syncFrameState');
  await page.mouse.click(p.x + 2, p.y + 2);
  const sel = await waitForEvent(page, 'spanbeam-select');
  expect(JSON.stringify(sel.detail)).toContain('syncFrameState');
  const d = await page.evaluate(() => {
    const m = (document.querySelector('spanbeam-viewer') as unknown as { model: { strings: string[]; slices: { count: number; name: Uint32Array; durNs: Float64Array; depth: Uint16Array } } }).model;
    const i = Array.from({ length: m.slices.count }, (_, k) => k).find((k) => m.strings[m.slices.name[k]] === 'syncFrameState')!;
    return { dur: m.slices.durNs[i], depth: m.slices.depth[i] };
  });
  expect(d).toEqual({ dur: 2_000_000, depth: 1 });
});

test('gzipped ftrace text opens as the same trace', async ({ page }) => {
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'trace.gz', mimeType: 'application/gzip', buffer: gzipSync(FTRACE) });
  const load = await waitForEvent(page, 'spanbeam-load');
  expect(load.detail).toMatchObject({ format: 'systrace', groups: 2, tracks: 3, slices: 3, counters: 1, diagnostics: [] });
  await slicePoint(page, 'DrawFrame');
});

test('ftrace text with no readable event line fails with the line number', async ({ page }) => {
  await openViewer(page, server);
  await page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name: 'trace.txt', mimeType: 'text/plain', buffer: Buffer.from('# tracer: nop\n#\n  RenderThread-1234 ( 1200) [001] ...1 cut here\n') });
  const err = await waitForEvent(page, 'spanbeam-error');
  expect(err.detail.info).toMatchObject({ format: 'systrace', line: 3 });
  await expect(page.locator('spanbeam-viewer .load-error')).toContainText('line 3');
});
