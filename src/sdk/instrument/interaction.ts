import type { Span } from '../types';
import type { Unpatch } from './wrap';
import { getTracer } from '../tracer';
import { getContextManager } from '../context';
import { hrToEpochMs, nowMs } from '../clock';
import { guard } from '../diag';
import { noteInteraction } from './activity';
import { describeTarget, pickTarget } from './describe';
import { later, listen, patch, unpatchAll } from './wrap';

export interface InteractionOptions {
  /** Event types traced. Default: click, dblclick, submit, change, keydown (Enter/Space on controls). */
  events?: string[];
  /**
   * The activity window, in ms after an interaction's dispatch ended: a fetch, XHR or SPA
   * navigation that starts with no active span within it becomes the interaction's child. This
   * catches work started after a native `await` in a handler, which zone.js cannot follow.
   * Default 500.
   */
  activityWindowMs?: number;
}

/** Default activity window (ms). */
export const ACTIVITY_WINDOW_MS = 500;

interface Current {
  s: Span;
  type: string;
  target: EventTarget | null;
  /** End of the last handler we saw return (epoch ms). */
  last: number;
  ended?: boolean;
}

type Reg = [type: string, listener: EventListenerOrEventListenerObject, wrapper: EventListener, capture: boolean, options: unknown];

/** Enter on a control (not a multi-line text field), Space on a button-like one; no auto-repeat. */
function keyQualifies(ev: KeyboardEvent, el: Element | undefined): boolean {
  if (ev.repeat || !el || !el.matches('a,button,input,select,summary,[role],[tabindex]')) return false;
  if (ev.key === 'Enter') return el.localName !== 'textarea';
  return (
    ev.key === ' ' &&
    (/^(button|summary)$/.test(el.localName) ||
      (el.localName === 'input' && /^(button|submit|reset|checkbox|radio|image)$/.test((el as HTMLInputElement).type)) ||
      /^(button|checkbox|switch|tab|menuitem|option|radio)$/.test(el.getAttribute('role') ?? ''))
  );
}

/**
 * One span per user interaction, however many listeners handle it. A capture listener on
 * `window` starts the span when the event begins (at `event.timeStamp`); every listener for the
 * traced types that the app registers while we are installed runs with that span active (through
 * the Zone context when zone.js is there), so timers, promises, fetch and XHR started in it become
 * children. The span ends after the dispatch (the last handler's return), and the activity window
 * follows. Events dispatched by the interaction's own default action (click → submit, click →
 * change, Enter → click) join it instead of starting another span. Targets inside shadow DOM are
 * named from `composedPath()[0]`'s side. `once` and `signal` listeners are not wrapped.
 *
 * Removal re-registers the wrapped listeners unwrapped (same options; they move to the end of
 * their target's listener list) and restores `addEventListener`/`removeEventListener`.
 */
export function instrumentInteractions(options: InteractionOptions = {}): Unpatch {
  const types = new Set(options.events ?? ['click', 'dblclick', 'submit', 'change', 'keydown']);
  const windowMs = options.activityWindowMs ?? ACTIVITY_WINDOW_MS;
  const tracer = getTracer('spanbeam/interaction');
  const live = new WeakMap<Event, Current>();
  let cur: Current | undefined;
  const undo: Unpatch[] = [];

  const onEvent = (ev: Event) =>
    guard('interaction.failed', () => {
      if (live.has(ev)) return;
      const type = ev.type;
      const path = ev.composedPath();
      const el = pickTarget(path);
      const t = path[0] ?? ev.target;
      if (type === 'keydown' && !keyQualifies(ev as KeyboardEvent, path[0] instanceof Element ? path[0] : undefined)) return;
      // Nested in a running interaction's default action: same interaction.
      if (cur && !cur.ended && type !== cur.type && type !== 'dblclick' && related(t, cur.target)) {
        live.set(ev, cur);
        return;
      }
      const name = describeTarget(el);
      const s = tracer.startSpan(`${type} ${name}`, {
        startTime: Math.min(hrToEpochMs(ev.timeStamp), nowMs()),
        attributes: { 'interaction.type': type, 'interaction.target': name },
      });
      if (type === 'keydown') s.setAttribute('interaction.key', (ev as KeyboardEvent).key === ' ' ? 'Space' : 'Enter');
      const c: Current = (cur = { s, type, target: t, last: nowMs() });
      live.set(ev, c);
      const rec = noteInteraction(s, ev.timeStamp);
      later(() => {
        c.ended = true;
        s.end(c.last);
        rec.until = nowMs() + windowMs;
      }, 0);
    });
  for (const type of types) undo.push(listen(window, type, onEvent));

  const wrappers = new WeakMap<object, EventListener>();
  const wrap = (l: EventListenerOrEventListenerObject): EventListener => {
    let w = wrappers.get(l);
    if (!w)
      wrappers.set(
        l,
        (w = function (this: EventTarget, ev: Event) {
          const c = live.get(ev);
          const run = () => (typeof l === 'function' ? l.call(this, ev) : l.handleEvent(ev));
          if (!c) return run();
          try {
            return getContextManager().with(c.s, run);
          } finally {
            c.last = nowMs();
          }
        }),
      );
    return w;
  };

  // Registrations we wrapped, per target, so removal by the app and our own uninstall find them.
  const regs = new WeakMap<EventTarget, Reg[]>();
  const targets: WeakRef<EventTarget>[] = [];
  const capOf = (o: unknown) => (typeof o === 'object' && o ? !!(o as AddEventListenerOptions).capture : !!o);
  const find = (list: Reg[] | undefined, type: string, l: unknown, cap: boolean) =>
    list ? list.findIndex((r) => r[0] === type && r[1] === l && r[3] === cap) : -1;
  const ET = EventTarget.prototype;
  const add0 = ET.addEventListener;
  const remove0 = ET.removeEventListener;

  undo.push(
    patch(ET, 'addEventListener', (orig) =>
      function (this: EventTarget, type: string, l: EventListenerOrEventListenerObject | null, o?: boolean | AddEventListenerOptions) {
        const obj = typeof o === 'object' && o;
        if (!l || !types.has(type) || (obj && (obj.once || obj.signal)) || (typeof l !== 'function' && typeof l !== 'object'))
          return orig.call(this, type, l, o);
        const cap = capOf(o);
        let list = regs.get(this);
        if (!list) {
          regs.set(this, (list = []));
          if (targets.push(new WeakRef(this)) % 256 === 0) prune(targets);
        }
        const w = wrap(l);
        if (find(list, type, l, cap) < 0) list.push([type, l, w, cap, o]);
        return orig.call(this, type, w, o);
      } as EventTarget['addEventListener'],
    ),
    patch(ET, 'removeEventListener', (orig) =>
      function (this: EventTarget, type: string, l: EventListenerOrEventListenerObject | null, o?: boolean | EventListenerOptions) {
        const list = regs.get(this);
        const i = find(list, type, l, capOf(o));
        if (i >= 0) orig.call(this, type, list!.splice(i, 1)[0][2], o);
        return orig.call(this, type, l, o);
      } as EventTarget['removeEventListener'],
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
        for (const [type, l, w, cap, o] of list) {
          remove0.call(t, type, w, cap);
          add0.call(t, type, l, o as AddEventListenerOptions);
        }
        regs.delete(t!);
      }
      targets.length = 0;
    });
  };
}

function related(a: EventTarget | null, b: EventTarget | null): boolean {
  return a === b || (a instanceof Node && b instanceof Node && (a.contains(b) || b.contains(a)));
}

function prune(list: WeakRef<EventTarget>[]): void {
  let j = 0;
  for (const r of list) if (r.deref()) list[j++] = r;
  list.length = j;
}
