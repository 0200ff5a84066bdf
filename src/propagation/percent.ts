/**
 * Percent-encoding for W3C Baggage values. Decoding turns invalid UTF-8 into U+FFFD
 * (the spec's MUST); encoding escapes everything outside `baggage-octet` plus '%'.
 */

let decoder: TextDecoder | undefined;

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Decodes %XX sequences as UTF-8. A '%' not followed by two hex digits stays literal.
 * The input is expected to be ASCII (baggage-octets); other code units are kept as they are.
 */
export function percentDecode(s: string): string {
  if (s.indexOf('%') === -1) return s;
  const n = s.length;
  let out = '';
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 37) {
      let j = i + 1;
      while (j < n && s.charCodeAt(j) !== 37) j++;
      out += s.slice(i, j);
      i = j;
      continue;
    }
    // Collect a run of escaped bytes and decode them together so multi-byte sequences join up.
    const bytes: number[] = [];
    while (i + 2 < n && s.charCodeAt(i) === 37) {
      const hi = hexDigit(s.charCodeAt(i + 1));
      const lo = hexDigit(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) break;
      bytes.push((hi << 4) | lo);
      i += 3;
    }
    if (bytes.length === 0) {
      out += '%';
      i++;
      continue;
    }
    decoder ??= new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    out += decoder.decode(new Uint8Array(bytes));
  }
  return out;
}

/** baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E */
export function isBaggageOctet(c: number): boolean {
  return (
    c === 0x21 ||
    (c >= 0x23 && c <= 0x2b) ||
    (c >= 0x2d && c <= 0x3a) ||
    (c >= 0x3c && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e)
  );
}

const HEX = '0123456789ABCDEF';

function escapeByte(b: number): string {
  return '%' + HEX[b >> 4] + HEX[b & 15];
}

/** Percent-encodes a value for the wire: UTF-8, '%' and every non-baggage-octet escaped. */
export function percentEncode(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 37 || !isBaggageOctet(c)) break;
    i++;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    let cp = s.charCodeAt(i);
    if (cp < 0x80) {
      out += cp !== 37 && isBaggageOctet(cp) ? s[i] : escapeByte(cp);
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate: not encodable as UTF-8
    if (cp < 0x800) {
      out += escapeByte(0xc0 | (cp >> 6)) + escapeByte(0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      out += escapeByte(0xe0 | (cp >> 12)) + escapeByte(0x80 | ((cp >> 6) & 63)) + escapeByte(0x80 | (cp & 63));
    } else {
      out +=
        escapeByte(0xf0 | (cp >> 18)) +
        escapeByte(0x80 | ((cp >> 12) & 63)) +
        escapeByte(0x80 | ((cp >> 6) & 63)) +
        escapeByte(0x80 | (cp & 63));
    }
  }
  return out;
}
