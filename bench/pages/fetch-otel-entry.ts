// OpenTelemetry web with its fetch instrumentation and a batch processor whose exporter discards.
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { registerInstrumentations } from '@opentelemetry/instrumentation';

export function install(): void {
  const exporter = { export: (_s: unknown, cb: (r: { code: number }) => void) => cb({ code: 0 }), shutdown: () => Promise.resolve() };
  const provider = new WebTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  registerInstrumentations({ instrumentations: [new FetchInstrumentation()] });
}
