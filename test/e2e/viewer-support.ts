// Shared helpers for the viewer specs: build the bundle once, start the server, open the page.
import { expect, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startServer, type TestServer } from '../support/server';
import { buildViewer } from '../support/viewer-build';

export async function viewerServer(): Promise<TestServer> {
  await buildViewer();
  return startServer();
}

/** The viewer server, plus the viewer page at /strict/viewer.html under a strict CSP with Trusted Types required. */
export async function strictViewerServer(): Promise<TestServer> {
  const server = await viewerServer();
  server.page('/strict/viewer.html', readFileSync(resolve(import.meta.dirname, '../pages/viewer.html'), 'utf8'), {
    'content-security-policy': "default-src 'self'; require-trusted-types-for 'script'; trusted-types spanbeam-viewer lit-html",
  });
  return server;
}

/** Opens the viewer page (optionally with ?src=) and waits for the element to be ready. */
export async function openViewer(page: Page, server: TestServer, query = '', path = '/test/pages/viewer.html'): Promise<void> {
  await page.goto(`${server.origin}${path}${query}`);
  await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
}

export interface RecordedEvent {
  type: string;
  detail: Record<string, unknown>;
}

export async function waitForEvent(page: Page, type: string, count = 1): Promise<RecordedEvent> {
  const handle = await page.waitForFunction(
    ([t, n]) => {
      const evs = (window as unknown as { __events: RecordedEvent[] }).__events.filter((e) => e.type === t);
      return evs.length >= (n as number) ? evs[(n as number) - 1] : null;
    },
    [type, count] as const,
    { timeout: 20_000 },
  );
  return (await handle.jsonValue()) as RecordedEvent;
}

/** Viewer-relative point in the timeline at time tNs on the row of a slice (by name). */
export async function slicePoint(page: Page, name: string): Promise<{ x: number; y: number }> {
  return page.evaluate((n) => {
    const v = document.querySelector('spanbeam-viewer') as unknown as {
      model: { strings: string[]; slices: { count: number; name: Uint32Array; startNs: Float64Array; durNs: Float64Array } };
      slicePosition(slice: number): { x: number; y: number } | null;
      shadowRoot: ShadowRoot;
    };
    const m = v.model;
    const id = m.strings.indexOf(n);
    let s = -1;
    for (let i = 0; i < m.slices.count; i++) if (m.slices.name[i] === id) { s = i; break; }
    if (s < 0) throw new Error(`no slice ${n}`);
    const p = v.slicePosition(s);
    if (!p) throw new Error(`slice ${n} not visible`);
    const r = (v.shadowRoot.querySelector('.timeline') as HTMLElement).getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, name);
}

/**
 * Hovers the slice named `name` (`dx` px into it: the tooltip must name it), then selects it with a
 * click (the details' heading must be its name); returns the details panel.
 */
export async function hoverThenSelect(page: Page, name: string, dx: number): Promise<Locator> {
  const p = await slicePoint(page, name);
  await page.mouse.move(p.x + dx, p.y);
  await expect(page.locator('spanbeam-viewer .tooltip')).toContainText(name);
  await page.mouse.click(p.x + dx, p.y);
  const details = page.locator('spanbeam-viewer .details');
  await expect(details.locator('h2')).toHaveText(name);
  return details;
}

/** The canvas pixel near its bottom-right corner, where no slice is drawn: the background colour. */
export const canvasBackground = (page: Page) =>
  page.evaluate(() => {
    const c = document.querySelector('spanbeam-viewer')!.shadowRoot!.querySelector('canvas')!;
    const d = c.getContext('2d')!.getImageData(c.width - 20, c.height - 20, 1, 1).data;
    return [d[0], d[1], d[2]];
  });

/** Opens the viewer on one trace of a root with 300 children (more rows than the waterfall renders), in the waterfall view. */
export async function openWideTrace(page: Page, server: TestServer, height: number): Promise<void> {
  await page.setViewportSize({ width: 1200, height });
  await openViewer(page, server);
  const id = (i: number) => (i + 1).toString(16).padStart(16, '0');
  const t0 = 1.7e18;
  const span = (i: number) => ({
    traceId: 'ab'.repeat(16),
    spanId: id(i),
    ...(i ? { parentSpanId: id(0) } : {}),
    name: i ? `query #${i}` : 'GET /report',
    startTimeUnixNano: String(t0 + i * 1e6),
    endTimeUnixNano: String(t0 + (i ? i * 1e6 + 5e5 : 400e6)),
  });
  await page.evaluate(
    (t) => (document.querySelector('spanbeam-viewer') as unknown as { load(i: unknown): Promise<unknown> }).load(t),
    { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: Array.from({ length: 301 }, (_, i) => span(i)) }] }] },
  );
  await page.locator('spanbeam-viewer button.tab-waterfall').click();
}

/**
 * Serves /work.html: a page with a busy function `inner` called in a loop by `outer(ms)` (for
 * ms), named by the caller, so a CPU profile of `outer(…)` shows `inner` under `outer`.
 */
export function serveWorkPage(server: TestServer, inner: string, outer: string): void {
  server.page(
    '/work.html',
    `<!doctype html><title>work</title><script>
      function ${inner}(n) {
        let h = 0;
        for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + ((i * 2654435761) >>> 7)) | 0;
        return h;
      }
      function ${outer}(ms) {
        const end = performance.now() + ms;
        let acc = 0;
        while (performance.now() < end) acc ^= ${inner}(20000);
        return acc;
      }
    </script>`,
  );
}

/** Picks a file in the viewer's file picker; a neutral name by default, as formats are told from the content. */
export function pickFile(page: Page, buffer: Buffer, name = 'profile.bin'): Promise<void> {
  return page.locator('spanbeam-viewer input[type=file]').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

/** Picks a file and resolves with its `spanbeam-load` detail. */
export async function openFile(page: Page, buffer: Buffer, name?: string): Promise<Record<string, unknown>> {
  await pickFile(page, buffer, name);
  return (await waitForEvent(page, 'spanbeam-load')).detail;
}
