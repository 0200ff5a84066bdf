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
  private readonly inactivityMs: number;
  private readonly maxAgeMs: number;
  private readonly key: string;
  private state: Stored | undefined;
  private lastWrite = 0;

  constructor(options: SessionOptions = {}) {
    this.inactivityMs = options.inactivityMs ?? 15 * 60_000;
    this.maxAgeMs = options.maxAgeMs ?? 4 * 3_600_000;
    this.key = options.storageKey ?? 'spanbeam.session';
  }

  /** The current session id, rotating it first when it has expired. */
  current(now: number = Date.now()): string {
    let s = this.state ?? this.read();
    if (!s || now - s.lastSeen > this.inactivityMs || now - s.startedAt > this.maxAgeMs) {
      s = { id: newTraceId(), startedAt: now, lastSeen: now };
      this.state = s;
      this.write(s, now);
      return s.id;
    }
    this.state = s;
    s.lastSeen = now;
    if (now - this.lastWrite > TOUCH_WRITE_INTERVAL_MS) this.write(s, now);
    return s.id;
  }

  private storage(): Storage | undefined {
    try {
      return typeof localStorage !== 'undefined' ? localStorage : undefined;
    } catch {
      return undefined; // SecurityError in sandboxed frames
    }
  }

  private read(): Stored | undefined {
    try {
      const raw = this.storage()?.getItem(this.key);
      if (!raw) return undefined;
      const v = JSON.parse(raw) as Partial<Stored>;
      if (typeof v.id === 'string' && typeof v.startedAt === 'number' && typeof v.lastSeen === 'number') return v as Stored;
    } catch {
      /* corrupt or unavailable: start fresh */
    }
    return undefined;
  }

  private write(s: Stored, now: number): void {
    this.lastWrite = now;
    try {
      this.storage()?.setItem(this.key, JSON.stringify(s));
    } catch {
      /* quota or disabled storage: the id stays in memory */
    }
  }
}
