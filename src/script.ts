/**
 * The script-tag bundle: `<script src="spanbeam.iife.js">` exposes the `Spanbeam` global.
 * If zone.js is already on the page, context follows async work through it. With
 * `data-endpoint` (or `data-service-name`) on the tag, it also calls `start()` from the tag's
 * `data-*` attributes (see `startOptionsFromData`).
 */
import { ZoneContextManager } from './sdk/zone-context';
import { setContextManager } from './sdk/context';
import { guard } from './sdk/diag';
import { start, startOptionsFromData } from './start';

if (ZoneContextManager.isSupported()) setContextManager(new ZoneContextManager());

guard('script.autostart_failed', () => {
  const tag = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null) : null;
  const options = tag && startOptionsFromData(tag.dataset);
  if (options) start(options);
});

export * from './index';
export { ZoneContextManager, start, startOptionsFromData };
