/**
 * Random trace and span ids from `crypto.getRandomValues`, lowercase hex of the random bytes in
 * order, never all zero. Random words are drawn in blocks and a whole block is hex-encoded into
 * one string at once (Uint8Array#toHex where the browser has it, else digit by digit and one
 * TextDecoder call); an id is a slice of that string, which V8 makes without copying (so
 * a kept id keeps its 8 KB block alive). Per span that is about half the cost of building each id
 * from its digits in Chromium.
 */
const WORDS = 1024;
const words = new Uint32Array(WORDS);
const bytes = new Uint8Array(words.buffer) as Uint8Array & { toHex?: () => string };
const chars = new Uint8Array(WORDS * 8);

let block = '';
let pos = WORDS;

/** `n` random words as 8·n hex digits; never all zero. */
function take(n: number): string {
  if (pos + n > WORDS) {
    crypto.getRandomValues(words);
    if (bytes.toHex) block = bytes.toHex();
    else {
      for (let j = 0; j < WORDS * 8; j++) chars[j] = '0123456789abcdef'.charCodeAt((bytes[j >> 1] >> (j & 1 ? 0 : 4)) & 15);
      block = new TextDecoder().decode(chars);
    }
    pos = 0;
  }
  let z = 0;
  for (let i = pos; i < pos + n; i++) z |= words[i];
  const id = block.slice(pos * 8, (pos += n) * 8);
  // An all-zero id is invalid in W3C Trace Context; the chance is 2^-64 or less, but never emit one.
  return z ? id : take(n);
}

export function newTraceId(): string {
  return take(4);
}

export function newSpanId(): string {
  return take(2);
}
