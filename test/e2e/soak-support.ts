// Soak measurements over the DevTools protocol: heap snapshots after full garbage collections,
// to tell what the page still holds once the work that made it is over.
import type { CDPSession, Page } from '@playwright/test';

export interface Heap {
  /** Live objects per constructor name (`object` nodes). */
  objects: Map<string, number>;
  /** The text of every live string. */
  strings: string[];
  /** Bytes of JS heap in use. */
  used: number;
}

export async function cdp(page: Page): Promise<CDPSession> {
  const s = await page.context().newCDPSession(page);
  await s.send('HeapProfiler.enable');
  return s;
}

/** A heap snapshot after garbage collection, counted. */
export async function heap(s: CDPSession): Promise<Heap> {
  for (let i = 0; i < 3; i++) await s.send('HeapProfiler.collectGarbage');
  const used = (await s.send('Runtime.getHeapUsage')).usedSize;
  const chunks: string[] = [];
  const on = (e: { chunk: string }) => chunks.push(e.chunk);
  s.on('HeapProfiler.addHeapSnapshotChunk', on);
  await s.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  s.off('HeapProfiler.addHeapSnapshotChunk', on);
  const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [ti, ni, w] = [f.indexOf('type'), f.indexOf('name'), f.length];
  const objects = new Map<string, number>();
  const strings: string[] = [];
  for (let i = 0; i < snap.nodes.length; i += w) {
    const type = types[snap.nodes[i + ti]];
    const name = snap.strings[snap.nodes[i + ni]];
    if (type === 'object') objects.set(name, (objects.get(name) ?? 0) + 1);
    else if (type === 'string') strings.push(name);
  }
  return { objects, strings, used };
}
