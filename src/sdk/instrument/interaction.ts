import type { Span } from '../types';
import type { Unpatch } from './wrap';
import type { ZoneLike } from '../zone-context';
import type { Recent } from './activity';
import { getTracer } from '../tracer';
import { getContextManager } from '../context';
import { currentZone } from '../zone-context';
import { hrToEpochMs, nowMs } from '../clock';
import { DEV, guard, numbers, warn } from '../diag';
import { noteInteraction, settle } from './activity';
import { describeTarget, pickTarget } from './describe';
import { later, listen, patch, unpatchAll } from './wrap';

export interface InteractionOptions {
  /** Event types traced. Default: click, dblclick, submit, change, keydown (Enter/Space on controls). */
  events?: string[];
  /**
   * The activity window, in ms after an interaction's dispatch ended (and after each of its
   * requests ended; 1 s after a route change it made): a fetch, XHR or SPA navigation that starts
   * with no active span within it becomes the interaction's child. This catches work started
   * after a native `await` in a handler, which zone.js cannot follow. Default 500.
   */
  activityWindowMs?: number;
}

/** Default activity window (ms). */
export const ACTIVITY_WINDOW_MS = 500;

interface Current {
  s: Span;
  _type: string;
  _target: EventTarget | null;
  /** Its event (its timeStamp; still being dispatched while its eventPhase is not 0). */
  _e: Event;
  /** End of the last handler we saw return (epoch ms). */
  _last: number;
  _ended?: boolean;
  /** The control a Space keydown started this on: its click comes on keyup. */
  _space?: EventTarget | null;
  _r: Recent;
}

type Reg = [type: string, listener: EventListenerOrEventListenerObject, wrapper: EventListener, capture: boolean, options: unknown, zone: ZoneLike | undefined, drop: () => void];

/** Enter on a control (not a multi-line text field or editor), Space on a button-like one; no auto-repeat. */
function keyQualifies(ev: KeyboardEvent, el: EventTarget): boolean {
  // Not the Enter that commits an IME composition, nor one typed into a text area or a rich-text editor.
  if (ev.repeat || ev.isComposing || !(el instanceof Element) || !el.matches('a,button,input,select,summary,[role],[tabindex]')) return false;
  if (ev.key === 'Enter') return !el.matches('textarea,[contenteditable]');
  return (
    ev.key === ' ' &&
    el.matches(
      'button,summary,input:is([type=button],[type=submit],[type=reset],[type=checkbox],[type=radio],[type=image]),:is([role=button],[role=checkbox],[role=switch],[role=tab],[role=menuitem],[role=option],[role=radio])',
    )
  );
}

/**
 * One span per user interaction, however many listeners handle it. A capture listener on
 * `window` starts the span when the event begins (at `event.timeStamp`); every listener for the
 * traced types that the app registers while we are installed runs with that span active (through
 * the Zone context when zone.js is there), so timers, promises, fetch and XHR started in it become
 * children. The span ends after the dispatch (the last handler's return), and the activity window
 * follows. Events dispatched by the interaction's own default action (click → submit, click →
 * change, Enter → click, a label's click → its control's click, Space → click on keyup) join it
 * instead of starting another span. Targets inside shadow DOM are
 * named from `composedPath()[0]`'s side.
 *
 * Removal re-registers the wrapped listeners unwrapped, in order (same options and zone.js zone;
 * they move to the end of their target's listener list), and restores
 * `addEventListener`/`removeEventListener`.
 */
export function instrumentInteractions(options: InteractionOptions = {}): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const ev = options.events;
  const all = ['click', 'dblclick', 'submit', 'change', 'keydown'];
  // A string is no list: `new Set('click')` listened for 'c', 'l', 'i' and 'k'.
  const types = new Set(ev === undefined ? all : Array.isArray(ev) ? ev : (warn('interactions.bad_option', DEV ? `events: ${String(ev)} is not an array; ${all} is used` : ''), all));
  const windowMs = numbers(options, 'interactions')('activityWindowMs', ACTIVITY_WINDOW_MS);
  const tracer = getTracer('spanbeam/interaction');
  const live = new WeakMap<Event, Current>();
  let cur: Current | undefined;
  const undo: Unpatch[] = [];

  const onEvent = (ev: Event) =>
    guard('interaction.failed', () => {
      // Its bubble phase on `window`: handlers we did not wrap (added before start(), `onclick`
      // attributes) have run by now, and the span lasts at least this long.
      if (live.has(ev)) return void (live.get(ev)!._last = nowMs());
      const type = ev.type;
      const path = ev.composedPath();
      const el = pickTarget(path);
      const t = path[0];
      if (type === 'keydown' && !keyQualifies(ev as KeyboardEvent, t)) return;
      // Nested in a running interaction's default action (click → submit, Enter → the implicit
      // submission's click, a label's click → its control's click): same interaction. So is the
      // click a Space keydown's button makes on keyup, a task later (keyboard clicks have no detail).
      // A keydown, or a pointer's click from another input event (its own timeStamp), is the user's
      // next input, which the browser may dispatch before our timer ends this one (input first).
      // One dispatched from its handlers is this one's (a handler's `fileInput.click()`).
      if (
        cur &&
        (cur._ended
          ? type === 'click' && cur._space === t && !(ev as MouseEvent).detail
          : cur._e.eventPhase ||
            (type !== 'dblclick' &&
              (type !== cur._type
                ? type != 'keydown' && !((ev as MouseEvent).detail && ev.timeStamp != cur._e.timeStamp) && related(t, cur._target)
                : (cur._target as Element).closest?.('label')?.control === t)))
      ) {
        const c = cur;
        live.set(ev, c);
        // Later events of this default action relate to this target (label → control → change).
        c._target = t;
        if (c._ended) {
          // Its INP may be this click's (on keyup).
          c._r._t2 = ev.timeStamp;
          c._space = c._ended = undefined;
          later(() => (c._ended = true), 0);
        }
        return;
      }
      const name = describeTarget(el);
      const s = tracer.startSpan(`${type} ${name}`, {
        startTime: Math.min(hrToEpochMs(ev.timeStamp), nowMs()),
        attributes: { 'interaction.type': type, 'interaction.target': name },
      });
      const space = type === 'keydown' && (ev as KeyboardEvent).key === ' ';
      if (type === 'keydown') s.setAttribute('interaction.key', space ? 'Space' : 'Enter');
      const rec = noteInteraction(s, ev.timeStamp, windowMs);
      // A pointer's click (a keyboard's has no detail): its pointerdown is this interaction's (INP).
      if ((ev as MouseEvent).detail) rec._t2 = down;
      const c: Current = (cur = { s, _type: type, _target: t, _e: ev, _last: nowMs(), _space: space ? t : undefined, _r: rec });
      live.set(ev, c);
      later(() => {
        c._ended = true;
        s.end(c._last);
        settle(rec, 0, true);
      }, 0);
    });
  for (const type of types) undo.push(listen(window, type, onEvent), listen(window, type, onEvent, false));
  let down: number | undefined;
  undo.push(listen(window, 'pointerdown', (e) => void (down = e.timeStamp)));

  // Registrations we wrapped, per target, so removal by the app and our own uninstall find them;
  // `once` and `signal` ones leave when they run or are aborted.
  const regs = new WeakMap<EventTarget, Reg[]>();
  const targets: WeakRef<EventTarget>[] = [];
  let most = 0;
  const capOf = (o: unknown) => !!(typeof o === 'object' && o ? (o as AddEventListenerOptions).capture : o);
  const find = (list: Reg[] | undefined, type: string, l: unknown, cap: boolean) => list?.find((r) => r[0] === type && r[1] === l && r[3] === cap);
  const ET = EventTarget.prototype;
  const add0 = ET.addEventListener;
  const remove0 = ET.removeEventListener;

  // removeEventListener first: where it cannot be replaced (read-only, a getter), addEventListener
  // is not either, so the app's removals keep finding the listeners it added (ours are wrapped).
  undo.push(
    patch(ET, 'removeEventListener', (orig) =>
      function (this: EventTarget, ...a: Parameters<EventTarget['removeEventListener']>) {
        const [type, l, o] = a;
        const r = find(regs.get(this ?? globalThis), type, l, capOf(o));
        if (r) {
          r[6]();
          orig.call(this, type, r[2], o);
        }
        return orig.apply(this, a);
      } as EventTarget['removeEventListener'],
    ),
  );
  undo.push(
    patch(ET, 'addEventListener', (orig) =>
      function (this: EventTarget, ...a: Parameters<EventTarget['addEventListener']>) {
        // `l` may be null or a primitive: the `Object(l)` test below lets those through as given.
        const [type, l, o] = a as [string, EventListenerOrEventListenerObject, AddEventListenerOptions | boolean | undefined];
        // A bare `addEventListener(…)` in strict code has no `this`; WebIDL uses the global object.
        const t = this ?? globalThis;
        // Anything else goes as given (also too few arguments, which the native call rejects), and
        // so do targets outside the DOM, whose events never reach our window listener (and whose
        // listeners may be removed past us, e.g. by MediaQueryList.removeListener).
        if (l !== Object(l) || !types.has(type) || !(t instanceof Node || t === window)) return orig.apply(this, a);
        const cap = capOf(o);
        const { once, signal } = Object(o) as AddEventListenerOptions; // a boolean or undefined has neither
        let list = regs.get(t);
        const had = find(list, type, l, cap);
        // Registered already: the same wrapper again, which the browser ignores as it would `l`.
        if (had) return orig.call(this, type, had[2], o);
        // Forgets this registration (removed, run once, aborted), and our abort listener with it: a
        // long-lived signal would otherwise collect one per listener ever added with it.
        const drop = () => {
          const k = list!.indexOf(r);
          if (k >= 0) list!.splice(k, 1);
          off?.();
        };
        let off: (() => void) | undefined;
        const w = function (this: EventTarget, ev: Event) {
          if (once) drop();
          const c = live.get(ev);
          const run = () => {
            if (typeof l === 'function') return l.call(this, ev);
            // Looked up at each dispatch, once; the browser skips one that is not callable.
            const h = l.handleEvent;
            return typeof h === 'function' && h.call(l, ev);
          };
          if (!c) return run();
          try {
            return getContextManager().with(c.s, run);
          } finally {
            c._last = nowMs();
          }
        };
        // With zone.js the listener runs in the zone it was added in: restore adds it there.
        const r: Reg = [type, l, w, cap, o, currentZone(), drop];
        orig.call(this, type, w, o);
        if (signal?.aborted) return;
        // The same listener may be registered natively from before start(): drop that copy so it
        // runs once (it then runs in this registration's place in the listener order).
        if (!(once || signal)) remove0.call(this, type, l, cap);
        if (!list) {
          regs.set(t, (list = []));
          // Pruning reads every ref, which keeps each target alive until the task ends (a GC in it
          // frees none): only once the list has doubled, or busy pages never free them.
          if (targets.push(new WeakRef(t)) > most) most = 2 * prune(targets);
        }
        list.push(r);
        if (signal) off = listen(signal, 'abort', drop);
      } as EventTarget['addEventListener'],
    ),
  );

  return () => {
    unpatchAll(undo);
    // Swap our wrappers back for the app's listeners, so its later removeEventListener works.
    guard('interaction.restore_failed', () => {
      for (const ref of targets) {
        const t = ref.deref();
        const list = t && regs.get(t);
        if (!list) continue;
        for (const [type, l, w, cap, o, z] of list) {
          remove0.call(t, type, w, cap);
          const add = () => add0.call(t, type, l, o as AddEventListenerOptions);
          z ? z.run(add) : add();
        }
        regs.delete(t!);
      }
      targets.length = 0;
    });
  };
}

/** The same element, one inside the other, or in the same form (implicit submission). */
function related(a: EventTarget | null, b: EventTarget | null): boolean {
  return (
    a === b ||
    (a instanceof Node && b instanceof Node && (a.contains(b) || b.contains(a))) ||
    (a instanceof Element && b instanceof Element && !!formOf(a) && formOf(a) === formOf(b))
  );
}

const formOf = (el: Element): HTMLFormElement | null => (el as HTMLButtonElement).form ?? el.closest('form');

/** Drops the refs to collected targets; returns how many are left. */
function prune(list: WeakRef<EventTarget>[]): number {
  let j = 0;
  for (const r of list) if (r.deref()) list[j++] = r;
  return (list.length = j);
}
