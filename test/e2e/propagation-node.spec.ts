// A browser page sends a request with its traceparent; a plain node:http server extracts it with
// spanbeam/propagation and continues the trace with a server span of the same SDK.
import { expect, test } from '@playwright/test';
import { startServer, type TestServer } from '../support/server';
import { extractContext, injectContext } from '../../src/propagation/index';
import { InMemorySpanExporter, SimpleSpanProcessor, SpanKind, getTracer, getTracerProvider } from '../../src/sdk/index';

let server: TestServer;
const exporter = new InMemorySpanExporter();

test.beforeAll(async () => {
  getTracerProvider().configure({ serviceName: 'node-backend', session: false });
  getTracerProvider().addSpanProcessor(new SimpleSpanProcessor(exporter));
  server = await startServer();
  server.route('/api/continue', (req, res) => {
    const parent = extractContext(req.headers);
    const span = getTracer('backend').startSpan('GET /api/continue', { kind: SpanKind.SERVER, parent: parent ?? null });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    injectContext(span.spanContext(), headers);
    span.end();
    res.writeHead(200, headers).end(JSON.stringify({ extracted: parent ?? null, span: span.spanContext() }));
  });
});
test.afterAll(async () => server.close());

test('a node:http server continues the trace a browser page started', async ({ page }) => {
  await page.goto(`${server.origin}/test/pages/propagation.html`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  const r = await page.evaluate(() => (window as unknown as { callBackend: () => Promise<any> }).callBackend());

  const received = server.requests.find((q) => q.path === '/api/continue')!;
  expect(received.headers.traceparent).toBe(`00-${r.sent.traceId}-${r.sent.spanId}-03`);

  expect(r.server.extracted).toEqual({
    traceId: r.sent.traceId,
    spanId: r.sent.spanId,
    traceFlags: 3,
    isRemote: true,
  });
  expect(r.server.span.traceId).toBe(r.sent.traceId);
  expect(r.server.span.spanId).not.toBe(r.sent.spanId);
  expect(r.serverTraceparent).toBe(`00-${r.sent.traceId}-${r.server.span.spanId}-03`);

  const [serverSpan] = exporter.getFinishedSpans();
  expect(serverSpan.kind).toBe(SpanKind.SERVER);
  expect(serverSpan.parentSpanId).toBe(r.sent.spanId);
  expect(serverSpan.parentIsRemote).toBe(true);
  expect(serverSpan.resource.attributes['service.name']).toBe('node-backend');
});
