/**
 * A zstd frame of raw (stored) blocks (RFC 8878 §3.1.1): valid input for any decoder, written
 * without a compressor (Node 20 has none). Real compressed data is in test/fixtures/zstd.
 */
export function zstdStored(b: Uint8Array): Uint8Array {
  // Magic; a frame header with no content size, checksum or dictionary; a 1 MiB window (2^(10+10)).
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 10 << 3];
  const MAX = 1 << 17; // a block holds at most 128 KiB
  let p = 0;
  do {
    const n = Math.min(MAX, b.length - p);
    const last = p + n >= b.length ? 1 : 0;
    const h = last | (n << 3); // block type 0: raw
    out.push(h & 255, (h >> 8) & 255, (h >> 16) & 255);
    for (let i = p; i < p + n; i++) out.push(b[i]);
    p += n;
  } while (p < b.length);
  return Uint8Array.from(out);
}

/** The Collector file exporter's `compression: zstd` layout: a 4-byte big-endian length and a zstd frame per message. */
export function collectorZstd(...msgs: Uint8Array[]): Uint8Array {
  const parts = msgs.map(zstdStored);
  const out = new Uint8Array(parts.reduce((n, z) => n + 4 + z.length, 0));
  let p = 0;
  for (const z of parts) {
    new DataView(out.buffer).setUint32(p, z.length);
    out.set(z, p + 4);
    p += 4 + z.length;
  }
  return out;
}

/** A zstd frame of `blocks` RLE blocks of 128 KiB of `byte` each: a few bytes that decompress to megabytes. */
export function zstdRle(byte: number, blocks: number): Uint8Array {
  const out = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 10 << 3];
  for (let i = 0; i < blocks; i++) {
    const h = (i === blocks - 1 ? 1 : 0) | (1 << 1) | ((1 << 17) << 3); // block type 1: RLE
    out.push(h & 255, (h >> 8) & 255, (h >> 16) & 255, byte);
  }
  return Uint8Array.from(out);
}
