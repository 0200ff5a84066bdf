/** Character-code checks shared by the parsers; loops instead of regexes keep the hot path allocation-free. */

/** True for 0-9 and a-f. */
export function isLowerHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/**
 * Checks `length` lowercase hex characters of `s` starting at `start`.
 * Returns 0 when invalid, 1 when valid but all zero, 2 when valid and non-zero.
 */
export function scanLowerHex(s: string, start: number, length: number): 0 | 1 | 2 {
  if (start + length > s.length) return 0;
  let nonZero = false;
  for (let i = start; i < start + length; i++) {
    const c = s.charCodeAt(i);
    if (!isLowerHexCode(c)) return 0;
    if (c !== 48) nonZero = true;
  }
  return nonZero ? 2 : 1;
}

/** 32 lowercase hex characters, not all zero. */
export function isValidTraceId(id: string): boolean {
  return typeof id === 'string' && id.length === 32 && scanLowerHex(id, 0, 32) === 2;
}

/** 16 lowercase hex characters, not all zero. */
export function isValidSpanId(id: string): boolean {
  return typeof id === 'string' && id.length === 16 && scanLowerHex(id, 0, 16) === 2;
}

const ZEROS = '00000000000000000000000000000000';

/**
 * Normalizes a case-insensitive hex id of 1..`width` characters to `width` lowercase characters,
 * left-padded with zeros (B3 64-bit trace ids, Jaeger ids without leading zeros).
 * Returns undefined when it is not hex, too long, or all zero.
 */
export function padHexId(id: string, width: number): string | undefined {
  const n = id.length;
  if (n === 0 || n > width) return undefined;
  let nonZero = false;
  let upper = false;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (c >= 65 && c <= 70) upper = true;
    else if (!isLowerHexCode(c)) return undefined;
    if (c !== 48) nonZero = true;
  }
  if (!nonZero) return undefined;
  const lower = upper ? id.toLowerCase() : id;
  return n === width ? lower : ZEROS.slice(0, width - n) + lower;
}

/** Trims HTTP optional whitespace (SP and HTAB) from both ends. */
export function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}
