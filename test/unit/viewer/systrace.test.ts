// Android systrace / ftrace text, hand-written in the shapes the kernel, atrace and systrace's HTML
// report write (as Perfetto's systrace importer and catapult's linux_perf importer read them).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/viewer/import/detect';
import { runPipeline } from '../../../src/viewer/import/pipeline';
import { SystraceImporter } from '../../../src/viewer/import/systrace';
import { argsOf, nameOf, parentOf } from '../../../src/viewer/model/query';
import { SliceFlag, TrackKind, type TraceModel } from '../../../src/viewer/model/trace-model';
import { errorOf } from './import-errors';
import { brief, importChunked } from './line-support';

const enc = new TextEncoder();

const systrace = (text: string, size = 1 << 20): TraceModel => importChunked(new SystraceImporter(), enc.encode(text), size);
const diag = (m: TraceModel, kind: string) => m.diagnostics.find((d) => d.kind === kind);
const tracks = (m: TraceModel): string[] => m.groups.flatMap((g) => g.tracks.map((t) => `${g.name} ${g.key} / ${m.tracks[t].name} (${m.tracks[t].kind})`));

const HEADER = `# tracer: nop
#
# entries-in-buffer/entries-written: 12/12   #P:4
#
#                                      _-----=> irqs-off
#                                     / _----=> need-resched
#                                    | / _---=> hardirq/softirq
#                                    || / _--=> preempt-depth
#                                    ||| /     delay
#           TASK-PID    TGID   CPU#  ||||    TIMESTAMP  FUNCTION
#              | |        |      |   ||||       |         |
`;

const ATRACE = `${HEADER}          surfaceflinger-600   (  600) [000] ...1  1000.000100: tracing_mark_write: B|600|onMessageReceived
    RenderThread-1234  ( 1200) [001] ...1  1000.000200: tracing_mark_write: B|1200|DrawFrame
    RenderThread-1234  ( 1200) [001] ...1  1000.000250: tracing_mark_write: B|1200|syncFrameState|with a pipe
    RenderThread-1234  ( 1200) [001] ...1  1000.000300: tracing_mark_write: E|1200
  Binder:1200_2 x-1250 ( 1200) [002] d..2  1000.000310: tracing_mark_write: S|1200|launching: com.example|42
    RenderThread-1234  ( 1200) [001] ...1  1000.000400: tracing_mark_write: E|1200
          surfaceflinger-600   (  600) [000] ...1  1000.000500: tracing_mark_write: C|600|VSYNC-app|1
          surfaceflinger-600   (  600) [000] ...1  1000.000700: tracing_mark_write: C|600|VSYNC-app|0
 com.example-1200  ( 1200) [003] ...1  1000.000800: tracing_mark_write: I|1200|activityStart
 com.example-1200  ( 1200) [003] ...1  1000.000900: tracing_mark_write: F|1200|launching: com.example|42
          surfaceflinger-600   (  600) [000] ...1  1000.001000: tracing_mark_write: E|600
`;

describe('systrace: atrace markers', () => {
  it('B/E nest per thread, named by task, grouped per tgid; S/F async; C counters; I instants; times in ns', () => {
    const m = systrace(ATRACE);
    expect(m.format).toBe('systrace');
    // Times in ns from the first event (1000.000100 s).
    expect(m.originMs).toBe(1000_000.1);
    expect(brief(m)).toEqual([
      'com.example 1200 / launching: com.example: launching: com.example@210000+590000',
      'com.example 1200 / RenderThread 1234: DrawFrame@100000+200000',
      'com.example 1200 / RenderThread 1234:   syncFrameState|with a pipe@150000+50000',
      'surfaceflinger 600 / surfaceflinger 600: onMessageReceived@0+900000',
    ]);
    const sync = Array.from({ length: m.slices.count }, (_, i) => i).find((i) => nameOf(m, i) === 'syncFrameState|with a pipe')!;
    expect(nameOf(m, parentOf(m, sync))).toBe('DrawFrame');
    const launch = Array.from({ length: m.slices.count }, (_, i) => i).find((i) => nameOf(m, i) === 'launching: com.example')!;
    expect(m.slices.flags[launch] & SliceFlag.ASYNC).toBeTruthy();
    expect(argsOf(m, launch).id).toBe('42');
    // Processes in tgid order; in each, instants, counters, async tracks, then threads by tid.
    expect(tracks(m)).toEqual([
      'surfaceflinger 600 / VSYNC-app (2)',
      'surfaceflinger 600 / surfaceflinger 600 (0)',
      'com.example 1200 / Process instants (5)',
      'com.example 1200 / launching: com.example (1)',
      'com.example 1200 / RenderThread 1234 (0)',
    ]);
    expect(m.counters.map((c) => [c.name, [...c.timesNs], [...c.values]])).toEqual([['VSYNC-app', [400000, 600000], [1, 0]]]);
    expect(m.instants.count).toBe(1);
    expect(m.strings[m.instants.name[0]]).toBe('activityStart');
    expect(m.instants.timeNs[0]).toBe(700000);
    expect(m.diagnostics).toEqual([]);
    expect(m.eventCounts).toEqual({ event: 11, tracing_mark_write: 11 });
  });

  it('reads the same cut into chunks anywhere, and through the pipeline gzipped', async () => {
    const whole = brief(systrace(ATRACE));
    for (const size of [1, 7, 100]) expect(brief(systrace(ATRACE, size))).toEqual(whole);
    expect(detectFormat(enc.encode(ATRACE))).toBe('systrace');
    const gz = await runPipeline({ kind: 'bytes', bytes: gzipSync(enc.encode(ATRACE)) });
    expect(gz.format).toBe('systrace');
    expect(brief(gz)).toEqual(whole);
  });

  it('old line forms: no tgid column, (-----), no flags column, task names with spaces, dashes and digits, ns timestamps', () => {
    const m = systrace(
      [
        '  Signal Catcher-7  [000]  5.000001: tracing_mark_write: B|7|a',
        'kworker/u16:1-77 (-----) [001] .... 5.000002: tracing_mark_write: B|77|b',
        '  my-thread-2-9 (    9) [002] dNs2. 5.000003000: tracing_mark_write: B|9|c',
        '  Signal Catcher-7  [000]  5.000011: tracing_mark_write: E|7',
        'kworker/u16:1-77 (-----) [001] .... 5.000012: tracing_mark_write: E|77',
        '  my-thread-2-9 (    9) [002] dNs2. 5.000013500: tracing_mark_write: E|9',
      ].join('\n'),
    );
    expect(brief(m)).toEqual([
      'kworker/u16:1 77 / kworker/u16:1 77: b@1000+10000',
      'my-thread-2 9 / my-thread-2 9: c@2000+10500',
      'Signal Catcher 7 / Signal Catcher 7: a@0+10000',
    ]);
    expect(m.diagnostics).toEqual([]);
  });

  it('the thread track follows the tgid column; `<...>` never names a thread', () => {
    const m = systrace(
      [
        '  <...>-20 ( 10) [000] ...1 1.000000: tracing_mark_write: B|10|work',
        '  <...>-20 ( 10) [000] ...1 1.000001: tracing_mark_write: E|10',
        '  worker-20 ( 10) [000] ...1 1.000002: sched_wakeup: comm=x pid=3 prio=120 target_cpu=000',
      ].join('\n'),
    );
    expect(brief(m)).toEqual([' 10 / worker 20: work@0+1000']);
  });

  it('G/H on a named track, N instants on it, counters with a category, clock sync ignored', () => {
    const m = systrace(
      [
        '  app-5 ( 5) [000] ...1 1.000000: tracing_mark_write: G|5|Jobs|job 1|7',
        '  app-5 ( 5) [000] ...1 1.000001: tracing_mark_write: N|5|Jobs|tick',
        '  app-5 ( 5) [000] ...1 1.000002: tracing_mark_write: H|5|Jobs|7',
        '  app-5 ( 5) [000] ...1 1.000002: tracing_mark_write: G|5|Jobs|job 2|8',
        '  app-5 ( 5) [000] ...1 1.000003: tracing_mark_write: H|5|Jobs|job 2|8',
        '  app-5 ( 5) [000] ...1 1.000003: tracing_mark_write: C|5|Blobs|3.5|Blob',
        '  app-5 ( 5) [000] ...1 1.000004: tracing_mark_write: trace_event_clock_sync: parent_ts=1.0',
      ].join('\n'),
    );
    expect(brief(m)).toEqual(['app 5 / Jobs: job 1@0+2000', 'app 5 / Jobs: job 2@2000+1000']);
    expect(m.strings[m.instants.name[0]]).toBe('tick');
    expect(m.tracks[m.instants.track[0]].name).toBe('Jobs');
    expect(m.counters.map((c) => [c.name, [...c.values]])).toEqual([['Blobs', [3.5]]]);
    expect(m.diagnostics).toEqual([]);
  });

  it('unmatched E and unterminated B / S are reported, as in Chrome traces', () => {
    const m = systrace(
      [
        '  t-1 ( 1) [000] ...1 1.000000: tracing_mark_write: E|1',
        '  t-1 ( 1) [000] ...1 1.000001: tracing_mark_write: B|1|open',
        '  t-1 ( 1) [000] ...1 1.000002: tracing_mark_write: S|1|pending|3',
        '  t-1 ( 1) [000] ...1 1.000003: tracing_mark_write: F|1|other|3',
        '  t-1 ( 1) [000] ...1 1.000009: tracing_mark_write: some free text',
        '  t-1 ( 1) [000] ...1 1.000009: tracing_mark_write: S|1|no cookie',
      ].join('\n'),
    );
    // The unmatched E adds no event: the trace starts at the B.
    expect(brief(m)).toEqual(['t 1 / pending: pending@1000+7000', 't 1 / t 1: open@0+8000']);
    expect(diag(m, 'unmatched-end')?.message).toContain('line 1');
    expect(diag(m, 'unclosed-begin')?.message).toContain('"open"');
    expect(diag(m, 'unclosed-async')?.message).toContain('"pending"');
    expect(diag(m, 'unmatched-async-end')?.message).toContain('"other"');
    expect(diag(m, 'invalid-event')).toMatchObject({ count: 2, message: expect.stringMatching(/^line 5: "some free text" is not one of the atrace markers .* \(2 such lines\): skipped$/) });
    for (let i = 0; i < m.slices.count; i++) expect(m.slices.flags[i] & SliceFlag.UNFINISHED).toBeTruthy();
  });
});

describe('systrace: kernel events', () => {
  it('sched_switch draws what ran on each CPU (idle is nothing); cpu_frequency is a counter; other events are counted', () => {
    const m = systrace(
      [
        HEADER.trimEnd(),
        '          <idle>-0     (-----) [001] d..2 10.000000: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=Signal Catcher next_pid=33 next_prio=120',
        '  Signal Catcher-33    (   30) [001] d..2 10.000500: sched_switch: prev_comm=Signal Catcher prev_pid=33 prev_prio=120 prev_state=S ==> next_comm=kworker/1:0 next_pid=44 next_prio=120',
        '          <idle>-0     (-----) [000] d..2 10.000600: cpu_frequency: state=1900800 cpu_id=0',
        '          <idle>-0     (-----) [000] dNh4 10.000700: sched_wakeup: comm=app pid=30 prio=120 target_cpu=000',
        '     kworker/1:0-44    (   44) [001] d..2 10.000800: sched_switch: prev_comm=kworker/1:0 prev_pid=44 prev_prio=120 prev_state=R+ ==> next_comm=swapper/1 next_pid=0 next_prio=120',
        '          <idle>-0     (-----) [000] d..2 10.001000: cpu_idle: state=1 cpu_id=0',
      ].join('\n'),
    );
    expect(brief(m)).toEqual(['CPUs CPUs / CPU 1: Signal Catcher@0+500000', 'CPUs CPUs / CPU 1: kworker/1:0@500000+300000']);
    const s = Array.from({ length: m.slices.count }, (_, i) => i).find((i) => nameOf(m, i) === 'Signal Catcher')!;
    expect(argsOf(m, s).args).toEqual({ tid: 33, prio: 120 });
    expect(m.groups[0].name).toBe('CPUs');
    expect(m.tracks.find((t) => t.kind === TrackKind.COUNTER)?.name).toBe('CPU 0 frequency');
    expect(m.counters[0].values[0]).toBe(1900800);
    expect(m.endNs).toBe(1000000);
    expect(diag(m, 'skipped-section')).toMatchObject({ count: 2, message: expect.stringContaining('sched_wakeup (1), cpu_idle (1)') });
  });
});

describe('systrace: HTML report and detection', () => {
  const html = (blocks: string[]) =>
    `<!DOCTYPE HTML>\n<html>\n<head i18n-values="dir:textdirection;">\n<meta charset="utf-8"/>\n<title>Android System Trace</title>\n<script>var big = "${'x'.repeat(5000)}";</script>\n</head>\n<body>\n` +
    blocks.map((b) => `  <script class="trace-data" type="application/text">\n${b}  </script>\n`).join('') +
    '</body>\n</html>\n';

  it('reads every trace-data block of ftrace text; JSON and process dump blocks are skipped and reported', async () => {
    const page = html([
      '{"traceEvents": []}\n',
      `${HEADER}  app-5 ( 5) [000] ...1 1.000000: tracing_mark_write: B|5|first\n  app-5 ( 5) [000] ...1 1.000010: tracing_mark_write: E|5\n`,
      'PROCESS DUMP\nUSER PID PPID VSZ RSS WCHAN PC S NAME COMM\n',
      `${HEADER}  app-5 ( 5) [000] ...1 1.000020: tracing_mark_write: B|5|second\n  app-5 ( 5) [000] ...1 1.000030: tracing_mark_write: E|5\n`,
    ]);
    expect(detectFormat(enc.encode(page).subarray(0, 4096))).toBe('systrace');
    const m = await runPipeline({ kind: 'bytes', bytes: gzipSync(enc.encode(page)) });
    expect(brief(m)).toEqual(['app 5 / app 5: first@0+10000', 'app 5 / app 5: second@20000+10000']);
    expect(diag(m, 'skipped-section')?.message).toContain('a JSON trace-data block, a trace-data block of "PROCESS DUMP"');
  });

  it.each([
    ['the # tracer: header', '# tracer: nop\n#\n'],
    ["atrace's TRACE: line", 'TRACE:\n# tracer: nop\n'],
    ["trace-cmd's cpus= line", 'cpus=8\n  bash-1 [000] 1.000000: sched_wakeup: comm=a pid=2\n'],
    ['a bare ftrace line (trace_pipe)', '  bash-1  [000] d..1 1.000000: cpu_frequency: state=1 cpu_id=0\n'],
  ])('detects %s', (_label, text) => {
    expect(detectFormat(enc.encode(text))).toBe('systrace');
  });

  it('other HTML pages are still not traces', () => {
    expect(detectFormat(enc.encode('<!DOCTYPE html><html><head><title>502 Bad Gateway</title>'))).toBe('unknown');
  });
});

describe('systrace: malformed input', () => {
  it('no line of the ftrace form: an error naming the first bad line', () => {
    const e = errorOf(() => systrace('# tracer: nop\n#\nthis is not ftrace\nnor this\n'));
    expect(e.info).toMatchObject({ format: 'systrace', line: 3, column: 1 });
    expect(e.message).toContain('no ftrace event line could be read (line 3: "this is not ftrace" is not an ftrace event line)');
  });

  it('a systrace HTML page without ftrace text says so', () => {
    const e = errorOf(() => systrace('<html><title>Android System Trace</title>\n<script class="trace-data" type="application/json">\n{"traceEvents":[]}\n</script>\n'));
    expect(e.message).toContain('no ftrace text, only a JSON trace-data block');
  });

  it('bad lines among good ones are skipped and counted with their line number', () => {
    const m = systrace('# tracer: nop\n  t-1 ( 1) [000] ...1 1.000000: tracing_mark_write: B|1|x\ngarbage\n  t-1 ( 1) [000] ...1 1.000001: tracing_mark_write: E|1\n');
    expect(brief(m)).toEqual(['t 1 / t 1: x@0+1000']);
    expect(diag(m, 'invalid-event')).toMatchObject({ count: 1, message: 'line 3: "garbage" is not an ftrace event line: skipped' });
  });
});
