/**
 * What the line-oriented text importers (collapsed stacks, perf script) share: lines split as the
 * bytes arrive (a line cut by a chunk's end waits for the next), never a string of the whole input.
 */
import { runSteps } from '../model/builder';
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
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    let s = 0;
    for (let e = text.indexOf('\n'); e >= 0; e = text.indexOf('\n', s)) {
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
