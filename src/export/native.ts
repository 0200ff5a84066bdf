import { unwrapped } from '../sdk/instrument/wrap';

/**
 * The browser's own fetch, so the exporter's requests are never traced. The fetch instrumentation
 * marks its wrapper with `__spanbeam_original`; read lazily, as it may wrap later.
 */
type Fetch = typeof fetch;

export function nativeFetch(): Fetch | undefined {
  const f = unwrapped((globalThis as { fetch?: Fetch }).fetch);
  return typeof f === 'function' ? f : undefined;
}
