/**
 * Incremental (push) JSON reading over Uint8Array chunks, for trace files of any size.
 *
 * `JsonReader` is a byte cursor over one contiguous buffer with allocation-free primitives
 * (scan a string and hash it, parse a number in place, skip a value). `JsonStream` drives it
 * over chunks: it walks the top-level container (an array, or an object whose array members can
 * be streamed) and hands each array element to a handler. An element cut by a chunk boundary is
 * retried once more bytes arrived (the reader throws `INCOMPLETE`; the handler must have no side
 * effects before an element is complete). No JS string of the whole input is ever built.
 */
import { TraceImportError, type SourceFormat } from '../model/trace-model';

/** Thrown by JsonReader when the buffer ends inside a value. Never escapes JsonStream. */
export const INCOMPLETE: { readonly incomplete: true } = { incomplete: true };

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: false });

/** Exact powers of ten (doubles are exact up to 1e22): the fast number path divides by them. */
const POW10 = /* @__PURE__ */ Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const MAX_SAFE = 9007199254740991;

/** Decodes bytes; ASCII runs shorter than 32 bytes avoid TextDecoder's call overhead. */
export function decodeBytes(b: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len < 32) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return utf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b.subarray(start, end));
}

const MIN_RETRY_BYTES = 1 << 16;

export class JsonReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** Absolute byte offset of buf[0] in the whole input. */
  base = 0;
  /** 1-based line and absolute offset of its first byte, maintained while skipping whitespace. */
  line = 1;
  lineStart = 0;
  /** True when `end` is the end of the input (no more chunks). */
  eof = false;
  format: SourceFormat | 'unknown' = 'unknown';

  // Result of the last scanString().
  strStart = 0;
  strEnd = 0;
  strHash = 0;
  strEscaped = false;

  /** Bytes needed before parsing is worth retrying after a value was cut off (0: any). */
  waitFor = 0;

  /** Reused buffer that holds a cut-off rest plus the next chunk (`buf` may alias it). */
  private own: Uint8Array | null = null;

  constructor() {
    // `buf` is replaced by every batch. A second store now makes V8 treat it as mutable from the
    // start, rather than drop the code that assumed it constant when the first batch replaces it.
    this.buf = new Uint8Array(0);
  }

  /**
   * Appends a chunk; false (parse later) while fewer than `batch` bytes, or than `waitFor`, are
   * buffered: a long value cut off by chunk boundaries is not re-scanned on every small chunk,
   * and small network chunks are parsed a batch at a time.
   */
  feed(chunk: Uint8Array, batch = 0): boolean {
    this.append(chunk);
    if (this.end < this.waitFor || this.end < batch) return false;
    this.waitFor = 0;
    return true;
  }

  /** After a step ran out of input at `pos`: wait for twice the pending bytes if that is a lot. */
  deferRetry(): void {
    const pending = this.end - this.pos;
    if (pending >= MIN_RETRY_BYTES) this.waitFor = pending * 2;
  }

  /**
   * Appends a chunk after the unconsumed rest of the buffer (consumed bytes are dropped). The
   * rest and the chunk are copied into one buffer that is reused from chunk to chunk, so a long
   * import allocates no new buffer per chunk. Bytes of `buf` past `end` are stale: readers stop
   * at `end`. Nothing may keep a view of `buf` across calls (importers copy what they keep).
   */
  append(chunk: Uint8Array): void {
    const rest = this.end - this.pos;
    if (rest === 0) {
      this.base += this.end;
      this.buf = chunk;
      this.pos = 0;
      this.end = chunk.length;
      return;
    }
    const need = rest + chunk.length;
    let own = this.own;
    if (own === null || own.length < need) {
      own = new Uint8Array(Math.max(need, own === null ? 0 : own.length * 2));
      own.set(this.buf.subarray(this.pos, this.end));
      this.own = own;
    } else if (this.buf !== own) own.set(this.buf.subarray(this.pos, this.end));
    else if (this.pos > 0) own.copyWithin(0, this.pos, this.end);
    own.set(chunk, rest);
    this.base += this.pos;
    this.buf = own;
    this.pos = 0;
    this.end = need;
  }

  /**
   * Next non-whitespace byte (not consumed). One exit for both outcomes: optimised code would
   * otherwise be thrown away the first time a rarely taken exit runs (a cut at a chunk end).
   */
  skipWs(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let c = -1;
    while (p < end) {
      c = b[p];
      if (c > 0x20) break;
      if (c === 0x0a) {
        this.line++;
        this.lineStart = this.base + p + 1;
      } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      c = -1;
      p++;
    }
    this.pos = p;
    if (c < 0) throw INCOMPLETE;
    return c;
  }

  /**
   * As skipWs, but reads the byte at pos directly when it is not whitespace (compact JSON): the
   * one call site of skipWs here is shared by all callers once inlined.
   */
  next(): number {
    const p = this.pos;
    if (p < this.end) {
      const c = this.buf[p];
      if (c > 0x20) return c;
    }
    return this.skipWs();
  }

  /** Like skipWs but returns -1 at the end of the buffer. */
  peekWs(): number {
    try {
      return this.skipWs();
    } catch (e) {
      if (e === INCOMPLETE) return -1;
      throw e;
    }
  }

  /** Scans a string at pos (which must be '"'); fills str* fields; pos moves past it. */
  scanString(): void {
    const b = this.buf;
    let p = this.pos + 1;
    const end = this.end;
    let h = 0x811c9dc5 | 0;
    let escaped = false;
    const start = p;
    for (;;) {
      if (p >= end) throw INCOMPLETE;
      const c = b[p];
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20) {
        this.pos = p;
        this.fail('a closing \'"\'', 'control character in string');
      }
      h = Math.imul(h ^ c, 16777619);
      p++;
    }
    this.strStart = start;
    this.strEnd = p;
    // 30 bits: small integers stay unboxed in V8 (no number object per string in cold code).
    this.strHash = h & 0x3fffffff;
    this.strEscaped = escaped;
    this.pos = p + 1;
  }

  /** The last scanned string as a JS string (unescaped). */
  stringValue(): string {
    if (!this.strEscaped) return decodeBytes(this.buf, this.strStart, this.strEnd);
    const raw = utf8.decode(this.buf.subarray(this.strStart - 1, this.strEnd + 1));
    try {
      return JSON.parse(raw) as string;
    } catch {
      this.pos = this.strStart;
      return this.fail('a valid string escape', 'bad escape sequence');
    }
  }

  /** Reads a string value at pos. */
  readString(): string {
    if (this.buf[this.pos] !== 0x22) this.fail('a string');
    this.scanString();
    return this.stringValue();
  }

  /** Reads a JSON number at pos (fast exact path for ≤ 2^53 mantissas, else Number()). */
  readNumber(): number {
    const b = this.buf;
    const end = this.end;
    const eof = this.eof; // read on every call, so the rare cut-off exit below has type feedback
    const start = this.pos;
    let p = start;
    let neg = false;
    if (b[p] === 0x2d) {
      neg = true;
      p++;
    }
    let mant = 0;
    let digits = 0;
    let frac = 0;
    let c = 0;
    while (p < end && (c = b[p]) >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      p++;
      digits++;
    }
    if (p < end && c === 0x2e) {
      p++;
      while (p < end && (c = b[p]) >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        p++;
        digits++;
        frac++;
      }
    }
    if (p >= end && !eof) throw INCOMPLETE;
    if (digits === 0) {
      this.pos = start;
      this.fail('a number');
    }
    if (c === 0x65 || c === 0x45 || mant > MAX_SAFE || frac > 22) return this.readNumberSlow(start);
    this.pos = p;
    const v = frac === 0 ? mant : mant / POW10[frac];
    return neg ? -v : v;
  }

  private readNumberSlow(start: number): number {
    const b = this.buf;
    let p = start;
    while (p < this.end) {
      const c = b[p];
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45) p++;
      else break;
    }
    if (p >= this.end && !this.eof) throw INCOMPLETE;
    const v = Number(decodeBytes(b, start, p));
    if (Number.isNaN(v)) {
      this.pos = start;
      this.fail('a number');
    }
    this.pos = p;
    return v;
  }

  /** Reads true/false/null at pos. */
  readLiteral(): boolean | null {
    const b = this.buf;
    const p = this.pos;
    const c = b[p];
    const len = c === 0x74 ? 4 : c === 0x66 ? 5 : c === 0x6e ? 4 : 0;
    if (len === 0) this.fail('a value');
    if (p + len > this.end) throw INCOMPLETE;
    const word = decodeBytes(b, p, p + len);
    if (word !== 'true' && word !== 'false' && word !== 'null') this.fail('true, false or null');
    this.pos = p + len;
    return word === 'null' ? null : word === 'true';
  }

  /** Skips one value at pos (any type, any nesting). */
  skipValue(): void {
    const c = this.skipWs();
    if (c === 0x22) {
      this.scanString();
      return;
    }
    if (c === 0x7b || c === 0x5b) {
      this.skipContainer();
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.readNumber();
      return;
    }
    this.readLiteral();
  }

  /** Skips an object/array at pos by bracket depth (fast path; values kept are JSON.parse'd later). */
  private skipContainer(): void {
    const b = this.buf;
    const end = this.end;
    let p = this.pos;
    let depth = 0;
    let line = this.line;
    let lineStart = this.lineStart;
    for (;;) {
      if (p >= end) throw INCOMPLETE;
      const c = b[p];
      if (c === 0x22) {
        p++;
        for (;;) {
          if (p >= end) throw INCOMPLETE;
          const d = b[p];
          if (d === 0x22) break;
          p += d === 0x5c ? 2 : 1;
        }
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          this.pos = p + 1;
          this.line = line;
          this.lineStart = lineStart;
          return;
        }
      } else if (c === 0x0a) {
        line++;
        lineStart = this.base + p + 1;
      }
      p++;
    }
  }

  /** Skips a value; returns where its bytes start in buf (they end at `pos`). */
  skipRaw(): number {
    this.skipWs();
    const start = this.pos;
    this.skipValue();
    return start;
  }

  /** Whether the value of the last `skipChecked` is an object or array JSON.parse accepts. */
  checked = false;

  /**
   * `skipRaw` for a value kept raw, checked in the same pass: a container that `skipValue` would
   * pass with only its brackets matched sets `checked` false.
   */
  skipChecked(): number {
    this.skipWs();
    const start = this.pos;
    const c = this.buf[start];
    if (c === 0x7b || c === 0x5b) {
      const end = jsonEnd(this.buf, start, this.end);
      if (end >= 0) {
        this.pos = end;
        if (jsonLines > 0) {
          this.line += jsonLines;
          this.lineStart = this.base + jsonLineStart;
        }
        this.checked = true;
        return start;
      }
    }
    // Not a container, not valid, or cut off by the end of the buffer (skipValue says INCOMPLETE).
    this.skipValue();
    this.checked = false;
    return start;
  }

  /** Parses one (small) value into a JS value. */
  parseValue(): unknown {
    const s = this.skipRaw();
    const e = this.pos;
    const text = utf8.decode(this.buf.subarray(s, e));
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      this.pos = s;
      return this.fail('valid JSON', (err as Error).message);
    }
  }

  /** Throws a precise TraceImportError at pos. */
  fail(expected: string, message?: string): never {
    const offset = this.base + this.pos;
    const c = this.pos < this.end ? this.buf[this.pos] : -1;
    const found = c < 0 ? 'end of input' : c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
    throw new TraceImportError({
      format: this.format,
      message: message ?? `unexpected ${found}`,
      offset,
      line: this.line,
      column: offset - this.lineStart + 1,
      expected,
    });
  }
}

// ---- strict check of kept raw values ----
// Skipped values are only bracket-matched; those kept raw (Chrome `args`) must be valid JSON or
// their whole details entry would be unreadable later. One table lookup per byte: the states
// below (< 64) and stack actions (≥ 64) for the JSON grammar.
const J_ERR = 0, J_VAL = 1, J_VAL_ARR = 2, J_KEY = 3, J_KEY_OBJ = 4, J_COLON = 5, J_AFTER = 6, J_STR = 7, J_KSTR = 13;
const J_STATES = 37;
const A_OBJ = 64, A_ARR = 65, A_END_OBJ = 66, A_END_ARR = 67, A_COMMA = 68, A_NL = 69;
let jsonTable: Uint8Array | undefined;
let jsonStack = new Uint8Array(64);

function buildJsonTable(): Uint8Array {
  const t = new Uint8Array(J_STATES << 8);
  const set = (st: number, chars: string, to: number): void => {
    for (let i = 0; i < chars.length; i++) t[(st << 8) | chars.charCodeAt(i)] = to;
  };
  const ws = ' \t\n\r';
  const digits = '0123456789';
  const hex = '0123456789abcdefABCDEF';
  // Numbers: 19 '-', 20 leading 0, 21 integer, 22 '.', 23 fraction, 24 'e', 25 exponent sign, 26 exponent.
  // Literals: 27-29 t(rue), 30-33 f(alse), 34-36 n(ull).
  for (const st of [J_VAL, J_VAL_ARR]) {
    set(st, ws, st);
    set(st, '"', J_STR);
    set(st, '{', A_OBJ);
    set(st, '[', A_ARR);
    set(st, '-', 19);
    set(st, '0', 20);
    set(st, '123456789', 21);
    set(st, 't', 27);
    set(st, 'f', 30);
    set(st, 'n', 34);
  }
  set(J_VAL_ARR, ']', A_END_ARR);
  set(J_KEY, ws, J_KEY);
  set(J_KEY, '"', J_KSTR);
  set(J_KEY_OBJ, ws, J_KEY_OBJ);
  set(J_KEY_OBJ, '"', J_KSTR);
  set(J_KEY_OBJ, '}', A_END_OBJ);
  set(J_COLON, ws, J_COLON);
  set(J_COLON, ':', J_VAL);
  // After a value (or a number, which ends at the next delimiter).
  for (const st of [J_AFTER, 20, 21, 23, 26]) {
    set(st, ws, J_AFTER);
    set(st, ',', A_COMMA);
    set(st, '}', A_END_OBJ);
    set(st, ']', A_END_ARR);
  }
  // Newlines are counted (for line numbers in later errors) wherever whitespace may be.
  for (const st of [J_VAL, J_VAL_ARR, J_KEY, J_KEY_OBJ, J_COLON, J_AFTER, 20, 21, 23, 26]) t[(st << 8) | 0x0a] = A_NL;
  // Strings: 7 (a value) and 13 (a key); +1 after a backslash, +2..+5 the hex digits of an escaped u.
  for (const [str, end] of [[J_STR, J_AFTER], [J_KSTR, J_COLON]]) {
    for (let c = 0x20; c < 256; c++) t[(str << 8) | c] = str;
    t[(str << 8) | 0x22] = end;
    t[(str << 8) | 0x5c] = str + 1;
    set(str + 1, '"\\/bfnrt', str);
    set(str + 1, 'u', str + 2);
    for (let k = 2; k < 5; k++) set(str + k, hex, str + k + 1);
    set(str + 5, hex, str);
  }
  set(19, '0', 20);
  set(19, '123456789', 21);
  set(20, '.', 22);
  set(20, 'eE', 24);
  set(21, digits, 21);
  set(21, '.', 22);
  set(21, 'eE', 24);
  set(22, digits, 23);
  set(23, digits, 23);
  set(23, 'eE', 24);
  set(24, '+-', 25);
  set(24, digits, 26);
  set(25, digits, 26);
  set(26, digits, 26);
  const word = (first: number, rest: string): void => {
    for (let i = 0; i < rest.length; i++) set(first + i, rest[i], i === rest.length - 1 ? J_AFTER : first + i + 1);
  };
  word(27, 'rue');
  word(30, 'alse');
  word(34, 'ull');
  return t;
}

/** Newlines met by the last `jsonEnd` (outside strings), and where the last line starts. */
let jsonLines = 0;
let jsonLineStart = 0;

/**
 * Where the JSON object or array at b[s] ends (exclusive), or -1 when it is not valid JSON, or
 * -2 when b ends (at e) before it does.
 */
function jsonEnd(b: Uint8Array, s: number, e: number): number {
  const t = (jsonTable ??= buildJsonTable());
  let stack = jsonStack;
  let depth = 0;
  let st = J_VAL;
  jsonLines = 0;
  for (let p = s; p < e; p++) {
    let c = b[p];
    if (st === J_STR || st === J_KSTR) {
      // Most bytes are inside strings: run to the next quote, backslash or control character.
      while (c !== 0x22 && c !== 0x5c && c >= 0x20 && ++p < e) c = b[p];
      if (p === e) break;
    }
    const next = t[(st << 8) | c];
    if (next < 64) {
      if (next === J_ERR) return -1;
      st = next;
    } else if (next === A_OBJ || next === A_ARR) {
      if (depth === stack.length) {
        const x = new Uint8Array(depth * 2);
        x.set(stack);
        stack = jsonStack = x;
      }
      stack[depth++] = next;
      st = next === A_OBJ ? J_KEY_OBJ : J_VAL_ARR;
    } else if (next === A_COMMA) {
      st = stack[depth - 1] === A_OBJ ? J_KEY : J_VAL;
    } else if (next === A_NL) {
      jsonLines++;
      jsonLineStart = p + 1;
      if (st >= 19) st = J_AFTER; // a newline ends a number
    } else {
      if (stack[--depth] !== (next === A_END_OBJ ? A_OBJ : A_ARR)) return -1;
      if (depth === 0) return p + 1;
      st = J_AFTER;
    }
  }
  return -2;
}

/** True when b[s, e) is exactly one JSON object or array, as JSON.parse would accept. */
export function isValidJson(b: Uint8Array, s: number, e: number): boolean {
  return jsonEnd(b, s, e) === e;
}

/**
 * Fixed set of member names, recognised from their bytes without creating strings (and without
 * the per-byte hash of scanString: a name's length and end bytes pick its slot).
 */
export class KeyTable {
  private readonly mask: number;
  private readonly slots: Int32Array;
  /** Key i is bytes[offs[i] .. offs[i] + lens[i]). */
  private readonly bytes: Uint8Array;
  private readonly offs: Int32Array;
  private readonly lens: Int32Array;

  constructor(names: readonly string[]) {
    const encoded = names.map((n) => new TextEncoder().encode(n));
    this.bytes = new Uint8Array(encoded.reduce((n, k) => n + k.length, 0));
    this.offs = new Int32Array(names.length);
    this.lens = new Int32Array(names.length);
    let size = 64;
    while (size < names.length * 4) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    let at = 0;
    encoded.forEach((k, i) => {
      this.bytes.set(k, at);
      this.offs[i] = at;
      this.lens[i] = k.length;
      at += k.length;
      let s = KeyTable.slotHash(k, 0, k.length) & this.mask;
      while (this.slots[s] >= 0) s = (s + 1) & this.mask;
      this.slots[s] = i;
    });
  }

  private static slotHash(b: Uint8Array, start: number, len: number): number {
    return len * 7 + b[start] * 31 + b[start + len - 1];
  }

  /**
   * Scans the member name at `r.pos` (which must be '"') and moves past it. Returns the key's
   * index, or -1 for any other name (names with escapes included, as scanString reads them).
   */
  scanKey(r: JsonReader): number {
    const b = r.buf;
    const end = r.end;
    const start = r.pos + 1;
    let p = start;
    for (;;) {
      if (p >= end) throw INCOMPLETE;
      const c = b[p];
      if (c === 0x22) break;
      if (c === 0x5c || c < 0x20) {
        r.scanString(); // escapes, or the precise error for a control character
        return -1;
      }
      p++;
    }
    r.pos = p + 1;
    const len = p - start;
    if (len === 0) return -1;
    let s = KeyTable.slotHash(b, start, len) & this.mask;
    for (;;) {
      const i = this.slots[s];
      if (i < 0) return -1;
      if (this.lens[i] === len) {
        const o = this.offs[i];
        let j = 0;
        while (j < len && this.bytes[o + j] === b[start + j]) j++;
        if (j === len) return i;
      }
      s = (s + 1) & this.mask;
    }
  }
}

/**
 * Maps scanned string bytes to ids of a string table without decoding known strings:
 * an open-addressing hash table over the raw bytes, falling back to `intern(decoded)`.
 */
export class BytesInterner {
  private mask = 4095;
  private slots = new Int32Array(4096).fill(-1);
  private hashes: Int32Array = new Int32Array(1024);
  private ids: Int32Array = new Int32Array(1024);
  private offs: Int32Array = new Int32Array(1024);
  private lens: Int32Array = new Int32Array(1024);
  private slab = new Uint8Array(1 << 16);
  private slabLen = 0;
  private n = 0;
  private readonly intern: (s: string) => number;

  constructor(intern: (s: string) => number) {
    this.intern = intern;
  }

  /** Id of the string the reader just scanned. */
  idOfScanned(r: JsonReader): number {
    if (r.strEscaped) return this.intern(r.stringValue());
    return this.idOfBytes(r.buf, r.strStart, r.strEnd, r.strHash);
  }

  /** Id of raw bytes [start, end) with FNV-1a hash `h` (e.g. a number literal used as an id). */
  idOfBytes(b: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const e = this.slots[s];
      if (e < 0) break;
      if (this.hashes[e] === h && this.lens[e] === len) {
        const off = this.offs[e];
        const slab = this.slab;
        let j = 0;
        while (j < len && slab[off + j] === b[start + j]) j++;
        if (j === len) return this.ids[e];
      }
      s = (s + 1) & mask;
    }
    const id = this.intern(decodeBytes(b, start, end));
    this.add(b, start, len, h, id, s);
    return id;
  }

  /** FNV-1a of bytes, to 30 bits (as JsonReader.scanString). */
  static hash(b: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 16777619);
    return h & 0x3fffffff;
  }

  private add(b: Uint8Array, start: number, len: number, h: number, id: number, slot: number): void {
    const e = this.n;
    if (e === this.ids.length) {
      const grow = (a: Int32Array): Int32Array => {
        const x = new Int32Array(a.length * 2);
        x.set(a);
        return x;
      };
      this.hashes = grow(this.hashes);
      this.ids = grow(this.ids);
      this.offs = grow(this.offs);
      this.lens = grow(this.lens);
    }
    if (this.slabLen + len > this.slab.length) {
      let cap = this.slab.length * 2;
      while (cap < this.slabLen + len) cap *= 2;
      const x = new Uint8Array(cap);
      x.set(this.slab.subarray(0, this.slabLen));
      this.slab = x;
    }
    this.slab.set(b.subarray(start, start + len), this.slabLen);
    this.hashes[e] = h;
    this.ids[e] = id;
    this.offs[e] = this.slabLen;
    this.lens[e] = len;
    this.slabLen += len;
    this.n = e + 1;
    this.slots[slot] = e;
    if (this.n * 2 > this.mask) this.rehash();
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    for (let e = 0; e < this.n; e++) {
      let s = this.hashes[e] & this.mask;
      while (this.slots[s] >= 0) s = (s + 1) & this.mask;
      this.slots[s] = e;
    }
  }
}

/** What JsonStream tells its handler. */
export interface StreamHandler {
  /**
   * One element of a streamed array (`array` is '' for a top-level array, else the member key).
   * Must consume exactly one value from `r`, and may throw INCOMPLETE before any side effect.
   */
  element(r: JsonReader, array: string): void;
  /** For a member of a top-level object: stream its array elements, skip it, or read it whole. */
  member(key: string): 'stream' | 'skip' | 'value';
  /** A whole member value ('value' members, and 'stream' ones that are no array); must consume exactly one value. */
  value(key: string, r: JsonReader): void;
  /** The input ended early or had a trailing comma; the import continues with what was read. */
  repaired(kind: 'truncated-input' | 'trailing-comma', offset: number): void;
}

const S_START = 0;
const S_ARR_FIRST = 1; // after '[': element or ']'
const S_ARR_AFTER = 2; // after an element: ',' or ']'
const S_ARR_NEXT = 3; // after ',': element (or ']' = trailing comma)
const S_OBJ_FIRST = 4; // after '{': key or '}'
const S_OBJ_COLON = 5;
const S_OBJ_VALUE = 6;
const S_OBJ_AFTER = 7; // ',' or '}'
const S_OBJ_NEXT = 8; // key (or '}' = trailing comma)
const S_SKIP = 9; // streaming skip of a big member value
const S_DONE = 10;

/** Retry a cut element only once this many bytes are buffered (amortises huge elements). */

/**
 * Walks `[ … ]` or `{ "key": …, … }` over pushed chunks, streaming array elements to a handler.
 */
export class JsonStream {
  readonly reader = new JsonReader();
  private state = S_START;
  private arrayKey = '';
  /** Whether the array being streamed is the top-level value. */
  private topArray = false;
  private key = '';
  // Streaming skip state.
  private skipDepth = 0;
  private skipInString = false;
  private skipEscape = false;
  private skipStarted = false;
  /** Bytes fully consumed (absolute offset of the unconsumed rest). */
  consumed = 0;

  constructor(
    private readonly handler: StreamHandler,
    format: SourceFormat | 'unknown',
  ) {
    this.reader.format = format;
  }

  /** Adds input; parses once `batch` bytes are buffered (the rest waits for more, or `end()`). */
  push(chunk: Uint8Array, batch = 0): void {
    if (this.reader.feed(chunk, batch)) this.run();
  }

  /** Signals end of input: salvages a truncated array, or throws for unusable input. */
  end(): void {
    const r = this.reader;
    r.eof = true;
    this.run();
    const s = this.state;
    if (s === S_DONE) return;
    if (s === S_START) {
      r.fail('\'[\' or \'{\'', r.base + r.pos === 0 ? 'empty input' : undefined);
    }
    // Anything else: the input stopped early. Keep what was read.
    this.handler.repaired('truncated-input', r.base + r.pos);
    r.pos = r.end;
    this.state = S_DONE;
  }

  private run(): void {
    const r = this.reader;
    for (;;) {
      const savePos = r.pos;
      const saveLine = r.line;
      const saveLineStart = r.lineStart;
      const saveState = this.state;
      try {
        if (!this.step()) return;
      } catch (e) {
        if (e !== INCOMPLETE) throw e;
        r.pos = savePos;
        r.line = saveLine;
        r.lineStart = saveLineStart;
        this.state = saveState;
        r.deferRetry();
        this.consumed = r.base + r.pos;
        return;
      } finally {
        this.consumed = r.base + r.pos;
      }
    }
  }

  /** One state transition; false when the input is exhausted or done. */
  private step(): boolean {
    const r = this.reader;
    switch (this.state) {
      case S_START: {
        let c = r.skipWs();
        if (c === 0xef && r.end - r.pos < 3 && !r.eof) throw INCOMPLETE;
        if (c === 0xef && r.pos + 2 < r.end && r.buf[r.pos + 1] === 0xbb && r.buf[r.pos + 2] === 0xbf) {
          r.pos += 3; // UTF-8 BOM
          c = r.skipWs();
        }
        if (c === 0x5b) {
          r.pos++;
          this.arrayKey = '';
          this.topArray = true;
          this.state = S_ARR_FIRST;
        } else if (c === 0x7b) {
          r.pos++;
          this.state = S_OBJ_FIRST;
        } else r.fail("'[' or '{'");
        return true;
      }
      case S_ARR_FIRST:
      case S_ARR_NEXT:
      case S_ARR_AFTER:
        return this.streamArray();
      case S_OBJ_FIRST:
      case S_OBJ_NEXT: {
        const c = r.skipWs();
        if (c === 0x7d) {
          if (this.state === S_OBJ_NEXT) this.handler.repaired('trailing-comma', r.base + r.pos);
          r.pos++;
          this.state = S_DONE;
          return true;
        }
        if (c !== 0x22) r.fail("a member name or '}'");
        r.scanString();
        this.key = r.stringValue();
        this.state = S_OBJ_COLON;
        return true;
      }
      case S_OBJ_COLON: {
        if (r.skipWs() !== 0x3a) r.fail("':'");
        r.pos++;
        this.state = S_OBJ_VALUE;
        return true;
      }
      case S_OBJ_VALUE: {
        const c = r.skipWs();
        const how = this.handler.member(this.key);
        if (how === 'stream' && c === 0x5b) {
          r.pos++;
          this.arrayKey = this.key;
          this.topArray = false;
          this.state = S_ARR_FIRST;
        } else if (how !== 'skip') {
          // A 'stream' member that is no array is read whole: the handler reports it.
          this.handler.value(this.key, r);
          this.state = S_OBJ_AFTER;
        } else {
          this.skipStarted = false;
          this.state = S_SKIP;
        }
        return true;
      }
      case S_SKIP:
        return this.streamSkip();
      case S_OBJ_AFTER: {
        const c = r.skipWs();
        if (c === 0x2c) {
          r.pos++;
          this.state = S_OBJ_NEXT;
        } else if (c === 0x7d) {
          r.pos++;
          this.state = S_DONE;
        } else r.fail("',' or '}'");
        return true;
      }
      case S_DONE: {
        const c = r.peekWs();
        if (c < 0) return false;
        if (c === 0) {
          r.pos = r.end; // NUL padding some tools append
          return false;
        }
        r.fail('end of input');
      }
    }
    return false;
  }

  /** The hot loop: elements of a streamed array. */
  private streamArray(): boolean {
    const r = this.reader;
    const h = this.handler;
    const key = this.arrayKey;
    for (;;) {
      const c = r.next();
      if (this.state === S_ARR_AFTER) {
        if (c === 0x2c) {
          r.pos++;
          this.state = S_ARR_NEXT;
        } else if (c === 0x5d) {
          r.pos++;
          this.state = this.topArray ? S_DONE : S_OBJ_AFTER;
          return true;
        } else r.fail("',' or ']'");
      } else {
        if (c === 0x5d) {
          if (this.state === S_ARR_NEXT) h.repaired('trailing-comma', r.base + r.pos);
          r.pos++;
          this.state = this.topArray ? S_DONE : S_OBJ_AFTER;
          return true;
        }
        h.element(r, key);
        this.state = S_ARR_AFTER;
        // Commit progress so an INCOMPLETE in the next element does not replay this one.
        return true;
      }
    }
  }

  /** Skips a member value of any size without buffering it. */
  private streamSkip(): boolean {
    const r = this.reader;
    const b = r.buf;
    let p = r.pos;
    if (!this.skipStarted) {
      const c = r.skipWs();
      p = r.pos;
      if (c !== 0x7b && c !== 0x5b && c !== 0x22) {
        r.skipValue(); // scalar: small
        this.state = S_OBJ_AFTER;
        return true;
      }
      this.skipStarted = true;
      this.skipDepth = 0;
      this.skipInString = false;
      this.skipEscape = false;
    }
    const end = r.end;
    let depth = this.skipDepth;
    let inStr = this.skipInString;
    let esc = this.skipEscape;
    let done = false;
    while (p < end) {
      const c = b[p++];
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) {
          inStr = false;
          if (depth === 0) {
            done = true;
            break;
          }
        }
      } else if (c === 0x22) inStr = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          done = true;
          break;
        }
      } else if (c === 0x0a) {
        r.line++;
        r.lineStart = r.base + p;
      }
    }
    r.pos = p;
    if (done) {
      this.skipStarted = false;
      this.state = S_OBJ_AFTER;
      return true;
    }
    this.skipDepth = depth;
    this.skipInString = inStr;
    this.skipEscape = esc;
    return false;
  }
}
