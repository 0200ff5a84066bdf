import type { ExportResult } from '../sdk/processor';
import { later } from '../sdk/instrument/wrap';
import { nativeFetch } from './native';

/** Statuses worth retrying (per the OTLP/HTTP spec); every other non-2xx status is final. */
const RETRYABLE = [429, 502, 503, 504];

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = /[a-z]/i.test(v) ? Date.parse(v) : NaN;
  return t === t ? Math.max(0, t - nowMs) : undefined;
}

/** Exponential backoff with jitter: attempt 1 → about `initialMs`, doubling, capped at `maxMs`; × [0.5, 1). */
export function backoffMs(attempt: number, initialMs = 1000, maxMs = 60_000, random = Math.random): number {
  // The exponent is capped: 0 · 2^1024 would be 0 · ∞ = NaN.
  const d = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1))) * (0.5 + random() / 2);
  return d > 0 ? d : 0;
}

/** Maps a collector response to an export result; `{"partialSuccess":{}}` is full success. */
export function classifyResponse(status: number, retryAfter: string | null, body: string, nowMs = Date.now()): ExportResult {
  if (status >= 200 && status < 300) {
    let rejected = 0;
    try {
      const p = (JSON.parse(body) as { partialSuccess?: { rejectedSpans?: string | number } }).partialSuccess;
      rejected = Math.max(0, Math.floor(Number(p?.rejectedSpans ?? 0)) || 0); // never negative
    } catch {
      /* empty or non-JSON body (Zipkin answers 202 with none) */
    }
    return rejected ? { code: 'success', rejected } : { code: 'success' };
  }
  const error = `http_${status}`;
  return RETRYABLE.includes(status) ? { code: 'retryable', retryAfterMs: parseRetryAfter(retryAfter, nowMs), error } : { code: 'failure', error };
}

/** One POST with the native fetch; network errors and timeouts are retryable, nothing throws. */
export async function post(
  url: string,
  body: BodyInit,
  headers: Record<string, string>,
  keepalive: boolean,
  timeoutMs: number,
): Promise<ExportResult> {
  const f = nativeFetch();
  if (!f) return { code: 'failure', error: 'no_fetch' };
  const ac = new AbortController();
  // Native timer: no Zone task that would keep an app zone unstable for the whole send.
  const timer = later(() => ac.abort(), timeoutMs);
  try {
    const res = await f.call(globalThis, url, { method: 'POST', body, headers, keepalive, signal: ac.signal });
    const text = await res.text().catch(() => '');
    return classifyResponse(res.status, res.headers.get('retry-after'), text);
  } catch (err) {
    return { code: 'retryable', error: `network: ${String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Gzips a body with CompressionStream (rejects where the browser lacks it: the caller sends it as is). */
export async function gzip(body: string): Promise<Blob> {
  return new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).blob();
}
