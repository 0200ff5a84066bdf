// `perf script` text. The fixtures in test/fixtures/perf are real: recorded here with perf 6.1
// (`perf record -g`) on a small C program (a forked child, a thread renamed "Worker Thread") and
// on `dd | cat`, and written with `perf script --header -F +pid`, plain `perf script`, and
// `-F comm,pid,tid,cpu,time,period,event,ip,sym,symoff,dso`. The header variants below follow
// the ones speedscope and the Firefox Profiler document.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/viewer/import/detect';
import { PerfScriptImporter } from '../../../src/viewer/import/perf-script';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { argsOf, nameOf, parentOf } from '../../../src/viewer/model/query';
import type { TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';
import { brief, importChunked } from './line-support';

const enc = new TextEncoder();
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/perf/${name}`, import.meta.url), 'utf8');

const perf = (text: string | Uint8Array, size = 1 << 20): TraceModel => importChunked(new PerfScriptImporter(), typeof text === 'string' ? enc.encode(text) : text, size);
const names = (m: TraceModel): Set<string> => new Set(Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i)));
const tracks = (m: TraceModel): string[] => m.tracks.map((t) => `${m.groups[t.group].name} ${m.groups[t.group].key} / ${t.name}`).sort();
const diag = (m: TraceModel, kind: string) => m.diagnostics.find((d) => d.kind === kind);
const sliceNamed = (m: TraceModel, name: string): number => {
  for (let i = 0; i < m.slices.count; i++) if (nameOf(m, i) === name) return i;
  throw new Error(`no slice ${name}`);
};

describe('perf script: real recordings', () => {
  it('a program with a child process and a named thread (--header, -F +pid): tracks per thread, grouped per process', () => {
    const m = perf(fixture('perfdemo-header.txt'));
    expect(m.format).toBe('perf-script');
    expect(tracks(m)).toEqual(['child proc 4072 / child proc 4072', 'perfdemo 4070 / Worker Thread 4073', 'perfdemo 4070 / perfdemo 4070']);
    expect(m.eventCounts).toEqual({ sample: 41 });
    const all = names(m);
    for (const f of ['crunch_numbers', 'parse_input', 'worker_loop', 'thread_main', 'main', '__libc_start_call_main']) expect(all).toContain(f);
    // Offsets stripped, no addresses in names.
    for (const n of all) expect(n).not.toMatch(/\+0x|^[0-9a-f]{4,}\b/);
    const c = sliceNamed(m, 'crunch_numbers');
    expect(nameOf(m, parentOf(m, c))).toMatch(/parse_input|worker_loop/);
    expect(argsOf(m, c).args).toEqual({ dso: '/tmp/pf/perfdemo' });
    expect(m.diagnostics).toEqual([]);
    // Samples every ~10 ms (perf record -F 97): the stacks of a busy thread join up, except where
    // it was off CPU (three busy threads on two CPUs): 12 samples, fewer runs.
    const t = m.tracks.findIndex((x) => x.name === 'Worker Thread 4073');
    let top = 0;
    for (let i = 0; i < m.slices.count; i++) if (m.slices.track[i] === t && m.slices.depth[i] === 0) top++;
    expect(top).toBeGreaterThan(0);
    expect(top).toBeLessThan(8);
  });

  it('the same recording as plain `perf script` (tid only): its threads in one group', () => {
    const m = perf(fixture('perfdemo-default.txt'));
    expect(tracks(m)).toEqual(['Threads (pid not in the input)  / Worker Thread 4073', 'Threads (pid not in the input)  / child proc 4072', 'Threads (pid not in the input)  / perfdemo 4070']);
    expect(m.diagnostics).toEqual([]);
    expect(names(m)).toEqual(names(perf(fixture('perfdemo-header.txt'))));
  });

  it('dd | cat with cpu, period, event and symoff: kernel frames, [unknown] frames, a comm changed by exec', () => {
    const m = perf(fixture('dd-cat-cpu.txt'));
    // The shell's sample before exec and dd's after it: one thread, named by its latest comm.
    expect(tracks(m)).toEqual(['cat 5829 / cat 5829', 'dd 5828 / dd 5828']);
    expect(m.tracks[m.slices.track[sliceNamed(m, 'begin_new_exec')]].name).toBe('dd 5828');
    const k = sliceNamed(m, 'entry_SYSCALL_64_after_hwframe');
    expect(m.strings[m.slices.category[k]]).toBe('kernel');
    expect(argsOf(m, k).args).toEqual({ dso: '[kernel.kallsyms]' });
    expect(names(m)).toContain('[unknown] (dd)');
    expect(argsOf(m, sliceNamed(m, '[unknown] (dd)')).args).toEqual({ dso: '/usr/bin/dd' });
    for (const n of names(m)) expect(n).not.toMatch(/\+0x/);
    expect(m.diagnostics).toEqual([]);
  });

  it('reads every cut of the input the same (1-byte chunks, CRLF), and gzipped through the pipeline', async () => {
    const text = fixture('perfdemo-header.txt');
    const whole = brief(perf(text));
    expect(brief(perf(text, 1))).toEqual(whole);
    expect(brief(perf(text, 7))).toEqual(whole);
    expect(brief(perf(text.replace(/\n/g, '\r\n'), 3))).toEqual(whole);
    const seen: number[] = [];
    const gz = await runPipeline({ kind: 'blob', blob: new Blob([gzipSync(enc.encode(text))]) }, { yieldEveryMs: 1, onProgress: (p) => seen.push(p.events) });
    expect(gz.format).toBe('perf-script');
    expect(brief(gz)).toEqual(whole);
    expect(seen[seen.length - 1]).toBe(41);
  });
});

const STACK = '\t7f00a1 leaf_fn+0x1a (/usr/lib/libapp.so)\n\t7f00b2 caller+0x5 (/usr/lib/libapp.so)\n\n';

describe('perf script: header variants', () => {
  it.each([
    ['tid only, event', 'java 25607 4794564.109216: cycles:', 'Threads (pid not in the input)  / java 25607'],
    ['tid and cpu', 'java 12688 [002] 6544038.708352: cpu-clock:', 'Threads (pid not in the input)  / java 12688'],
    ['comm with a space, pid/tid, cpu', 'V8 WorkerThread 24636/25607 [000] 94564.109216: cycles:', 'V8 WorkerThread 24636 / V8 WorkerThread 25607'],
    ['simpleperf: tabs, period, event with modifier', 'Gecko\t25122 [007] 115539.936601:\t\t1000000 task-clock:u:', 'Threads (pid not in the input)  / Gecko 25122'],
    ['pid/tid without cpu', 'java 12688/12764 6544038.708352: cpu-clock:', 'java 12688 / java 12764'],
    ['comm ending in a number, wide columns', 'FS Broker 5858  5791/5860  30171.917889:    4612247 cycles:ppp: ', 'FS Broker 5858 5791 / FS Broker 5858 5860'],
    ['period, event without a colon', 'java 25607/25608 4794564.109216: 33 cycles:uppp', 'java 25607 / java 25608'],
    ['no event at all, ns time', 'swapper     0 [000] 1234.567890123:', 'Threads (pid not in the input)  / swapper 0'],
  ])('%s', (_label, header, track) => {
    const m = perf(`${header}\n${STACK}`);
    expect(tracks(m)).toEqual([track]);
    expect(brief(m).map((l) => l.split(': ')[1].trim().replace(/@.*/, ''))).toEqual(['caller', 'leaf_fn']);
    expect(m.eventCounts).toEqual({ sample: 1 });
  });

  it('a sample without a call graph carries its frame on the header line; tracepoint fields do not count as frames', () => {
    const m = perf('perf 1234/1234 100.500000: 1 cycles:  ffffffff8101 native_write_msr+0x8 ([kernel.kallsyms])\n\nperf 1234/1234 100.600000: sched:sched_switch: prev_comm=perf prev_pid=1234 ==> next_comm=swapper\n\n');
    expect(names(m)).toEqual(new Set(['native_write_msr']));
    expect(diag(m, 'skipped-section')?.message).toContain('sched:sched_switch');
    expect(m.diagnostics.filter((d) => d.kind === 'invalid-event')).toEqual([]);
  });

  it('without call graphs (perf record without -g): one sample a line, the comm padded to 16 columns, no blank lines', () => {
    // As perf prints it: `%16s` for the comm when there is no callchain.
    const text = [
      '            perf  1234 [000]   100.500000:          1 cycles:  ffffffff8101 native_write_msr+0x8 ([kernel.kallsyms])',
      '            perf  1234 [000]   100.510000:          1 cycles:  ffffffff8102 do_syscall_64+0x5b ([kernel.kallsyms])',
      'ThreadPoolForegrnd  1240 [001]   100.520000:          1 cycles:  7f0001 run_task+0x1f (/opt/app)',
      '',
    ].join('\n');
    const m = perf(text);
    expect(m.eventCounts).toEqual({ sample: 3 });
    expect(names(m)).toEqual(new Set(['native_write_msr', 'do_syscall_64', 'run_task']));
    expect(m.diagnostics.filter((d) => d.kind === 'invalid-event')).toEqual([]);
    // A comm of 16 characters or more is not padded: a header line follows a header line.
    const long = text.split('\n')[2];
    expect(detectFormat(enc.encode(`${long}\n${long}\n${long}\n`))).toBe('perf-script');
  });

  it('a thread whose comm changes (exec, prctl) stays one track, named by its latest comm', () => {
    const m = perf(`sh 40/40 1.000: 1 cycles:\n${STACK}sh 40/41 1.001: 1 cycles:\n${STACK}app 40/40 1.002: 1 cycles:\n${STACK}app 40/40 1.003: 1 cycles:\n${STACK}`);
    expect(tracks(m)).toEqual(['app 40 / app 40', 'app 40 / sh 41']);
    const main = m.tracks.findIndex((t) => t.name === 'app 40');
    const roots: number[] = [];
    for (let i = 0; i < m.slices.count; i++) if (m.slices.track[i] === main && m.slices.depth[i] === 0) roots.push(m.slices.startNs[i], m.slices.durNs[i]);
    // One stack from its first sample (as sh) to one interval (2 ms) after its last (as app).
    expect(roots).toEqual([0, 5_000_000]);
  });

  it('frames: [unknown] shows its dso, symbols with spaces and parens, dso (deleted), srcline lines', () => {
    const m = perf(
      [
        'app 10/10 1.000000: 1 cycles:',
        '\t    7f0001 [unknown] (/usr/lib/libjit.so)',
        '\t    7f0002 (anonymous namespace)::run(int, char const*)+0x1f (/opt/app (deleted))',
        '  app.cc:42',
        '\t    7f0003 operator() (/opt/app)',
        '\t         0 [unknown] ([unknown])',
        '',
      ].join('\n'),
    );
    expect(brief(m).map((l) => l.split(': ')[1].replace(/@.*/, ''))).toEqual(['[unknown]', '  operator()', '    (anonymous namespace)::run(int, char const*)', '      [unknown] (libjit.so)']);
    expect(argsOf(m, sliceNamed(m, '(anonymous namespace)::run(int, char const*)')).args).toEqual({ dso: '/opt/app (deleted)' });
    expect(m.diagnostics).toEqual([]);
  });
});

describe('perf script: time', () => {
  const sample = (t: string, leaf: string, tid = '10') => `app 10/${tid} ${t}: 1000000 cpu-clock:\n\t1 ${leaf} (/bin/app)\n\t2 main (/bin/app)\n\n`;

  it('a stack lasts until the thread’s next sample, one interval across a gap and after the last sample', () => {
    const m = perf(sample('5.000', 'a') + sample('5.001', 'a') + sample('5.002', 'b') + sample('5.003', 'b') + sample('5.500', 'c') + sample('5.5005', 'x', '11'));
    expect(brief(m)).toEqual([
      'app 10 / app 10: main@0+4000000',
      'app 10 / app 10:   a@0+2000000',
      'app 10 / app 10:   b@2000000+2000000',
      'app 10 / app 10: main@500000000+1000000',
      'app 10 / app 10:   c@500000000+1000000',
      'app 10 / app 11: main@500500000+1000000',
      'app 10 / app 11:   x@500500000+1000000',
    ]);
    expect(m.originMs).toBe(5000);
  });

  it('samples out of order are placed in time order; seconds keep ns precision far from boot', () => {
    const m = perf(sample('4794564.109218', 'b') + sample('4794564.109216', 'a') + sample('4794564.109217', 'a'));
    expect(brief(m)).toEqual(['app 10 / app 10: main@0+3000', 'app 10 / app 10:   a@0+2000', 'app 10 / app 10:   b@2000+1000']);
  });
});

describe('perf script: bad input', () => {
  it('skips malformed lines with their line number (count per kind + first case), never throws', () => {
    const m = perf('\tdeadbeef stray (/x)\napp 1/1 1.0: cycles:\n\t1 f (/x)\n\tgarbage here\n\tmore garbage\n\nnot a header at all\n\t1 g (/x)\n\napp 1/1 1.1: cycles:\n\t1 f (/x)\n');
    expect(m.diagnostics).toEqual([
      {
        kind: 'invalid-event',
        count: 4,
        message:
          'line 1: "deadbeef stray (/x)" is a stack line outside a sample; line 4: "garbage here" is not a stack frame (2 such lines); line 7: "not a header at all" is not a sample header: skipped',
      },
    ]);
    expect(m.eventCounts).toEqual({ sample: 2 });
    expect(names(m)).toEqual(new Set(['f']));
  });

  it('a line of a long run of spaces is rejected in linear time (the header pattern once took 0.7 s for 20 000)', () => {
    const t = performance.now();
    const m = perf(`x${' '.repeat(200_000)}y\napp 1/1 1.0: cycles:\n\t1 f (/x)\n`);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(m.eventCounts).toEqual({ sample: 1 });
  });

  it('a stack line with a long run of spaces is rejected in linear time (the frame pattern took 9 s for 3 000, 40 s for 5 000)', () => {
    const t = performance.now();
    const m = perf(`app 1/1 1.0: cycles:\n\t1 f (/x)\n\tabc${' '.repeat(3000)}x\n\t2 g${' '.repeat(100_000)}(/y)\n`);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(m.eventCounts).toEqual({ sample: 1 });
    // The padded frame still reads: its symbol ends where the spaces start.
    expect(names(m)).toEqual(new Set(['f', 'g']));
  });

  it('fails with the first bad line when no sample is readable', () => {
    const e = errorOf(() => perf('hello world\n\tfoo\n'));
    expect(e.info).toMatchObject({ format: 'perf-script', line: 1 });
    expect(e.message).toContain('line 1');
    expect(errorOf(() => perf('# only a header\n')).message).toContain('no samples');
  });
});

describe('perf script: detection', () => {
  const head = fixture('perfdemo-header.txt');
  it.each([
    ['perf script --header', head],
    ['plain perf script', fixture('perfdemo-default.txt')],
    ['with cpu, period and symoff', fixture('dd-cat-cpu.txt')],
    ['CRLF', fixture('perfdemo-default.txt').replace(/\n/g, '\r\n')],
    ['a --header longer than the head', '# ========\n' + '# cmdline : perf record -g\n'.repeat(400)],
    ['one sample without a stack', 'swapper     0 [000] 1234.567890:\n'],
    ['a comm with spaces and digits', 'FS Broker 5858  5791/5860  30171.917889:    4612247 cycles:ppp: \n\t1 f (/x)\n'],
  ])('%s → perf-script', (_label, text) => {
    expect(detectFormat(enc.encode(text).subarray(0, 4096))).toBe('perf-script');
  });
  it.each([
    ['collapsed stacks', 'collapsed-stacks', 'main;work 12\nmain 3\n'],
    ['collapsed stacks with times in names', 'collapsed-stacks', 'java 123 4.5;foo 3\nbar 2\n'],
    ['JSON', 'chrome-json', '[{"ph":"X","ts":1,"name":"app 1 2.5:"}]'],
    ['a cpuprofile', 'v8-cpuprofile', '{"nodes":[{"id":1,"callFrame":{"functionName":"a 1 2.0:"}}],"samples":[]}'],
    ['a word', 'unknown', 'hello'],
    ['a # comment alone', 'unknown', '# just a comment\n'],
  ])('%s → %s', (_label, format, text) => {
    expect(detectFormat(enc.encode(text))).toBe(format);
  });
});
