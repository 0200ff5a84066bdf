import type { Attributes } from '../types';
import type { Unpatch } from './wrap';
import { getTracer } from '../tracer';
import { hrToEpochMs } from '../clock';
import { guard, numbers } from '../diag';
import { redactUrl } from './redact';
import { interactionAt, pageLoad, perHour, whenPageLoad } from './activity';
import { navEntry, snake } from './timing';

export interface LongTasksOptions {
  /** Scripts recorded (as events) per long animation frame, longest first. Default 5. */
  maxScripts?: number;
  /** At most this many frames outside a page load or interaction are recorded per hour (a page janking in a loop must not flood the backend). Default 100. */
  max?: number;
}

interface ScriptTiming {
  startTime: number;
  duration: number;
  invoker: string;
  invokerType: string;
  sourceURL: string;
  sourceFunctionName: string;
  sourceCharPosition: number;
  forcedStyleAndLayoutDuration: number;
  pauseDuration: number;
}

interface LoafEntry extends PerformanceEntry {
  blockingDuration: number;
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: ScriptTiming[];
}

/**
 * Long animation frames (Chromium's LoAF, with the scripts that ran in them) as
 * `longAnimationFrame` spans, or `longTask` spans where only the Long Tasks API exists. Buffered
 * entries are included, so frames from before the SDK loaded are reported too. A frame that
 * overlaps a traced interaction is that interaction's child; one during the page load is the
 * page load's child; any other starts its own trace.
 */
export function instrumentLongTasks(options: LongTasksOptions = {}): Unpatch {
  const supported = PerformanceObserver.supportedEntryTypes ?? [];
  const type = ['long-animation-frame', 'longtask'].find((t) => supported.includes(t));
  if (!type) return () => {};
  const tracer = getTracer('spanbeam/long-tasks');
  const loafs = type !== 'longtask';
  const num = numbers(options, 'longTasks');
  const allowed = perHour(num('max', 100));
  const maxScripts = num('maxScripts', 5);
  const emit = (e: PerformanceEntry, early: boolean) => {
    // Before the load's end; when it never ended (a hanging resource), only the frames seen before
    // the page-load span was made (as the page hid): later ones are no page load's, and budgeted.
    const duringLoad = e.startTime < (navEntry()?.loadEventEnd || (early ? Infinity : 0));
    const parent = interactionAt(e.startTime, e.duration) ?? (duringLoad ? pageLoad : undefined);
    if (!parent && !allowed()) return;
    const loaf = e as LoafEntry;
    const attrs: Attributes = { 'browser.long_task.duration': e.duration };
    if (!loafs) {
      const a = (e as PerformanceEntry & { attribution?: Array<{ containerType: string; containerSrc: string }> }).attribution?.[0];
      if (a?.containerType) attrs['browser.long_task.container.type'] = a.containerType;
      if (a?.containerSrc) attrs['browser.long_task.container.src'] = redactUrl(a.containerSrc);
    } else {
      attrs['browser.loaf.blocking_duration'] = loaf.blockingDuration;
    }
    // Entry times as given (performance.now() based): the span converts them once it has
    // started, with the clock anchor that a new trace re-reads (after a sleep or a clock change).
    const s = tracer.startSpan(loafs ? 'longAnimationFrame' : 'longTask', { parent: parent ?? null, startTime: e.startTime, attributes: attrs });
    for (const k of ['renderStart', 'styleAndLayoutStart'] as const) if (loaf[k]) s.setAttribute('browser.loaf.' + snake(k), hrToEpochMs(loaf[k]));
    for (const sc of (loaf.scripts ?? []).slice().sort((a, b) => b.duration - a.duration).slice(0, maxScripts)) {
      const sa: Attributes = {
        // Classic and module scripts are invoked by their URL, query string included; a listener
        // on an element without id by the element's `src` (`IMG[src="/a.png?sig=…"].onload`).
        'script.invoker':
          /script$/.test(sc.invokerType) || /^https?:/i.test(sc.invoker)
            ? redactUrl(sc.invoker)
            : sc.invoker.replace(/(\[src=")(.*)(?="\])/, (_, a: string, u: string) => a + redactUrl(u, document.baseURI)),
      };
      if (sc.sourceURL) sa['script.source_url'] = redactUrl(sc.sourceURL);
      // The rest under their snake_case names, when known (no function name, a position of -1).
      for (const k of ['invokerType', 'pauseDuration', 'duration', 'forcedStyleAndLayoutDuration', 'sourceFunctionName', 'sourceCharPosition'] as const) {
        const v = sc[k];
        if (typeof v === 'string' ? v : v >= 0) sa['script.' + snake(k)] = v;
      }
      s.addEvent('script', sa, sc.startTime);
    }
    s.end(e.startTime + e.duration);
  };
  const po = new PerformanceObserver((list) => {
    const entries = list.getEntries();
    const early = !pageLoad;
    // Frames during the load wait for the page-load span, which is built after `load`.
    whenPageLoad(() => entries.forEach((e) => guard('long_tasks.failed', () => emit(e, early))));
  });
  guard('long_tasks.observe_failed', () => po.observe({ type, buffered: true }));
  return () => po.disconnect();
}
