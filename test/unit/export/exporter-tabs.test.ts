// Two tabs sharing the (IndexedDB) outbox under Web Locks: the tab holding the drain lock sends
// what it reads, so a tab may only beacon on its own a batch no other tab can have read yet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Batch, Outbox } from '../../../src/export/outbox';
import { createOtlpExporter } from '../../../src/export/otlp';
import { FakeStorage } from './fake-storage';
import { fakeSpan } from './spans';

const hoisted = vi.hoisted(() => ({ next: [] as Array<() => Promise<unknown>> }));
vi.mock('../../../src/export/outbox', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../../src/export/outbox')>();
  return { ...orig, idbOutbox: () => hoisted.next.shift()!() };
});

/** One shared store (the IndexedDB database), seen through one Outbox per tab, like idbOutbox(). */
const store = new Map<string, Batch>();
const sorted = () => [...store.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
/** `afterWrite` holds this tab's next read after a write: the outbox-cap check. */
function sharedOutbox(afterWrite: () => Promise<void> = async () => {}): Outbox {
  let wrote = false;
  return {
    async _put(bs) {
      bs.forEach((b) => store.set(b.id, b)); // the write transaction commits
      wrote = true;
    },
    async _all(k) {
      if (wrote) {
        wrote = false;
        await afterWrite();
      }
      return sorted().filter((b) => !k || b.k === k);
    },
    _del: async (ids) => void ids.forEach((id) => store.delete(id)),
  };
}

/** navigator.locks: one holder at a time per name, across "tabs". */
let lockChain: Promise<unknown> = Promise.resolve();
const locks = {
  request: (_name: string, fn: () => Promise<unknown>) => {
    const r = lockChain.then(fn);
    lockChain = r.catch(() => undefined);
    return r;
  },
};

interface Delivery {
  via: string;
  names: string[];
}
let deliveries: Delivery[];
let pending: Array<(r: Response) => void>;
const realFetch = globalThis.fetch;
const namesOf = (body: string): string[] =>
  (JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans.flatMap((r) =>
    r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)),
  );

function tab(name: string) {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  vi.stubGlobal('window', win);
  vi.stubGlobal('document', doc);
  vi.stubGlobal('navigator', {
    onLine: true,
    locks,
    sendBeacon: (_url: string, blob: Blob) => {
      void blob.text().then((t) => deliveries.push({ via: `beacon ${name}`, names: namesOf(t) }));
      return true;
    },
  });
  return { win, doc };
}

beforeEach(() => {
  store.clear();
  lockChain = Promise.resolve(); // a failed test may leave the lock held
  deliveries = [];
  pending = [];
  globalThis.fetch = vi.fn((_url: string, init: RequestInit) => {
    deliveries.push({ via: 'fetch', names: namesOf(init.body as string) });
    return new Promise<Response>((resolve) => pending.push(resolve));
  }) as unknown as typeof fetch;
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  globalThis.fetch = realFetch;
});

const tick = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

describe('exporter: two tabs, one shared outbox', () => {
  it('a batch whose write has committed is not beaconed by its writer while the lock holder sends it', async () => {
    let releaseB!: () => void;
    const gateB = new Promise<void>((r) => (releaseB = r));
    hoisted.next.push(async () => sharedOutbox());
    hoisted.next.push(async () => sharedOutbox(() => gateB));

    tab('A');
    const a = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 0, maxBatchSpans: 1 });
    const b_ = tab('B');
    const b = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 0, maxBatchSpans: 1 });
    await tick();

    a.onEnd(fakeSpan({ name: 'a1' })); // tab A takes the drain lock and sends a1 (slow collector)
    await tick();
    expect(deliveries.map((d) => d.names)).toEqual([['a1']]);

    b.onEnd(fakeSpan({ name: 'b1' })); // tab B writes b1 (committed); its outbox-cap read is still running
    await tick();
    pending.shift()!(new Response('{}', { status: 200 })); // a1 accepted: tab A reads the outbox again: b1
    await tick();
    expect(deliveries.map((d) => d.names)).toEqual([['a1'], ['b1']]); // tab A is sending b1

    b_.doc.visibilityState = 'hidden'; // tab B hides: b1 is no longer its own to beacon
    b_.doc.dispatchEvent(new Event('visibilitychange'));
    await tick();
    releaseB();
    pending.shift()?.(new Response('{}', { status: 200 }));
    await tick();

    const b1 = deliveries.filter((d) => d.names.includes('b1')).map((d) => d.via);
    // Promised: "shared by tabs with Web Locks so no batch is sent twice".
    expect(b1).toEqual(['fetch']);
  });

  it('a page frozen in the bfcache mid-send gives the lock back; restored, it does not send what the new holder sends', async () => {
    hoisted.next.push(async () => sharedOutbox());
    hoisted.next.push(async () => sharedOutbox());
    const a_ = tab('A');
    const a = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 0, maxBatchSpans: 1 });
    tab('B');
    const b = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 0, maxBatchSpans: 1 });
    await tick();
    a.onEnd(fakeSpan({ name: 'a1' })); // tab A holds the lock, sending a1 (slow collector)
    await tick();
    a.onEnd(fakeSpan({ name: 'a2' })); // waits in the shared outbox
    await tick();
    a_.win.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: true })); // into the bfcache
    await tick();
    b.onEnd(fakeSpan({ name: 'b1' })); // tab B gets the lock now, not when A is restored
    await tick();
    expect(deliveries.map((d) => d.names)).toEqual([['a1'], ['a2']]);
    a_.win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true })); // restored...
    pending.shift()!(new Response('{}', { status: 200 })); // ...a1 is answered while B sends a2
    await tick();
    for (let i = 0; i < 5 && pending.length; i++) {
      pending.shift()!(new Response('{}', { status: 200 }));
      await tick();
    }
    expect(deliveries.flatMap((d) => d.names).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(a.stats()).toMatchObject({ sent: 1, queued: 0 });
  });

  it('a batch parked in localStorage at pagehide whose IndexedDB copy the lock holder already sent is not sent again', async () => {
    vi.stubGlobal('localStorage', new FakeStorage());
    let commitA!: () => void;
    const slow = sharedOutbox();
    // Tab A's hide-time write lands in the database, but A has not heard it committed yet.
    const put = slow._put;
    slow._put = (bs) => put(bs).then(() => new Promise<void>((ok) => (commitA = ok)));
    hoisted.next.push(async () => slow);
    hoisted.next.push(async () => sharedOutbox());
    const a_ = tab('A');
    vi.stubGlobal('navigator', { onLine: true, locks, sendBeacon: () => false }); // A's beacons refused
    const a = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 60_000 });
    tab('B');
    const b = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 0, maxBatchSpans: 1 });
    await tick();
    a.onEnd(fakeSpan({ name: 'x' }));
    a_.doc.visibilityState = 'hidden';
    a_.doc.dispatchEvent(new Event('visibilitychange')); // x goes to the shared outbox
    b.onEnd(fakeSpan({ name: 'b1' })); // tab B drains: sends b1, then x
    for (let i = 0; i < 3; i++) {
      await tick();
      pending.shift()?.(new Response('{}', { status: 200 }));
    }
    expect(deliveries.flatMap((d) => d.names).sort()).toEqual(['b1', 'x']);
    a_.win.dispatchEvent(Object.assign(new Event('pagehide'), { persisted: false })); // x, unconfirmed, is parked too
    commitA();
    b.onEnd(fakeSpan({ name: 'b2' })); // B's next drain adopts what localStorage holds
    for (let i = 0; i < 3; i++) {
      await tick();
      pending.shift()?.(new Response('{}', { status: 200 }));
    }
    expect(deliveries.flatMap((d) => d.names).sort()).toEqual(['b1', 'b2', 'x']);
    // Nor left in either outbox for the next visit to send.
    expect(Object.keys(localStorage)).toEqual([]);
    expect([...store.keys()]).toEqual([]);
  });
});

describe('exporter: batches of another endpoint', () => {
  it('left by an endpoint no page uses any more, they are dropped past maxOutboxAgeMs (counted), not kept for ever', async () => {
    hoisted.next.push(async () => sharedOutbox());
    tab('A');
    const batch = (id: string, k: string, t: number): Batch => ({ id, k, t, n: 2, b: '{}', z: 2 });
    const day = 86_400_000;
    store.set('0a', batch('0a', 'otlp https://old.test/v1/traces', Date.now() - day - 1000)); // the site's old collector
    store.set('0b', batch('0b', 'zipkin https://zipkin.test/api/v2/spans', Date.now() - 1000)); // another exporter's, recent
    const e = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 0 });
    e.onEnd(fakeSpan({ name: 'x' }));
    await tick();
    pending.shift()?.(new Response('{}', { status: 200 }));
    await tick();
    expect([...store.keys()]).toEqual(['0b']);
    expect(e.stats().dropped).toEqual({ outbox_age: 2 });
    expect(deliveries.flatMap((d) => d.names)).toEqual(['x']);
  });
});

describe('exporter: outbox errors', () => {
  it('an outbox read that fails in the send loop (connection closed) is retried with backoff, not left until the next seal', async () => {
    const box = sharedOutbox();
    let fail = 1;
    const read = box._all;
    box._all = (k) => (fail-- > 0 ? Promise.reject(new DOMException('The database connection is closing.', 'InvalidStateError')) : read(k));
    hoisted.next.push(async () => box);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    tab('A');
    store.set('000000001x', { id: '000000001x', k: 'otlp https://collector.test/v1/traces', t: Date.now(), n: 1, b: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"left"}]}]}]}', z: 10 });
    createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', retryInitialMs: 1000 });
    await tick();
    // The first read failed; the retry waits 500–1000 ms, well past these ticks even on a loaded machine.
    expect(deliveries).toEqual([]);
    // Retried after the backoff, not at the next seal (there is none): polled, as a loaded machine
    // may run the timer late.
    await vi.waitFor(() => expect(deliveries.map((d) => d.names)).toEqual([['left']]), { timeout: 6000, interval: 20 });
  });
});

describe('exporter: outbox full', () => {
  it('IndexedDB over quota and localStorage without room for the seal: its batches are kept in memory and sent, not lost', async () => {
    const box = sharedOutbox();
    box._put = () => Promise.reject(new DOMException('over quota', 'QuotaExceededError'));
    hoisted.next.push(async () => box);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('localStorage', new FakeStorage());
    // Another exporter's batch has taken most of the outbox's 256 KiB share of localStorage.
    const other: Batch = { id: '000000001x', k: 'zipkin https://zipkin.test/api/v2/spans', t: Date.now(), n: 1, b: 'x'.repeat(230_000), z: 230_000 };
    localStorage.setItem('spanbeam-outbox ' + other.id, JSON.stringify(other));
    tab('A');
    const e = createOtlpExporter({ endpoint: 'https://collector.test/v1/traces', maxDelayMs: 60_000, maxBatchBytes: 25_000 });
    await tick();
    // One seal, two batches of ~20 KB: one fits what is left of the share, not both.
    const big = { blob: 'y'.repeat(20_000) };
    e.onEnd(fakeSpan({ name: 'a', attributes: big }));
    e.onEnd(fakeSpan({ name: 'b', attributes: big }));
    void e.flush();
    for (let i = 0; i < 5; i++) {
      await tick();
      pending.shift()?.(new Response('{}', { status: 200 }));
    }
    expect(deliveries.flatMap((d) => d.names).sort()).toEqual(['a', 'b']);
  });
});
