/**
 * Random trace and span ids from `crypto.getRandomValues`, lowercase hex, never all zero.
 * Random bytes are drawn in blocks and hex-encoded once per block into one flat string (through
 * TextDecoder, so no per-character string work); each id is a substring of it: one allocation per
 * id, no string ropes, one getRandomValues call per ~170 spans.
 */
// Two ASCII hex digits per byte value as one 16-bit word laid out so that, in memory, the first
// digit comes first whatever the platform's endianness.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEX_PAIR = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  const h = (i < 16 ? '0' : '') + i.toString(16);
  const a = h.charCodeAt(0);
  const b = h.charCodeAt(1);
  HEX_PAIR[i] = LITTLE_ENDIAN ? a | (b << 8) : (a << 8) | b;
}

const BLOCK_BYTES = 4096;
const bytes = new Uint8Array(BLOCK_BYTES);
const ascii = new Uint16Array(BLOCK_BYTES);
const asciiBytes = new Uint8Array(ascii.buffer);
const decoder = new TextDecoder();
let block = '';
let pos = 0; // in hex characters

function refill(): void {
  crypto.getRandomValues(bytes);
  for (let i = 0; i < BLOCK_BYTES; i++) ascii[i] = HEX_PAIR[bytes[i]];
  block = decoder.decode(asciiBytes); // one flat one-byte string, no per-char work in JS
  pos = 0;
}

const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

function take(chars: number): string {
  if (pos + chars > block.length) refill();
  const id = block.substring(pos, pos + chars);
  pos += chars;
  return id;
}

export function newTraceId(): string {
  const id = take(32);
  // An all-zero id is invalid in W3C Trace Context; the chance is 2^-128, but never emit one.
  return id === ZERO_TRACE ? newTraceId() : id;
}

export function newSpanId(): string {
  const id = take(16);
  return id === ZERO_SPAN ? newSpanId() : id;
}
