import type { Exporter, ExporterOptions, WireFormat } from './exporter';
import { createExporter } from './exporter';
import { encodeOtlpSpan, otlpBody } from './otlp-json';
import { encodeZipkinSpan, zipkinBody } from './zipkin';

const OTLP: WireFormat = { name: 'otlp', encode: (s) => JSON.stringify(encodeOtlpSpan(s)), body: otlpBody };
const ZIPKIN: WireFormat = { name: 'zipkin', encode: (s) => JSON.stringify(encodeZipkinSpan(s)), body: zipkinBody };

export type OtlpExporterOptions = ExporterOptions;
export type OtlpExporter = Exporter;
export type ZipkinExporterOptions = ExporterOptions;

/**
 * Exports spans as OTLP/HTTP JSON to `endpoint` (a Collector, Jaeger or Tempo `…/v1/traces`),
 * through the outbox: batched, persisted, retried, flushed on page hide. Add it with
 * `getTracerProvider().addSpanProcessor(exporter)`.
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  return createExporter(OTLP, options);
}

/** The same outbox and transport, posting Zipkin v2 JSON to `endpoint` (`…/api/v2/spans`). */
export function createZipkinExporter(options: ZipkinExporterOptions): Exporter {
  return createExporter(ZIPKIN, options);
}
