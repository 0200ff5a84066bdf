// OTLP protobuf in the viewer, opened through the file picker (Worker import): the body an
// OpenTelemetry JS exporter sends as application/x-protobuf (its own serializer, over spans of its
// SDK), and the Collector file exporter's `format: proto` file (length-prefixed), gzipped.
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect, test } from '@playwright/test';
import type { TestServer } from '../support/server';
import { hoverThenSelect, openFile, openViewer, slicePoint, strictViewerServer } from './viewer-support';

let server: TestServer;
test.beforeAll(async () => {
  server = await strictViewerServer();
});
test.afterAll(async () => server?.close());

function spans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const tracer = (service: string) =>
    new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(`${service}-lib`);
  const web = tracer('checkout-web');
  const api = tracer('orders-api');
  const t0 = 1_700_000_000_000;
  const root = web.startSpan('POST /checkout', { kind: SpanKind.SERVER, startTime: t0, attributes: { 'http.request.method': 'POST', 'cart.items': 3 } });
  const ctx = trace.setSpan(context.active(), root);
  const call = web.startSpan('GET /orders', { kind: SpanKind.CLIENT, startTime: t0 + 20 }, ctx);
  const handle = api.startSpan('load orders', { kind: SpanKind.SERVER, startTime: t0 + 25 }, trace.setSpan(context.active(), call));
  handle.setStatus({ code: SpanStatusCode.ERROR, message: 'db timeout' });
  handle.end(t0 + 180);
  call.end(t0 + 190);
  root.end(t0 + 200);
  return exporter.getFinishedSpans();
}


test('an OTLP/HTTP protobuf body (.pb) opens with its spans, nested across services, as its JSON does', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 700 });
  const list = spans();
  await openViewer(page, server);
  // The picker's dialog offers binary traces (macOS greys out files `accept` does not name).
  const accept = (await page.locator('spanbeam-viewer input[type=file]').getAttribute('accept'))!.split(',');
  expect(accept).toEqual(expect.arrayContaining(['.pb', '.binpb', '.pftrace', '.perfetto-trace', '.gz']));
  const fromJson = await openFile(page, Buffer.from(JsonTraceSerializer.serializeRequest(list)!), 'traces.json');
  expect(fromJson.format).toBe('otlp-json');
  await openViewer(page, server);
  const load = await openFile(page, Buffer.from(ProtobufTraceSerializer.serializeRequest(list)!), 'traces.pb');
  expect(load).toMatchObject({ format: 'otlp-proto', slices: 3, groups: 2, flows: 1, diagnostics: [] });
  expect({ ...load, format: '' }).toEqual({ ...fromJson, format: '' });
  await expect(page.locator('spanbeam-viewer .load-error')).toHaveCount(0);
  await expect(page.locator('spanbeam-viewer .status .format')).toHaveText('otlp-proto');
  // Drawn: hovering names the span; selecting it shows its service, status and attributes.
  const details = await hoverThenSelect(page, 'load orders', 10);
  await expect(details).toContainText('orders-api');
  await expect(details).toContainText('db timeout');
  const r = await slicePoint(page, 'POST /checkout');
  await page.mouse.click(r.x + 10, r.y);
  await expect(details).toContainText('cart.items');
});

test('a gzipped Collector file exporter file (format: proto, length-prefixed) opens, a cut last message warns', async ({ page }) => {
  const list = spans();
  const frame = (b: Uint8Array): Buffer => {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(b.length);
    return Buffer.concat([n, Buffer.from(b)]);
  };
  // One message per export batch: the root in the last one.
  const file = Buffer.concat(list.map((s) => frame(ProtobufTraceSerializer.serializeRequest([s])!)));
  await openViewer(page, server);
  const load = await openFile(page, gzipSync(file), 'traces.binpb.gz');
  expect(load).toMatchObject({ format: 'otlp-proto', slices: 3, groups: 2, diagnostics: [] });
  await expect(page.locator('spanbeam-viewer .status .format')).toHaveText('otlp-proto');
  await slicePoint(page, 'GET /orders');
  // The last message cut short: the two spans before it are kept, and the viewer says so.
  await openViewer(page, server);
  const cut = await openFile(page, file.subarray(0, file.length - 10), 'traces.pb');
  expect(cut).toMatchObject({ format: 'otlp-proto', slices: 2 });
  await expect(page.locator('spanbeam-viewer details.diagnostics')).toContainText('cut short');
});
