// Callgrind profiles (test/fixtures/callgrind and inline), hand-written in the layouts valgrind's
// callgrind and PHP's Xdebug write
// (valgrind docs, "Callgrind Format Specification"; Xdebug's tests/profiler/*.phpt expectations):
// header lines, name compression `(id) name` / `(id)`, relative subpositions (`+n`, `-n`, `*`),
// `cfi=`/`cfl=`/`cfn=` + `calls=` and the call's cost line.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CallgrindImporter } from '../../../src/viewer/import/callgrind';
import { detectFormat } from '../../../src/viewer/import/detect';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, nameOf } from '../../../src/viewer/model/query';
import { TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';

const enc = new TextEncoder();
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/callgrind/${name}`, import.meta.url), 'utf8');

function callgrind(text: string, size = 1 << 20): TraceModel {
  const bytes = enc.encode(text);
  const i = new CallgrindImporter();
  for (let p = 0; p < bytes.length; p += size) i.push(bytes.slice(p, p + size));
  return i.finish();
}
/** `name@start+dur` per slice (x in ns), indented by depth, in x order. */
function brief(m: TraceModel): string[] {
  const order = [...Array(m.slices.count).keys()].sort((a, b) => m.slices.startNs[a] - m.slices.startNs[b] || m.slices.depth[a] - m.slices.depth[b]);
  return order.map((i) => `${'  '.repeat(m.slices.depth[i])}${nameOf(m, i)}@${+m.slices.startNs[i].toFixed(3)}+${+m.slices.durNs[i].toFixed(3)}`);
}
const sliceNamed = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};

/** valgrind --tool=callgrind: _start → main → parse, render → parse (parse called from two places). */
const VALGRIND = fixture('callgrind.out.4242');

/** Xdebug 3's profiler: a block per call, written when it returns (callees first), time in 10 ns. */
const XDEBUG = fixture('cachegrind.out.1700000000_123456');

describe('callgrind', () => {
  it('a valgrind profile: the call graph unrolled into a flame graph of Ir, a callee shared in proportion', () => {
    const m = callgrind(VALGRIND);
    expect(m.format).toBe('callgrind');
    expect(m.tracks.map((t) => [t.name, t.kind])).toEqual([['Flame graph: Ir', TrackKind.SAMPLES]]);
    expect(m.groups[0].name).toBe('Callgrind profile');
    expect(brief(m)).toEqual([
      '_start@0+700',
      '  main@0+690',
      // parse's 500 Ir: 300 called from main, 200 from render.
      '    parse@0+300',
      '    render@300+240',
      '      parse@300+200',
    ]);
    // Ir is no time: the x axis says so.
    expect(m.valueUnit).toBe('units');
    expect(m.diagnostics.find((d) => d.kind === 'abstract-units')?.message).toContain('the x axis is Ir (1 ns = 1), not time');
    // Files and objects from the compressed names; `???` (no debug info) is no file.
    expect(argsOf(m, sliceNamed(m, 'render')).args).toEqual({ file: 'app.c', object: '/home/u/app' });
    expect(argsOf(m, sliceNamed(m, '_start')).args).toEqual({ object: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' });
    // Read in small chunks (lines cut anywhere): the same.
    expect(brief(callgrind(VALGRIND, 7))).toEqual(brief(m));
  });

  it('an Xdebug profile: Time_(10ns) keeps time on the x axis; repeated blocks of a function add up', () => {
    const m = callgrind(XDEBUG);
    expect(m.valueUnit).toBeUndefined();
    expect(m.tracks[0].name).toBe('Flame graph: Time_(10ns)');
    expect(brief(m)).toEqual([
      // 950 × 10 ns: {main} 800 self, helper 120 (strlen 20 of it), strlen 30.
      '{main}@0+9500',
      '  helper@0+1200',
      '    php::strlen@0+200',
      '  php::strlen@1200+300',
    ]);
    const d = m.diagnostics.find((x) => x.kind === 'abstract-units')?.message ?? '';
    expect(d).toContain('the x axis is total Time_(10ns) time, not a timeline');
    expect(d).toContain('the other event types (Memory_(bytes)) are not drawn');
    expect(argsOf(m, sliceNamed(m, 'helper')).args).toEqual({ file: '/var/www/lib.php' });
  });

  it("Xdebug 2's bare `Time` is microseconds; a `cfn=` without `cfl=` finds the function by name", () => {
    const text = `version: 1
creator: xdebug 2.9.8 (PHP 7.4.3)
cmd: /srv/a.php
part: 1
positions: line

events: Time

fl=php:internal
fn=php::strlen
4 7

fl=/srv/a.php
fn={main}
1 3
cfn=php::strlen
calls=1 0 0
4 7
`;
    const m = callgrind(text);
    expect(brief(m)).toEqual(['{main}@0+10000', '  php::strlen@0+7000']);
    expect(argsOf(m, sliceNamed(m, 'php::strlen')).args).toEqual({ file: 'php:internal' });
  });

  it('instr positions in hex with relative subpositions; costs left out are 0; recursion is not unrolled', () => {
    const text = `positions: instr line
events: Ir Dr
fl=(1) rec.c
fn=(1) main
0x401000 3 5
+4 * 5 1
+2 +1
cfn=(2) fib
calls=1 0x401100 10
* * 60
fn=(2)
0x401100 10 40
cfn=(2)
calls=9 0x401100 10
+8 +1 35
cfn=(3) leaf
calls=9 0x401200 20
-8 -1 20
fn=(3)
0x401200 20 20
`;
    const m = callgrind(text);
    // fib's total is its 40 self and its 20 into leaf (the calls to itself are inside them).
    expect(brief(m)).toEqual(['main@0+70', '  fib@0+60', '    leaf@0+20']);
  });

  it('--collect-jumps=yes: jump=/jcnd= lines, and jfi=/jfn= naming a jump target elsewhere (their names compressed too)', () => {
    // valgrind's dump.c writes jfi= / jfn= before a jump into another file or function (longjmp).
    const text = `positions: line
events: Ir
fl=(1) a.c
fn=(1) main
3 5
jfi=(2) b.c
jfn=(2) handler
jump=1 7
3
jcnd=2/4 +2
4
cfi=(2)
cfn=(2)
calls=1 7
4 30
fl=(2)
fn=(2)
7 30
`;
    const m = callgrind(text);
    expect(brief(m)).toEqual(['main@0+35', '  handler@0+30']);
    expect(argsOf(m, sliceNamed(m, 'handler')).args).toMatchObject({ file: 'b.c' });
  });

  it('is detected from the content, gzipped or not; other text formats are not taken for it', async () => {
    expect(detectFormat(enc.encode(VALGRIND))).toBe('callgrind');
    expect(detectFormat(enc.encode(XDEBUG))).toBe('callgrind');
    // cachegrind's output: desc, cmd, events.
    expect(detectFormat(enc.encode('desc: I1 cache: 32768 B, 64 B, 8-way associative\ncmd: ./a\nevents: Ir I1mr\nfl=a.c\nfn=main\n1 2 0\n'))).toBe('callgrind');
    const gz = await runPipeline({ kind: 'bytes', bytes: gzipSync(XDEBUG) });
    expect(gz.format).toBe('callgrind');
    expect(gz.slices.count).toBe(4);
    expect(detectFormat(enc.encode('main;parse 12\nmain;render 3\n'))).toBe('collapsed-stacks');
    expect(detectFormat(enc.encode('# tracer: nop\n#\n'))).toBe('systrace');
    expect(detectFormat(enc.encode('version: 1\nhello world\n'))).toBe('unknown');
  });
});

describe('callgrind: malformed input', () => {
  const HEAD = 'version: 1\npositions: line\nevents: Ir\n';
  it('a compressed name used before it is defined: an error at its line', () => {
    const e = errorOf(() => callgrind(`${HEAD}fl=(1) a.c\nfn=(2)\n1 5\n`));
    expect(e.info).toMatchObject({ format: 'callgrind', line: 5, column: 1 });
    expect(e.message).toContain('line 5: function name (2) is used before it is defined');
  });

  it('a cost that is not a number: an error at its line and column', () => {
    const e = errorOf(() => callgrind(`${HEAD}fl=a.c\nfn=main\n1 5\n2 5x\n`));
    expect(e.info).toMatchObject({ format: 'callgrind', line: 7, column: 3, expected: 'an unsigned integer cost' });
    expect(e.message).toContain('"5x" is not a cost');
    const more = errorOf(() => callgrind(`${HEAD}fl=a.c\nfn=main\n1 5 6\n`));
    expect(more.message).toContain('line 6: 2 costs for 1 events');
  });

  it('calls= without cfn=, or at the end without its cost line; a cost line before events:', () => {
    expect(errorOf(() => callgrind(`${HEAD}fl=a.c\nfn=main\ncalls=1 0\n1 5\n`)).message).toContain('line 6: `calls=` without a `cfn=`');
    expect(errorOf(() => callgrind(`${HEAD}fl=a.c\nfn=main\ncfn=f\ncalls=1 0\n`)).message).toContain('the input ends after `calls=`');
    expect(errorOf(() => callgrind('version: 1\nfl=a.c\nfn=main\n1 5\nevents: Ir\n')).message).toContain('line 4: a cost line ("1 5") before the `events:` header');
    expect(errorOf(() => callgrind(`${HEAD}fl=a.c\nfn=main\nxyz=3\n`)).message).toContain('line 6: unknown specification `xyz=`');
  });

  it('no cost lines: an error through the pipeline too', async () => {
    await expect(runPipeline({ kind: 'bytes', bytes: enc.encode(`${HEAD}fl=a.c\nfn=main\n`) })).rejects.toThrow('callgrind: no cost lines: the profile is empty');
  });
});
