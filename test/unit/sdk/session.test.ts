import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionTracker } from '../../../src/sdk/session';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  (globalThis as { localStorage?: unknown }).localStorage = storage;
});
afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('session.id', () => {
  it('survives a reload (a new tracker reading the same storage)', () => {
    const t0 = 1_000_000;
    const id = sessionTracker()(t0);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(sessionTracker()(t0 + 1000)).toBe(id);
  });

  it('rotates after inactivity', () => {
    const t = sessionTracker({ inactivityMs: 1000 });
    const a = t(0);
    expect(t(900)).toBe(a);
    expect(t(1800)).toBe(a); // activity at 900 extended it
    expect(t(3000)).not.toBe(a);
  });

  it('rotates after the maximum age even when active', () => {
    const t = sessionTracker({ inactivityMs: 1000, maxAgeMs: 2500 });
    const a = t(0);
    expect(t(800)).toBe(a);
    expect(t(1600)).toBe(a);
    expect(t(2400)).toBe(a);
    expect(t(3200)).not.toBe(a);
  });

  it('works in memory when storage throws', () => {
    (globalThis as { localStorage?: unknown }).localStorage = {
      getItem() {
        throw new Error('denied');
      },
      setItem() {
        throw new Error('denied');
      },
    };
    const t = sessionTracker();
    const a = t(0);
    expect(t(10)).toBe(a);
  });
});

describe('session.id shared by tabs (one localStorage)', () => {
  it('a tab idle longer than the inactivity period keeps the session another tab kept alive', () => {
    const minute = 60_000;
    const a = sessionTracker();
    const b = sessionTracker();
    const id = a(0);
    expect(b(1000)).toBe(id);
    for (let t = 5 * minute; t <= 30 * minute; t += 5 * minute) expect(b(t)).toBe(id);
    expect(a(31 * minute)).toBe(id);
    expect(b(32 * minute)).toBe(id);
  });

  it('a tab follows a rotation made by another tab', () => {
    const a = sessionTracker({ inactivityMs: 10_000, maxAgeMs: 60_000 });
    const b = sessionTracker({ inactivityMs: 10_000, maxAgeMs: 60_000 });
    const first = a(0);
    expect(b(0)).toBe(first);
    for (let t = 8000; t <= 56_000; t += 8000) {
      a(t);
      b(t + 1);
    }
    const rotated = a(64_000); // past the maximum age
    expect(rotated).not.toBe(first);
    expect(b(64_001)).toBe(rotated);
  });
});
