import type { IDBPObjectStore } from 'idb';
import { openDB } from './idb';
import { DEV } from '../sdk/diag';

/** One sealed request body waiting for delivery. Short keys: these records live in IndexedDB. */
export interface Batch {
  /** Time-ordered id (base-36 creation time + random), also sent as `spanbeam.batch.id`. */
  id: string;
  /** Exporter key (format + endpoint): exporters sharing the database keep apart. */
  k: string;
  /** Creation time, epoch ms. */
  t: number;
  /** Number of spans. */
  n: number;
  /** The request body (JSON). */
  b: string;
  /** Body size in UTF-8 bytes. */
  z: number;
  /** Earlier drops this batch reports (`spanbeam.export.dropped_spans`): reported again if it is dropped too. */
  d?: number;
}

/** Where sealed batches wait: in this page (`_list`), or shared by every tab of the origin. */
export interface Outbox {
  /** The batches, when they live in this page's memory (no other tab sees them). */
  readonly _list?: Batch[];
  /**
   * Stores batches (replacing any with the same id) with writes issued and committed now (page
   * hide: no later tasks), unless IndexedDB must reopen first. Resolves once committed, when other
   * tabs can read them (the drain lock's holder applies the caps); rejects when the write fails
   * (IndexedDB over quota, localStorage full).
   */
  _put(bs: Batch[]): Promise<void>;
  /** Batches of `k` (or of every exporter), oldest first. */
  _all(k?: string): Promise<Batch[]>;
  _del(ids: string[]): Promise<void>;
}

/** The oldest batches to drop so the rest fit in `maxBytes` (input oldest first). */
export function overBytes(list: Batch[], maxBytes: number): Batch[] {
  // Keep the newest that fit; the rest is over.
  let i = list.length;
  let kept = 0;
  while (i > 0 && kept + list[i - 1].z <= maxBytes) kept += list[--i].z;
  return list.slice(0, i);
}

export function newBatchId(nowMs = Date.now()): string {
  const r = new Uint32Array(2);
  crypto.getRandomValues(r);
  return nowMs.toString(36).padStart(9, '0') + r[0].toString(36) + r[1].toString(36);
}

/** An outbox over a store's primitives; `write` issues its writes synchronously (see `_put`). */
function outbox(write: (bs: Batch[]) => Promise<void>, read: () => Promise<Batch[]>, del: (ids: string[]) => Promise<void>): Outbox {
  return {
    _put: write,
    _all: async (k) => (await read()).filter((x) => !k || x.k === k),
    _del: del,
  };
}

export function memoryOutbox(): Outbox {
  let list: Batch[] = [];
  return {
    ...outbox(
      // By id, as IndexedDB does: page hide may store a batch whose chained write then stores it again.
      async (bs) => {
        for (const b of bs) {
          const i = list.findIndex((x) => x.id === b.id);
          if (i < 0) list.push(b);
          else list[i] = b;
        }
      },
      async () => list,
      async (ids) => void (list = list.filter((x) => !ids.includes(x.id))),
    ),
    get _list() {
      return list;
    },
  };
}

const STORE = 'outbox';
const noop = () => {};

/**
 * The IndexedDB outbox shared by the origin's tabs. Rejects when IndexedDB is missing, refuses,
 * or stays blocked (another tab holding an old version) for `timeoutMs`.
 */
export async function idbOutbox(name = 'spanbeam-outbox', timeoutMs = 3000): Promise<Outbox> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () =>
    Promise.race([
      // Another connection deleting or upgrading the database waits for ours: close it (reopened when next used).
      // The connection that got the notice (after a timed-out open, `db` may be unset).
      openDB(name, 1, { upgrade: (d) => void d.createObjectStore(STORE, { keyPath: 'id' }), blocking: (_v, _n, e) => (e.target as IDBDatabase).close() }),
      new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(DEV ? 'indexedDB open timed out' : '')), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  let db = await open();
  // Every transaction is committed as soon as its requests are issued. One left to auto-commit
  // needs a later task, which a closing page never runs: it would abort, and block the page-hide
  // write queued behind it.
  const run = async <T>(mode: IDBTransactionMode, fn: (store: IDBPObjectStore<unknown, [typeof STORE], typeof STORE, 'readwrite'>) => T | PromiseLike<T>): Promise<T> => {
    let tx;
    try {
      tx = db.transaction(STORE, mode as 'readwrite'); // issued synchronously (page hide)
    } catch {
      // The connection was closed (by us above, or by the browser: storage cleared): open a new one.
      tx = (db = await open()).transaction(STORE, mode as 'readwrite');
    }
    const r = fn(tx.store);
    tx.commit();
    // A failed request fails its transaction too (tx.done): its own promise must not reach the
    // page as an unhandled rejection.
    void Promise.resolve(r).catch(noop);
    return tx.done.then(() => r);
  };
  return outbox(
    (bs) => run('readwrite', (st) => void bs.forEach((b) => void st.put(b).catch(noop))),
    () => run('readonly', (st) => st.getAll() as Promise<Batch[]>),
    (ids) => run('readwrite', (st) => void ids.forEach((id) => void st.delete(id).catch(noop))),
  );
}

/** localStorage keys of the batches `lsOutbox` holds. */
const PARK = 'spanbeam-outbox ';
/**
 * What `lsOutbox` may take of the origin's localStorage (characters): it is the app's too (about
 * 5 MiB in all), and an app whose own `setItem` then failed for want of space would be broken by us.
 */
const PARK_MAX = 256 * 1024;

/** The localStorage outbox, which can also store synchronously. */
export interface LsOutbox extends Outbox {
  /** Stores each batch that fits now; returns those that did not. */
  _park(bs: Batch[]): Batch[];
}

/**
 * The outbox in localStorage, also shared by the origin's tabs: the fallback when IndexedDB fails,
 * and where a page hide stores what it must before IndexedDB has opened or while the page is being
 * destroyed (a page going away runs none of its callbacks and may not see an IndexedDB transaction
 * commit; localStorage is synchronous). Throws where localStorage is missing or blocked; writes
 * reject when it is full or past `PARK_MAX`.
 */
export function lsOutbox(): LsOutbox {
  const s = localStorage;
  const park = (bs: Batch[]) => {
    let used = 0;
    for (const k of Object.keys(s)) if (k.startsWith(PARK)) used += s.getItem(k)!.length;
    return bs.filter((b) => {
      const v = JSON.stringify(b);
      // A batch written again replaces its copy.
      const more = v.length - (s.getItem(PARK + b.id)?.length ?? 0);
      if (used + more > PARK_MAX) return true;
      try {
        s.setItem(PARK + b.id, v);
        used += more;
      } catch {
        return true; // localStorage full
      }
    });
  };
  return {
    ...outbox(
      async (bs) => {
        const left = park(bs);
        // All or none, as an IndexedDB transaction: the caller stores them all elsewhere.
        if (left.length) {
          for (const b of bs) if (!left.includes(b)) s.removeItem(PARK + b.id);
          throw new DOMException(DEV ? 'the outbox has used its share of localStorage' : '', 'QuotaExceededError');
        }
      },
      // Keys sort as ids do: oldest first.
      async () => Object.keys(s).filter((x) => x.startsWith(PARK)).sort().map((x) => JSON.parse(s.getItem(x)!) as Batch),
      async (ids) => ids.forEach((id) => s.removeItem(PARK + id)),
    ),
    _park: park,
  };
}
