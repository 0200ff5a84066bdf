/**
 * The script-tag bundle: `<script src="spanbeam.iife.js">` exposes the `Spanbeam` global.
 * If zone.js is already on the page, context follows async work through it.
 */
import { ZoneContextManager } from './sdk/zone-context';
import { setContextManager } from './sdk/context';

if (ZoneContextManager.isSupported()) setContextManager(new ZoneContextManager());

export * from './index';
export { ZoneContextManager };
