/**
 * Streaming JSON walk over pushed Uint8Array chunks for nested documents (OTLP, Jaeger, Zipkin):
 * the handler routes each value by the role of its container — descend into it, parse it whole
 * as one small JS value (a span, a resource), or ignore it. Containers are walked token by token,
 * so no JS string larger than one parsed value is built. Several top-level values in a row
 * (NDJSON) are read one after another.
 */
import type { SourceFormat } from '../model/trace-model';
import { INCOMPLETE, JsonReader } from './json-tokenizer';

/** route() result: parse the value whole and hand it to value(). */
export const PARSE = -2;
/** route() result: skip the value (containers are walked, never buffered whole). */
export const IGNORE = -1;
/**
 * route() result: read a number in place and hand it to number() (long numeric arrays: no JS
 * string or JSON.parse per element); anything else there goes to value() as PARSE would.
 */
export const NUMBER = -3;

export interface WalkHandler {
  /**
   * What to do with the value at `r.pos` (its first byte, not consumed) inside a container of
   * role `parent` (the root role for top-level values), under member `key` ('' in arrays).
   * Returns a role ≥ 0 to descend into a container, PARSE or IGNORE. May peek ahead and throw
   * INCOMPLETE; may run again for the same value, so any side effect must be idempotent.
   */
  route(parent: number, key: string, r: JsonReader): number;
  /** A value routed PARSE, parsed. */
  value(parent: number, key: string, v: unknown): void;
  /** A number routed NUMBER. */
  number?(parent: number, key: string, v: number): void;
  /** Entered a container of `role` (under a container of role `parent`). */
  open(role: number, parent: number): void;
  /** Left a container of `role`; `count` = its number of members/elements. */
  close(role: number, count: number): void;
}

const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: false });

const ST_FIRST = 0; // after '{' / '[': member/element or the closing bracket
const ST_NEXT = 1; // after ',': member/element
const ST_AFTER = 2; // after a member/element: ',' or the closing bracket

/** Retry a cut value only once this many bytes are buffered (amortises large values). */

export class JsonWalk {
  readonly reader = new JsonReader();
  private roles: number[] = [];
  private isObj: boolean[] = [];
  private states: number[] = [];
  private counts: number[] = [];

  constructor(
    private readonly handler: WalkHandler,
    private readonly rootRole: number,
    format: SourceFormat | 'unknown',
  ) {
    this.reader.format = format;
  }

  /** Absolute offset of the first byte not yet consumed. */
  get consumed(): number {
    return this.reader.base + this.reader.pos;
  }

  /** Adds input; parses once `batch` bytes are buffered (the rest waits for more, or `end()`). */
  push(chunk: Uint8Array, batch = 0): void {
    if (this.reader.feed(chunk, batch)) this.run();
  }

  /** End of input: throws a precise error if a value is still open. */
  end(): void {
    const r = this.reader;
    r.eof = true;
    this.run();
    const d = this.roles.length;
    if (d === 0 && r.peekWs() < 0) return;
    const what = d === 0 ? 'a complete value' : this.isObj[d - 1] ? "'}'" : "']'";
    r.fail(what, 'unexpected end of input');
  }

  private run(): void {
    const r = this.reader;
    for (;;) {
      const savePos = r.pos;
      const saveLine = r.line;
      const saveLineStart = r.lineStart;
      try {
        this.step();
      } catch (e) {
        if (e !== INCOMPLETE) throw e;
        r.pos = savePos;
        r.line = saveLine;
        r.lineStart = saveLineStart;
        r.deferRetry();
        return;
      }
    }
  }

  /** One transition; all reads (which may throw INCOMPLETE) come before any state change. */
  private step(): void {
    const r = this.reader;
    const d = this.roles.length;
    if (d === 0) {
      const c = r.skipWs();
      if (c === 0xef && r.base + r.pos === 0) {
        if (r.end - r.pos < 3 && !r.eof) throw INCOMPLETE;
        if (r.pos + 2 < r.end && r.buf[r.pos + 1] === 0xbb && r.buf[r.pos + 2] === 0xbf) {
          r.pos += 3; // UTF-8 BOM
          return;
        }
      }
      if (c === 0) {
        r.pos++; // NUL padding some tools append
        return;
      }
      if (c !== 0x7b && c !== 0x5b) r.fail("'[' or '{'");
      this.valueAt(this.rootRole, '');
      return;
    }
    const i = d - 1;
    const obj = this.isObj[i];
    const close = obj ? 0x7d : 0x5d;
    const st = this.states[i];
    const c = r.skipWs();
    if (st === ST_AFTER) {
      if (c === 0x2c) {
        r.pos++;
        this.states[i] = ST_NEXT;
      } else if (c === close) {
        r.pos++;
        this.pop();
      } else r.fail(obj ? "',' or '}'" : "',' or ']'");
      return;
    }
    if (c === close && st === ST_FIRST) {
      r.pos++;
      this.pop();
      return;
    }
    if (obj) {
      if (c !== 0x22) r.fail(st === ST_FIRST ? "a member name or '}'" : 'a member name');
      r.scanString();
      const key = r.stringValue();
      if (r.skipWs() !== 0x3a) r.fail("':'");
      r.pos++;
      r.skipWs();
      this.valueAt(this.roles[i], key);
    } else {
      this.valueAt(this.roles[i], '');
    }
    this.states[i] = ST_AFTER;
    this.counts[i]++;
  }

  private valueAt(parent: number, key: string): void {
    const r = this.reader;
    const c = r.buf[r.pos];
    const act = parent === IGNORE ? IGNORE : this.handler.route(parent, key, r);
    if (act === NUMBER && (c === 0x2d || (c >= 0x30 && c <= 0x39))) {
      // readNumber may stop at the end of the buffer (INCOMPLETE) before anything is handed on.
      const v = r.readNumber();
      this.handler.number?.(parent, key, v);
    } else if (act === PARSE || act === NUMBER) {
      this.handler.value(parent, key, this.parseValue());
    } else if (c === 0x7b || c === 0x5b) {
      r.pos++;
      const role = act >= 0 ? act : IGNORE;
      this.roles.push(role);
      this.isObj.push(c === 0x7b);
      this.states.push(ST_FIRST);
      this.counts.push(0);
      if (role !== IGNORE) this.handler.open(role, parent);
    } else {
      r.skipValue();
    }
  }

  private pop(): void {
    const role = this.roles.pop() as number;
    this.isObj.pop();
    this.states.pop();
    const count = this.counts.pop() as number;
    if (role !== IGNORE) this.handler.close(role, count);
  }

  /** Parses one value; a syntax error inside it is reported at its exact byte. */
  private parseValue(): unknown {
    const r = this.reader;
    const line = r.line;
    const lineStart = r.lineStart;
    const s = r.skipRaw();
    const e = r.pos;
    const text = utf8.decode(r.buf.subarray(s, e));
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      // Find the offending byte with the tokenizer (JSON.parse messages need not carry a position).
      r.pos = s;
      r.line = line;
      r.lineStart = lineStart;
      this.check();
      r.pos = s;
      return r.fail('valid JSON', (err as Error).message);
    }
  }

  /** Strictly re-reads the (complete, buffered) value at pos; fails at the first bad byte. */
  private check(): void {
    const r = this.reader;
    const c = r.skipWs();
    if (c === 0x7b || c === 0x5b) {
      const obj = c === 0x7b;
      const close = obj ? 0x7d : 0x5d;
      r.pos++;
      let d = r.skipWs();
      if (d === close) {
        r.pos++;
        return;
      }
      for (;;) {
        if (obj) {
          if (d !== 0x22) r.fail('a member name');
          r.scanString();
          r.stringValue();
          if (r.skipWs() !== 0x3a) r.fail("':'");
          r.pos++;
        }
        this.check();
        d = r.skipWs();
        if (d === close) {
          r.pos++;
          return;
        }
        if (d !== 0x2c) r.fail(obj ? "',' or '}'" : "',' or ']'");
        r.pos++;
        d = r.skipWs();
      }
    }
    if (c === 0x22) {
      r.scanString();
      r.stringValue();
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) r.readNumber();
    else r.readLiteral();
  }
}
