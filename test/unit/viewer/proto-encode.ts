// A tiny protobuf encoder for the importers' tests (Perfetto traces, pprof profiles): fields by
// number and wire type, written the way protoc's encoders lay them out.
export type Bytes = Uint8Array;

export const cat = (...parts: Bytes[]): Bytes => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
/** Negative numbers as int64 two's complement (ten bytes). */
export const varint = (v: number | bigint): Bytes => {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return Uint8Array.from(out);
};
export const tag = (f: number, wt: number): Bytes => varint(f * 8 + wt);
/** Varint field. */
export const v = (f: number, n: number | bigint): Bytes => cat(tag(f, 0), varint(n));
/** Length-delimited field. */
export const len = (f: number, payload: Bytes): Bytes => cat(tag(f, 2), varint(payload.length), payload);
/** Embedded message made of the given fields. */
export const m = (f: number, ...parts: Bytes[]): Bytes => len(f, cat(...parts));
