// The script-tag SDK on a page with a strict CSP (nonces, 'strict-dynamic', no eval, connect-src
// 'self') and Trusted Types enforced with no policy allowed: every instrumentation runs, spans
// arrive, and the page sees no CSP violation and no error.
import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, waitForSpans, byName, one } from './instrument-support';

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

const CSP = [
  "default-src 'none'",
  "script-src 'nonce-n0nce' 'strict-dynamic'",
  "connect-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const page = (bundle: string) => `<!doctype html>
<script nonce="n0nce">
  window.violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
</script>
<script nonce="n0nce" src="${bundle}"></script>
<script nonce="n0nce">
  window.handle = Spanbeam.start({ serviceName: 'csp', endpoint: '/v1/traces', exporter: { maxDelayMs: 20 } });
  addEventListener('load', () => {
    document.getElementById('go').addEventListener('click', () => {
      setTimeout(() => fetch('/api/data').then((r) => r.json()).then(() => history.pushState({}, '', '/csp/next')), 0);
    });
  });
</script>
<button id="go" data-trace-name="go">go</button>`;

for (const bundle of ['/sb.js', '/sb-zone.js']) {
  test(`${bundle}: traces a click → fetch → navigation under a strict CSP and Trusted Types`, async ({ page: p }) => {
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    server.page('/csp.html', page(bundle), { 'content-security-policy': CSP });
    await p.goto(`${server.origin}/csp.html`);
    await p.waitForFunction(() => 'handle' in window);
    await p.click('#go');
    const spans = await waitForSpans(p, server, (s) => byName(s, 'GET').length === 1 && s.some((x) => x.name === 'navigation') && byName(s, 'documentLoad').length === 1);
    const click = one(spans, (s) => s.name === 'click go');
    const get = one(spans, (s) => s.name === 'GET');
    expect(get.parentSpanId).toBe(click.spanId);
    expect(get.attributes['http.response.status_code']).toBe(200);
    expect(server.requests.find((r) => r.path === '/api/data')?.headers.traceparent).toContain(get.spanId);
    expect(await p.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(errors).toEqual([]);
    // The policy is really enforced: a string into a script sink throws and is reported.
    expect(await p.evaluate(() => { try { document.createElement('script').text = '1'; return 'allowed'; } catch (e) { return (e as Error).name; } })).toBe('TypeError');
    await expect.poll(() => p.evaluate(() => (window as unknown as { violations: string[] }).violations.length)).toBe(1);
  });
}
