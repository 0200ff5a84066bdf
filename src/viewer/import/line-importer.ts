/**
 * What the line-oriented text importers (collapsed stacks, perf script, systrace) share: lines split as the
 * bytes arrive (a line cut by a chunk's end waits for the next), never a string of the whole input.
 */
import { runSteps, type TraceBuilder } from '../model/builder';
import type { TraceModel } from '../model/trace-model';

export abstract class LineImporter {
  private readonly decoder = new TextDecoder();
  /** The start of a line cut by the end of the last chunk. */
  private rest = '';
  private consumed = 0;
  /** What `events` reports: lines or samples read so far. */
  protected read = 0;

  push(chunk: Uint8Array): void {
    this.consumed += chunk.length;
    const d = this.decoder.decode(chunk, { stream: true });
    // Only the new text can end the cut line: searching all of it again would be quadratic in a long line.
    const first = d.indexOf('\n');
    if (first < 0) {
      this.rest += d;
      return;
    }
    const text = this.rest + d;
    let s = 0;
    for (let e = first + this.rest.length; e >= 0; e = text.indexOf('\n', s)) {
      this.addLine(text.slice(s, e));
      s = e + 1;
    }
    this.rest = text.slice(s);
  }

  get bytes(): number {
    return this.consumed;
  }

  get events(): number {
    return this.read;
  }

  finish(): TraceModel {
    return runSteps(this.finishSteps());
  }

  /** The input's last line (no newline after it; '' when it ended with one). */
  protected lastLine(): string {
    const last = this.rest + this.decoder.decode();
    this.rest = '';
    return last;
  }

  protected abstract addLine(line: string): void;
  abstract finishSteps(): Generator<void, TraceModel, void>;
}

/** Lines an importer skipped, per kind of problem: counted, the first of each quoted with its line number. */
export class SkippedLines {
  private readonly kinds = new Map<string, { n: number; first: string; line: number }>();

  add(kind: string, line: number, text: string): void {
    const k = this.kinds.get(kind);
    if (k) k.n++;
    else this.kinds.set(kind, { n: 1, first: `line ${line}: ${JSON.stringify(text.slice(0, 80))}`, line });
  }

  /** The first kind seen: its first line quoted (`line 3: "…"`), its number, and the kind. */
  first(): { text: string; line: number; kind: string } | undefined {
    for (const [kind, k] of this.kinds) return { text: k.first, line: k.line, kind };
    return undefined;
  }

  /** One diagnostic for them all, each kind with its first case (the builder merges diagnostics by kind). */
  report(b: TraceBuilder): void {
    if (!this.kinds.size) return;
    let n = 0;
    const parts: string[] = [];
    for (const [kind, k] of this.kinds) {
      n += k.n;
      parts.push(`${k.first} is ${kind}${k.n > 1 ? ` (${k.n} such lines)` : ''}`);
    }
    b.diag('invalid-event', `${parts.join('; ')}: skipped`, n);
  }
}
