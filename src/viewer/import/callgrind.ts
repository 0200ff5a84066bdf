/**
 * Callgrind profiles (valgrind's "Callgrind Format Specification"): what `valgrind
 * --tool=callgrind` and cachegrind write, PHP Xdebug's profiler (`cachegrind.out.*`), `go tool
 * pprof -callgrind`. Header lines `key: value` (`events:` names the cost columns, `positions:`
 * the position columns before them), then per function (`fl=` file, `fn=` name; `fi=`/`fe=` name
 * the file of inlined lines) cost lines `positions costs…` of its self cost, and calls: `cfn=`
 * (`cfi=`/`cfl=`, `cob=`) name the callee, `calls=count target` is followed by one cost line of
 * the call's inclusive cost. Names may be compressed (`(id) name` defines, `(id)` refers), and
 * positions given relative to the last line's (`+n`, `-n`, `*`).
 *
 * A call graph holds no stacks: as speedscope does, it is unrolled into a flame graph from its
 * roots, each function's callees sharing its weight in proportion to its total (so every call
 * path of a function gets the same mix of callees). Recursion stops at a function already on the
 * path. Only the first event type is drawn; a time event (Xdebug's `Time_(10ns)`, pprof's
 * `cpu(ms)`) keeps time on the x axis, as pprof's profiles do.
 */
import { TraceBuilder } from '../model/builder';
import { GroupKind, TraceImportError, TrackKind, type TraceModel } from '../model/trace-model';
import { LineImporter } from './line-importer';
import { FlameTree, type FrameInfo } from './samples';

/** A subposition: absolute (decimal or hex), relative to the last line's (`+n`, `-n`), or the same (`*`). */
const POSITION = /^(?:[+-]?(?:0x[0-9a-f]+|\d+)|\*)$/i;
const COST = /^\d+$/;
/** `(id) name` (a definition), `(id)` (a reference), or a plain name. */
const COMPRESSED = /^\((\d+)\)(?:\s+(.*))?$/;
/** A time unit at the end of an event name: `Time_(10ns)`, `cpu(ms)`, `wall(nanoseconds)`. */
const TIME_EVENT = /\((\d*)\s*(ns|us|µs|ms|s|nanoseconds|microseconds|milliseconds|seconds)\)$/i;
const NS_PER: Record<string, number> = { ns: 1, nanoseconds: 1, us: 1e3, µs: 1e3, microseconds: 1e3, ms: 1e6, milliseconds: 1e6, s: 1e9, seconds: 1e9 };
/** Frames laid out at most: a call graph can unroll into exponentially many paths. */
const MAX_NODES = 200_000;
/** Call paths unrolled at most this deep (the unrolling recurses). */
const MAX_DEPTH = 1024;
/** Paths thinner than this part of the total are not unrolled further (far below a pixel). */
const MIN_PART = 1e-6;

interface Fn {
  name: string;
  file: string;
  obj: string;
  self: number;
  /** Callee index → inclusive cost of all calls to it from here. */
  calls: Map<number, number>;
  /** Inclusive cost of calls into this function from others (for finding the roots). */
  into: number;
}

/** A call whose callee file was not given: resolved once all functions are known. */
interface Pending {
  caller: number;
  name: string;
  cost: number;
}

export class CallgrindImporter extends LineImporter {
  private readonly b = new TraceBuilder('callgrind');
  private line = 0;
  private eventNames: string[] | undefined;
  private eventNamesLine = '';
  private positions = 1;
  private creator = '';
  /** Compressed names per kind: files (fl, fi, fe, cfi, cfl), functions (fn, cfn), objects (ob, cob). */
  private readonly names = { file: new Map<string, string>(), fn: new Map<string, string>(), obj: new Map<string, string>() };
  private file = '';
  private obj = '';
  private fn = -1;
  private cfile: string | undefined;
  private cobj: string | undefined;
  private cfn: string | undefined;
  /** The last line was `calls=`: the next is the call's cost line. */
  private callPending = false;
  /** The line before was `jump=`/`jcnd=`: the next holds its source position only. */
  private jumpPending = false;
  private readonly fns: Fn[] = [];
  private readonly fnIndex = new Map<string, number>();
  private readonly pending: Pending[] = [];
  private costLines = 0;

  /** Cost lines read so far. */
  override get events(): number {
    return this.costLines;
  }

  *finishSteps(): Generator<void, TraceModel, void> {
    this.addLine(this.lastLine());
    if (this.callPending) this.fail('the input ends after `calls=` without the cost line of the call', 'a cost line');
    if (!this.eventNames) {
      throw new TraceImportError({ format: 'callgrind', message: 'no `events:` header line: the cost columns are not named', line: 1, column: 1, expected: 'a callgrind header with `events:`' });
    }
    if (this.costLines === 0) {
      throw new TraceImportError({ format: 'callgrind', message: 'no cost lines: the profile is empty', line: this.line, column: 1, expected: '`fn=` blocks with cost lines' });
    }
    yield* this.layout();
    return yield* this.b.finishSteps();
  }

  private fail(message: string, expected: string, column = 1): never {
    throw new TraceImportError({ format: 'callgrind', message: `line ${this.line}: ${message}`, line: this.line, column, expected });
  }

  protected addLine(raw: string): void {
    this.line++;
    const text = raw.replace(/\r$/, '');
    const t = text.trim();
    if (this.callPending) {
      if (!t || t.startsWith('#')) return;
      this.callPending = false;
      const cost = this.cost(t, true);
      const caller = this.fns[this.fn];
      const name = this.cfn as string;
      if (this.cfile !== undefined) this.addCall(caller, this.fnOf(name, this.cfile, this.cobj ?? this.obj), cost);
      else this.pending.push({ caller: this.fn, name, cost });
      // cfi=/cob= name the callee of the next call only.
      this.cfile = this.cobj = undefined;
      return;
    }
    if (!t || t.startsWith('#')) return;
    if (this.jumpPending) {
      this.jumpPending = false;
      this.cost(t, false);
      return;
    }
    const eq = /^([a-z]+)=(.*)$/.exec(t);
    if (eq) return this.spec(eq[1], eq[2].trim());
    const header = /^([A-Za-z][\w ()]*?):\s*(.*)$/.exec(t);
    if (header) return this.header(header[1], header[2].trim());
    if (this.fn < 0) {
      if (!this.eventNames) this.fail(`${JSON.stringify(t.slice(0, 40))} is not a callgrind line`, 'a callgrind header line (`key: value`)');
      this.fail(`a cost line (${JSON.stringify(t.slice(0, 40))}) before any \`fn=\``, 'a `fn=` line');
    }
    this.fns[this.fn].self += this.cost(t, true);
  }

  private header(key: string, value: string): void {
    if (key === 'events') {
      if (this.eventNames && value !== this.eventNamesLine) this.fail(`a second \`events:\` line names other events (${value}; first: ${this.eventNamesLine})`, 'one `events:` line');
      const list = value.split(/\s+/).filter(Boolean);
      if (!list.length) this.fail('`events:` names no event', 'event names');
      this.eventNames = list;
      this.eventNamesLine = value;
    } else if (key === 'positions') {
      const list = value.split(/\s+/).filter(Boolean);
      if (!list.length || list.some((p) => p !== 'line' && p !== 'instr')) this.fail(`\`positions: ${value}\`: positions are "instr" and/or "line"`, "'instr', 'line' or 'instr line'", 12);
      this.positions = list.length;
    } else if (key === 'creator') this.creator = value;
    // version, cmd, pid, part, desc, summary, totals, thread, event: nothing to draw.
  }

  private spec(key: string, value: string): void {
    switch (key) {
      case 'fl':
        this.file = this.name('file', value);
        break;
      case 'fi':
      case 'fe':
        // The file of inlined lines: the function stays the one of `fl=` and `fn=`.
        this.name('file', value);
        break;
      case 'ob':
        this.obj = this.name('obj', value);
        break;
      case 'fn':
        this.fn = this.fnOf(this.name('fn', value), this.file, this.obj);
        this.cfile = this.cobj = undefined;
        break;
      case 'cfi':
      case 'cfl':
        this.cfile = this.name('file', value);
        break;
      case 'cob':
        this.cobj = this.name('obj', value);
        break;
      case 'cfn':
        this.cfn = this.name('fn', value);
        break;
      case 'calls':
        if (!/^\d+(\s|$)/.test(value)) this.fail(`\`calls=${value}\`: no call count`, '`calls=count target-position`', 7);
        if (this.fn < 0) this.fail('`calls=` before any `fn=`', 'a `fn=` line');
        if (this.cfn === undefined) this.fail('`calls=` without a `cfn=` naming the called function', 'a `cfn=` line before `calls=`');
        this.callPending = true;
        break;
      case 'jump':
      case 'jcnd':
        this.jumpPending = true;
        break;
      // A jump's target in another file or function (--collect-jumps, e.g. a longjmp): nothing
      // to draw, but a compressed name it defines is used later.
      case 'jfi':
        this.name('file', value);
        break;
      case 'jfn':
        this.name('fn', value);
        break;
      default:
        this.fail(`unknown specification \`${key}=\``, 'fl=, fi=, fe=, fn=, ob=, cfi=, cfl=, cfn=, cob=, calls=, jump= or jcnd=');
    }
  }

  /** A name, with callgrind's name compression resolved. */
  private name(kind: 'file' | 'fn' | 'obj', value: string): string {
    const m = COMPRESSED.exec(value);
    if (!m) return value;
    const table = this.names[kind];
    if (m[2] !== undefined) {
      table.set(m[1], m[2]);
      return m[2];
    }
    const known = table.get(m[1]);
    if (known === undefined) this.fail(`${kind === 'fn' ? 'function' : kind === 'file' ? 'file' : 'object'} name (${m[1]}) is used before it is defined`, `a definition \`(${m[1]}) name\` before it`);
    return known;
  }

  /** The first event's cost on a cost line (positions first); checks the whole line. */
  private cost(t: string, counted: boolean): number {
    if (!this.eventNames) this.fail(`a cost line (${JSON.stringify(t.slice(0, 40))}) before the \`events:\` header`, 'an `events:` line first');
    const parts = t.split(/\s+/);
    if (parts.length < this.positions) this.fail(`${JSON.stringify(t.slice(0, 40))} has ${parts.length} of the ${this.positions} positions (\`positions:\`)`, 'a cost line: positions, then costs');
    let col = 1;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const ok = i < this.positions ? POSITION.test(p) : COST.test(p);
      if (!ok) this.fail(`${JSON.stringify(p.slice(0, 30))} is not a ${i < this.positions ? 'position' : 'cost'} (in ${JSON.stringify(t.slice(0, 60))})`, i < this.positions ? 'a number, +n, -n or *' : 'an unsigned integer cost', col);
      col += p.length + 1;
    }
    if (parts.length - this.positions > this.eventNames.length) this.fail(`${parts.length - this.positions} costs for ${this.eventNames.length} events (\`events: ${this.eventNamesLine}\`)`, `at most ${this.eventNames.length} costs`);
    if (counted) this.costLines++;
    // Costs left out at the end are 0.
    return parts.length > this.positions ? Number(parts[this.positions]) : 0;
  }

  private fnOf(name: string, file: string, obj: string): number {
    const key = `${name}\0${file}`;
    let i = this.fnIndex.get(key);
    if (i === undefined) {
      i = this.fns.push({ name, file, obj, self: 0, calls: new Map(), into: 0 }) - 1;
      this.fnIndex.set(key, i);
    }
    return i;
  }

  private addCall(caller: Fn, callee: number, cost: number): void {
    caller.calls.set(callee, (caller.calls.get(callee) ?? 0) + cost);
    if (this.fns[callee] !== caller) this.fns[callee].into += cost;
  }

  private *layout(): Generator<void, void, void> {
    const b = this.b;
    const fns = this.fns;
    // A callee named without a file: the one function of that name, else in the caller's file.
    const byName = new Map<string, number[]>();
    fns.forEach((f, i) => {
      const same = byName.get(f.name);
      if (same) same.push(i);
      else byName.set(f.name, [i]);
    });
    for (const p of this.pending) {
      const caller = fns[p.caller];
      const same = byName.get(p.name);
      const callee = same && same.length === 1 ? same[0] : this.fnOf(p.name, caller.file, caller.obj);
      this.addCall(caller, callee, p.cost);
    }
    const event = (this.eventNames as string[])[0];
    let nsPer = 0;
    const unit = TIME_EVENT.exec(event);
    if (unit) nsPer = (Number(unit[1]) || 1) * NS_PER[unit[2].toLowerCase()];
    // Xdebug's bare `Time` (before 3.1 named the unit): µs in Xdebug 2, 10 ns in Xdebug 3.
    else if (event === 'Time' && /^xdebug 2\./i.test(this.creator)) nsPer = 1e3;
    else if (event === 'Time' && /^xdebug [3-9]\./i.test(this.creator)) nsPer = 10;
    const others = (this.eventNames as string[]).length > 1 ? `; the other event types (${(this.eventNames as string[]).slice(1).join(', ')}) are not drawn` : '';
    if (nsPer) {
      b.diag('abstract-units', `callgrind profiles have no timestamps: drawn as a flame graph unrolled from the call graph (callees share each function's weight in proportion); the x axis is total ${event} time, not a timeline${others}`);
    } else {
      b.valueUnit = 'units';
      b.diag('abstract-units', `callgrind profiles have no timestamps: drawn as a flame graph unrolled from the call graph (callees share each function's weight in proportion); the x axis is ${event} (1 ns = 1), not time${others}`);
    }
    b.setTimeBase(0, 'trace');
    const track = b.track(b.group(GroupKind.PROCESS, 'callgrind', 'Callgrind profile'), TrackKind.SAMPLES, 'flame', `Flame graph: ${event}`);

    // A function's total: its self cost and its calls to others (a call to itself is inside them).
    const total = fns.map((f) => {
      let t = f.self;
      for (const [c, w] of f.calls) if (fns[c] !== f) t += w;
      return t;
    });
    const tree = new FlameTree();
    const scale = nsPer || 1;
    let sum = 0;
    const roots: Array<[number, number]> = [];
    fns.forEach((f, i) => {
      // Roots: functions with more cost than their callers account for (`main`, `{main}`, `(below main)`).
      const w = total[i] - f.into;
      if (w > 0) {
        roots.push([i, w]);
        sum += w;
      }
    });
    const min = sum * MIN_PART;
    const path: string[] = [];
    const on = new Set<number>();
    let nodes = 0;
    let cut = 0;
    let recursive = 0;
    const keyOf = fns.map((f) => `${f.name}\0${f.file}\0${f.obj}`);
    const visit = (i: number, weight: number): void => {
      nodes++;
      path.push(keyOf[i]);
      on.add(i);
      const f = fns[i];
      // More weight than the function has (callers claiming more than it cost): its own weight, as a leaf.
      const ratio = total[i] > 0 ? Math.min(1, weight / total[i]) : 0;
      let rest = weight;
      if (ratio > 0) {
        for (const [c, w] of f.calls) {
          const part = w * ratio;
          if (c === i) continue;
          if (on.has(c)) {
            recursive++;
            continue; // recursion through others: its cost stays with the caller
          }
          if (part < min || nodes >= MAX_NODES || path.length >= MAX_DEPTH) {
            if (part >= min) cut++;
            continue;
          }
          rest -= part;
          visit(c, part);
        }
      }
      if (rest > 0) tree.add(path, rest * scale);
      on.delete(i);
      path.pop();
    };
    for (const [i, w] of roots.sort((p, q) => q[1] - p[1])) {
      visit(i, w);
      yield;
    }
    if (cut) b.diag('skipped-section', `the call graph unrolls into more than ${MAX_NODES} frames or ${MAX_DEPTH} levels: ${cut} deeper call paths are drawn as their caller's cost`, cut);
    if (recursive) b.diag('parent-cycle', `recursive calls (through other functions) are drawn as the cost of the outer call, not unrolled`, recursive);
    yield* tree.layout(b, track, (key): FrameInfo => {
      const [name, file, obj] = key.split('\0');
      const args: Record<string, unknown> = {};
      if (file && file !== '???') args.file = file;
      if (obj) args.object = obj;
      return { name: name || '(unknown)', ...(args.file || args.object ? { args } : {}) };
    });
    b.countEvent('function', fns.length);
    b.countEvent('cost line', this.costLines);
  }
}

/**
 * A callgrind profile's head: after `#` comments (valgrind writes `# callgrind format` first)
 * and blank lines, `key: value` header lines among which an `events:` line, before any other line.
 */
export function isCallgrind(text: string): boolean {
  if (/^# callgrind format\r?\n/.test(text)) return true;
  const lines = text.split('\n', 200);
  for (const raw of lines) {
    const l = raw.replace(/\r$/, '');
    if (!l.trim() || l.startsWith('#')) continue;
    if (/^events:\s*\S/.test(l)) return true;
    if (!/^(version|creator|pid|cmd|part|desc|positions|thread|event|summary|totals|timeframe \(BB\)|trigger):/.test(l)) return false;
  }
  return false;
}
