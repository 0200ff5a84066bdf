/**
 * Collapsed ("folded") stacks, as Brendan Gregg's stackcollapse scripts, py-spy `--format raw`
 * and async-profiler write them: one `root;caller;callee count` per line. There are no times,
 * so the stacks are drawn as a flame graph is: merged, siblings sorted by name, each frame as
 * wide as its count — 1 ns of the x axis per sample, which the model and a diagnostic say.
 * Read line by line as the bytes arrive; only the merged tree is kept.
 */
import { TraceBuilder, isInputTime } from '../model/builder';
import { GroupKind, TraceImportError, TrackKind, type TraceModel } from '../model/trace-model';
import { LineImporter } from './line-importer';
import { FlameTree, type FrameInfo } from './samples';

/**
 * `count` at the end of a line, after whitespace (flamegraph.pl accepts decimals too). The stack
 * ends on a non-space: one that could end inside a run of spaces made such a line quadratic.
 */
const LINE = /^(\S(?:.*?\S)?)\s+(\d+(?:\.\d+)?)$/;
/** py-spy's `function (file:line)` frames: name, and the place as args. */
const PY_FRAME = /^(.*\S) \(([^()]+):(\d+)\)$/;

export class CollapsedImporter extends LineImporter {
  private readonly b = new TraceBuilder('collapsed-stacks');
  private readonly tree = new FlameTree();
  private line = 0;
  private bad = 0;
  private firstBad = '';

  *finishSteps(): Generator<void, TraceModel, void> {
    this.addLine(this.lastLine());
    if (this.read === 0) {
      throw new TraceImportError({
        format: 'collapsed-stacks',
        message: this.bad ? `no stack line could be read (${this.firstBad})` : 'no stack lines',
        line: 1,
        column: 1,
        expected: "lines of 'frame;frame;frame count'",
      });
    }
    yield* this.layout();
    return yield* this.b.finishSteps();
  }

  protected addLine(raw: string): void {
    this.line++;
    const text = raw.trim();
    if (!text) return;
    const m = LINE.exec(text);
    const stack = m ? m[1] : '';
    const count = m ? Number(m[2]) : NaN;
    if (!stack || !isInputTime(count)) {
      if (this.bad++ === 0) this.firstBad = `line ${this.line}: ${JSON.stringify(text.slice(0, 60))}`;
      return;
    }
    this.read++;
    if (count === 0) return; // nothing to draw
    this.tree.add(stack.split(';'), count);
  }

  private *layout(): Generator<void, void, void> {
    const b = this.b;
    if (this.bad) b.diag('invalid-event', `${this.firstBad} is not 'frame;frame;… count': skipped`, this.bad);
    b.diag(
      'abstract-units',
      'collapsed stacks have no timestamps: drawn as a flame graph (stacks merged, siblings sorted by name); the x axis counts samples (1 ns = 1 sample), not time',
    );
    b.valueUnit = 'samples';
    b.setTimeBase(0, 'trace');
    const track = b.track(b.group(GroupKind.PROCESS, 'collapsed', 'Collapsed stacks'), TrackKind.SAMPLES, 'flame', 'Flame graph (x = samples, not time)');
    yield* this.tree.layout(b, track, (frame): FrameInfo => {
      const m = PY_FRAME.exec(frame);
      return m ? { name: m[1], args: { file: m[2], line: Number(m[3]) } } : { name: frame };
    });
    b.countEvent('stack', this.read);
  }
}
