import type { Unpatch } from './wrap';
import { getTracer } from '../tracer';
import { guard } from '../diag';
import { activeOrInteraction } from './activity';
import { redactUrl } from './redact';
import { later, listen, patch, unpatchAll } from './wrap';

interface NavigateEventLike extends Event {
  navigationType: string;
  hashChange: boolean;
  destination: { url: string; sameDocument: boolean };
}

/**
 * A `navigation` span per same-document URL change, from the active span (or the interaction
 * within its activity window), with `browser.navigation.from`/`.to` redacted like `url.full`.
 * Where the Navigation API exists its `navigate` event is the single source (it fires for
 * pushState, replaceState, back/forward and fragment changes alike); elsewhere `history.pushState`
 * / `replaceState` are wrapped and `popstate` / `hashchange` observed. Changes that keep the URL
 * (state-only `replaceState`) are not spans. The span ends after the task that changed the URL.
 */
export function instrumentNavigation(): Unpatch {
  const tracer = getTracer('spanbeam/navigation');
  let last = location.href;
  const record = (type: string, to: string) =>
    guard('navigation.failed', () => {
      const from = last;
      to = new URL(to, document.baseURI).href;
      last = to;
      if (to === from) return;
      if (to.split('#')[0] === from.split('#')[0]) type = 'hashchange';
      const span = tracer.startSpan('navigation', {
        parent: activeOrInteraction(),
        attributes: {
          'browser.navigation.type': type,
          'browser.navigation.from': redactUrl(from),
          'browser.navigation.to': redactUrl(to),
        },
      });
      later(() => span.end(), 0);
    });
  const undo: Unpatch[] = [];
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  if (nav && typeof nav.addEventListener === 'function') {
    undo.push(
      listen(
        nav,
        'navigate',
        (e) => {
          const n = e as NavigateEventLike;
          if (n.destination?.sameDocument) record(n.hashChange ? 'hashchange' : n.navigationType, n.destination.url);
        },
        false,
      ),
    );
  } else {
    for (const m of ['pushState', 'replaceState'] as const)
      undo.push(
        patch(history, m, (orig) =>
          function (this: History, ...a: [unknown, string, (string | URL | null)?]) {
            const r = orig.apply(this, a);
            if (a[2] != null) record(m, String(a[2]));
            return r;
          },
        ),
      );
    for (const t of ['popstate', 'hashchange']) undo.push(listen(window, t, () => record(t, location.href), false));
  }
  return () => unpatchAll(undo);
}
