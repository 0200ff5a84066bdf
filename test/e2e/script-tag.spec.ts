// The README's script tag on pages as they are: a page with its own `Spanbeam` binding, a srcdoc
// iframe, a page whose removeEventListener cannot be replaced. The page keeps working and is traced.
import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, received, waitForSpans } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const TAG = '<script src="/sb.js" data-endpoint="/v1/traces" data-service-name="tag"></script>';
const fetched = (q: string) => received(server).filter((s) => s.kind === 3 && String(s.attributes['url.full']).endsWith(q));

// `var Spanbeam` made a global no `let`/`const`/`class` may declare again: whichever script came
// second was a SyntaxError and did not run at all.
for (const [name, html] of [
  ['before the tag', `<script>const Spanbeam = 'app';</script>${TAG}<script>window.app = Spanbeam;</script>`],
  ['after the tag', `${TAG}<script>class Spanbeam {} window.app = typeof Spanbeam;</script>`],
]) {
  test(`a page declaring its own Spanbeam ${name}: its scripts and the SDK both run`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    server.page('/own.html', `<!doctype html>${html}`);
    await page.goto(`${server.origin}/own.html`);
    const app = await page.evaluate(async () => {
      const w = window as unknown as { app: unknown; handle: unknown; Spanbeam: { start(): unknown } };
      w.handle = w.Spanbeam.start();
      await (await fetch('/api/data?own')).text();
      return w.app;
    });
    expect(errors).toEqual([]);
    expect(app).toBe(name === 'before the tag' ? 'app' : 'function');
    await waitForSpans(page, server, () => fetched('?own').length === 1);
  });
}

// In a srcdoc iframe location is about:srcdoc, while fetch resolves a relative URL against the
// document's base URL (the parent's): the endpoint was taken for a bad one and nothing was sent.
test('in a srcdoc iframe, a relative data-endpoint receives the spans', async ({ page }) => {
  const inner = `${TAG}<script>window.handle = Spanbeam.start(); fetch('/api/data?srcdoc');<\/script>`;
  server.page(
    '/srcdoc.html',
    `<!doctype html><iframe></iframe><script>
      const f = document.querySelector('iframe');
      f.srcdoc = ${JSON.stringify(inner).replace(/<\//g, '<\\/')};
      window.handle = { flush: async () => f.contentWindow.handle?.flush() };
    </script>`,
  );
  await page.goto(`${server.origin}/srcdoc.html`);
  expect(await page.frames()[1].evaluate(() => location.href)).toBe('about:srcdoc');
  await waitForSpans(page, server, () => fetched('?srcdoc').length === 1);
});

// The interactions patch both; with only addEventListener replaced, listeners were added wrapped
// and the native removeEventListener no longer found them.
test('a page whose removeEventListener cannot be replaced still removes its listeners', async ({ page }) => {
  server.page(
    '/readonly.html',
    `<!doctype html><button>b</button><script>
      const P = EventTarget.prototype;
      Object.defineProperty(P, 'removeEventListener', { value: P.removeEventListener, writable: false, configurable: true });
    </script>${TAG}`,
  );
  await page.goto(`${server.origin}/readonly.html`);
  const out = await page.evaluate(async () => {
    let n = 0;
    const b = document.querySelector('button')!;
    const l = () => n++;
    b.addEventListener('click', l);
    b.click();
    b.removeEventListener('click', l);
    b.click();
    const w = window as unknown as { Spanbeam: { start(): { shutdown(): Promise<void> } } };
    await w.Spanbeam.start().shutdown();
    return { clicks: n, leftPatched: '__spanbeam_original' in EventTarget.prototype.addEventListener };
  });
  expect(out).toEqual({ clicks: 1, leftPatched: false });
});
