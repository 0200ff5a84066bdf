/**
 * Zstandard input: a `.zst` file (the `zstd` tool), or what the Collector's file exporter writes
 * with `compression: zstd`: each message a 4-byte big-endian length and a zstd frame of it.
 * Browsers' DecompressionStream has no zstd, so fzstd (a small pure-JS decoder) does it.
 */
import { Decompress } from 'fzstd';
import { TraceImportError } from '../model/trace-model';
import { joinBytes } from './bytes';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const at = (b: Uint8Array, p: number) => MAGIC.every((x, i) => b[p + i] === x);

/** A zstd stream, or length-framed zstd messages (a length's high byte is 0 below 16 MB). */
export function zstdLayout(head: Uint8Array): 'stream' | 'framed' | undefined {
  // A stream may start with a skippable frame (magic 0x184D2A50…5F): pzstd writes one before each frame.
  const skippable = (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18;
  return at(head, 0) || skippable ? 'stream' : head[0] === 0 && at(head, 4) ? 'framed' : undefined;
}

/** Why decoding stopped, and after how many decompressed bytes (the importer keeps what came). */
export interface Cut {
  why?: string;
  at?: number;
}

/**
 * Decompresses `head` and the chunks after it. Framed messages come out as the importers read the
 * Collector's uncompressed files: JSON ones as lines (NDJSON), protobuf ones length-framed again.
 */
export async function* unzstd(head: Uint8Array, rest: AsyncIterator<Uint8Array>, cut: Cut): AsyncGenerator<Uint8Array> {
  const framed = zstdLayout(head) === 'framed';
  const out: Uint8Array[] = [];
  let outBytes = 0;
  let produced = 0;
  // Stream: fzstd's own streaming decoder. Framed: whole frames (one exported batch each).
  const stream = framed ? undefined : new Decompress((c) => void (c.length && (outBytes += c.length) && out.push(c)));
  // Input of the message not read yet, joined only once it holds `need` bytes (a length, then the
  // message): joined at each chunk, a big message's start was copied again and again.
  let waiting: Uint8Array[] = [];
  let have = 0;
  let need = 4;
  let read = 0; // input bytes before `waiting`
  const frames = (c: Uint8Array, last: boolean): void => {
    waiting.push(c);
    have += c.length;
    if (have < need && !last) return;
    const b = joinBytes(waiting);
    let p = 0;
    for (;;) {
      if (b.length - p < 4) {
        need = 4;
        break;
      }
      const n = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
      if (b.length - p - 4 < n) {
        need = 4 + n;
        break;
      }
      if (!at(b, p + 4)) throw new Error(`no zstd frame at byte ${read + p + 4} (a message of the Collector's zstd file starts with one)`);
      // Bounded: one message that decompresses to gigabytes (a zip bomb) is an error, not a full memory.
      const m = unzstdAll(b.subarray(p + 4, p + 4 + n), MAX_MESSAGE);
      if (m.length) out.push(m[0] === 0x7b || m[0] === 0x5b ? joinBytes([m, NEWLINE]) : joinBytes([lengthOf(m.length), m]));
      p += 4 + n;
    }
    read += p;
    waiting = p < b.length ? [b.subarray(p)] : [];
    have = b.length - p;
    if (last && have) throw new Error('unexpected end of data: the last message is cut short');
  };
  let chunk: Uint8Array | undefined = head;
  for (;;) {
    const last = !chunk;
    const c = chunk ?? new Uint8Array(0);
    // A few bytes of zstd can stand for megabytes (an RLE block): the stream is pushed in small
    // slices and what came out handed on every MB, so a zip bomb streams instead of filling memory.
    for (let p = 0; ; ) {
      const end = framed ? c.length : Math.min(p + SLICE, c.length);
      try {
        if (framed) frames(c, last);
        else stream!.push(c.subarray(p, end), last && end === c.length);
      } catch (e) {
        const why = `zstd: ${describe(e)}`;
        if (!produced && !out.length) throw new TraceImportError({ format: 'unknown', message: why, expected: 'a valid zstd stream' });
        for (const o of out.splice(0)) {
          produced += o.length;
          yield o;
        }
        cut.why = why;
        cut.at = produced;
        return;
      }
      if (end === c.length || outBytes >= 1 << 20) {
        outBytes = 0;
        for (const o of out.splice(0)) {
          produced += o.length;
          yield o;
        }
      }
      if ((p = end) === c.length) break;
    }
    if (last) return;
    const n = await rest.next();
    chunk = n.done ? undefined : n.value;
  }
}

const NEWLINE = new Uint8Array([0x0a]);
/** A Collector message (one exported batch) is far smaller; past this it is no trace. */
const MAX_MESSAGE = 1 << 26;
/** Input bytes per push: at most 16 blocks (≤ 2 MB each as fzstd reads them) come out of one. */
const SLICE = 64;

function lengthOf(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** fzstd's errors say little ("invalid zstd data"); its codes say which. */
function describe(e: unknown): string {
  const code = (e as { code?: number }).code;
  const text = ['invalid data', 'window size too large', 'invalid block type', 'FSE accuracy too high', 'match distance too far back', 'unexpected end of data: the file is cut short'];
  return (code !== undefined && text[code]) || String((e as Error).message ?? e).replace(/\.$/, '');
}

/** One zstd buffer whole (Perfetto's `zstd_compressed_packets`), refused past `cap` bytes. */
export function unzstdAll(z: Uint8Array, cap: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  const d = new Decompress((c) => {
    n += c.length;
    if (n > cap) throw new Error(`decompresses to over ${cap >>> 20} MB`);
    parts.push(c);
  });
  try {
    d.push(z, true);
  } catch (e) {
    throw new Error(describe(e));
  }
  return joinBytes(parts);
}
