/**
 * Export: OTLP/HTTP JSON and Zipkin exporters with a persistent outbox, their encoders, tail and
 * rate-limiting sampling, and Chrome Trace Event export.
 *
 * Delivery. Ended spans are sealed into batches (count, bytes, delay), written to an IndexedDB
 * outbox shared by the origin's tabs (localStorage, then memory, when IndexedDB is missing, blocked
 * or full, or not open yet when the page hides) and sent oldest first by one tab at a time (Web
 * Locks), with `fetch` (`keepalive` up to 60 KiB). Network
 * errors and 429/502/503/504 are retried with exponential backoff and jitter, or after
 * `Retry-After`; other non-2xx answers are final (dropped, counted in `stats().dropped`). When the
 * page hides (`visibilitychange` → hidden, `pagehide`) what is pending goes out with `sendBeacon`
 * and a JSON Blob (untyped to another host's Zipkin, whose server reads any type as JSON but, cross-origin, refuses the
 * credentialed preflight a JSON Blob needs; keepalive `fetch` when `headers` are set, since beacons carry no headers)
 * within the browser's 64 KiB budget; the rest is written to the outbox for the next page. Offline,
 * or while the collector fails, nothing is handed over (a page-local `memory` outbox tries keepalive
 * `fetch` then, whose refusal a page that lives on sees).
 *
 * On the wire, each batch's resources carry `spanbeam.batch.id` (the same on every retry, so a
 * resend is recognisable); the first resource of the batch after a drop carries
 * `spanbeam.export.dropped_spans` (spans dropped since the previous batch). Zipkin: tags of the
 * batch's first span.
 *
 * Cross-origin collectors. The Collector's OTLP HTTP receiver needs
 * `cors: { allowed_origins: ["https://your.site"] }` — exact origins, not `"*"`: beacons are
 * credentialed requests, and the Collector answers with the origin and
 * `Access-Control-Allow-Credentials: true`. If you set `allowed_headers`, it replaces the default
 * list, so include `content-type` (and `content-encoding` with `compression: 'gzip'`, and any
 * `headers` you add). Browsers hide `Retry-After` cross-origin unless it is exposed; the backoff
 * applies then.
 *
 * Sampling, which to choose. Head ratio sampling (`traceIdRatioSampler`, core) is cheapest: the
 * decision is made at the start and shared with backends through `traceparent`, but it drops
 * errors and slow traces as readily as the rest. Tail sampling (`tailSampling: tailSampler({…})` option
 * or `tailSamplingProcessor`) records everything and decides when the local root span ends, keeping
 * every trace with an error or a slow span plus a ratio of the rest: choose it when rare failures
 * matter more than CPU and memory in the page (backends downstream still see `sampled` traces).
 * `rateLimitingSampler(n)` caps new traces per minute per page: choose it to bound cost per
 * user when traffic per page varies wildly (e.g. SPAs left open for hours).
 */
export type { Exporter, ExporterOptions, ExportErrorInfo, ExportStats } from './exporter';
export type { OtlpExporter, OtlpExporterOptions, ZipkinExporterOptions } from './otlp';
export { createOtlpExporter, createZipkinExporter } from './otlp';
export type { OtlpAnyValue, OtlpKeyValue, OtlpSpan, OtlpTraceRequest } from './otlp-json';
export { encodeOtlpJson, encodeOtlpJsonString } from './otlp-json';
export { encodeZipkinJsonString } from './zipkin';
export type { TailSampler, TailSampling, TailSamplingOptions } from './sampling';
export { rateLimitingSampler, tailSampler, tailSamplingProcessor } from './sampling';
export type { ChromeTrace, ChromeTraceEvent } from './chrome-trace';
export { downloadChromeTrace, toChromeTrace } from './chrome-trace';
export { getRecentSpans } from './recent';
