// <spanbeam-viewer> inside React and Vue components: data passed as a property, spanbeam-load /
// spanbeam-select handled by the framework, and parent re-renders leave the element working.
import { expect, test } from '@playwright/test';
import { build } from 'vite';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestServer } from '../support/server';
import { slicePoint, viewerServer } from './viewer-support';

const ROOT = resolve(import.meta.dirname, '../..');

let server: TestServer;
test.beforeAll(async () => {
  server = await viewerServer();
});
test.afterAll(async () => server?.close());

/** Bundles one host app with its framework (the viewer module stays external, as served). */
async function bundleApp(name: 'react' | 'vue'): Promise<string> {
  const outDir = join(ROOT, `test/.build/frameworks-${process.pid}`);
  await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      lib: { entry: join(ROOT, `test/pages/frameworks/${name}-app.js`), formats: ['es'], fileName: () => `${name}.js` },
      rolldownOptions: { external: (id) => id.startsWith('/test/.build/viewer/') },
    },
  });
  const code = readFileSync(join(outDir, `${name}.js`), 'utf8');
  rmSync(outDir, { recursive: true, force: true });
  return code;
}

for (const name of ['react', 'vue'] as const) {
  test(`${name}: property input, framework event handlers, re-renders keep the element working`, async ({ page }) => {
    const code = await bundleApp(name);
    const script = `/fw/${name}.js`;
    server.route(script, (_req, res) => void res.writeHead(200, { 'content-type': 'text/javascript' }).end(code));
    server.page(
      `/fw/${name}.html`,
      `<!doctype html><meta charset="utf-8"><body style="margin:0"><div id="app"></div>
<script type="module">
import '${script}';
const trace = await (await fetch('/test/fixtures/viewer-ui/basic.json')).json();
window.app = window.mountApp(document.getElementById('app'), trace);
</script></body>`,
    );
    await page.setViewportSize({ width: 1100, height: 600 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.origin}/fw/${name}.html`);
    const status = page.locator('#status');
    await expect(status).toHaveText('tick 0 loads 1 selected ');
    const first = await page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as { model: { slices: { count: number } } | null; getAttribute(n: string): string | null };
      (window as unknown as { firstViewer: unknown }).firstViewer = v;
      return { slices: v.model?.slices.count, attr: v.getAttribute('data') };
    });
    // A property, not an attribute ("[object Object]").
    expect(first).toEqual({ slices: 9, attr: null });

    const p = await slicePoint(page, 'ParseHTML');
    await page.mouse.click(p.x, p.y);
    await expect(status).toHaveText('tick 0 loads 1 selected ParseHTML');

    // Parent re-renders: same element, no reload, selection and model kept, still interactive.
    for (let i = 0; i < 3; i++) await page.evaluate(() => (window as unknown as { app: { rerender(): void } }).app.rerender());
    await expect(status).toHaveText('tick 3 loads 1 selected ParseHTML');
    const after = await page.evaluate(() => {
      const v = document.querySelector('spanbeam-viewer') as unknown as { model: { slices: { count: number } } | null; selection: number };
      return { same: v === (window as unknown as { firstViewer: unknown }).firstViewer, slices: v.model?.slices.count, selected: v.selection >= 0 };
    });
    expect(after).toEqual({ same: true, slices: 9, selected: true });
    const q = await slicePoint(page, 'ReadFile');
    await page.mouse.click(q.x, q.y);
    await expect(status).toHaveText('tick 3 loads 1 selected ReadFile');
    expect(errors).toEqual([]);
  });
}
