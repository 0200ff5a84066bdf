/**
 * The text output of Linux `perf script` (as speedscope and the Firefox Profiler import it): per
 * sample a header line `comm [pid/]tid [cpu] seconds.frac: [period] event:`, then its call stack
 * one frame a line, indented, leaf first (`addr symbol+0xoff (dso)`), and a blank line. Samples
 * are drawn over time, one track per thread (tid, named by its latest comm) in a group per process (pid), each stack
 * lasting until the thread's next sample, or for one sampling interval across a gap (the thread
 * was not running). Read line by line as the bytes arrive; a sample keeps two numbers, its stack
 * is a node of a trie of frames shared by all threads.
 */
import { TraceBuilder } from '../model/builder';
import { GroupKind, TraceImportError, TrackKind, type TraceModel } from '../model/trace-model';
import { LineImporter, SkippedLines } from './line-importer';
import { FrameRefs, NumList, StackRuns, type FrameInfo } from './samples';

/**
 * comm (may hold spaces and digits: lazy, so pid/tid are the last numbers before the time),
 * optional `pid/`, tid, optional `[cpu]`, time in seconds, then the rest (period, event, …).
 * The comm ends on a non-space: one that could end inside a run of spaces made a line of spaces
 * quadratic (every split of the run tried).
 */
export const PERF_HEADER = /^(\S(?:.*?\S)?)\s+(?:(-?\d+)\/)?(-?\d+)\s+(?:\[(\d+)\]\s+)?(\d+)(?:\.(\d+))?:(?:\s+(.*))?$/;
/** `[period] event:` after the time (event names hold colons: `cycles:ppp:`, `cpu-clock:u:`). */
const REST = /^(?:(\d+)\s+)?(\S+?):?(?:\s+(.*))?$/;
/**
 * `addr [symbol[+0xoff]] (dso)`; a dso may end in ` (deleted)`. The symbol starts and ends on a
 * non-space, as the comm in PERF_HEADER: when the space around it could be split any way, a frame
 * line with a long run of spaces took minutes (every split tried, each scanned to the end).
 */
const FRAME = /^([0-9a-fA-F]+)\s+(?:(\S(?:.*?\S)?)\s+)?\(([^()]*(?:\([^()]*\)[^()]*)?)\)$/;
/** `perf script -F +srcline` puts `file.c:12` under a frame. */
const SRCLINE = /^\S+:\d+$/;
const OFFSET = /\+0x[0-9a-fA-F]+$/;
/** Samples laid out between two yields of finishSteps(). */
const STEP = 1 << 16;

interface Thread {
  comm: string;
  pid: string;
  tid: string;
  times: NumList;
  nodes: NumList;
  sorted: boolean;
}

export class PerfScriptImporter extends LineImporter {
  private readonly b = new TraceBuilder('perf-script');
  private line = 0;
  private readonly threads = new Map<string, Thread>();
  /** Frames: `name\0dso` → index; their names, dsos. */
  private readonly frameIds = new Map<string, number>();
  private readonly frames: Array<{ name: string; dso: string }> = [];
  /** Stack trie: node 0 is the empty stack; each other node is a frame under its parent. */
  private readonly nodeParent: number[] = [-1];
  private readonly nodeFrame: number[] = [-1];
  private readonly nodeKids: Array<Map<number, number> | undefined> = [undefined];
  /** The sample being read: its thread (null: none, or skipped), time, frames leaf first. */
  private cur: Thread | null = null;
  private inSample = false;
  private curT = 0;
  private readonly stack: number[] = [];
  private baseSec = NaN;
  private event: string | undefined;
  private clockPeriod = 0;
  private readonly bad = new SkippedLines();
  private readonly otherEvents = new Map<string, number>();

  *finishSteps(): Generator<void, TraceModel, void> {
    const last = this.lastLine();
    if (last) this.addLine(last);
    this.endSample();
    if (this.read === 0) {
      const first = this.bad.first();
      throw new TraceImportError({
        format: 'perf-script',
        message: first ? `no sample could be read (${first.text})` : 'no samples',
        line: 1,
        column: 1,
        expected: "'comm pid/tid [cpu] seconds: period event:' lines, each followed by its stack",
      });
    }
    yield* this.layout();
    return yield* this.b.finishSteps();
  }

  private skip(kind: string, what: string): void {
    this.bad.add(kind, this.line, what);
  }

  protected addLine(raw: string): void {
    this.line++;
    const text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const c = text.charCodeAt(0);
    if (c === 32 || c === 9) {
      const f = text.trim();
      // Without call graphs (`perf record` without -g) perf pads the comm to 16 columns
      // (`%16s`): a sample header that starts with spaces, one a line. Stack lines start with a tab.
      if (c === 32 && PERF_HEADER.test(f)) {
        this.endSample();
        this.header(f);
      } else if (!f) this.endSample();
      else if (!this.inSample) this.skip('a stack line outside a sample', f);
      else if (this.cur) this.frame(f, true);
      return;
    }
    this.endSample();
    // `perf script --header` comments; a blank line ends a sample.
    if (!text || c === 35) return;
    this.header(text);
  }

  private header(text: string): void {
    const m = PERF_HEADER.exec(text);
    // Its stack lines belong to it even when it cannot be read: skipped without a report each.
    this.inSample = true;
    if (!m) {
      this.skip('not a sample header', text);
      return;
    }
    const r = REST.exec(m[7] ?? '');
    const event = r ? r[2] : '';
    if (this.event === undefined) {
      this.event = event;
      // Clock events count their period in ns: the sampling interval when no thread shows one.
      if (r?.[1] && /^(cpu|task)-clock\b/.test(event)) this.clockPeriod = Number(r[1]);
    } else if (event !== this.event) {
      this.otherEvents.set(event, (this.otherEvents.get(event) ?? 0) + 1);
      return;
    }
    // Seconds and fraction apart: µs (or ns) since boot lose digits as one double of ns.
    const sec = Number(m[5]);
    if (this.baseSec !== this.baseSec) this.baseSec = sec;
    const frac = (m[6] ?? '').slice(0, 9);
    this.curT = (sec - this.baseSec) * 1e9 + (frac ? Number(frac) * 10 ** (9 - frac.length) : 0);
    const comm = m[1].trim();
    const pid = m[2] ?? '';
    const tid = m[3];
    // One thread per pid/tid, its comm the latest (exec renames it; the Firefox Profiler does the same).
    const key = `${pid}/${tid}`;
    let t = this.threads.get(key);
    if (!t) this.threads.set(key, (t = { comm, pid, tid, times: new NumList(), nodes: new NumList(), sorted: true }));
    else t.comm = comm;
    this.cur = t;
    this.stack.length = 0;
    // Without -g the sample's one frame follows the event on the header line (not always: a
    // tracepoint's fields do too).
    const tail = r?.[3];
    if (tail) this.frame(tail, false);
  }

  private frame(text: string, report: boolean): void {
    const m = FRAME.exec(text);
    if (!m) {
      if (report && !SRCLINE.test(text)) this.skip('not a stack frame', text);
      return;
    }
    const dso = m[3];
    let sym = (m[2] ?? '').replace(OFFSET, '');
    if (!sym || sym === '[unknown]') {
      // No symbol: named by where it is, never by its address.
      sym = dso && dso !== '[unknown]' ? `[unknown] (${dso.slice(dso.lastIndexOf('/') + 1)})` : '[unknown]';
    }
    const key = `${sym}\0${dso}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      this.frameIds.set(key, (id = this.frames.length));
      this.frames.push({ name: sym, dso });
    }
    this.stack.push(id);
  }

  private endSample(): void {
    const t = this.cur;
    this.inSample = false;
    this.cur = null;
    if (!t) return;
    // Leaf first in the input: walked from the end for root first.
    let node = 0;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i];
      let kids = this.nodeKids[node];
      if (!kids) this.nodeKids[node] = kids = new Map();
      let next = kids.get(f);
      if (next === undefined) {
        kids.set(f, (next = this.nodeParent.length));
        this.nodeParent.push(node);
        this.nodeFrame.push(f);
        this.nodeKids.push(undefined);
      }
      node = next;
    }
    const n = t.times.n;
    if (n > 0 && this.curT < t.times.a[n - 1]) t.sorted = false;
    t.times.push(this.curT);
    t.nodes.push(node);
    this.read++;
  }

  /** The median time between a thread's consecutive samples: the sampling interval. */
  private interval(): number {
    const d: number[] = [];
    for (const t of this.threads.values()) {
      const a = t.times.a;
      // Enough to tell the median of a long profile.
      const step = Math.max(1, Math.floor(t.times.n / 4096));
      for (let i = step; i < t.times.n; i += step) if (a[i] > a[i - 1]) d.push(a[i] - a[i - 1]);
    }
    if (!d.length) return this.clockPeriod;
    d.sort((x, y) => x - y);
    return d[d.length >> 1];
  }

  private *layout(): Generator<void, void, void> {
    const b = this.b;
    this.bad.report(b);
    if (this.otherEvents.size) {
      let n = 0;
      for (const v of this.otherEvents.values()) n += v;
      const names = [...this.otherEvents.keys()].map((e) => JSON.stringify(e)).join(', ');
      b.diag('skipped-section', `samples of other events than the first one (${JSON.stringify(this.event)}) are skipped: ${names}`, n);
    }
    b.setTimeBase(this.baseSec * 1000, 'trace');
    const step = this.interval();
    // A gap over twice the interval: the thread was off CPU; its stack is drawn for one interval.
    const gap = step * 2;
    const procName = new Map<string, string>();
    for (const t of this.threads.values()) if (t.pid === t.tid || !procName.has(t.pid)) procName.set(t.pid, t.comm);
    const paths = new Map<number, number[]>();
    const pathOf = (node: number): number[] => {
      let p = paths.get(node);
      if (p) return p;
      p = [];
      for (let n = node; n > 0; n = this.nodeParent[n]) p.push(this.nodeFrame[n]);
      p.reverse();
      paths.set(node, p);
      return p;
    };
    const refs = new FrameRefs(b, (i): FrameInfo => {
      const f = this.frames[i];
      const kernel = f.dso === '[kernel.kallsyms]' || f.dso.endsWith('/vmlinux') || f.dso.endsWith('.ko') || f.dso.startsWith('[kernel');
      return { name: f.name, category: kernel ? 'kernel' : 'user', args: f.dso ? { dso: f.dso } : undefined };
    });
    const none: number[] = [];
    let done = 0;
    for (const t of this.threads.values()) {
      const g = t.pid ? b.group(GroupKind.PROCESS, t.pid, procName.get(t.pid)) : b.group(GroupKind.PROCESS, '', 'Threads (pid not in the input)');
      const track = b.track(g, TrackKind.SAMPLES, `${t.tid} ${t.comm}`, `${t.comm} ${t.tid}`);
      const n = t.times.n;
      const times = t.times.a;
      let order: ArrayLike<number> | null = null;
      if (!t.sorted) order = Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) => times[x] - times[y] || x - y);
      const runs = new StackRuns(b, track, refs);
      for (let k = 0; k < n; k++) {
        const i = order ? order[k] : k;
        const at = times[i];
        const path = pathOf(t.nodes.a[i]);
        runs.sample(path, 0, path.length, at);
        const next = k + 1 < n ? times[order ? order[k + 1] : k + 1] : Infinity;
        if (step > 0 && next - at > gap) runs.sample(none, 0, 0, at + step);
        if (++done % STEP === 0) yield;
      }
      runs.end(n ? times[order ? order[n - 1] : n - 1] + step : 0);
    }
    b.countEvent('sample', this.read);
  }
}
