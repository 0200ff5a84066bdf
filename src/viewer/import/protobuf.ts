/**
 * A minimal protobuf wire-format reader (no schema, no dependency) for the Perfetto importer.
 *
 * Varints are read as two 32-bit halves (`lo`, `hi`) so 64-bit values survive: `num()` gives a
 * JS number (exact below 2^53, rounded above), `key()` an exact text key (track uuids, flow ids
 * are 64-bit hashes that collide once rounded), `signed()` reads an int64 as two's complement.
 * A malformed message throws `WireError`; the caller decides what is lost (one packet, or the rest).
 */

export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_SGROUP = 3;
export const WT_EGROUP = 4;
export const WT_I32 = 5;

export class WireError extends Error {
  constructor(
    message: string,
    /** Offset in the buffer being read. */
    readonly at: number,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

const TWO32 = 4294967296;
const utf8 = /* @__PURE__ */ new TextDecoder();
const f64 = /* @__PURE__ */ new DataView(new ArrayBuffer(8));

export class Wire {
  /** Current field: number and wire type (after `next()`). */
  field = 0;
  type = 0;
  /** Last varint / fixed value as 32-bit halves. */
  lo = 0;
  hi = 0;
  /** Last length-delimited value: `b[start, end)`. */
  start = 0;
  end = 0;

  constructor(
    public b: Uint8Array,
    public p: number,
    public limit: number,
  ) {}

  /** Points this reader at b[p, limit) (readers are reused on hot paths: one allocation less per packet). */
  reset(b: Uint8Array, p: number, limit: number): this {
    this.b = b;
    this.p = p;
    this.limit = limit;
    return this;
  }

  /** Moves to the next field; false at the end of the message. Reads scalar values at once. */
  next(): boolean {
    if (this.p >= this.limit) return false;
    this.varint();
    if (this.hi !== 0 || this.lo < 8) throw new WireError(`invalid field tag ${this.hi ? '(over 32 bits)' : this.lo}`, this.p);
    const tag = this.lo;
    this.field = tag >>> 3;
    this.type = tag & 7;
    switch (this.type) {
      case WT_VARINT:
        this.varint();
        break;
      case WT_I64:
        this.need(8);
        this.lo = this.u32(this.p);
        this.hi = this.u32(this.p + 4);
        this.p += 8;
        break;
      case WT_I32:
        this.need(4);
        this.lo = this.u32(this.p);
        this.hi = 0;
        this.p += 4;
        break;
      case WT_LEN: {
        this.varint();
        if (this.hi !== 0 || this.lo > this.limit - this.p) throw new WireError(`length ${this.num()} runs past the end of its message (${this.limit - this.p} bytes left)`, this.p);
        this.start = this.p;
        this.end = this.p + this.lo;
        this.p = this.end;
        break;
      }
      case WT_SGROUP:
        this.skipGroup(this.field);
        break;
      case WT_EGROUP:
        throw new WireError(`end of group ${this.field} without its start`, this.p);
      default:
        throw new WireError(`invalid wire type ${this.type}`, this.p);
    }
    return true;
  }

  /** Skips a deprecated group (wire types 3/4) up to its matching end, nested groups included. */
  private skipGroup(field: number): void {
    for (let depth = 0; ; ) {
      if (this.p >= this.limit) throw new WireError(`group ${field} not closed`, this.p);
      this.varint();
      const f = this.lo >>> 3;
      const t = this.lo & 7;
      if (t === WT_EGROUP) {
        if (depth === 0) {
          if (f !== field) throw new WireError(`group ${field} closed as ${f}`, this.p);
          return;
        }
        depth--;
      } else if (t === WT_SGROUP) {
        if (++depth > 64) throw new WireError('groups nested too deep', this.p);
      } else if (t === WT_VARINT) this.varint();
      else if (t === WT_I64) this.skip(8);
      else if (t === WT_I32) this.skip(4);
      else if (t === WT_LEN) {
        this.varint();
        if (this.hi !== 0) throw new WireError('length over 32 bits', this.p);
        this.skip(this.lo);
      } else throw new WireError(`invalid wire type ${t}`, this.p);
    }
  }

  private need(n: number): void {
    if (this.limit - this.p < n) throw new WireError(`a ${n}-byte value runs past the end of its message`, this.p);
  }
  private skip(n: number): void {
    this.need(n);
    this.p += n;
  }
  private u32(p: number): number {
    const b = this.b;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Reads a varint into lo/hi (at most 10 bytes). */
  varint(): void {
    const b = this.b;
    let p = this.p;
    const lim = this.limit;
    let lo = 0;
    let hi = 0;
    let c: number;
    // The first four bytes fill 28 bits of lo; the common case ends there.
    for (let s = 0; s < 28; s += 7) {
      if (p >= lim) throw new WireError('varint runs past the end of its message', p);
      c = b[p++];
      lo |= (c & 0x7f) << s;
      if (c < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        this.p = p;
        return;
      }
    }
    if (p >= lim) throw new WireError('varint runs past the end of its message', p);
    c = b[p++];
    lo |= (c & 0x0f) << 28;
    hi = (c & 0x7f) >> 4;
    if (c >= 0x80) {
      for (let s = 3; ; s += 7) {
        // Bytes 6 to 10 fill hi's bits 3…31; an 11th would shift mod 32, into its low bits.
        if (s > 31) throw new WireError('varint longer than 10 bytes', p);
        if (p >= lim) throw new WireError('varint runs past the end of its message', p);
        c = b[p++];
        hi |= (c & 0x7f) << s;
        if (c < 0x80) break;
      }
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.p = p;
  }

  /** The last value as an unsigned number (rounded above 2^53). */
  num(): number {
    return this.hi * TWO32 + this.lo;
  }
  /** The last value as int64 (two's complement; int32 negatives are sign-extended varints). */
  signed(): number {
    if (this.hi < 0x80000000) return this.hi * TWO32 + this.lo;
    return -((~this.hi >>> 0) * TWO32 + ((~this.lo >>> 0) + 1));
  }
  /** The last value, exact, as a short text key (for ids compared for equality only). */
  key(): string {
    return this.hi ? `${this.hi.toString(36)}.${this.lo.toString(36)}` : this.lo.toString(36);
  }
  /** The last value as decimal text, exact (for display). */
  decimal(signed = false): string {
    if (this.hi === 0) return String(this.lo);
    const v = (BigInt(this.hi) << 32n) | BigInt(this.lo);
    return String(signed ? BigInt.asIntN(64, v) : v);
  }
  /** The last fixed64 as a double. */
  double(): number {
    f64.setUint32(0, this.lo, true);
    f64.setUint32(4, this.hi, true);
    return f64.getFloat64(0, true);
  }
  /** The last fixed32 as a float. */
  float(): number {
    f64.setUint32(0, this.lo, true);
    return f64.getFloat32(0, true);
  }
  bool(): boolean {
    return this.lo !== 0 || this.hi !== 0;
  }
  /** The last length-delimited value as UTF-8 text. */
  str(): string {
    return utf8.decode(this.b.subarray(this.start, this.end));
  }
  /** A reader over the last length-delimited value (a nested message). */
  sub(): Wire {
    return new Wire(this.b, this.start, this.end);
  }

  /**
   * Calls `each` for every element of a repeated scalar field, packed or not: `this` holds the
   * element (lo/hi) during the call.
   */
  repeated(each: () => void): void {
    if (this.type !== WT_LEN) return each();
    const p = this.p;
    const lim = this.limit;
    this.p = this.start;
    this.limit = this.end;
    while (this.p < this.limit) {
      this.varint();
      each();
    }
    this.p = p;
    this.limit = lim;
  }

  /** Like `repeated` for fixed64 elements (flow ids): packed runs are 8 bytes each. */
  repeatedFixed64(each: () => void): void {
    if (this.type !== WT_LEN) return each();
    for (let q = this.start; q + 8 <= this.end; q += 8) {
      this.lo = this.u32(q);
      this.hi = this.u32(q + 4);
      each();
    }
  }
}

/** Where the last `readVarint` ended. */
export const varOut = { end: 0 };

/**
 * A varint at b[p, end) as a number (exact to 2^53), for framing: undefined when cut by `end`,
 * -1 when longer than 10 bytes. Sets `varOut.end`.
 */
export function readVarint(b: Uint8Array, p: number, end: number): number | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return undefined;
    const c = b[p++];
    v += (c & 0x7f) * mul;
    if (c < 0x80) {
      varOut.end = p;
      return v;
    }
    mul *= 128;
  }
  return -1;
}
