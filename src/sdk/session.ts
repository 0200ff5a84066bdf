/**
 * A `session.id` shared by the tabs of one browser profile: it survives reloads (localStorage),
 * rotates after a period of inactivity or a maximum age, and is in-memory where storage is
 * unavailable (private modes, workers, Node).
 */
import { newTraceId } from './ids';

export interface SessionOptions {
  /** Inactivity after which a new session starts. Default 15 minutes (as Faro and Splunk do). */
  inactivityMs?: number;
  /** Maximum session age. Default 4 hours. */
  maxAgeMs?: number;
  /** Storage key. Default `spanbeam.session`. */
  storageKey?: string;
}

interface Stored {
  id: string;
  startedAt: number;
  lastSeen: number;
}

// Writing localStorage is synchronous: the last-seen time is written at most this often.
const TOUCH_WRITE_INTERVAL_MS = 5000;

/** The current session id (at `now`, default the current time), rotating it first when it has expired. */
export type SessionTracker = (now?: number) => string;

export function sessionTracker(options: SessionOptions = {}): SessionTracker {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const idle = options.inactivityMs ?? 15 * 60_000;
  const max = options.maxAgeMs ?? 4 * 3_600_000;
  const key = options.storageKey ?? 'spanbeam.session';
  let s: Stored | undefined;
  let written = 0;
  const expired = (s: Stored, now: number) => now - s.lastSeen > idle || now - s.startedAt > max;
  // Storage access throws where it is denied (SecurityError in sandboxed frames) or absent
  // (workers, Node): both read and write catch that.
  const read = (): Stored | undefined => {
    try {
      const raw = localStorage.getItem(key);
      if (!raw) return undefined;
      const v = JSON.parse(raw) as Partial<Stored>;
      if (typeof v.id === 'string' && typeof v.startedAt === 'number' && typeof v.lastSeen === 'number') return v as Stored;
    } catch {
      /* corrupt or unavailable: start fresh */
    }
    return undefined;
  };
  return (now = Date.now()) => {
    const due = now - written > TOUCH_WRITE_INTERVAL_MS;
    // Tabs share the session: look at storage again when ours seems expired (another tab may have
    // kept it alive or rotated it) or a write is due (to follow another tab's rotation).
    if (!s || expired(s, now) || due) {
      const stored = read();
      if (stored && (stored.id !== s?.id || stored.lastSeen > s.lastSeen)) s = stored;
    }
    const kept = s;
    if (!s || expired(s, now)) s = { id: newTraceId(), startedAt: now, lastSeen: now };
    s.lastSeen = now;
    if (s !== kept || due) {
      written = now;
      try {
        localStorage.setItem(key, JSON.stringify(s));
      } catch {
        /* quota or disabled storage: the id stays in memory */
      }
    }
    return s.id;
  };
}
