import type { Unpatch } from './wrap';
import { getTracer } from '../tracer';
import { guard } from '../diag';
import { activeOrInteraction, hold, noteInteraction, settle } from './activity';
import { redactUrl } from './redact';
import { later, listen, patch, unpatchAll } from './wrap';

interface NavigationLike extends EventTarget {
  currentEntry: { url: string | null } | null;
  transition?: { finished: Promise<void> } | null;
}

/**
 * A `navigation` span per same-document URL change, from the active span (or the interaction
 * within its activity window), with `browser.navigation.from`/`.to` redacted like `url.full`.
 * Where the Navigation API exists its `currententrychange` event is the single source: it fires
 * for pushState, replaceState, back/forward, fragment changes and the navigations a router
 * intercepts (whose `navigate` event still says cross-document), never for a new document.
 * Elsewhere `history.pushState` / `replaceState` are wrapped and `popstate` / `hashchange`
 * observed. Changes that keep the URL (state-only `replaceState`) are not spans. A change of the
 * fragment alone is typed `hashchange`. The span ends after the task that changed the URL, or
 * for an intercepted navigation when its handlers settle; at the latest at `pagehide`.
 */
export function instrumentNavigation(): Unpatch {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const tracer = getTracer('spanbeam/navigation');
  let last = location.href;
  const nav = (globalThis as { navigation?: NavigationLike }).navigation;
  const record = (type: string, to: string) =>
    guard('navigation.failed', () => {
      const from = last;
      last = to;
      if (to === from) return;
      if (to.split('#')[0] === from.split('#')[0]) type = 'hashchange';
      const parent = activeOrInteraction();
      const span = tracer.startSpan('navigation', {
        parent,
        attributes: {
          'browser.navigation.type': type,
          'browser.navigation.from': redactUrl(from),
          'browser.navigation.to': redactUrl(to),
        },
      });
      // With no cause of its own (back/forward, a router's own navigate()), it is the parent of the
      // work the route starts (its data loading), as a click is: until it ends, then the activity
      // window. With a cause, that work stays the cause's child, as it is with zone.js, and the
      // cause's window stays open while the navigation lasts and 1 s after (Sentry's idleTimeout):
      // a route may load its code (a lazy chunk) before it asks for its data.
      const rec = parent ? hold(parent) : noteInteraction(span, NaN, 0, NaN);
      // Open until its end below, or the page's end: a route still loading when the tab closes is sent.
      const end = (e?: { name?: string } | void) => {
        if (!open.delete(end)) return;
        if (e) span.setStatus({ code: 2, message: e.name });
        span.end();
        settle(rec, 1e3, !parent);
      };
      open.add(end);
      // A navigation a router intercepted lasts until its handlers settle (the route's loading);
      // one that fails or is superseded is an error.
      const t = nav?.transition;
      if (t) t.finished.then(end, (e: unknown) => end(Object(e)));
      else later(end, 0);
    });
  const open = new Set<() => void>();
  // Before the exporter's own pagehide listener (made later), so these go out with it.
  const undo: Unpatch[] = [listen(window, 'pagehide', () => open.forEach((end) => end()))];
  // Not `nav` alone: without the Navigation API, `window.navigation` is the page's element of that id
  // (`<nav id="navigation">`), which never fires `currententrychange`.
  if (nav?.currentEntry) {
    undo.push(
      listen(
        nav,
        'currententrychange',
        (e) => {
          const url = nav.currentEntry?.url;
          if (url) record((e as Event & { navigationType: string | null }).navigationType ?? 'replace', url);
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
            // The URL as the browser resolved it (against the old URL; document.baseURI is already the new one).
            if (a[2] != null) record(m.slice(0, -5), location.href);
            return r;
          },
        ),
      );
    // Types as the Navigation API names them (push, replace, traverse), so one query covers every browser.
    for (const t of ['popstate', 'hashchange']) undo.push(listen(window, t, () => record('traverse', location.href), false));
  }
  return () => unpatchAll(undo);
}
