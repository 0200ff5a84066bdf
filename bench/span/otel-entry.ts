import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';

// Discards what it is given; with a huge queue and delay, ended spans stay queued (unexported).
const discard: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => {},
};
let processor = new BatchSpanProcessor(discard);
let provider = make();

function make() {
  return new WebTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench' }), spanProcessors: [processor] });
}

let tracer = provider.getTracer('bench');

export function run(n: number): void {
  for (let i = 0; i < n; i++) {
    const s = tracer.startSpan('GET /api/items');
    s.setAttribute('http.request.method', 'GET');
    s.setAttribute('http.response.status_code', 200);
    s.setAttribute('url.full', 'https://example.com/api/items?page=2');
    s.setAttribute('cache.hit', true);
    s.setAttribute('duration.ratio', 0.75);
    s.end();
  }
}

export function retain(on: boolean): void {
  processor = on
    ? new BatchSpanProcessor(discard, { maxQueueSize: 1e7, maxExportBatchSize: 1e7, scheduledDelayMillis: 1e9 })
    : new BatchSpanProcessor(discard);
  provider = make();
  tracer = provider.getTracer('bench');
}
