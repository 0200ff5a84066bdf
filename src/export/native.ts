/**
 * The browser's own fetch and sendBeacon, so the exporter's requests are never traced. The fetch
 * instrumentation marks its wrapper with `__spanbeam_original`; read lazily, as it may wrap later.
 */
type Fetch = typeof fetch;

export function nativeFetch(): Fetch | undefined {
  const f = (globalThis as { fetch?: Fetch & { __spanbeam_original?: unknown } }).fetch;
  if (typeof f !== 'function') return undefined;
  const o = f.__spanbeam_original;
  return typeof o === 'function' ? (o as Fetch) : f;
}

export function nativeBeacon(): ((url: string, data: BodyInit) => boolean) | undefined {
  const n = typeof navigator !== 'undefined' ? navigator : undefined;
  return n && typeof n.sendBeacon === 'function' ? n.sendBeacon.bind(n) : undefined;
}
