/**
 * The script-tag bundle: `<script src="spanbeam.iife.js">` exposes the `Spanbeam` global.
 * If zone.js is already on the page, context follows async work through it. With
 * `data-endpoint` (or `data-service-name`) on the tag, it also calls `start()` from the tag's
 * `data-*` attributes (see `startOptionsFromData`).
 */
import type { StartOptions } from './start';
import { ZoneContextManager } from './sdk/zone-context';
import { StackContextManager, getContextManager, setContextManager } from './sdk/context';
import { guard } from './sdk/diag';
import { running, start as startSdk, startOptionsFromData } from './start';

// Loaded again after an earlier copy started: that copy holds the running SDK (this one's
// `start` returns its handle), so it stays the `Spanbeam` global, restored once this script has
// assigned the new one.
const g = globalThis as { Spanbeam?: { start?: unknown } };
const first = g.Spanbeam;
if (running() && typeof first?.start == 'function') queueMicrotask(() => (g.Spanbeam = first));

// Installed at load, so the tracer API follows async work without start() too.
const zm = ZoneContextManager.isSupported() ? new ZoneContextManager() : undefined;
if (zm) setContextManager(zm);

/** `start()`; `zone: false` takes back the Zone context this bundle installed at load. */
function start(o?: StartOptions) {
  'eager'; // compiled as the script tag loads, with the start() the minifier inlines here (scripts/eager.mjs)
  if (o?.zone === false && !running() && getContextManager() === zm) setContextManager(new StackContextManager());
  return startSdk(o);
}

guard('script.autostart_failed', () => {
  const tag = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null) : null;
  const options = tag && startOptionsFromData(tag.dataset);
  if (options) start(options);
});

export * from './index';
export { ZoneContextManager, start, startOptionsFromData };
