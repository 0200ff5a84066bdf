/**
 * `spanbeam/zone`: context that follows async work through zone.js. Load zone.js first
 * (`import 'zone.js'`), then call `useZoneContext()` once.
 */
import { ZoneContextManager } from './sdk/zone-context';
import { setContextManager } from './sdk/context';

export { ZoneContextManager };

/** Installs the Zone context manager for the page and returns it. */
export function useZoneContext(): ZoneContextManager {
  const m = new ZoneContextManager();
  setContextManager(m);
  return m;
}
