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

export class SessionTracker {
  private readonly _idle: number;
  private readonly _max: number;
  private readonly _key: string;
  private _s: Stored | undefined;
  private _w = 0;

  constructor(options: SessionOptions = {}) {
    this._idle = options.inactivityMs ?? 15 * 60_000;
    this._max = options.maxAgeMs ?? 4 * 3_600_000;
    this._key = options.storageKey ?? 'spanbeam.session';
  }

  /** The current session id, rotating it first when it has expired. */
  current(now: number = Date.now()): string {
    let s = this._s;
    const due = now - this._w > TOUCH_WRITE_INTERVAL_MS;
    // Tabs share the session: look at storage again when ours seems expired (another tab may have
    // kept it alive or rotated it) or a write is due (to follow another tab's rotation).
    if (!s || this._expired(s, now) || due) {
      const stored = this._read();
      if (stored && (stored.id !== s?.id || stored.lastSeen > s.lastSeen)) s = stored;
    }
    const kept = s;
    if (!s || this._expired(s, now)) s = { id: newTraceId(), startedAt: now, lastSeen: now };
    this._s = s;
    s.lastSeen = now;
    if (s !== kept || due) {
      this._w = now;
      try {
        localStorage.setItem(this._key, JSON.stringify(s));
      } catch {
        /* quota or disabled storage: the id stays in memory */
      }
    }
    return s.id;
  }

  private _expired(s: Stored, now: number): boolean {
    return now - s.lastSeen > this._idle || now - s.startedAt > this._max;
  }

  // Storage access throws where it is denied (SecurityError in sandboxed frames) or absent
  // (workers, Node): both read and write catch that.
  private _read(): Stored | undefined {
    try {
      const raw = localStorage.getItem(this._key);
      if (!raw) return undefined;
      const v = JSON.parse(raw) as Partial<Stored>;
      if (typeof v.id === 'string' && typeof v.startedAt === 'number' && typeof v.lastSeen === 'number') return v as Stored;
    } catch {
      /* corrupt or unavailable: start fresh */
    }
    return undefined;
  }
}
