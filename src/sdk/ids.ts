/**
 * Random trace and span ids from `crypto.getRandomValues`, lowercase hex, never all zero.
 * Random words are drawn in blocks (one getRandomValues call per ~100 spans); each id is built
 * by one String.fromCharCode call with its hex digits as arguments, which makes one flat string
 * with no intermediate strings (TextDecoder on a block and substrings measured slower in Chromium).
 */
const HEX = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX[i] = i.toString(16).charCodeAt(0);

const WORDS = 1024;
const words = new Uint32Array(WORDS);
let pos = WORDS;

function next(): number {
  if (pos === WORDS) {
    crypto.getRandomValues(words);
    pos = 0;
  }
  return words[pos++];
}

const fc = String.fromCharCode;
const h = HEX;

function hex16(a: number, b: number): string {
  return fc(
    h[a >>> 28], h[(a >>> 24) & 15], h[(a >>> 20) & 15], h[(a >>> 16) & 15], h[(a >>> 12) & 15], h[(a >>> 8) & 15], h[(a >>> 4) & 15], h[a & 15],
    h[b >>> 28], h[(b >>> 24) & 15], h[(b >>> 20) & 15], h[(b >>> 16) & 15], h[(b >>> 12) & 15], h[(b >>> 8) & 15], h[(b >>> 4) & 15], h[b & 15],
  );
}

/** 32 digits in one call: one flat string, not a rope of two halves. */
function hex32(a: number, b: number, c: number, d: number): string {
  return fc(
    h[a >>> 28], h[(a >>> 24) & 15], h[(a >>> 20) & 15], h[(a >>> 16) & 15], h[(a >>> 12) & 15], h[(a >>> 8) & 15], h[(a >>> 4) & 15], h[a & 15],
    h[b >>> 28], h[(b >>> 24) & 15], h[(b >>> 20) & 15], h[(b >>> 16) & 15], h[(b >>> 12) & 15], h[(b >>> 8) & 15], h[(b >>> 4) & 15], h[b & 15],
    h[c >>> 28], h[(c >>> 24) & 15], h[(c >>> 20) & 15], h[(c >>> 16) & 15], h[(c >>> 12) & 15], h[(c >>> 8) & 15], h[(c >>> 4) & 15], h[c & 15],
    h[d >>> 28], h[(d >>> 24) & 15], h[(d >>> 20) & 15], h[(d >>> 16) & 15], h[(d >>> 12) & 15], h[(d >>> 8) & 15], h[(d >>> 4) & 15], h[d & 15],
  );
}

export function newTraceId(): string {
  const a = next();
  const b = next();
  const c = next();
  const d = next();
  // An all-zero id is invalid in W3C Trace Context; the chance is 2^-128, but never emit one.
  if ((a | b | c | d) === 0) return newTraceId();
  return hex32(a, b, c, d);
}

export function newSpanId(): string {
  const a = next();
  const b = next();
  if ((a | b) === 0) return newSpanId();
  return hex16(a, b);
}

