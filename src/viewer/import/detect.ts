/**
 * Format detection from content (never from a file name): the first bytes of the input.
 */
import type { SourceFormat } from '../model/trace-model';

export type Detected = SourceFormat | 'gzip' | 'unknown';

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Sniffs the format from the first bytes (a few KB is plenty). Chrome traces are the default
 * for JSON that shows no span-format markers: the Chrome importer then reports precise errors.
 */
export function detectFormat(head: Uint8Array): Detected {
  if (isGzip(head)) return 'gzip';
  const text = new TextDecoder().decode(head.subarray(0, 65536));
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  const first = text[i];
  if (first !== '[' && first !== '{') return 'unknown';
  const has = (key: string): boolean => text.includes(`"${key}"`);
  if (has('traceEvents')) return 'chrome-json';
  if (has('resourceSpans')) return 'otlp-json';
  if (first === '{' && has('data') && (has('traceID') || has('spans'))) return 'jaeger-json';
  if (has('ph') && (has('ts') || has('name'))) return 'chrome-json';
  if (first === '[' && has('traceId') && (has('timestamp') || has('localEndpoint'))) return 'zipkin-json';
  return 'chrome-json';
}
