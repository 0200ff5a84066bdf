// A new global provider for each test: spans go to an in-memory exporter, counters start at zero.
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, resetSelfCounters, setTracerProvider } from '../../../src/sdk/index';

export function freshProvider(): { provider: TracerProvider; exporter: InMemorySpanExporter } {
  const provider = new TracerProvider();
  provider.configure({ serviceName: 'unit', session: false });
  const exporter = new InMemorySpanExporter();
  provider.addSpanProcessor(new SimpleSpanProcessor(exporter));
  setTracerProvider(provider);
  resetSelfCounters();
  return { provider, exporter };
}
