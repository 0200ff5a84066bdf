// The demo receiver's NDJSON store (demo/receiver/store.mjs): what reaches the file stays readable.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
// @ts-expect-error: a JavaScript module of the demo, without types
import { TraceStore } from '../../../demo/receiver/store.mjs';

let failNext = false;
vi.mock('node:fs/promises', async (actual) => {
  const real = await actual<typeof import('node:fs/promises')>();
  return {
    ...real,
    // A write that stops part way (a full disk, say): half the line lands, then an error.
    appendFile: async (file: string, data: string) => {
      if (!failNext) return real.appendFile(file, data);
      failNext = false;
      await real.appendFile(file, data.slice(0, data.length >> 1));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    },
  };
});

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = (traceId: string, name: string) => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans: [{ traceId, spanId: '1111111111111111', name }] }] }],
});

it('a write that failed part way does not swallow the next request', async () => {
  dir = mkdtempSync(join(tmpdir(), 'demo-store-'));
  const file = join(dir, 'traces.ndjson');
  const store = new TraceStore({ file });
  await store.open();
  await store.add(request('a'.repeat(32), 'first'));
  failNext = true;
  await expect(store.add(request('b'.repeat(32), 'torn'))).rejects.toThrow('ENOSPC');
  await store.add(request('c'.repeat(32), 'after'));

  const reopened = new TraceStore({ file });
  await reopened.open();
  expect(reopened.skippedLines).toBe(1);
  expect([...reopened.traces.keys()].sort()).toEqual(['a'.repeat(32), 'c'.repeat(32)]);
  expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
});
