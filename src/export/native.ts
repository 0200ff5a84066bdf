/**
 * The browser's own fetch, so the exporter's requests are never traced. The fetch instrumentation
 * marks its wrapper with `__spanbeam_original`; read lazily, as it may wrap later.
 */
type Fetch = typeof fetch;

export function nativeFetch(): Fetch | undefined {
  const f = (globalThis as { fetch?: Fetch & { __spanbeam_original?: unknown } }).fetch;
  if (typeof f !== 'function') return undefined;
  const o = f.__spanbeam_original;
  return typeof o === 'function' ? (o as Fetch) : f;
}
