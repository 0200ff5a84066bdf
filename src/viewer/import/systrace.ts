/**
 * Android systrace / Linux ftrace text: what `/sys/kernel/tracing/trace` (and `atrace`,
 * `trace-cmd report`) print, one event a line — `task-tid (tgid) [cpu] flags seconds: event: args`
 * — and the systrace HTML report, whose `<script class="trace-data">` blocks hold that text (as
 * Perfetto and catapult's trace-viewer read them). The atrace markers apps write to trace_marker
 * (`tracing_mark_write: B|tgid|name`, `E|tgid`, `S|F|tgid|name|cookie`, `C|tgid|name|value`,
 * `I|tgid|name`, `N|tgid|track|name`, `G|H|tgid|track|name|cookie`) become thread slices, async
 * slices, counters and instants, grouped per process (tgid); `sched_switch` draws what ran on each
 * CPU and `cpu_frequency` a counter per CPU. Other kernel events are skipped and counted. The lines
 * of ftrace text are in time order (the kernel merges its per-CPU buffers), so begins and ends are
 * matched as they come.
 */
import { TraceBuilder } from '../model/builder';
import { GroupKind, InstantScope, SliceFlag, TraceImportError, TrackKind, type TraceModel } from '../model/trace-model';
import { LineImporter, SkippedLines } from './line-importer';

/**
 * `task-tid`, an optional `(tgid)` (`(-----)` when unknown), `[cpu]`, optional irq/preempt flags
 * (`d..1`, `dNs2.`; absent in old kernels), `seconds.frac:`, `event:` and its arguments. The task
 * name may hold spaces, dashes and digits: lazy, so the tid is the first `-digits` followed by the
 * rest of the prefix (as Perfetto's tokenizer finds it).
 */
export const FTRACE_LINE = /^\s*(\S.*?)-(\d+)\s+(?:\(\s*(\d+|-+)\s*\)\s+)?\[(\d+)\](?:\s+[a-zA-Z0-9.]{1,5})?\s+(\d+)\.(\d+):\s+([^\s:]+):(?:\s+(.*))?$/;
/** `sched_switch` arguments; comms may hold spaces. */
const SCHED_SWITCH = /^prev_comm=(.*?) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> next_comm=(.*?) next_pid=(-?\d+) next_prio=(-?\d+)$/;
const CPU_FREQ = /^state=(\d+) cpu_id=(\d+)$/;
const TRACE_DATA = /<script\b[^>]*\bclass=["']?trace-data\b[^>]*>/i;
const INT = /^-?\d+$/;
const MARKER_FORMS = "atrace markers 'B|pid|name', 'E|pid', 'S|pid|name|cookie', 'F|pid|name|cookie', 'C|pid|name|value', 'I|pid|name', 'N|pid|track|name', 'G|pid|track|name|cookie', 'H|pid|track|cookie'";

interface Thread {
  track: number;
  /** Open `B` slices, innermost last. */
  stack: number[];
}

export class SystraceImporter extends LineImporter {
  private readonly b = new TraceBuilder('systrace');
  private line = 0;
  /** HTML report: outside a trace-data block, inside one (and what it holds), or plain text. */
  private html: boolean | undefined;
  private inBlock = false;
  private block: 'ftrace' | 'skip' | undefined;
  private readonly skippedBlocks: string[] = [];
  private baseSec = NaN;
  private lastNs = 0;
  /** Task names by tid as the lines give them; names from sched_switch only fill gaps. */
  private readonly comms = new Map<string, string>();
  private readonly schedComms = new Map<string, string>();
  private readonly threads = new Map<string, Thread>();
  private readonly tgids = new Map<string, string>();
  /** Every tgid a group was made for. */
  private readonly procs = new Set<string>();
  private readonly asyncOpen = new Map<string, number[]>();
  private readonly cpus = new Map<string, { track: number; open: number }>();
  private cpuGroup = -1;
  private readonly bad = new SkippedLines();
  private readonly otherEvents = new Map<string, number>();
  private marks = 0;

  *finishSteps(): Generator<void, TraceModel, void> {
    const last = this.lastLine();
    if (last) this.addLine(last);
    if (this.read === 0) {
      const first = this.bad.first();
      let none = 'no events';
      if (this.skippedBlocks.length) none = `no ftrace text, only ${this.skippedBlocks.join(', ')}`;
      else if (this.html) none = 'an HTML page with no systrace trace-data block';
      throw new TraceImportError({
        format: 'systrace',
        message: first ? `no ftrace event line could be read (${first.text} is ${first.kind})` : none,
        line: first ? first.line : 1,
        column: 1,
        expected: "ftrace lines 'task-pid (tgid) [cpu] flags seconds: event: args'",
      });
    }
    this.layout();
    return yield* this.b.finishSteps();
  }

  private skip(kind: string, what: string): void {
    this.bad.add(kind, this.line, what);
  }

  protected addLine(raw: string): void {
    this.line++;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (this.html === undefined) {
      const t = text.replace(/^\ufeff/, '').trimStart();
      if (!t) return;
      // `<idle>-0 …` and `<...>-12 …` are ftrace lines.
      this.html = t[0] === '<' && !FTRACE_LINE.test(t);
    }
    if (!this.html) {
      this.ftrace(text);
      return;
    }
    if (!this.inBlock) {
      const m = TRACE_DATA.exec(text);
      if (!m) return;
      this.inBlock = true;
      this.block = /application\/json/i.test(m[0]) ? 'skip' : undefined;
      if (this.block) this.skippedBlocks.push('a JSON trace-data block');
      text = text.slice(m.index + m[0].length);
    }
    const end = text.indexOf('</script>');
    if (end >= 0) text = text.slice(0, end);
    if (this.block === undefined) {
      const t = text.trim();
      // A block's first line tells what it holds: ftrace text, or JSON / a process dump (skipped).
      if (t) {
        this.block = t[0] === '#' || FTRACE_LINE.test(t) || t === 'TRACE:' ? 'ftrace' : 'skip';
        if (this.block === 'skip') this.skippedBlocks.push(t[0] === '{' || t[0] === '[' ? 'a JSON trace-data block' : `a trace-data block of ${JSON.stringify(t.slice(0, 20))}`);
      }
    }
    if (this.block === 'ftrace') this.ftrace(text);
    if (end >= 0) this.inBlock = false;
  }

  /** One line of ftrace text. */
  private ftrace(text: string): void {
    const t = text.trim();
    // Comments (`# tracer: nop`, the column header), atrace's `TRACE:` and trace-cmd's `cpus=N` lines.
    if (!t || t[0] === '#' || t === 'TRACE:' || /^cpus=\d+$/.test(t)) return;
    const m = FTRACE_LINE.exec(t);
    if (!m) {
      this.skip('not an ftrace event line', t);
      return;
    }
    this.read++;
    // Seconds and fraction apart: µs (or ns) since boot lose digits as one double of ns.
    const sec = Number(m[5]);
    if (this.baseSec !== this.baseSec) this.baseSec = sec;
    const frac = m[6].slice(0, 9);
    const tNs = (sec - this.baseSec) * 1e9 + Number(frac) * 10 ** (9 - frac.length);
    if (tNs > this.lastNs) this.lastNs = tNs;
    const tid = m[2];
    const task = m[1].trim();
    // ftrace names a task it has no saved comm for `<...>`: never a name.
    if (task !== '<...>') this.comms.set(tid, task);
    if (m[3] && m[3][0] !== '-') this.tgids.set(tid, m[3]);
    const event = m[7];
    const args = (m[8] ?? '').trim();
    if (event === 'tracing_mark_write' || event === 'print' || event === '0') this.marker(args.replace(/^tracing_mark_write:\s*/, ''), tid, tNs);
    else if (event === 'sched_switch') this.schedSwitch(args, String(Number(m[4])), tNs);
    else if (event === 'cpu_frequency') this.cpuFrequency(args, tNs);
    else {
      this.otherEvents.set(event, (this.otherEvents.get(event) ?? 0) + 1);
      this.b.noteTime(tNs);
    }
  }

  private process(tgid: string): number {
    this.procs.add(tgid);
    return this.b.group(GroupKind.PROCESS, tgid);
  }

  /** A trace_marker write: an atrace marker, or free text (skipped and counted). */
  private marker(text: string, tid: string, tNs: number): void {
    const b = this.b;
    const f = text.split('|');
    const phase = f[0];
    const tgid = f[1] ?? '';
    const hasTgid = INT.test(tgid);
    const bad = (): void => {
      this.skip(`not one of the ${MARKER_FORMS}`, text);
      b.noteTime(tNs);
    };
    this.marks++;
    if (phase === 'E') {
      // Flutter writes a bare `E`: the end is the thread's either way.
      const th = this.threads.get(tid);
      const s = th?.stack.pop();
      if (s === undefined) {
        b.diag('unmatched-end', `"E" on thread ${tid} at ${(tNs / 1e6).toFixed(3)} ms (line ${this.line}) has no open "B"`);
        b.noteTime(tNs);
      } else b.setSliceDur(s, tNs - b.sliceStart(s));
      return;
    }
    if (!hasTgid || phase.length !== 1) {
      if (text.startsWith('trace_event_clock_sync:')) b.noteTime(tNs);
      else bad();
      return;
    }
    const g = (): number => this.process(tgid);
    switch (phase) {
      case 'B': {
        let th = this.threads.get(tid);
        if (!th) {
          // The line's tgid column wins over the marker's (a thread's process is the kernel's word).
          const track = b.track(this.process(this.tgids.get(tid) ?? tgid), TrackKind.THREAD, tid);
          this.threads.set(tid, (th = { track, stack: [] }));
        }
        // The name is all after the second `|` (it may hold `|`).
        const name = f.slice(2).join('|') || '(empty name)';
        th.stack.push(b.addSlice(th.track, tNs, NaN, b.intern(name), 0));
        return;
      }
      case 'S':
      case 'F':
      case 'G':
      case 'H': {
        // S|F|pid|name|cookie on a track per name; G|pid|track|name|cookie, H|pid|track|[name|]cookie on the named track.
        const trackName = f[2] ?? '';
        const name = phase === 'G' ? f[3] : trackName;
        const cookie = f[f.length - 1];
        const fields = f.length === 4 ? phase !== 'G' : f.length === 5 && (phase === 'G' || phase === 'H');
        if (!trackName || !fields || !INT.test(cookie)) {
          bad();
          return;
        }
        const key = `${tgid}\0${trackName}\0${cookie}`;
        let open = this.asyncOpen.get(key);
        if (phase === 'S' || phase === 'G') {
          const track = b.track(g(), TrackKind.ASYNC, trackName, trackName);
          const s = b.addSlice(track, tNs, NaN, b.intern(name || '(empty name)'), 0, SliceFlag.ASYNC, b.addDetails({ id: cookie }));
          if (!open) this.asyncOpen.set(key, (open = []));
          open.push(s);
          return;
        }
        const s = open?.shift();
        if (s === undefined) {
          b.diag('unmatched-async-end', `async end "${trackName}" (cookie ${cookie}, line ${this.line}) without a matching begin`);
          b.noteTime(tNs);
          return;
        }
        if (!open?.length) this.asyncOpen.delete(key);
        b.setSliceDur(s, tNs - b.sliceStart(s));
        return;
      }
      case 'C': {
        // C|pid|name|value, Chrome appending `|category`.
        const name = f[2];
        const v = f[3] !== undefined && f[3].trim() !== '' ? Number(f[3]) : NaN;
        if (!name || !Number.isFinite(v)) {
          bad();
          return;
        }
        const track = b.track(g(), TrackKind.COUNTER, name, name);
        b.addCounterValue(b.counterSeries(track, name), tNs, v);
        return;
      }
      case 'I': {
        if (!f[2]) return bad();
        b.addInstant(b.track(g(), TrackKind.INSTANTS, 'process', 'Process instants'), tNs, b.intern(f.slice(2).join('|')), 0, InstantScope.PROCESS);
        return;
      }
      case 'N': {
        if (!f[2] || !f[3]) return bad();
        b.addInstant(b.track(g(), TrackKind.ASYNC, f[2], f[2]), tNs, b.intern(f.slice(3).join('|')), 0, InstantScope.THREAD);
        return;
      }
      default:
        bad();
    }
  }

  private cpuTrack(cpu: string, kind: TrackKind, key: string, name: string): number {
    if (this.cpuGroup < 0) {
      this.cpuGroup = this.b.group(GroupKind.GLOBAL, 'CPUs', 'CPUs');
      // Above the processes, as Perfetto and catapult draw them.
      this.b.setGroupSortIndex(this.cpuGroup, -1);
    }
    return this.b.track(this.cpuGroup, kind, key, name);
  }

  /** What runs on the line's CPU from now on: a slice named by the task, until the next switch. */
  private schedSwitch(args: string, cpu: string, tNs: number): void {
    const b = this.b;
    const m = SCHED_SWITCH.exec(args);
    if (!m) {
      this.skip("a sched_switch without 'prev_comm=… prev_pid=… prev_prio=… prev_state=… ==> next_comm=… next_pid=… next_prio=…'", args);
      b.noteTime(tNs);
      return;
    }
    for (const [comm, pid] of [
      [m[1], m[2]],
      [m[5], m[6]],
    ]) {
      if (pid !== '0' && !this.schedComms.has(pid)) this.schedComms.set(pid, comm);
    }
    let c = this.cpus.get(cpu);
    if (!c) this.cpus.set(cpu, (c = { track: this.cpuTrack(cpu, TrackKind.THREAD, cpu, `CPU ${cpu}`), open: -1 }));
    if (c.open >= 0) b.setSliceDur(c.open, tNs - b.sliceStart(c.open));
    c.open = -1;
    // pid 0 is the idle task (swapper): nothing runs.
    if (m[6] !== '0') {
      c.open = b.addSlice(c.track, tNs, NaN, b.intern(m[5]), b.intern('sched'), 0, b.addDetails({ args: { tid: Number(m[6]), prio: Number(m[7]) } }));
    } else b.noteTime(tNs);
  }

  private cpuFrequency(args: string, tNs: number): void {
    const m = CPU_FREQ.exec(args);
    if (!m) {
      this.skip("a cpu_frequency without 'state=… cpu_id=…'", args);
      this.b.noteTime(tNs);
      return;
    }
    const name = `CPU ${m[2]} frequency`;
    const track = this.cpuTrack(m[2], TrackKind.COUNTER, `freq ${m[2]}`, name);
    this.b.addCounterValue(this.b.counterSeries(track, name), tNs, Number(m[1]));
  }

  private layout(): void {
    const b = this.b;
    this.bad.report(b);
    if (this.otherEvents.size) {
      let n = 0;
      const names: string[] = [];
      for (const [e, k] of this.otherEvents) {
        n += k;
        names.push(`${e} (${k})`);
      }
      b.diag('skipped-section', `kernel events other than tracing_mark_write, sched_switch and cpu_frequency are skipped: ${names.join(', ')}`, n);
    }
    if (this.skippedBlocks.length) b.diag('skipped-section', `trace-data blocks that hold no ftrace text are skipped: ${this.skippedBlocks.join(', ')}`, this.skippedBlocks.length);
    b.setTimeBase(this.baseSec * 1000, 'trace');
    for (const th of this.threads.values()) {
      for (const s of th.stack) b.diag('unclosed-begin', `"B" "${b.strings[b.sliceName(s)]}" never ended; drawn to the end of the trace`);
    }
    for (const open of this.asyncOpen.values()) {
      for (const s of open) b.diag('unclosed-async', `async slice "${b.strings[b.sliceName(s)]}" never ended`);
    }
    // The task on a CPU at the end of the trace ran at least until its last event.
    for (const c of this.cpus.values()) if (c.open >= 0) b.setSliceDur(c.open, this.lastNs - b.sliceStart(c.open));
    const comm = (tid: string): string | undefined => this.comms.get(tid) ?? this.schedComms.get(tid);
    for (const [tid, th] of this.threads) {
      const name = comm(tid);
      b.setTrackName(th.track, name ? `${name} ${tid}` : `Thread ${tid}`);
    }
    // A process is named by its main thread (tid = tgid), when the trace shows it.
    for (const tgid of this.procs) {
      const name = comm(tgid);
      if (name) b.setGroupName(this.process(tgid), name);
    }
    b.countEvent('event', this.read);
    if (this.marks) b.countEvent('tracing_mark_write', this.marks);
  }
}
