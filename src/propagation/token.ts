/** RFC 9110 `token` (header names, baggage keys, Server-Timing metric names). */

function isTchar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 33 || // !
    (c >= 35 && c <= 39) || // # $ % & '
    c === 42 || // *
    c === 43 || // +
    c === 45 || // -
    c === 46 || // .
    c === 94 || // ^
    c === 95 || // _
    c === 96 || // `
    c === 124 || // |
    c === 126 // ~
  );
}

export function isToken(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTchar(s.charCodeAt(i))) return false;
  return true;
}
