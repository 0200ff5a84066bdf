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

/** Where sealed batches wait. `shared` stores are seen by every tab of the origin. */
export interface Outbox {
  readonly shared: boolean;
  /** Stores `b`, then drops the oldest batches of the same key beyond `maxBytes`; resolves to those. */
  put(b: Batch, maxBytes: number): Promise<Batch[]>;
  /** Batches of `k`, oldest first. */
  all(k: string): Promise<Batch[]>;
  del(ids: string[]): Promise<void>;
  /** Stores batches in one synchronous step with an immediate commit (page hide: no later tasks). */
  putNow(bs: Batch[]): void;
}

/** The oldest batches to drop so the rest fit in `maxBytes` (input oldest first). */
export function overBytes(list: Batch[], maxBytes: number): Batch[] {
  let total = 0;
  for (const b of list) total += b.z;
  const out: Batch[] = [];
  for (let i = 0; total > maxBytes && i < list.length; i++) {
    total -= list[i].z;
    out.push(list[i]);
  }
  return out;
}

export function newBatchId(nowMs = Date.now()): string {
  const r = new Uint32Array(2);
  crypto.getRandomValues(r);
  return nowMs.toString(36).padStart(9, '0') + r[0].toString(36) + r[1].toString(36);
}

export function memoryOutbox(): Outbox & { list: Batch[] } {
  let list: Batch[] = [];
  return {
    shared: false,
    get list() {
      return list;
    },
    put(b, maxBytes) {
      list.push(b);
      const drop = overBytes(list.filter((x) => x.k === b.k), maxBytes);
      list = list.filter((x) => !drop.includes(x));
      return Promise.resolve(drop);
    },
    all: (k) => Promise.resolve(list.filter((x) => x.k === k)),
    putNow(bs) {
      list.push(...bs);
    },
    del(ids) {
      list = list.filter((x) => !ids.includes(x.id));
      return Promise.resolve();
    },
  };
}

const STORE = 'outbox';

/**
 * The IndexedDB outbox shared by the origin's tabs. Rejects when IndexedDB is missing, refuses,
 * or stays blocked (another tab holding an old version) for `timeoutMs`.
 */
export function idbOutbox(name = 'spanbeam-outbox', timeoutMs = 3000): Promise<Outbox> {
  return new Promise<Outbox>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('indexedDB open timed out')), timeoutMs);
    const done = (f: () => void) => {
      clearTimeout(timer);
      f();
    };
    Promise.resolve()
      .then(() => openDB(name, 1, { upgrade: (db) => void db.createObjectStore(STORE, { keyPath: 'id' }) }))
      .then(
        (db) => {
          // Every transaction is committed as soon as its requests are issued. One left to
          // auto-commit needs a later task, which a closing page never runs: it would abort, and
          // block the page-hide write queued behind it.
          const run = <T>(mode: IDBTransactionMode, fn: (store: IDBPObjectStore<unknown, [typeof STORE], typeof STORE, 'readwrite'>) => T): Promise<T> => {
            const tx = db.transaction(STORE, mode as 'readwrite');
            const r = fn(tx.store);
            tx.commit?.();
            return tx.done.then(() => r);
          };
          const getAll = () => run('readonly', (st) => st.getAll() as Promise<Batch[]>).then((p) => p);
          const del = (ids: string[]) => run('readwrite', (st) => void ids.forEach((id) => void st.delete(id)));
          done(() =>
            ok({
              shared: true,
              async put(b, maxBytes) {
                await run('readwrite', (st) => void st.put(b));
                const drop = overBytes((await getAll()).filter((x) => x.k === b.k), maxBytes);
                if (drop.length) await del(drop.map((x) => x.id));
                return drop;
              },
              putNow(bs) {
                run('readwrite', (st) => void bs.forEach((b) => void st.put(b))).catch(() => undefined);
              },
              all: async (k) => (await getAll()).filter((x) => x.k === k),
              del,
            }),
          );
        },
        (err: unknown) => done(() => fail(err)),
      );
  });
}
