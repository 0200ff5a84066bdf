import { TracerProvider, getTracer, setTracerProvider } from '../../src/sdk/index';
import type { ReadableSpan } from '../../src/sdk/index';

const provider = new TracerProvider();
provider.configure({ serviceName: 'bench', session: false });
let retained: ReadableSpan[] | undefined;
provider.addSpanProcessor({
  onStart() {},
  onEnd(span) {
    if (retained) retained.push(span);
  },
  forceFlush: async () => {},
  shutdown: async () => {},
});
setTracerProvider(provider);
const tracer = getTracer('bench');

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
  retained = on ? [] : undefined;
}
