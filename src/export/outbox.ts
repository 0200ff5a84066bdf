import type { IDBPObjectStore } from 'idb';
import { openDB } from 'idb';

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
}

/** Where sealed batches wait: in this page (`_list`), or shared by every tab of the origin. */
export interface Outbox {
  /** The batches, when they live in this page's memory (no other tab sees them). */
  readonly _list?: Batch[];
  /**
   * Stores batches (replacing any with the same id); resolves once committed, when other tabs can
   * read them. The cap is applied by the caller afterwards, so a batch is only private until then.
   */
  _put(bs: Batch[]): Promise<void>;
  /** Batches of `k`, oldest first. */
  _all(k: string): Promise<Batch[]>;
  _del(ids: string[]): Promise<void>;
  /** Stores batches in one synchronous step with an immediate commit (page hide: no later tasks). */
  _putNow(bs: Batch[]): void;
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

/** An outbox over a store's primitives; `write` issues its writes synchronously (see `_putNow`). */
function outbox(write: (bs: Batch[]) => Promise<void>, read: () => Promise<Batch[]>, del: (ids: string[]) => Promise<void>): Outbox {
  return {
    _put: write,
    _all: async (k) => (await read()).filter((x) => x.k === k),
    _del: del,
    _putNow: (bs) => void write(bs).catch(() => undefined),
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

/**
 * The IndexedDB outbox shared by the origin's tabs. Rejects when IndexedDB is missing, refuses,
 * or stays blocked (another tab holding an old version) for `timeoutMs`.
 */
export async function idbOutbox(name = 'spanbeam-outbox', timeoutMs = 3000): Promise<Outbox> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () =>
    Promise.race([
      // Another connection deleting or upgrading the database waits for ours: close it (reopened when next used).
      openDB(name, 1, { upgrade: (db) => void db.createObjectStore(STORE, { keyPath: 'id' }), blocking: () => db.close() }),
      new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error('indexedDB open timed out')), timeoutMs))),
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
    tx.commit?.();
    return tx.done.then(() => r);
  };
  return outbox(
    (bs) => run('readwrite', (st) => void bs.forEach((b) => void st.put(b))),
    () => run('readonly', (st) => st.getAll() as Promise<Batch[]>),
    (ids) => run('readwrite', (st) => void ids.forEach((id) => void st.delete(id))),
  );
}
